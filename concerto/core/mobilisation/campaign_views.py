"""The agents' pages of campaigns, `/gestion/<org>/campagnes/`: the list, writing a draft (prefilled from the query
string: the representativeness panel proposes an age band), its preview with the number reached and the opt-in
basis, sending now or at a time, cancelling a scheduled one, and the figures. Those who read the back-office
(elected officials too) read the list, previews and figures; those who manage spaces write and send. The public
side: the one-click opt-out page and the image that counts the opens."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from concerto.core.accounts.decorators import backoffice_view
from concerto.core.accounts.permissions import MANAGE, READ
from concerto.core.errors import Refusal
from concerto.core.forms import form_saved
from concerto.core.mobilisation import campaigns
from concerto.core.mobilisation.forms import CampaignForm, CampaignScheduleForm
from concerto.core.mobilisation.models import Campaign
from concerto.core.participation.newsletter_views import pixel_response


def _campaign(request, campaign_id) -> Campaign:
    return get_object_or_404(Campaign.objects.select_related("organisation", "space", "link"), pk=campaign_id,
                             organisation=request.organisation)


@backoffice_view(MANAGE, read=READ)
def campaign_list(request, org_slug):
    return render(request, "mobilisation/backoffice/campaigns.html", {
        "campaigns": Campaign.objects.filter(organisation=request.organisation),
        "can_manage": request.user.has_perm(MANAGE, request.organisation)})


def _form_page(request, campaign: Campaign | None):
    organisation = request.organisation
    options = {"organisation": organisation, "channels": campaigns.channel_choices()}
    if request.method == "POST":
        form = CampaignForm(request.POST, **options)
    elif campaign is not None:
        form = CampaignForm(initial=CampaignForm.initial_of(campaign), **options)
    else:  # prefilled from the address: ?age_band=15-29&space=3
        wanted = {key: request.GET.get(key) for key in ("age_band", "space") if request.GET.get(key)}
        form = CampaignForm(initial={"target": organisation.get_absolute_url(), **wanted}, **options)
    saved = form_saved(request, form, lambda: campaigns.campaign_save(
        actor=request.user, organisation=organisation, campaign=campaign, channel=form.cleaned_data["channel"],
        subject=form.cleaned_data["subject"], text=form.cleaned_data["text"], target=form.cleaned_data["target"],
        space=form.cleaned_data["space"], segment=form.segment()),
        done=_("The campaign is saved: check who it reaches before sending it."))
    if saved:
        return redirect("mobilisation_backoffice:campaign_preview", organisation.slug, saved.result.pk)
    return render(request, "mobilisation/backoffice/campaign_form.html", {"form": form, "campaign": campaign},
                  status=400 if form.is_bound and form.errors else 200)


@require_http_methods(["GET", "POST"])
@backoffice_view(MANAGE)
def campaign_create(request, org_slug):
    return _form_page(request, None)


@require_http_methods(["GET", "POST"])
@backoffice_view(MANAGE)
def campaign_edit(request, org_slug, campaign_id):
    campaign = _campaign(request, campaign_id)
    if campaign.status != Campaign.Status.DRAFT:
        messages.info(request, _("This campaign is no longer a draft: it can no longer be changed."))
        return redirect("mobilisation_backoffice:campaign_figures", org_slug, campaign.pk)
    return _form_page(request, campaign)


def _preview(request, campaign, *, schedule=None, status=200):
    return render(request, "mobilisation/backoffice/campaign_preview.html", {
        "campaign": campaign, "reach": campaigns.campaign_reach(campaign),
        "schedule": schedule or CampaignScheduleForm(),
        "can_manage": request.user.has_perm(MANAGE, request.organisation)}, status=status)


@backoffice_view(MANAGE, read=READ)
def campaign_preview(request, org_slug, campaign_id):
    return _preview(request, _campaign(request, campaign_id))


@require_POST
@backoffice_view(MANAGE)
def campaign_send(request, org_slug, campaign_id):
    campaign = _campaign(request, campaign_id)
    send_at, schedule = None, None
    if request.POST.get("when") == "later":
        schedule = CampaignScheduleForm(request.POST)
        if not schedule.is_valid():
            return _preview(request, campaign, schedule=schedule, status=400)
        send_at = schedule.cleaned_data["send_at"]
    try:
        count = campaigns.campaign_send(actor=request.user, campaign=campaign, send_at=send_at)
    except Refusal as refusal:
        messages.error(request, refusal.message)
        return _preview(request, campaign, schedule=schedule, status=400)
    if send_at is not None:
        messages.success(request, _("The campaign is scheduled; it will reach about %(count)s people.")
                         % {"count": count})
    else:
        messages.success(request, _("The campaign is being sent to %(count)s people, at the channel's pace.")
                         % {"count": count})
    return redirect("mobilisation_backoffice:campaign_figures", org_slug, campaign.pk)


@require_POST
@backoffice_view(MANAGE)
def campaign_cancel(request, org_slug, campaign_id):
    campaign = _campaign(request, campaign_id)
    try:
        campaigns.campaign_cancel(actor=request.user, campaign=campaign)
    except Refusal as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("The campaign is cancelled: nothing will be sent."))
    return redirect("mobilisation_backoffice:campaigns", org_slug)


@backoffice_view(MANAGE, read=READ)
def campaign_figures(request, org_slug, campaign_id):
    campaign = _campaign(request, campaign_id)
    return render(request, "mobilisation/backoffice/campaign_figures.html", {
        "campaign": campaign, "figures": campaigns.campaign_figures(campaign),
        "short_url": campaigns.campaign_link_url(campaign) if campaign.link_id else "",
        "can_manage": request.user.has_perm(MANAGE, request.organisation)})


@csrf_exempt  # a secret address, posted to by mail clients (RFC 8058 one-click): no session, no CSRF token
@require_http_methods(["GET", "POST"])
def campaign_optout(request, token: str):
    """Stop the invitations to take part without signing in: GET shows the message (push leads here) and asks to
    confirm, POST (that button, or a mail client's one-click) stops them."""
    subject = campaigns.optout_subject(token)
    if subject is None:
        return render(request, "mobilisation/campaign_optout.html", {"invalid": True}, status=404)
    campaign = None
    if request.GET.get("c", "").isdigit():
        campaign = Campaign.objects.filter(pk=int(request.GET["c"]), status__in=(
            Campaign.Status.SENDING, Campaign.Status.SENT)).select_related("link").first()
    if request.method == "POST":
        campaigns.campaign_optout(subject=subject)
        return render(request, "mobilisation/campaign_optout.html", {"done": True})
    return render(request, "mobilisation/campaign_optout.html", {
        "done": not campaigns.receives(subject), "campaign": campaign,
        "url": campaigns.campaign_link_url(campaign) if campaign else ""})


@require_safe
def campaign_image(request, campaign_id: int):
    """The campaign's image: each fetch counts one open (all recipients together; nobody is told apart)."""
    if not Campaign.objects.filter(pk=campaign_id).exists():
        raise Http404(_("This image does not exist."))
    if request.method == "GET":
        campaigns.campaign_open_record(campaign_id=campaign_id)
    return pixel_response()
