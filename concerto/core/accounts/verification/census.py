"""The census list: uploaded as CSV, kept only as salted hashes, and checked against what a resident types."""

from __future__ import annotations

import csv
import datetime
import hashlib
import hmac
import io
import re
import time
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from concerto.core.accounts.models import (
    CensusEntry,
    Verification,
)
from concerto.core.accounts.verification.grants import verification_grant
from concerto.core.accounts.verification.identity import (
    _census_lookup,
    _given_names,
    _normalise,
    _salt_of,
    _typed_hash,
    setup_for,
)
from concerto.core.accounts.verification.limits import (
    CENSUS_FAILURES_LIMIT,
    _attempt,
    _too_many,
    _too_many_error,
    tries_locked,
)
from concerto.core.audit.services import audit_record

CENSUS_MAX_ROWS = 1_000_000
CENSUS_BATCH_SIZE = 5000
PROGRESS_EVERY_ROWS = 2000  # a background job reports its progress every so many lines


def census_check(*, user, organisation, last_name: str, first_name: str, birth_date) -> Verification:
    """Verify USER if the identity they typed is on ORGANISATION's census list.

    Raises ValidationError with code "too_many_tries", "not_found" or "identity_taken".
    """
    typed = _typed_hash(_salt_of(organisation), last_name, first_name, birth_date)
    # The failures are counted and the new one recorded under a lock: simultaneous guesses queue up, so no
    # more than CENSUS_FAILURES_LIMIT are ever looked up in a day.
    with tries_locked(user=user):
        if _too_many(user=user, organisation=organisation, kind="census", limit=CENSUS_FAILURES_LIMIT,
                     succeeded=False):
            refused = _too_many_error()
        else:
            entry = _census_lookup(organisation, typed)
            refused = None
            if entry is None:
                _attempt(user=user, organisation=organisation, kind="census")
                refused = ValidationError(
                    _("We did not find this name and date of birth on the list of residents. Check the "
                      "spelling and the date, or choose another way to verify."), code="not_found")
            elif not entry.identity_hash:
                refused = ValidationError(_("Several people on the list match: type all your first names, as "
                                            "on your identity document."), code="ambiguous")
    if refused is not None:  # raised once the failure is committed
        raise refused
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
# An optional second name: the usage (married) name beside the birth name, or the reverse. A person is found
# by either; their identity is hashed with the main column's name (the first of HEADER_ALIASES["last_name"]
# found, the birth name in an electoral list's "nom de naissance" / "nom d'usage").
OTHER_NAME_ALIASES = ["nomdusage", "nomusage", "nommarital", "nomdepouse", "usagename", "marriedname",
                      "nomdenaissance", "nomdefamille"]
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


def census_parse(*, data: bytes, salt: str, progress=None) -> CensusParse:
    """Read a census CSV (last name, first name, date of birth) into salted hashes.

    Raises ValidationError with one message per problem, each naming its line (up to MAX_REPORTED_ERRORS).
    PROGRESS, if given, is called as progress(lines read, lines in the file, label) as the reading goes.
    """
    lines = data.count(b"\n") + 1
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
    other_name = next((keys.index(alias) for alias in OTHER_NAME_ALIASES
                       if alias in keys and keys.index(alias) != columns.get("last_name")), None)
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
            if progress is not None and rows % PROGRESS_EVERY_ROWS == 0:
                progress(line, lines, _("Reading the list…"))
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
            names = [last]
            if other_name is not None and other_name < len(row):
                other = _normalise(row[other_name])
                if other and other != last:
                    names.append(other)  # found by their usage name too (or their birth name)
            for name in names:
                for count in range(1, len(given) + 1):
                    full = count == len(given)
                    lookup = identity if full and name == last else digest(f"{name}|{''.join(given[:count])}{tail}")
                    known = entries.get(lookup)
                    if known is None or (full and not known[1]):
                        entries[lookup] = (identity, full)  # a full name wins over another's prefix
                    elif known[0] != identity and (full or not known[1]):
                        # Two people answer to it (one's usage name is another's name, or twins' first
                        # names): ambiguous, they type more or choose another way.
                        entries[lookup] = ("", known[1])
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


def census_upload(*, agent, organisation, data: bytes, progress=None) -> CensusParse:
    """Replace ORGANISATION's census list by the people of the CSV file DATA (all or nothing); PROGRESS
    as for `census_parse` (the background job's)."""
    setup = setup_for(organisation=organisation)
    parsed = census_parse(data=data, salt=setup.salt, progress=progress)
    if progress is not None:
        progress(parsed.rows, parsed.rows, _("Saving the list…"))
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


PRECHECK_LINES = 50


def census_precheck(*, data: bytes) -> None:
    """Check in the request what can be checked at once (the columns, the first lines), so that the agent
    reads a mistake there rather than in a failed job; ValidationError as `census_parse`."""
    if b"\x00" in data[:4096]:
        raise ValidationError(_("The file is not a CSV file."), code="invalid")
    head = b"\n".join(data.split(b"\n", PRECHECK_LINES)[:PRECHECK_LINES])
    census_parse(data=head, salt="00" * 16)


def census_upload_job(job) -> str:
    """The background job of a census upload (`concerto.core.jobs`): the file the agent sent, read and
    stored by the worker; its outcome in words."""
    started = time.perf_counter()
    parsed = census_upload(agent=job.started_by, organisation=job.organisation, data=job.input(),
                           progress=job.progress)
    return ngettext(
        "The census list is replaced: %(people)s person (%(rows)s lines, %(duplicates)s duplicates), "
        "read in %(seconds).1f s.",
        "The census list is replaced: %(people)s people (%(rows)s lines, %(duplicates)s duplicates), "
        "read in %(seconds).1f s.", parsed.people) % {
        "people": parsed.people, "rows": parsed.rows, "duplicates": parsed.duplicates,
        "seconds": time.perf_counter() - started}


def census_delete(*, agent, organisation) -> None:
    """Remove ORGANISATION's census list; verifications already made stay."""
    setup = setup_for(organisation=organisation)
    with transaction.atomic():
        CensusEntry.objects.filter(organisation=organisation).delete()
        setup.census_size = 0
        setup.census_uploaded_at = None
        setup.census_uploaded_by = None
        setup.save(update_fields=["census_size", "census_uploaded_at", "census_uploaded_by"])
        audit_record(actor=agent, action="verification.census_deleted", organisation=organisation)
