"""Resident verification: census list (salted hashes), codes sent by text message or by post, desk checks.

Contract used by components (e.g. budgets):
- `identity_hash(*, organisation, last_name, first_name, birth_date) -> str`
- `verification_for(*, user, organisation) -> Verification | None`: a valid verification of USER in
  ORGANISATION or in an organisation below it (a resident of a commune is a resident of its territory).
- `is_verified(*, user, organisation, min_age=None, on=None) -> bool`
- `verification_grant(*, agent, user, organisation, method, identity_hash="", birth_date=None) -> Verification`
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from concerto.core.accounts.models import Verification


def _normalise(value: str) -> str:
    value = unicodedata.normalize("NFKD", value or "")
    value = "".join(c for c in value if not unicodedata.combining(c))
    return " ".join(value.replace("-", " ").replace("'", " ").lower().split())


def identity_hash(*, organisation, last_name: str, first_name: str, birth_date) -> str:
    """The same person gives the same hash in the same organisation, whatever the accents, case or spaces."""
    # TODO(verification helper): a per-organisation salt stored with the census list.
    key = f"{settings.SECRET_KEY}:{organisation.pk}".encode()
    message = f"{_normalise(last_name)}|{_normalise(first_name)}|{birth_date.isoformat()}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def verification_for(*, user, organisation) -> Verification | None:
    if not getattr(user, "is_authenticated", False):
        return None
    ids = organisation.descendant_ids() | {organisation.pk}
    return (Verification.objects.filter(user=user, organisation_id__in=ids, revoked_at__isnull=True)
            .order_by("-created_at").first())


def _age_on(birth_date, day) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def is_verified(*, user, organisation, min_age: int | None = None, on=None) -> bool:
    verification = verification_for(user=user, organisation=organisation)
    if verification is None:
        return False
    if min_age:
        if verification.birth_date is None:
            return False
        return _age_on(verification.birth_date, on or timezone.localdate()) >= min_age
    return True


def verification_grant(*, agent, user, organisation, method: str, identity_hash: str = "",
                       birth_date=None) -> Verification:
    with transaction.atomic():
        verification, _created = Verification.objects.update_or_create(
            user=user, organisation=organisation,
            defaults={"method": method, "identity_hash": identity_hash, "birth_date": birth_date,
                      "verified_by": agent, "revoked_at": None},
        )
    return verification
