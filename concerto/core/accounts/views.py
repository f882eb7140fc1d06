"""The person's own account: profile, personal data, API tokens. (Its notifications pages, under the same
/compte/ address and `accounts:` names, are participation's: `participation.views`.)"""

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from concerto.core import geocoding
from concerto.core.accounts import enrolment, services
from concerto.core.accounts.decorators import mfa_gate
from concerto.core.accounts.forms import AccountDeleteForm, ApiTokenForm, ProfileForm, QuartierAddressForm
from concerto.core.accounts.models import ApiToken, Role
from concerto.core.accounts.permissions import user_has_backoffice
from concerto.core.accounts.privacy import account_pages, places_of
from concerto.core.errors import error_page
from concerto.core.ratelimit import lookup_allowed
from concerto.core.territory.models import Quartier
from concerto.core.territory.quartiers import quartier_suggested, quartiers_outlined


@login_required
def profile(request):
    user = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST, user=user)
        if form.is_valid():
            services.profile_update(user=user, display_name=form.cleaned_data["display_name"],
                                    demographics=form.demographics())
            if form.has_unconsented_answers() and user.demographics_consent_at is None:
                messages.warning(request, _("Your public name is saved. Your answers about you were not "
                                            "kept, because the consent box was not ticked."))
            else:
                messages.success(request, _("Your profile is saved."))
            return redirect("accounts:profile")
    else:
        form = ProfileForm(initial=ProfileForm.initial_for(user), user=user)
    return _profile_page(request, form)


def _profile_page(request, form, *, address_form=None, found=None, status: int = 200):
    """The profile page. FOUND: (address label, quartier) that an address the person typed lies in, with the
    signed token that lets them confirm it (the address itself is kept nowhere)."""
    user = request.user
    if _asks_address(user):
        address_form = address_form or QuartierAddressForm()
    else:
        address_form = None
    return render(request, "accounts/profile.html", {
        "form": form, "account_pages": account_pages(), "suggestion": None if found else _quartier_suggestion(user),
        "address_suggestion": found, "address_token": _address_token(user, found[1]) if found else "",
        "address_form": address_form,
    }, status=status)


def _quartier_suggestion(user):
    """(place label, quartier) when a place the person gave lies in a quartier's outline and they have not said
    their quartier: a suggestion they confirm, never set on their behalf."""
    if user.quartier_id:
        return None
    return quartier_suggested(places_of(user), commune=user.residence)


# Finding one's quartier from an address: the address is looked up (the Base Adresse Nationale), its point tested
# against the quartiers' outlines, and only the quartier is offered; confirming it carries a signed token naming
# the person and the quartier, valid an hour, so the address never needs to be kept or sent back.
ADDRESS_SALT = "concerto.accounts.quartier-address"
ADDRESS_MAX_AGE = 3600


def _asks_address(user) -> bool:
    return not user.quartier_id and geocoding.enabled() and quartiers_outlined()


def _address_token(user, quartier) -> str:
    return signing.dumps({"user": user.pk, "quartier": quartier.pk}, salt=ADDRESS_SALT)


def _address_quartier(user, token: str):
    """The quartier the token names for USER, or None (forged, expired, or for someone else)."""
    try:
        data = signing.loads(token, salt=ADDRESS_SALT, max_age=ADDRESS_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("user") != user.pk:
        return None
    return Quartier.objects.filter(pk=data.get("quartier")).select_related("organisation").first()


@login_required
@require_POST
def quartier_from_address(request):
    """Look the typed address up and suggest the quartier it lies in (never set without the person's yes)."""
    user = request.user
    if not _asks_address(user):
        return redirect("accounts:profile")
    form = ProfileForm(initial=ProfileForm.initial_for(user), user=user)
    address_form = QuartierAddressForm(request.POST)
    if not address_form.is_valid():
        return _profile_page(request, form, address_form=address_form, status=400)
    if not lookup_allowed("address_lookup", request):
        address_form.add_error("address", _("Too many address searches in a short time: wait a minute, or choose "
                                            "your quartier in the list."))
        return _profile_page(request, form, address_form=address_form, status=429)
    typed = geocoding.clean_query(address_form.cleaned_data["address"])
    found = geocoding.address_search(typed, limit=1)
    if found is None:
        address_form.add_error("address", _("The address service does not answer right now: choose your quartier "
                                            "in the list, or try again later."))
        return _profile_page(request, form, address_form=address_form, status=503)
    if not found:
        address_form.add_error("address", _("No address in the Métropole matches “%(address)s”: check the number, "
                                            "the street and the commune.") % {"address": typed})
        return _profile_page(request, form, address_form=address_form, status=400)
    suggestion = quartier_suggested([(found[0].label, found[0].latitude, found[0].longitude)])  # where they live now
    if suggestion is None:
        address_form.add_error("address", _("The address “%(address)s” is in none of the quartiers described by the "
                                            "communes: choose yours in the list, or leave it blank.")
                               % {"address": found[0].label})
        return _profile_page(request, form, address_form=address_form)
    return _profile_page(request, form, found=suggestion)


@login_required
@require_POST
def quartier_confirm(request):
    """The person confirms the suggested quartier (checked again: only the one the suggestion names, or the one an
    address they typed lies in, by its signed token)."""
    if request.POST.get("token"):
        quartier = _address_quartier(request.user, request.POST["token"])
    else:
        suggestion = _quartier_suggestion(request.user)
        quartier = suggestion[1] if suggestion else None
    if quartier is None or str(quartier.pk) != request.POST.get("quartier"):
        messages.error(request, _("This quartier can no longer be suggested: choose yours in the list."))
    else:
        services.quartier_confirm(user=request.user, quartier=quartier)
        messages.success(request, _("Your quartier is saved: %(name)s.") % {"name": quartier.name})
    return redirect("accounts:profile")


@login_required
@require_POST
def demographics_withdraw(request):
    if services.demographics_withdraw(user=request.user):
        messages.success(request, _("Your consent is withdrawn: your year of birth, commune, quartier and "
                                    "gender are deleted."))
    return redirect("accounts:profile")


@login_required
def data_export(request):
    if request.method != "POST":
        return render(request, "accounts/data_export.html")
    data = services.account_export(user=request.user)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    filename = f"concerto-mes-donnees-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def account_delete(request):
    form = AccountDeleteForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        services.account_delete(user=user)
        messages.success(request, _("Your account is deleted. Your comments stay, shown as from an "
                                    "anonymous participant. Thank you for taking part."))
        return redirect("home")
    return render(request, "accounts/account_delete.html", {"form": form})


@login_required
def tokens(request):
    # A token writes through the API with the roles of its user, without any further check: staff
    # create one only from a session confirmed by a second factor, as for the back-office.
    if user_has_backoffice(request.user):
        gate = mfa_gate(request)
        if gate is not None:
            return gate
    new_key = None
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _token, new_key = services.api_token_create(user=request.user, name=form.cleaned_data["name"])
        # The key is shown in this response only, never stored: a fresh form for the next one.
        form = ApiTokenForm()
    return render(request, "accounts/tokens.html", {
        "form": form,
        "new_key": new_key,
        "tokens": ApiToken.objects.filter(user=request.user).order_by("-created_at"),
    })


@login_required
@require_POST
def token_revoke(request, token_id):
    if services.api_token_revoke(user=request.user, token_id=token_id):
        messages.success(request, _("The token is revoked: it no longer gives access to the API."))
    else:
        messages.error(request, _("This token does not exist or was already revoked."))
    return redirect("accounts:tokens")


def role_enrolment(request, token):
    """The enrolment link: sign in, set up the authenticator app (or type its code), then confirm (a POST, so
    that a mail client opening links to preview them uses nothing)."""
    try:
        link = enrolment.enrolment_for_token(token)
    except enrolment.EnrolmentRefused as refused:
        return error_page(request, 400, _("This link cannot be used"), refused.message)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if request.user.pk != link.user_id:
        return error_page(request, 403, _("This link is for another account"), _(
            "This link was sent to another account. Sign out, then open it again and sign in with the "
            "address it was sent to."))
    gate = mfa_gate(request)
    if gate is not None:
        return gate
    if request.method == "POST":
        try:
            activated = enrolment.enrolment_complete(token=token, user=request.user)
        except enrolment.EnrolmentRefused as refused:
            return error_page(request, 400, _("This link cannot be used"), refused.message)
        messages.success(request, _("Your roles are active: welcome to the back-office.") if activated
                         else _("You have no role waiting: your roles were already active."))
        return redirect("backoffice:dashboard" if user_has_backoffice(request.user) else "home")
    return render(request, "accounts/role_enrolment.html", {
        "roles": Role.objects.filter(user=request.user).pending().select_related("organisation")
        .order_by("organisation__name", "kind"),
    })
