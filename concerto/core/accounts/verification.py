"""Resident verification: census list (salted hashes), codes sent by text message or by post, desk checks.

Contract used by components (e.g. budgets):
- `identity_hash(*, organisation, last_name, first_name, birth_date) -> str`
- `verification_for(*, user, organisation) -> Verification | None`: a valid verification of USER in
  ORGANISATION or in an organisation below it (a resident of a commune is a resident of its territory).
- `is_verified(*, user, organisation, min_age=None, on=None) -> bool`
- `verification_grant(*, agent, user, organisation, method, identity_hash="", birth_date=None) -> Verification`
- `verification_url(*, organisation=None, next_url="") -> str`: the page where a resident verifies, coming
  back to NEXT_URL afterwards.

What is stored about a person: on the census list, only HMAC-SHA256(salt of the commune, last name | first
name | date of birth); on a verification, that hash and the date of birth the resident typed (for minimum
ages). The salt is random per organisation and never changes, so the same person always gets the same hash
in the same commune (a paper ballot and an online one collide), and a hash means nothing in another
commune or outside this database.
"""

from __future__ import annotations

import csv
import datetime
import functools
import hashlib
import hmac
import io
import logging
import re
import secrets
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlencode

import rules
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concerto.core.accounts.models import (
    CensusEntry,
    Verification,
    VerificationAttempt,
    VerificationCode,
    VerificationSetup,
)
from concerto.core.accounts.permissions import is_manager

logger = logging.getLogger(__name__)

# Agents and administrators of a commune (or above it) verify its residents and manage its census list.
if not rules.perm_exists("accounts.verify_residents"):
    rules.add_perm("accounts.verify_residents", is_manager)

SMS_CODE_LIFETIME = datetime.timedelta(minutes=15)
POST_CODE_LIFETIME = datetime.timedelta(days=30)
CODE_MAX_ATTEMPTS = 5
# Limits per person and organisation over a rolling window: (how many, window).
CENSUS_FAILURES_LIMIT = (5, datetime.timedelta(hours=24))
SMS_REQUESTS_LIMIT = (3, datetime.timedelta(hours=1))
SMS_PER_PHONE_LIMIT = (3, datetime.timedelta(hours=24))
POST_REQUESTS_LIMIT = (3, datetime.timedelta(days=30))
CENSUS_MAX_ROWS = 1_000_000
CENSUS_BATCH_SIZE = 5000

METHOD_LABELS = {
    Verification.Method.CENSUS: gettext_lazy("Census list"),
    Verification.Method.CODE: gettext_lazy("Code by text message or by post"),
    Verification.Method.DESK: gettext_lazy("At a desk"),
    Verification.Method.FRANCECONNECT: gettext_lazy("FranceConnect"),
}


# Identity hashes ------------------------------------------------------------------------------------

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


# Reading verifications ------------------------------------------------------------------------------

def verification_for(*, user, organisation) -> Verification | None:
    if not getattr(user, "is_authenticated", False):
        return None
    ids = organisation.descendant_ids() | {organisation.pk}
    return (Verification.objects.filter(user=user, organisation_id__in=ids, revoked_at__isnull=True)
            .select_related("organisation").order_by("-created_at").first())


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


def verification_organisations(*, scope=None):
    """The communes (in SCOPE, if given) where a resident can verify online: a census list or codes."""
    from concerto.core.territory.models import Organisation

    communes = Organisation.objects.communes().filter(
        verification_setup__isnull=False).select_related("verification_setup")
    if scope is not None:
        communes = communes.filter(pk__in=scope.descendant_ids())
    return [c for c in communes.order_by("name") if c.verification_setup.offers_any_method]


def safe_next(url: str, request=None) -> str:
    """URL if it is a path on this site, else "" (never send a resident to another site)."""
    from django.utils.http import url_has_allowed_host_and_scheme

    url = (url or "").strip()
    if not url.startswith("/") or url.startswith("//") or "\\" in url:
        return ""
    hosts = {request.get_host()} if request is not None else set()
    return url if url_has_allowed_host_and_scheme(url, allowed_hosts=hosts, require_https=False) else ""


def verification_url(*, organisation=None, next_url: str = "") -> str:
    """Where a resident verifies their residence, for ORGANISATION (a commune, or a territory whose
    communes they choose from), coming back to NEXT_URL (a local path) afterwards."""
    from concerto.core.territory.models import Organisation

    query = {}
    if organisation is not None and organisation.kind == Organisation.Kind.COMMUNE:
        url = reverse("accounts:verification_start", kwargs={"org_slug": organisation.slug})
    else:
        url = reverse("accounts:verification")
        if organisation is not None:
            query["scope"] = organisation.slug
    next_url = safe_next(next_url)
    if next_url:
        query["next"] = next_url
    return f"{url}?{urlencode(query)}" if query else url


# Actions reserved to verified residents ---------------------------------------------------------------

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
    organisation = component.space.organisation
    if is_verified(user=user, organisation=organisation):
        return None
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


def action_require(*, user, component, action: str) -> None:
    """Raise VerificationRequired when USER may not do ACTION in COMPONENT (see action_refusal). Services call
    it first, so the web pages, the API and the chatbot all refuse alike."""
    refusal = action_refusal(user=user, component=component, action=action)
    if refusal is not None:
        raise refusal


# Granting and revoking ------------------------------------------------------------------------------

def _identity_holder(*, organisation, identity_hash: str, user):
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
    from concerto.core.audit.services import audit_record

    if _identity_holder(organisation=organisation, identity_hash=identity_hash, user=user) is not None:
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
    from concerto.core.audit.services import audit_record

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


# Limits on tries ------------------------------------------------------------------------------------

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


# Census list ----------------------------------------------------------------------------------------

def census_check(*, user, organisation, last_name: str, first_name: str, birth_date) -> Verification:
    """Verify USER if the identity they typed is on ORGANISATION's census list.

    Raises ValidationError with code "too_many_tries", "not_found" or "identity_taken".
    """
    if _too_many(user=user, organisation=organisation, kind="census", limit=CENSUS_FAILURES_LIMIT,
                 succeeded=False):
        raise _too_many_error()
    typed = _typed_hash(_salt_of(organisation), last_name, first_name, birth_date)
    entry = _census_lookup(organisation, typed)
    if entry is None:
        _attempt(user=user, organisation=organisation, kind="census")
        raise ValidationError(
            _("We did not find this name and date of birth on the list of residents. Check the spelling "
              "and the date, or choose another way to verify."), code="not_found")
    if not entry.identity_hash:
        raise ValidationError(_("Several people on the list match: type all your first names, as on your "
                                "identity document."), code="ambiguous")
    digest = entry.identity_hash
    verification = verification_grant(agent=None, user=user, organisation=organisation,
                                      method=Verification.Method.CENSUS, identity_hash=digest,
                                      birth_date=birth_date)
    _attempt(user=user, organisation=organisation, kind="census", succeeded=True)
    return verification


HEADER_ALIASES = {
    "last_name": ["nom", "nomdefamille", "nomdenaissance", "nomdusage", "nomusage", "lastname", "surname",
                  "familyname", "name"],
    "first_name": ["prenom", "prenoms", "premierprenom", "firstname", "firstnames", "givenname",
                   "givennames", "forename"],
    "birth_date": ["datedenaissance", "datenaissance", "naissance", "nele", "nea", "ddn", "birthdate",
                   "dateofbirth", "dob", "birthday", "born"],
}
COLUMN_LABELS = {
    "last_name": gettext_lazy("last name"),
    "first_name": gettext_lazy("first name"),
    "birth_date": gettext_lazy("date of birth"),
}
MAX_REPORTED_ERRORS = 20


def parse_birth_date(value: str, today: datetime.date | None = None) -> datetime.date | None:
    """A date typed as dd/mm/yyyy (also with - or . and one-digit day or month), yyyy-mm-dd or ddmmyyyy;
    None if it is not a real date between 1900 and today."""
    value = (value or "").strip()
    match = re.fullmatch(r"(\d{1,2})[/.\- ](\d{1,2})[/.\- ](\d{4})", value)
    if match:
        day, month, year = (int(g) for g in match.groups())
    elif match := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", value):
        year, month, day = (int(g) for g in match.groups())
    elif match := re.fullmatch(r"(\d{2})(\d{2})(\d{4})", value):
        day, month, year = (int(g) for g in match.groups())
    else:
        return None
    try:
        date = datetime.date(year, month, day)
    except ValueError:
        return None
    if date.year < 1900 or date > (today or timezone.localdate()):
        return None
    return date


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel in French saves "CSV" in Windows-1252 unless told otherwise.
        return data.decode("cp1252", errors="replace")


def _header_key(value: str) -> str:
    return _normalise(value)


@dataclass
class CensusParse:
    entries: dict  # lookup hash -> identity hash ("" when ambiguous)
    people: int
    rows: int
    duplicates: int


def census_parse(*, data: bytes, salt: str) -> CensusParse:
    """Read a census CSV (last name, first name, date of birth) into salted hashes.

    Raises ValidationError with one message per problem, each naming its line (up to MAX_REPORTED_ERRORS).
    """
    text = _decode(data)
    if not text.strip():
        raise ValidationError(_("The file is empty."), code="empty")
    first_line = text.split("\n", 1)[0]
    delimiter = max([";", ",", "\t"], key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        raise ValidationError(_("The file is not a CSV file."), code="invalid") from None
    keys = [_header_key(h) for h in header]
    columns = {}
    for field, aliases in HEADER_ALIASES.items():
        for alias in aliases:  # the first alias found wins: "nom" before "nom d'usage"
            if alias in keys:
                columns[field] = keys.index(alias)
                break
    missing = [str(COLUMN_LABELS[f]) for f in HEADER_ALIASES if f not in columns]
    if missing:
        raise ValidationError(
            _("Line 1: no column for %(missing)s. The first line must name the columns, for example "
              "“nom;prénom;date de naissance”. Columns found: %(found)s.")
            % {"missing": ", ".join(missing), "found": ", ".join(h.strip() for h in header if h.strip()) or "–"},
            code="header")
    errors: list[str] = []
    error_count = 0
    # lookup hash -> (identity hash, whether the lookup names every first name); "" when ambiguous.
    entries: dict[str, tuple[str, bool]] = {}
    people: set[str] = set()
    rows = duplicates = 0
    mac = hmac.new(bytes.fromhex(salt), digestmod=hashlib.sha256)
    dates: dict[str, datetime.date | None] = {}

    today = timezone.localdate()

    def digest(message: str) -> str:
        h = mac.copy()
        h.update(message.encode())
        return h.hexdigest()

    width = max(columns.values()) + 1
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            line = reader.line_num
            rows += 1
            if rows > CENSUS_MAX_ROWS:
                raise ValidationError(_("The file has more than %(max)s people: split it or contact the "
                                        "Métropole.") % {"max": f"{CENSUS_MAX_ROWS:,}".replace(",", " ")},
                                      code="too_big")
            problem = ""
            if len(row) < width:
                problem = _("Line %(line)s: %(found)s columns instead of %(expected)s.") % {
                    "line": line, "found": len(row), "expected": len(header)}
            else:
                last = _normalise(row[columns["last_name"]])
                given = _given_names(row[columns["first_name"]])
                born = row[columns["birth_date"]]
                date = dates[born] if born in dates else dates.setdefault(born, parse_birth_date(born, today))
                if not last:
                    problem = _("Line %(line)s: the last name is empty.") % {"line": line}
                elif not given:
                    problem = _("Line %(line)s: the first name is empty.") % {"line": line}
                elif date is None:
                    problem = _("Line %(line)s: “%(value)s” is not a date of birth (expected dd/mm/yyyy "
                                "or yyyy-mm-dd).") % {"line": line, "value": born.strip()[:40]}
            if problem:
                error_count += 1
                if len(errors) < MAX_REPORTED_ERRORS:
                    errors.append(problem)
                continue
            tail = f"|{date.isoformat()}"
            identity = digest(f"{last}|{''.join(given)}{tail}")
            if identity in people:
                duplicates += 1
                continue
            people.add(identity)
            for count in range(1, len(given) + 1):
                full = count == len(given)
                lookup = identity if full else digest(f"{last}|{''.join(given[:count])}{tail}")
                known = entries.get(lookup)
                if known is None or (full and not known[1]):
                    entries[lookup] = (identity, full)  # a full name wins over another's prefix
                elif not known[1] and not full and known[0] != identity:
                    entries[lookup] = ("", False)
    except csv.Error as exc:
        raise ValidationError(_("Line %(line)s: the file cannot be read as CSV (%(error)s).")
                              % {"line": reader.line_num, "error": exc}, code="invalid") from None
    if error_count:
        if error_count > len(errors):
            errors.append(_("… and %(count)s more lines with a problem.") % {"count": error_count - len(errors)})
        raise ValidationError(errors, code="rows")
    if not people:
        raise ValidationError(_("The file names nobody: only the first line was found."), code="empty")
    return CensusParse(entries={k: v[0] for k, v in entries.items()}, people=len(people), rows=rows,
                       duplicates=duplicates)


def _census_insert(organisation_id: int, entries: dict) -> None:
    # Multi-row INSERTs (COPY on PostgreSQL) rather than bulk_create: no model instance per row, and
    # batches as large as the engine takes. 2 to 5 times faster for 100,000 people.
    quote = connection.ops.quote_name
    head = (f"INSERT INTO {quote(CensusEntry._meta.db_table)} "
            f"({quote('organisation_id')}, {quote('lookup_hash')}, {quote('identity_hash')}) VALUES ")
    size = min(CENSUS_BATCH_SIZE, (connection.features.max_query_params or 3 * CENSUS_BATCH_SIZE) // 3)
    # In index order: the B-tree then grows at its end instead of splitting pages all over.
    rows = sorted((organisation_id, lookup, identity) for lookup, identity in entries.items())
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY: psycopg would otherwise split a statement of 15,000 parameters in Python, slowly.
            table = quote(CensusEntry._meta.db_table)
            with cursor.copy(f"COPY {table} (organisation_id, lookup_hash, identity_hash) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        for start in range(0, len(rows), size):
            batch = rows[start:start + size]
            cursor.execute(head + ", ".join(["(%s, %s, %s)"] * len(batch)),
                           [value for row in batch for value in row])


def census_upload(*, agent, organisation, data: bytes) -> CensusParse:
    """Replace ORGANISATION's census list by the people of the CSV file DATA (all or nothing)."""
    from concerto.core.audit.services import audit_record

    setup = setup_for(organisation=organisation)
    parsed = census_parse(data=data, salt=setup.salt)
    with transaction.atomic():
        CensusEntry.objects.filter(organisation=organisation).delete()
        _census_insert(organisation.pk, parsed.entries)
        setup.census_size = parsed.people
        setup.census_uploaded_at = timezone.now()
        setup.census_uploaded_by = agent
        setup.save(update_fields=["census_size", "census_uploaded_at", "census_uploaded_by"])
        audit_record(actor=agent, action="verification.census_uploaded", organisation=organisation,
                     data={"people": parsed.people, "duplicates": parsed.duplicates})
    return parsed


def census_delete(*, agent, organisation) -> None:
    """Remove ORGANISATION's census list; verifications already made stay."""
    from concerto.core.audit.services import audit_record

    setup = setup_for(organisation=organisation)
    with transaction.atomic():
        CensusEntry.objects.filter(organisation=organisation).delete()
        setup.census_size = 0
        setup.census_uploaded_at = None
        setup.census_uploaded_by = None
        setup.save(update_fields=["census_size", "census_uploaded_at", "census_uploaded_by"])
        audit_record(actor=agent, action="verification.census_deleted", organisation=organisation)


def setup_update(*, agent, organisation, sms_enabled: bool, post_enabled: bool) -> VerificationSetup:
    from concerto.core.audit.services import audit_record

    setup = setup_for(organisation=organisation)
    setup.sms_enabled, setup.post_enabled = sms_enabled, post_enabled
    setup.save(update_fields=["sms_enabled", "post_enabled"])
    audit_record(actor=agent, action="verification.methods_changed", organisation=organisation,
                 data={"sms": sms_enabled, "post": post_enabled})
    return setup


# Codes by text message and by post ------------------------------------------------------------------

class LogSmsBackend:
    """The default: writes the message to the log instead of sending it (demo, development)."""

    def send(self, *, phone: str, message: str) -> None:
        logger.info("Text message to %s: %s", phone, message)


class MemorySmsBackend:
    """For tests: keeps the messages in `MemorySmsBackend.outbox`."""

    outbox: list[dict] = []

    def send(self, *, phone: str, message: str) -> None:
        MemorySmsBackend.outbox.append({"phone": phone, "message": message})


def sms_backend():
    path = getattr(settings, "CONCERTO_SMS_BACKEND", "") or "concerto.core.accounts.verification.LogSmsBackend"
    return import_string(path)()


def normalise_phone(value: str) -> str | None:
    """A French mobile number in international form (+336..., +337...), or None."""
    digits = re.sub(r"[\s.\-()]", "", value or "")
    match = re.fullmatch(r"(?:\+33|0033|0)([67]\d{8})", digits)
    return f"+33{match.group(1)}" if match else None


def _new_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def _code_hash(code_id: int, code: str) -> str:
    # Six digits are few: the key (the site's secret) is what keeps a stolen table from revealing codes.
    key = f"{settings.SECRET_KEY}:verification-code".encode()
    return hmac.new(key, f"{code_id}:{code}".encode(), hashlib.sha256).hexdigest()


def _phone_hash(phone: str) -> str:
    return hmac.new(f"{settings.SECRET_KEY}:phone".encode(), phone.encode(), hashlib.sha256).hexdigest()


def _check_identity_free(*, user, organisation, digest: str) -> None:
    if _identity_holder(organisation=organisation, identity_hash=digest, user=user) is not None:
        raise _identity_taken_error()


def code_request_sms(*, user, organisation, last_name: str, first_name: str, birth_date,
                     phone: str) -> VerificationCode:
    """Send a 6-digit code to PHONE (after the transaction commits); only its hash is kept."""
    setup = setup_for(organisation=organisation)
    if not setup.sms_enabled:
        raise ValidationError(_("This commune does not send codes by text message."), code="unavailable")
    number = normalise_phone(phone)
    if number is None:
        raise ValidationError(_("Enter a French mobile number, for example 06 12 34 56 78."), code="phone")
    phone_digest = _phone_hash(number)
    recent = timezone.now() - SMS_PER_PHONE_LIMIT[1]
    if (_too_many(user=user, organisation=organisation, kind="sms", limit=SMS_REQUESTS_LIMIT)
            or VerificationCode.objects.filter(phone_hash=phone_digest, created_at__gte=recent).count()
            >= SMS_PER_PHONE_LIMIT[0]):
        raise ValidationError(_("Too many codes were asked for. Wait an hour and try again, or choose "
                                "another way to verify."), code="too_many_tries")
    digest = identity_hash(organisation=organisation, last_name=last_name, first_name=first_name,
                           birth_date=birth_date)
    _check_identity_free(user=user, organisation=organisation, digest=digest)
    code = _new_code()
    now = timezone.now()
    with transaction.atomic():
        # A new code replaces the ones asked for before.
        VerificationCode.objects.filter(user=user, organisation=organisation, used_at__isnull=True,
                                        cancelled_at__isnull=True).update(cancelled_at=now, recipient="",
                                                                           postal_address="")
        request = VerificationCode.objects.create(
            user=user, organisation=organisation, channel=VerificationCode.Channel.SMS,
            identity_hash=digest, birth_date=birth_date, phone_hash=phone_digest,
            sent_at=now, expires_at=now + SMS_CODE_LIFETIME)
        request.code_hash = _code_hash(request.pk, code)
        request.save(update_fields=["code_hash"])
        _attempt(user=user, organisation=organisation, kind="sms")
        message = _("%(code)s is your code to verify your residence in %(commune)s. It expires in "
                    "15 minutes.") % {"code": code, "commune": organisation.name}
        # Sent from memory after commit, not through the task queue: a queued task would store the code
        # in clear in the database.
        # robust: a gateway failure is logged (the resident can ask again), never a 500 after the commit.
        transaction.on_commit(lambda: sms_backend().send(phone=number, message=message), robust=True)
    return request


def code_request_post(*, user, organisation, last_name: str, first_name: str, birth_date,
                      postal_address: str) -> VerificationCode:
    """Queue a letter for the agents to print; the code is drawn when they print it."""
    setup = setup_for(organisation=organisation)
    if not setup.post_enabled:
        raise ValidationError(_("This commune does not send codes by post."), code="unavailable")
    address = "\n".join(line.strip() for line in (postal_address or "").strip().splitlines() if line.strip())
    if len(address) < 10:
        raise ValidationError(_("Enter your full postal address: number, street, postcode and town."),
                              code="address")
    if _too_many(user=user, organisation=organisation, kind="post", limit=POST_REQUESTS_LIMIT):
        raise _too_many_error()
    digest = identity_hash(organisation=organisation, last_name=last_name, first_name=first_name,
                           birth_date=birth_date)
    _check_identity_free(user=user, organisation=organisation, digest=digest)
    now = timezone.now()
    with transaction.atomic():
        VerificationCode.objects.filter(user=user, organisation=organisation, used_at__isnull=True,
                                        cancelled_at__isnull=True).update(cancelled_at=now, recipient="",
                                                                           postal_address="")
        request = VerificationCode.objects.create(
            user=user, organisation=organisation, channel=VerificationCode.Channel.POST,
            identity_hash=digest, birth_date=birth_date,
            recipient=f"{first_name.strip()} {last_name.strip().upper()}"[:200], postal_address=address[:500])
        _attempt(user=user, organisation=organisation, kind="post")
    return request


def pending_code(*, user, organisation) -> VerificationCode | None:
    return (VerificationCode.objects.filter(user=user, organisation=organisation, used_at__isnull=True,
                                            cancelled_at__isnull=True).order_by("-created_at").first())


def code_confirm(*, user, organisation, code: str) -> Verification:
    """Verify USER if CODE is the one last sent to them for ORGANISATION.

    Raises ValidationError with code "no_code", "not_sent", "expired", "too_many_tries", "wrong" or
    "identity_taken".
    """
    with transaction.atomic():
        request = (VerificationCode.objects.select_for_update()
                   .filter(user=user, organisation=organisation, used_at__isnull=True,
                           cancelled_at__isnull=True).order_by("-created_at").first())
        if request is None:
            raise ValidationError(_("You have no code waiting: ask for one first."), code="no_code")
        if request.sent_at is None:
            raise ValidationError(_("Your letter has not been sent yet. Type the code when it arrives."),
                                  code="not_sent")
        if request.expires_at <= timezone.now():
            raise ValidationError(_("This code has expired. Ask for a new one."), code="expired")
        if request.attempts >= CODE_MAX_ATTEMPTS:
            raise ValidationError(_("Too many wrong codes. Ask for a new one."), code="too_many_tries")
        typed = re.sub(r"\s", "", code or "")
        if not hmac.compare_digest(_code_hash(request.pk, typed), request.code_hash):
            request.attempts += 1
            request.save(update_fields=["attempts"])
            left = CODE_MAX_ATTEMPTS - request.attempts
            if left <= 0:
                message = _("This code is wrong, and it was the last try. Ask for a new code.")
            else:
                message = _("This code is wrong. You can try %(left)s more times.") % {"left": left}
            wrong = ValidationError(message, code="wrong")
        else:
            wrong = None
            request.used_at = timezone.now()
            request.recipient = request.postal_address = ""
            request.save(update_fields=["used_at", "recipient", "postal_address"])
    if wrong is not None:  # raised outside the block, so the count of tries is kept
        raise wrong
    return verification_grant(agent=None, user=user, organisation=organisation,
                              method=Verification.Method.CODE, identity_hash=request.identity_hash,
                              birth_date=request.birth_date)


def letters_waiting(*, organisation):
    return VerificationCode.objects.filter(organisation=organisation, channel=VerificationCode.Channel.POST,
                                           sent_at__isnull=True, cancelled_at__isnull=True,
                                           used_at__isnull=True).order_by("created_at")


def letters_sent(*, organisation):
    """Letters printed whose code is still valid and unused: they can be printed again (a lost batch)."""
    return VerificationCode.objects.filter(organisation=organisation, channel=VerificationCode.Channel.POST,
                                           sent_at__isnull=False, cancelled_at__isnull=True, used_at__isnull=True,
                                           expires_at__gt=timezone.now()).order_by("-sent_at")


def letters_forget_expired(*, organisation) -> None:
    """Names and addresses are kept only while a letter's code can still be used."""
    VerificationCode.objects.filter(organisation=organisation, channel=VerificationCode.Channel.POST,
                                    expires_at__lte=timezone.now()).exclude(postal_address="").update(
        recipient="", postal_address="")


def letters_print(*, agent, organisation, reprint_id: int | None = None) -> list[dict]:
    """Draw a code for every letter waiting (or again for the sent letter REPRINT_ID, whose former code
    stops working) and mark them sent; return what to print: the only time the codes exist in clear."""
    from concerto.core.audit.services import audit_record

    letters = []
    now = timezone.now()
    if reprint_id is None:
        requests = letters_waiting(organisation=organisation)
    else:
        requests = letters_sent(organisation=organisation).filter(pk=reprint_id)
    with transaction.atomic():
        for request in requests.select_for_update():
            code = _new_code()
            letters.append({"recipient": request.recipient, "address": request.postal_address, "code": code,
                            "expires_at": now + POST_CODE_LIFETIME})
            request.code_hash = _code_hash(request.pk, code)
            request.sent_at = now
            request.expires_at = now + POST_CODE_LIFETIME
            request.attempts = 0
            request.save(update_fields=["code_hash", "sent_at", "expires_at", "attempts"])
        if letters:
            audit_record(actor=agent, action="verification.letters_printed", organisation=organisation,
                         data={"letters": len(letters), "again": reprint_id is not None})
    return letters


def letter_cancel(*, agent, request: VerificationCode) -> None:
    """Drop a letter request an agent will not send (an address outside the commune...)."""
    from concerto.core.audit.services import audit_record

    request.cancelled_at = timezone.now()
    request.recipient = ""
    request.postal_address = ""
    request.save(update_fields=["cancelled_at", "recipient", "postal_address"])
    audit_record(actor=agent, action="verification.letter_cancelled", organisation=request.organisation)


# Personal data --------------------------------------------------------------------------------------

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
