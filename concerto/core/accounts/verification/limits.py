"""Limits on a person's tries per organisation (census look-ups, codes asked for), over rolling windows."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from concerto.core.accounts.models import (
    VerificationAttempt,
)

# Limits per person and organisation over a rolling window: (how many, window).
CENSUS_FAILURES_LIMIT = (5, datetime.timedelta(hours=24))
SMS_REQUESTS_LIMIT = (3, datetime.timedelta(hours=1))
SMS_PER_PHONE_LIMIT = (3, datetime.timedelta(hours=24))
POST_REQUESTS_LIMIT = (3, datetime.timedelta(days=30))


def _too_many(*, user, organisation, kind: str, limit: tuple[int, datetime.timedelta],
              succeeded: bool | None = None) -> bool:
    count, window = limit
    attempts = VerificationAttempt.objects.filter(user=user, organisation=organisation, kind=kind,
                                                  created_at__gte=timezone.now() - window)
    if succeeded is not None:
        attempts = attempts.filter(succeeded=succeeded)
    return attempts.count() >= count


def _attempt(*, user, organisation, kind: str, succeeded: bool = False) -> None:
    # Tries only matter within the longest window: older ones are dropped as new ones come.
    VerificationAttempt.objects.filter(user=user, created_at__lt=timezone.now() - POST_REQUESTS_LIMIT[1]).delete()
    VerificationAttempt.objects.create(user=user, organisation=organisation, kind=kind, succeeded=succeeded)


def _too_many_error() -> ValidationError:
    return ValidationError(_("Too many tries. Try again tomorrow, or go to a desk of the town hall with an "
                             "identity document."), code="too_many_tries")
