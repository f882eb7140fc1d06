"""Back-office of resident verification, per commune: census list, methods offered, desk verification,
letters with codes to print, and the list of verified accounts (an email and a method: no names).

Agents and administrators of the commune (or above it) only ("accounts.verify_residents"), from a session
that passed 2FA, as every back-office page.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from concerto.core.accounts import verification
from concerto.core.accounts.decorators import backoffice_view
from concerto.core.accounts.models import Verification
from concerto.core.accounts.verification_forms import CensusUploadForm, DeskForm, MethodsForm
from concerto.core.jobs.services import job_start
from concerto.core.territory.models import Organisation

PERM = "accounts.verify_residents"


def _commune(request) -> Organisation:
    organisation = request.organisation
    if organisation.kind != Organisation.Kind.COMMUNE:
        raise Http404(_("Residents are verified per commune."))
    return organisation


@backoffice_view(PERM)
def overview(request, org_slug):
    org = request.organisation
    if org.kind != Organisation.Kind.COMMUNE:
        communes = Organisation.objects.communes().filter(pk__in=org.descendant_ids()).order_by("search_name", "name")
        return render(request, "backoffice/verification/communes.html", {"organisation": org,
                                                                        "communes": communes})
    setup = verification.setup_for(organisation=org)
    methods_form = MethodsForm(request.POST or None, initial={"sms_enabled": setup.sms_enabled,
                                                             "post_enabled": setup.post_enabled,
                                                             "franceconnect_enabled": setup.franceconnect_enabled})
    if request.method == "POST" and methods_form.is_valid():
        try:
            verification.setup_update(agent=request.user, organisation=org, **methods_form.cleaned_data)
        except ValidationError as error:
            methods_form.add_error("franceconnect_enabled", error)
        else:
            messages.success(request, _("The ways to verify are saved."))
            return redirect("backoffice:verification_overview", org_slug)

    verifications = Verification.objects.filter(organisation=org)
    active = verifications.filter(revoked_at__isnull=True)
    counts = dict(active.values_list("method").annotate(n=Count("pk")).values_list("method", "n"))
    # FranceConnect's row shows where the commune offers it or someone is verified that way.
    by_method = [(verification.METHOD_LABELS[m], counts.get(m, 0)) for m in Verification.Method
                 if m != Verification.Method.FRANCECONNECT or counts.get(m) or setup.franceconnect_enabled]
    query = request.GET.get("q", "").replace("\x00", "").strip()[:200]
    listed = active.select_related("user", "verified_by").order_by("-created_at")
    if query:
        listed = listed.filter(user__email__icontains=query)
    page = Paginator(listed, 50).get_page(request.GET.get("page"))
    for item in page.object_list:
        item.method_label = verification.METHOD_LABELS.get(item.method, item.method)
    return render(request, "backoffice/verification/overview.html", {
        "organisation": org, "setup": setup, "methods_form": methods_form, "by_method": by_method,
        "total": sum(counts.values()), "revoked": verifications.filter(revoked_at__isnull=False).count(),
        "letters": verification.letters_waiting(organisation=org).count(), "page": page, "query": query,
        "page_query": urlencode({"q": query}) if query else "",
    }, status=400 if methods_form.errors else 200)


@backoffice_view(PERM)
def census(request, org_slug):
    org = _commune(request)
    setup = verification.setup_for(organisation=org)
    form = CensusUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read()
        try:
            verification.census_precheck(data=data)
        except ValidationError as error:
            form.add_error("file", error.messages)
        else:
            job = job_start(
                kind="accounts.census", organisation=org, user=request.user, target=setup,
                func="concerto.core.accounts.verification.census.census_upload_job", permission=PERM,
                title=_("Census list of %(name)s") % {"name": org.name}, upload=data,
                link=reverse("backoffice:verification_overview", args=[org_slug]))
            if job.already_started:
                messages.warning(request, _("An upload is already under way: your file was not taken. Send it "
                                            "again once this one has ended."))
            return redirect("jobs:detail", org_slug, job.pk)
    return render(request, "backoffice/verification/census.html", {
        "organisation": org, "setup": setup, "form": form,
    }, status=400 if form.errors else 200)


@backoffice_view(PERM)
def census_delete(request, org_slug):
    org = _commune(request)
    back_url = reverse("backoffice:verification_census", args=[org_slug])
    if request.method == "POST":
        verification.census_delete(agent=request.user, organisation=org)
        messages.success(request, _("The census list is deleted. Residents already verified stay verified."))
        return redirect("backoffice:verification_overview", org_slug)
    return render(request, "backoffice/confirm.html", {
        "title": _("Delete the census list?"),
        "message": _("Residents will no longer be able to verify with their name and date of birth until a "
                     "new list is uploaded. Residents already verified stay verified."),
        "submit": _("Delete the census list"), "back_url": back_url,
    })


@backoffice_view(PERM)
def desk(request, org_slug):
    org = _commune(request)
    form = DeskForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.user
        identity = form.identity()
        holder = verification.identity_holder(
            organisation=org, user=user, identity_hash=verification.identity_hash(organisation=org, **identity))
        if holder is not None:
            form.add_error(None, _("Another account (%(email)s) is already verified with this identity in this "
                                   "commune. If it is not this person's account, revoke its verification "
                                   "first.") % {"email": holder.user.email})
        else:
            try:
                verification.desk_verify(agent=request.user, user=user, organisation=org, **identity)
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                messages.success(request, _("%(email)s is now a verified resident of %(commune)s.") % {
                    "email": user.email, "commune": org.name})
                return redirect("backoffice:verification_desk", org_slug)
    return render(request, "backoffice/verification/desk.html", {"organisation": org, "form": form},
                  status=400 if form.errors else 200)


@backoffice_view(PERM)
def letters(request, org_slug):
    org = _commune(request)
    verification.letters_forget_expired(organisation=org)
    if request.method == "POST":
        try:
            reprint_id = int(request.POST["again"]) if request.POST.get("again") else None
        except ValueError:
            reprint_id = -1  # matches no letter
        printed = verification.letters_print(agent=request.user, organisation=org, reprint_id=reprint_id)
        if not printed:
            messages.info(request, _("No letter is waiting."))
            return redirect("backoffice:verification_letters", org_slug)
        return render(request, "backoffice/verification/letters_print.html", {
            "organisation": org, "letters": printed,
            "url": request.build_absolute_uri(reverse("accounts:verification_code_enter", args=[org.slug])),
            "back_url": reverse("backoffice:verification_letters", args=[org_slug]),
        })
    return render(request, "backoffice/verification/letters.html", {
        "organisation": org, "waiting": verification.letters_waiting(organisation=org),
        "sent": verification.letters_sent(organisation=org)[:200],
    })


@backoffice_view(PERM)
@require_POST
def letter_cancel(request, org_slug, code_id):
    org = _commune(request)
    request_ = get_object_or_404(verification.letters_waiting(organisation=org), pk=code_id)
    verification.letter_cancel(agent=request.user, request=request_)
    messages.success(request, _("The letter is cancelled."))
    return redirect("backoffice:verification_letters", org_slug)


@backoffice_view(PERM)
def revoke(request, org_slug, verification_id):
    org = _commune(request)
    item = get_object_or_404(Verification.objects.select_related("user"), pk=verification_id, organisation=org,
                             revoked_at__isnull=True)
    back_url = reverse("backoffice:verification_overview", args=[org_slug])
    if request.method == "POST":
        verification.verification_revoke(agent=request.user, verification=item)
        messages.success(request, _("The verification of %(email)s is revoked.") % {"email": item.user.email})
        return redirect(back_url)
    return render(request, "backoffice/confirm.html", {
        "title": _("Revoke the verification of %(email)s?") % {"email": item.user.email},
        "message": _("%(email)s will no longer count as a resident of %(commune)s until verified "
                     "again.") % {"email": item.user.email, "commune": org.name},
        "submit": _("Revoke the verification"), "back_url": back_url,
    })

