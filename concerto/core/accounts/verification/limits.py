"""Limits on a person's tries per organisation (census look-ups, codes asked for), over rolling windows.

A limit is counted and checked under a lock (`tries_locked`), so that simultaneous tries are counted one
after the other: without it, 30 guesses sent at once all read "4 failures so far" and all get through.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concerto.core.accounts.models import (
    User,
    VerificationAttempt,
)

# Limits per person and organisation over a rolling window: (how many, window).
CENSUS_FAILURES_LIMIT = (5, datetime.timedelta(hours=24))
SMS_REQUESTS_LIMIT = (3, datetime.timedelta(hours=1))
SMS_PER_PHONE_LIMIT = (3, datetime.timedelta(hours=24))
POST_REQUESTS_LIMIT = (3, datetime.timedelta(days=30))


@contextlib.contextmanager
def tries_locked(*, user, keys: tuple[str, ...] = ()):
    """A transaction in which USER's tries (and those naming each of KEYS, a phone number's hash say, shared
    by several accounts) are counted and recorded by one request at a time.

    The person's row is locked (SELECT ... FOR UPDATE); a key that is not a row takes a PostgreSQL
    transaction-level advisory lock. SQLite needs neither: its transactions begin IMMEDIATE (settings), one
    writer at a time. Locks are released at commit or rollback, an error raised inside included.
    """
    with transaction.atomic():
        list(User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True))
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for key in sorted(set(keys)):  # always in the same order: no deadlock between two requests
                    number = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [number])
        yield


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
