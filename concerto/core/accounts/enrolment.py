"""Staff enrolment: a role counts only once its holder has enrolled their own second factor.

Without this, whoever learnt a new agent's password before they set up their authenticator app could set up
theirs first and own the role. So a granted role is pending, and becomes active in one of two ways:

- **by link**: a one-time link is sent to the holder's address (only its hash is kept; it serves once, expires
  after 7 days, and a new link cancels the older ones). The link asks them to sign in, set up their app (or
  type its code), then confirm: their pending roles become active. Knowing the password is not enough: one
  also needs the mailbox.
- **at a desk**: an administrator who manages the role sees the holder in person, and the holder types the
  current code of their app on the administrator's screen: the code proves the app on the holder's phone is
  the account's authenticator.

A role granted to someone who already holds an active role and has an authenticator is active at once: they
enrolled before. Every activation writes an audit entry. Sending the link's email is the caller's job (the
back-office's `role_enrolment_send`), as mail goes through the notifications pipeline above this package.
"""

from __future__ import annotations

import secrets

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concerto.core.accounts.models import ApiToken, Role, RoleEnrolment, User
from concerto.core.audit.services import audit_record
from concerto.core.errors import Refusal


class EnrolmentRefused(Refusal):
    """The link cannot be used (unknown, used, replaced, expired, someone else's) or the desk code is wrong."""


def has_authenticator(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def is_enrolled(user) -> bool:
    """USER already holds an active role and has an authenticator app: a new role of theirs needs no link."""
    return Role.objects.filter(user=user).active().exists() and has_authenticator(user)


def role_activate_if_enrolled(*, role: Role, actor) -> bool:
    """Make a newly granted ROLE active at once when its holder already enrolled. True if it did."""
    if role.activated_at is not None or not is_enrolled(role.user):
        return role.activated_at is not None
    role.activated_at = timezone.now()
    role.save(update_fields=["activated_at"])
    audit_record(actor=actor, action="role.activated", target=role, organisation=role.organisation,
                 data={"method": "already_enrolled"})
    return True


@transaction.atomic
def enrolment_link_issue(*, user: User, actor) -> str:
    """A new one-time link token for USER (returned once, in clear, for the email); older links stop working."""
    now = timezone.now()
    RoleEnrolment.objects.filter(user=user, used_at__isnull=True, cancelled_at__isnull=True).update(
        cancelled_at=now)
    token = secrets.token_urlsafe(32)
    enrolment = RoleEnrolment.objects.create(user=user, token_hash=RoleEnrolment.hash_token(token), sent_by=actor,
                                             expires_at=now + RoleEnrolment.LIFETIME)
    audit_record(actor=actor, action="role.enrolment_link_sent", target=enrolment,
                 data={"user": user.email, "expires_at": enrolment.expires_at.isoformat()})
    return token


def enrolment_for_token(token: str) -> RoleEnrolment:
    """The link TOKEN names, if it can still be used; else EnrolmentRefused saying why."""
    enrolment = (RoleEnrolment.objects.select_related("user")
                 .filter(token_hash=RoleEnrolment.hash_token(token or "")).first())
    if enrolment is None:
        raise EnrolmentRefused(_("This link is not valid. Copy the whole address from the email, or ask an "
                                 "administrator of your organisation for a new link."))
    if enrolment.used_at is not None:
        raise EnrolmentRefused(_("This link was already used: it works only once. If your roles are still "
                                 "waiting, ask an administrator of your organisation for a new link."))
    if enrolment.cancelled_at is not None:
        raise EnrolmentRefused(_("A newer link was sent to you since: use the one in the latest email."))
    if enrolment.expires_at <= timezone.now():
        raise EnrolmentRefused(_("This link has expired (links last 7 days). Ask an administrator of your "
                                 "organisation for a new one."))
    return enrolment


def enrolment_complete(*, token: str, user: User) -> list[Role]:
    """Use the link TOKEN as USER, who has set up an authenticator app: their pending roles become active.

    The caller checks that this session passed the second factor. Raises EnrolmentRefused.
    """
    with transaction.atomic():
        enrolment = enrolment_for_token(token)
        # Locked, so that two tabs sending the same link at once use it once.
        enrolment = RoleEnrolment.objects.select_for_update().get(pk=enrolment.pk)
        if not enrolment.is_open:
            raise EnrolmentRefused(_("This link was already used: it works only once."))
        if enrolment.user_id != user.pk:
            raise EnrolmentRefused(_("This link was sent to another account. Sign out, then open it again "
                                     "and sign in with the address it was sent to."))
        if not has_authenticator(user):
            raise EnrolmentRefused(_("Set up your authenticator app first."))
        enrolment.used_at = timezone.now()
        enrolment.save(update_fields=["used_at"])
        return _activate_pending(user=user, actor=user, method="link")


def role_desk_activate(*, actor, role: Role, code: str) -> list[Role]:
    """At a desk: ROLE's holder, in front of ACTOR (who manages the role: the caller checks), types the
    current CODE of their authenticator app. Their pending roles that ACTOR manages become active."""
    user = role.user
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if authenticator is None:
        raise EnrolmentRefused(_("This person has not set up an authenticator app yet: they sign in on this "
                                 "computer or on their phone, set it up, then type its code here."))
    if not TOTP(authenticator).validate_code((code or "").replace(" ", "")):
        raise EnrolmentRefused(_("This code is wrong or has expired. Ask the person to type the code their "
                                 "app shows now."))
    with transaction.atomic():
        pending = [candidate for candidate in Role.objects.filter(user=user).pending().select_related("organisation")
                   if actor.has_perm("accounts.manage_roles", candidate.organisation)]
        return _activate_pending(user=user, actor=actor, method="desk", roles=pending)


def _activate_pending(*, user, actor, method: str, roles=None) -> list[Role]:
    now = timezone.now()
    if roles is None:
        roles = list(Role.objects.filter(user=user).pending().select_related("organisation"))
    if roles:
        # An API token acts with its user's roles: one made before enrolment may have been made by whoever
        # knew the password, so it goes.
        revoked, _detail = ApiToken.objects.filter(user=user, created_at__lt=now).delete()
        if revoked:
            audit_record(actor=actor, action="api_token.revoked_on_enrolment", target=user,
                         data={"tokens": revoked})
    for role in roles:
        role.activated_at = now
        role.save(update_fields=["activated_at"])
        audit_record(actor=actor, action="role.activated", target=role, organisation=role.organisation,
                     data={"method": method, "user": user.email, "kind": role.kind})
    return roles


def second_factor_reset(*, actor, user: User) -> int:
    """USER lost their authenticator app (and recovery codes): remove them all and put their roles back to
    pending, so that they enrol again with a new link (sent by the caller). Returns how many were removed."""
    with transaction.atomic():
        removed, _detail = Authenticator.objects.filter(user=user).delete()
        Role.objects.filter(user=user).update(activated_at=None)
        RoleEnrolment.objects.filter(user=user, used_at__isnull=True, cancelled_at__isnull=True).update(
            cancelled_at=timezone.now())
        audit_record(actor=actor, action="account.second_factor_reset", target=user,
                     data={"authenticators_removed": removed})
    return removed
