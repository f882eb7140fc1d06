"""Granting and revoking a verification (every method ends here), and the desk check by an agent."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concerto.core.accounts.models import (
    Verification,
)
from concerto.core.accounts.verification.identity import identity_hash
from concerto.core.audit.services import audit_record


def identity_holder(*, organisation, identity_hash: str, user):
    if not identity_hash:
        return None
    return (Verification.objects.filter(organisation=organisation, identity_hash=identity_hash,
                                        revoked_at__isnull=True)
            .exclude(user=user).select_related("user").first())


def _identity_taken_error() -> ValidationError:
    return ValidationError(
        _("Another account is already verified with this identity in this commune. If it is not yours, "
          "go to a desk of the town hall with an identity document: an agent will sort it out."),
        code="identity_taken")


def verification_grant(*, agent, user, organisation, method: str, identity_hash: str = "",
                       birth_date=None) -> Verification:
    """Record that USER is a verified resident of ORGANISATION (AGENT: who checked, or None).

    Raises ValidationError (code "identity_taken") when another account already holds IDENTITY_HASH here.
    """
    if identity_holder(organisation=organisation, identity_hash=identity_hash, user=user) is not None:
        raise _identity_taken_error()
    try:
        with transaction.atomic():
            verification, _created = Verification.objects.update_or_create(
                user=user, organisation=organisation,
                defaults={"method": method, "identity_hash": identity_hash, "birth_date": birth_date,
                          "verified_by": agent, "revoked_at": None},
            )
            # The audit log outlives the account: it records the method, never the birth date.
            audit_record(actor=agent or user, action="verification.granted", target=verification,
                         organisation=organisation, data={"method": method})
    except IntegrityError:  # the same identity verified at the same moment by another account
        raise _identity_taken_error() from None
    return verification


def verification_revoke(*, agent, verification: Verification) -> Verification:
    if verification.revoked_at is None:
        verification.revoked_at = timezone.now()
        verification.save(update_fields=["revoked_at"])
        audit_record(actor=agent, action="verification.revoked", target=verification,
                     organisation=verification.organisation, data={"method": verification.method})
    return verification


def desk_verify(*, agent, user, organisation, last_name: str, first_name: str, birth_date) -> Verification:
    """An agent saw USER's identity document at a desk and typed the name and date of birth from it."""
    return verification_grant(
        agent=agent, user=user, organisation=organisation, method=Verification.Method.DESK,
        identity_hash=identity_hash(organisation=organisation, last_name=last_name, first_name=first_name,
                                    birth_date=birth_date),
        birth_date=birth_date)
