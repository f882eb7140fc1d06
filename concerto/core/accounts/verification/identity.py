"""Identity hashes: the same person gives the same salted hash in the same organisation, and the
organisation's verification setup that holds the salt."""

from __future__ import annotations

import datetime
import functools
import hashlib
import hmac
import re
import secrets
import unicodedata

from django.db import IntegrityError, transaction

from concerto.core.accounts.models import (
    CensusEntry,
    VerificationSetup,
)


@functools.lru_cache(maxsize=65536)  # names repeat a lot in a census list
def _normalise(value: str) -> str:
    """Case, accents, spaces, hyphens and apostrophes do not count: "Le Goff" = "LEGOFF" = "le-goff"."""
    value = unicodedata.normalize("NFKD", value or "").casefold()
    value = value.replace("œ", "oe").replace("æ", "ae")
    return "".join(c for c in value if c.isalnum())


@functools.lru_cache(maxsize=65536)
def _given_names(value: str) -> tuple[str, ...]:
    """The first names, each normalised: "Jean-Pierre, Paul" -> ("jeanpierre", "paul")."""
    return tuple(name for name in (_normalise(part) for part in re.split(r"[\s,]+", value or "")) if name)


def _salt_of(organisation) -> str:
    setup = VerificationSetup.objects.filter(organisation=organisation).only("salt").first()
    if setup is None:
        setup = setup_for(organisation=organisation)
    return setup.salt


def _digest(key: bytes, last: str, given: str, birth_date: datetime.date) -> str:
    return hmac.new(key, f"{last}|{given}|{birth_date.isoformat()}".encode(), hashlib.sha256).hexdigest()


def _typed_hash(salt: str, last_name: str, first_name: str, birth_date) -> str:
    return _digest(bytes.fromhex(salt), _normalise(last_name), "".join(_given_names(first_name)), birth_date)


def _census_lookup(organisation, typed: str) -> CensusEntry | None:
    return CensusEntry.objects.filter(organisation=organisation, lookup_hash=typed).first()


def identity_hash(*, organisation, last_name: str, first_name: str, birth_date) -> str:
    """The same person gives the same hash in the same organisation, whatever the accents, case or spaces.

    FIRST_NAME: the first names as on the identity document. When the commune's census list knows the
    person by a longer list of first names ("Marie" typed, "Marie Claire" listed), the hash is that of
    the listed identity, so that what a resident types online, what an agent types from a paper ballot
    and what the census list holds all name the same person.
    """
    typed = _typed_hash(_salt_of(organisation), last_name, first_name, birth_date)
    entry = _census_lookup(organisation, typed)
    return entry.identity_hash if entry is not None and entry.identity_hash else typed


def setup_for(*, organisation) -> VerificationSetup:
    """ORGANISATION's verification setup, created with a fresh random salt the first time."""
    setup = VerificationSetup.objects.filter(organisation=organisation).first()
    if setup is not None:
        return setup
    try:
        with transaction.atomic():
            return VerificationSetup.objects.create(organisation=organisation, salt=secrets.token_hex(32))
    except IntegrityError:  # created at the same moment by another request
        return VerificationSetup.objects.get(organisation=organisation)
