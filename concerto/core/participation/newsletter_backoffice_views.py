"""The newsletters of an organisation in its back-office (/gestion/<org>/lettres/): write, preview with the
number of recipients, test to oneself, send, and the figures. An issue of another organisation is a 404."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from concerto.core.accounts.decorators import backoffice_view
from concerto.core.errors import Refusal
from concerto.core.forms import form_saved
from concerto.core.participation import newsletters as services
from concerto.core.participation.forms import NewsletterForm
from concerto.core.participation.models import Newsletter

MANAGE = "spaces.manage_space"
READ = "spaces.read_space"  # elected officials read the list and the figures


def _newsletter(request, newsletter_id: int) -> Newsletter:
    newsletter = (Newsletter.objects.filter(pk=newsletter_id, organisation=request.organisation)
                  .select_related("organisation").first())
    if newsletter is None:
        raise Http404(_("This newsletter does not exist."))
    return newsletter


@backoffice_view(MANAGE, read=READ)
def newsletters(request, org_slug):
    issues = Newsletter.objects.filter(organisation=request.organisation).order_by("-created_at", "-pk")
    return render(request, "participation/backoffice/newsletters.html", {
        "issues": issues, "may_write": request.user.has_perm(MANAGE, request.organisation)})


def _form_page(request, newsletter):
    organisation = request.organisation
    choices = services.newsletter_block_choices(organisation)
    if newsletter is None:
        initial = {"to_followers": True}
    else:
        keys = {f"{block['kind']}:{block['url']}" for block in newsletter.blocks}
        initial = {"subject": newsletter.subject, "body": newsletter.body, "blocks": list(keys),
                   "to_followers": newsletter.to_followers, "to_places": newsletter.to_places,
                   "topics": list(newsletter.topics.all())}
    form = NewsletterForm(request.POST or None, initial=initial, block_choices=choices)
    saved = form_saved(request, form, lambda: services.newsletter_save(
        actor=request.user, organisation=organisation, newsletter=newsletter, **form.newsletter_values()),
        done=_("The newsletter is saved. Check it before sending."))
    if saved:
        return redirect("newsletters_backoffice:preview", org_slug=organisation.slug, newsletter_id=saved.result.pk)
    return render(request, "participation/backoffice/newsletter_form.html", {"form": form, "newsletter": newsletter},
                  status=400 if request.method == "POST" else 200)


@require_http_methods(["GET", "POST"])
@backoffice_view(MANAGE)
def newsletter_create(request, org_slug):
    return _form_page(request, None)


@require_http_methods(["GET", "POST"])
@backoffice_view(MANAGE)
def newsletter_edit(request, org_slug, newsletter_id: int):
    newsletter = _newsletter(request, newsletter_id)
    if newsletter.status != Newsletter.Status.DRAFT:
        return redirect("newsletters_backoffice:figures", org_slug=org_slug, newsletter_id=newsletter.pk)
    return _form_page(request, newsletter)


@require_safe
@backoffice_view(MANAGE)
def newsletter_preview(request, org_slug, newsletter_id: int):
    """The issue as recipients will see it, how many will get it, and the buttons to test and to send."""
    newsletter = _newsletter(request, newsletter_id)
    return render(request, "participation/backoffice/newsletter_preview.html", {
        **services.newsletter_context(newsletter, counted=False),
        "recipients": services.newsletter_recipient_count(newsletter) if newsletter.status == "draft"
        else newsletter.recipients})


@require_POST
@backoffice_view(MANAGE)
def newsletter_test(request, org_slug, newsletter_id: int):
    newsletter = _newsletter(request, newsletter_id)
    try:
        services.newsletter_test_send(actor=request.user, newsletter=newsletter)
    except Refusal as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("A test was sent to %(address)s.") % {"address": request.user.email})
    return redirect("newsletters_backoffice:preview", org_slug=org_slug, newsletter_id=newsletter.pk)


@require_POST
@backoffice_view(MANAGE)
def newsletter_send(request, org_slug, newsletter_id: int):
    newsletter = _newsletter(request, newsletter_id)
    try:
        count = services.newsletter_send(actor=request.user, newsletter=newsletter)
    except Refusal as refusal:
        messages.error(request, refusal.message)
        return redirect("newsletters_backoffice:preview", org_slug=org_slug, newsletter_id=newsletter.pk)
    messages.success(request, _("The newsletter is being sent to %(count)s people.") % {"count": count})
    return redirect("newsletters_backoffice:figures", org_slug=org_slug, newsletter_id=newsletter.pk)


@require_safe
@backoffice_view(READ)
def newsletter_figures(request, org_slug, newsletter_id: int):
    newsletter = _newsletter(request, newsletter_id)
    return render(request, "participation/backoffice/newsletter_figures.html", {
        "newsletter": newsletter, "figures": services.newsletter_figures(newsletter)})
