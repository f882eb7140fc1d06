"""What verification holds about a person (RGPD export), and its deletion with the account."""

from __future__ import annotations

from concerto.core.accounts.models import (
    Verification,
    VerificationAttempt,
    VerificationCode,
)


def personal_data(*, user) -> dict:
    """What verification holds about USER, for the account export."""
    return {
        "verifications": [
            {"organisation": v.organisation.name, "method": v.method, "verified_at": v.created_at.isoformat(),
             "birth_date": v.birth_date.isoformat() if v.birth_date else None,
             "revoked_at": v.revoked_at.isoformat() if v.revoked_at else None}
            for v in Verification.objects.filter(user=user).select_related("organisation").order_by("pk")
        ],
        "verification_codes": [
            {"organisation": c.organisation.name, "sent_by": c.channel, "asked_at": c.created_at.isoformat(),
             "recipient": c.recipient or None, "postal_address": c.postal_address or None,
             "used_at": c.used_at.isoformat() if c.used_at else None}
            for c in VerificationCode.objects.filter(user=user).select_related("organisation").order_by("pk")
        ],
    }


def personal_data_erase(*, user) -> list[int]:
    """Delete USER's verifications, codes and tries; return the ids of the verifications deleted."""
    ids = list(Verification.objects.filter(user=user).values_list("pk", flat=True))
    Verification.objects.filter(pk__in=ids).delete()
    VerificationCode.objects.filter(user=user).delete()
    VerificationAttempt.objects.filter(user=user).delete()
    return ids
