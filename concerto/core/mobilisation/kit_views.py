"""The agents' pages of print kits, `/gestion/<org>/kits/`: the organisation's kits with their scans, making one
(first the page it is for, then its format and words, prefilled from that page) and its PDF. Those who read the
back-office (elected officials too) see the kits and their figures and download the PDFs; those who manage spaces
make and remove them."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from concerto.core.accounts.decorators import backoffice_view
from concerto.core.accounts.permissions import MANAGE, READ
from concerto.core.attribution import attribution_days
from concerto.core.forms import form_saved
from concerto.core.mobilisation import kits
from concerto.core.mobilisation.forms import KitForm, KitTargetForm
from concerto.core.mobilisation.kit_pdf import kit_pdf
from concerto.core.mobilisation.models import PrintKit


def short_url(link) -> str:
    """The short link written out in full, as printed."""
    return settings.SITE_URL.rstrip("/") + link.get_absolute_url()


@backoffice_view(MANAGE, read=READ)
def kit_list(request, org_slug):
    rows = [(kit, total, recent, short_url(kit.link), contributions, people) for kit, total, recent, contributions,
            people in kits.kits_with_visits(request.organisation)]
    return render(request, "mobilisation/backoffice/kits.html", {
        "rows": rows, "can_manage": request.user.has_perm(MANAGE, request.organisation),
        "attribution_days": attribution_days()})


@require_http_methods(["GET", "POST"])
@backoffice_view(MANAGE)
def kit_create(request, org_slug):
    targets = kits.kit_targets(request.organisation)
    if request.method == "POST":
        form = KitForm(request.POST, targets=targets)
    else:
        chosen = KitTargetForm(request.GET or None, targets=targets)
        if not chosen.is_valid():
            return render(request, "mobilisation/backoffice/kit_form.html", {
                "choose": chosen, "form": None, "has_targets": bool(targets)}, status=400 if chosen.errors else 200)
        target = kits.target_of(request.organisation, chosen.cleaned_data["target"])
        form = KitForm(targets=targets, initial={"target": target.key, "title": target.title, "text": target.text,
                                                 "when": target.when})
    saved = form_saved(request, form, lambda: kits.kit_create(
        actor=request.user, organisation=request.organisation,
        target=kits.target_of(request.organisation, form.cleaned_data["target"]), format=form.cleaned_data["format"],
        title=form.cleaned_data["title"], text=form.cleaned_data["text"], when=form.cleaned_data["when"]),
        done=_("The kit is ready: download its PDF to print it."))
    if saved:
        return redirect("mobilisation_backoffice:kits", org_slug)
    return render(request, "mobilisation/backoffice/kit_form.html", {"form": form, "choose": None,
                                                                     "has_targets": True},
                  status=400 if form.is_bound and form.errors else 200)


@backoffice_view(MANAGE, read=READ)
def kit_download(request, org_slug, kit_id):
    kit = get_object_or_404(PrintKit.objects.select_related("link", "organisation"), pk=kit_id,
                            organisation=request.organisation)
    response = HttpResponse(kit_pdf(kit, short_url=short_url(kit.link)), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{slugify(kit.title)[:60] or "kit"}-{kit.format}.pdf"'
    return response


@require_POST
@backoffice_view(MANAGE)
def kit_delete(request, org_slug, kit_id):
    kit = get_object_or_404(PrintKit, pk=kit_id, organisation=request.organisation)
    kits.kit_delete(actor=request.user, kit=kit)
    messages.success(request, _("The kit is removed: its printed code no longer leads anywhere."))
    return redirect("mobilisation_backoffice:kits", org_slug)
