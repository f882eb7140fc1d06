"""The resident's pages to verify their residence ("Vérifier ma résidence").

A `next` parameter (a local path only) brings the resident back where they came from, e.g. a vote page.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from concerto.core.accounts import verification
from concerto.core.accounts.models import Verification, VerificationCode, VerificationSetup
from concerto.core.accounts.verification_forms import (
    CodeForm,
    CommuneChoiceForm,
    IdentityForm,
    PostCodeRequestForm,
    SmsCodeRequestForm,
)
from concerto.core.territory.models import Organisation


def _next(request) -> str:
    return verification.safe_next(request.POST.get("next") or request.GET.get("next") or "", request)


def _with_next(url: str, next_url: str) -> str:
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def _commune(request):
    """The commune of the URL, if it offers a way to verify online; else a 404."""
    organisation = request.organisation
    if organisation.kind != Organisation.Kind.COMMUNE:
        raise Http404(_("Residence is verified in a commune."))
    # Not created here: a resident's visit writes nothing (an unsaved setup offers no method).
    setup = (VerificationSetup.objects.filter(organisation=organisation).first()
             or VerificationSetup(organisation=organisation))
    return organisation, setup


def _done(request, organisation, next_url: str):
    messages.success(request, _("You are now a verified resident of %(commune)s.") % {"commune": organisation.name})
    if next_url:
        return redirect(next_url)
    return redirect("accounts:verification_start", org_slug=organisation.slug)


def _form_error(form, error: ValidationError) -> None:
    form.add_error(None, error.messages)


@login_required
def choose(request):
    """Choose the commune to verify in (among those below `scope` when the page asks for one)."""
    next_url = _next(request)
    scope = None
    if request.GET.get("scope"):
        scope = Organisation.objects.filter(slug=request.GET["scope"]).first()
    communes = verification.verification_organisations(scope=scope)
    form = CommuneChoiceForm(request.GET if "commune" in request.GET else None, communes=communes)
    if form.is_bound and form.is_valid():
        return redirect(_with_next(reverse("accounts:verification_start", args=[form.cleaned_data["commune"]]),
                                   next_url))
    current = (Verification.objects.filter(user=request.user, revoked_at__isnull=True)
               .select_related("organisation").order_by("organisation__name"))
    return render(request, "accounts/verification/choose.html", {
        "form": form, "communes": communes, "next_url": next_url, "scope": scope, "verifications": current,
    }, status=400 if form.errors else 200)


@login_required
def start(request, org_slug):
    """The ways to verify in this commune, or the verification already held."""
    organisation, setup = _commune(request)
    next_url = _next(request)
    current = Verification.objects.filter(user=request.user, organisation=organisation,
                                          revoked_at__isnull=True).first()
    pending = verification.pending_code(user=request.user, organisation=organisation)
    return render(request, "accounts/verification/start.html", {
        "organisation": organisation, "setup": setup, "next_url": next_url, "verification": current,
        "pending": pending, "method_label": verification.METHOD_LABELS.get(current.method) if current else "",
    })


@login_required
def census(request, org_slug):
    organisation, setup = _commune(request)
    if not setup.has_census:
        raise Http404(_("This commune has no census list online."))
    next_url = _next(request)
    form = IdentityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            verification.census_check(user=request.user, organisation=organisation, **form.identity())
        except ValidationError as error:
            _form_error(form, error)
        else:
            return _done(request, organisation, next_url)
    return render(request, "accounts/verification/census.html", {
        "organisation": organisation, "form": form, "next_url": next_url,
    }, status=400 if form.errors else 200)


@login_required
def code_request(request, org_slug):
    organisation, setup = _commune(request)
    channel = request.GET.get("par") or request.POST.get("par")
    if channel == "sms" and setup.sms_enabled:
        form_class = SmsCodeRequestForm
    elif channel == "courrier" and setup.post_enabled:
        form_class = PostCodeRequestForm
    else:
        raise Http404(_("This commune does not send codes this way."))
    next_url = _next(request)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if channel == "sms":
                verification.code_request_sms(user=request.user, organisation=organisation,
                                              phone=form.cleaned_data["phone"], **form.identity())
            else:
                verification.code_request_post(user=request.user, organisation=organisation,
                                               postal_address=form.cleaned_data["postal_address"],
                                               **form.identity())
        except ValidationError as error:
            _form_error(form, error)
        else:
            if channel == "sms":
                messages.success(request, _("A code is on its way by text message."))
            else:
                messages.success(request, _("Your request is recorded. The town hall will post you a letter "
                                            "with your code."))
            return redirect(_with_next(reverse("accounts:verification_code_enter", args=[organisation.slug]),
                                       next_url))
    return render(request, "accounts/verification/code_request.html", {
        "organisation": organisation, "form": form, "next_url": next_url, "channel": channel,
    }, status=400 if form.errors else 200)


@login_required
def code_enter(request, org_slug):
    organisation, setup = _commune(request)
    next_url = _next(request)
    pending = verification.pending_code(user=request.user, organisation=organisation)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            verification.code_confirm(user=request.user, organisation=organisation,
                                      code=form.cleaned_data["code"])
        except ValidationError as error:
            _form_error(form, error)
        else:
            return _done(request, organisation, next_url)
    return render(request, "accounts/verification/code_enter.html", {
        "organisation": organisation, "setup": setup, "form": form, "next_url": next_url, "pending": pending,
        "letter_waiting": pending is not None and pending.channel == VerificationCode.Channel.POST
        and pending.sent_at is None,
    }, status=400 if form.errors else 200)


@login_required
def franceconnect_start(request, org_slug):
    """Send the resident to FranceConnect (a form posts here), coming back to `franceconnect_finish`."""
    organisation, setup = _commune(request)
    if not setup.offers_franceconnect:
        raise Http404(_("This commune does not offer FranceConnect to verify residence."))
    if request.method != "POST":
        return redirect(_with_next(reverse("accounts:verification_start", args=[organisation.slug]), _next(request)))
    finish = _with_next(reverse("accounts:verification_franceconnect_finish", args=[organisation.slug]),
                        _next(request))
    # allauth's "connect": the FranceConnect identity is linked to the signed-in account, and its login view
    # (a POST, with its CSRF check) redirects to FranceConnect with state and nonce.
    import requests
    from allauth.socialaccount.adapter import get_adapter as social_adapter

    from concerto.core.accounts.franceconnect.views import unavailable

    provider = social_adapter(request).get_provider(request, "franceconnect")
    try:
        return provider.redirect(request, "connect", next_url=finish)
    except (requests.RequestException, ValueError) as error:
        return unavailable(request, error)


@login_required
def franceconnect_finish(request, org_slug):
    """Back from FranceConnect: verify with the identity it certified, then forget it."""
    from allauth.socialaccount.models import SocialAccount

    from concerto.core.accounts.franceconnect.views import IDENTITY_SESSION_KEY

    organisation, setup = _commune(request)
    next_url = _next(request)
    identity = request.session.pop(IDENTITY_SESSION_KEY, None)
    # The identity must be the one linked to this account (not one left in the session by another person).
    if identity and not SocialAccount.objects.filter(user=request.user, provider="franceconnect",
                                                     uid=identity.get("sub", "")).exists():
        identity = None
    try:
        verification.franceconnect_verify(user=request.user, organisation=organisation, identity=identity)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(_with_next(reverse("accounts:verification_start", args=[organisation.slug]), next_url))
    return _done(request, organisation, next_url)
