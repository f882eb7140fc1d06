"""Actions a component reserves to verified residents: the refusal the web, the API and the chatbot share."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext as _

from concerto.core.accounts.verification.status import (
    is_verified,
    safe_next,
    verification_for,
    verification_url,
)


class VerificationRequired(PermissionDenied):
    """ACTION of a component is for verified residents and the person is not one: MESSAGE says so in their
    language and URL is where they verify (or sign in first). Uncaught, it is a 403 page with the message."""

    def __init__(self, message: str, *, url: str, signed_in: bool):
        super().__init__(message)
        self.message = message
        self.url = url
        self.signed_in = signed_in

    def __str__(self) -> str:
        return self.message


def action_refusal(*, user, component, action: str, next_url: str = "") -> VerificationRequired | None:
    """Why USER may not do ACTION in COMPONENT for want of a verified residence, or None when they may
    (the action is open to all, or they are verified in the space's organisation). NEXT_URL is where the
    verification page sends them back."""
    if not component.requires_verification(action):
        return None
    return residence_refusal(user=user, space=component.space, next_url=next_url)


def residence_refusal(*, user, space, next_url: str = "") -> VerificationRequired | None:
    """Why USER may not take part in SPACE for want of a verified residence in its organisation (and its scope),
    or None when they are a verified resident there. NEXT_URL is where the verification page sends them back."""
    organisation = space.organisation
    if is_verified(user=user, organisation=organisation):
        return scope_refusal(user=user, space=space)
    if not getattr(user, "is_authenticated", False):
        login = reverse("account_login")
        next_url = safe_next(next_url)
        return VerificationRequired(
            _("Only verified residents of %(area)s can do this. Sign in, then verify your residence: it takes a "
              "few minutes.") % {"area": organisation.name},
            url=f"{login}?{urlencode({'next': next_url})}" if next_url else login, signed_in=False)
    return VerificationRequired(
        _("Only verified residents of %(area)s can do this. Verify your residence first: it takes a few "
          "minutes.") % {"area": organisation.name},
        url=verification_url(organisation=organisation, next_url=next_url), signed_in=True)


def covered_communes(space) -> list:
    """The communes SPACE is limited to, or [] when it concerns its whole organisation (no scope, or a scope
    naming the organisation itself)."""
    scope = list(space.scope.all())
    if not scope or any(organisation.pk == space.organisation_id for organisation in scope):
        return []
    return sorted(scope, key=lambda organisation: organisation.name)


def scope_refusal(*, user, space) -> VerificationRequired | None:
    """A space of several communes takes part only from the residents of the communes it covers: why USER, a
    verified resident of another commune, may not act in SPACE (None when they may)."""
    communes = covered_communes(space)
    if not communes:
        return None
    verification = verification_for(user=user, organisation=space.organisation)
    if verification is None or verification.organisation_id in {commune.pk for commune in communes}:
        return None
    return VerificationRequired(
        _("This space concerns only the residents of %(communes)s. You are a verified resident of %(commune)s: "
          "you cannot take part in it, but you can follow it.") % {
            "communes": ", ".join(commune.name for commune in communes),
            "commune": verification.organisation.name},
        url=space.get_absolute_url(), signed_in=True)


def action_require(*, user, component, action: str) -> None:
    """Raise VerificationRequired when USER may not do ACTION in COMPONENT (see action_refusal). Services call
    it first, so the web pages, the API and the chatbot all refuse alike."""
    refusal = action_refusal(user=user, component=component, action=action)
    if refusal is not None:
        raise refusal
