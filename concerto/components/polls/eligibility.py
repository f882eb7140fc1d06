"""Who may answer a poll: the rules the web page, the API and the chat share (through services.poll_answer).

"In the target" is decided from the person's commune: the commune where they are a verified resident (the
kernel's verification) or, failing that, the commune of residence declared in their account. Someone with
neither cannot answer a targeted poll: they are asked to declare their commune. Concerto keeps no verified
street address, so a quartier poll asks every person for their address (or a point) when answering; it is
checked inside the drawn polygon and not kept."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from concerto.core.accounts.verification import VerificationRequired
from concerto.core.accounts.verification.status import verification_for, verification_url


class PollRefused(Exception):
    """The person may not answer this poll; MESSAGE says why, in their language."""

    def __init__(self, message: str, *, url: str = ""):
        super().__init__(message)
        self.message = message
        self.url = url

    def __str__(self) -> str:
        return self.message


class PollClosed(PollRefused):
    pass


class AlreadyAnswered(PollRefused):
    pass


class NotInTarget(PollRefused):
    pass


def commune_of(user):
    """The commune USER lives in as far as Concerto knows: verified, else declared (None when neither)."""
    if not getattr(user, "is_authenticated", False):
        return None
    verification = (user.verifications.filter(revoked_at__isnull=True, organisation__kind="commune")
                    .select_related("organisation").order_by("-created_at").first())
    return verification.organisation if verification is not None else user.residence


def communes_of(users) -> dict:
    """`commune_of` for many USERS in two queries (the digests): {user id: commune or None}."""
    from concerto.core.territory.models import Organisation

    users = [user for user in users if getattr(user, "is_authenticated", False)]
    if not users:
        return {}
    verified = {}
    verifications = (users[0].verifications.model.objects
                     .filter(user_id__in=[user.pk for user in users], revoked_at__isnull=True,
                             organisation__kind="commune")
                     .select_related("organisation").order_by("user_id", "-created_at", "-pk"))
    for verification in verifications:
        verified.setdefault(verification.user_id, verification.organisation)
    declared = Organisation.objects.in_bulk({user.residence_id for user in users
                                             if user.pk not in verified and user.residence_id})
    return {user.pk: verified.get(user.pk) or declared.get(user.residence_id) for user in users}


def answer_refusal(*, poll, user, now=None) -> PollRefused | VerificationRequired | None:
    """Why USER may not answer POLL now (None when they may, the quartier's address aside)."""
    if not poll.is_open(now):
        if poll.is_closed(now):
            return PollClosed(_("This poll is closed: it no longer takes answers."))
        return PollClosed(_("This poll is not open."))
    if not getattr(user, "is_authenticated", False):
        return PollRefused(_("Sign in to answer: one answer per account."), url=reverse("account_login"))
    target = poll.target
    if poll.verified_only or poll.component.requires_verification("answer"):
        if verification_for(user=user, organisation=target) is None:
            return VerificationRequired(
                _("Only verified residents of %(area)s can answer this poll. Verify your residence first: it "
                  "takes a few minutes.") % {"area": target.name},
                url=verification_url(organisation=target, next_url=poll.get_absolute_url()), signed_in=True)
        return None
    commune = commune_of(user)
    if commune is None:
        return NotInTarget(_("This poll is for the residents of %(area)s: say in your account which commune you "
                             "live in, then answer.") % {"area": target.name}, url=reverse("accounts:profile"))
    if commune.pk != target.pk and commune.pk not in target.descendant_ids():
        return NotInTarget(_("This poll is for the residents of %(area)s; your account says you live in "
                             "%(commune)s.") % {"area": target.name, "commune": commune.name})
    return None


def identity_of(*, poll, user) -> str:
    """The verified identity that counts once on a poll for verified residents ("" otherwise)."""
    if not poll.verified_only:
        return ""
    verification = verification_for(user=user, organisation=poll.target)
    return verification.identity_hash if verification is not None else ""
