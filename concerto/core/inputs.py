"""Checks on values a person or a client sends, shared by the pages, the API and Open311, so that a value
that the database or Python's dates cannot hold is refused with a clear message instead of failing later.

- `datetime_parse(raw)` / `datetime_check(value)`: a date and time whose time-zone offset PostgreSQL accepts
  (within ±15:59) and whose year stays where date arithmetic and time-zone conversion cannot overflow;
- `text_check(value)`: no NUL character (PostgreSQL refuses them in text); `nul_fields(request, ...)` finds
  them anywhere in a request (the API and Open311 check every request with it; the pages' forms refuse them
  next to the field, as Django's text fields do);
- `email_check(value)`: a valid address of at most 254 characters (the email columns' width, RFC 5321's limit);
  `EmailFormField` is the same check as a form field.

Each raises `BadInput` with the message for the person; each entry point shapes it its own way (a form error,
the API's 422, Open311's error list).
"""

import json
from datetime import datetime, timedelta

from django import forms
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

EMAIL_MAX_LENGTH = 254
# PostgreSQL refuses a wider offset; real ones stay within -12:00 and +14:00.
OFFSET_MAX = timedelta(hours=15, minutes=59)
# Wide enough for any real date, narrow enough that adding a few months or converting to UTC cannot leave
# the years Python and the database can hold (0001-01-01+01:00 has no UTC time).
YEAR_MIN, YEAR_MAX = 1900, 2999
NUL = "\x00"


class BadInput(ValueError):
    """A value that cannot be used; `message` says why, in the person's language."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def datetime_check(value: datetime) -> datetime:
    """VALUE, made aware (a naive one is in the site's time zone), or BadInput when its offset is beyond
    ±15:59 or its year outside YEAR_MIN..YEAR_MAX."""
    offset = value.utcoffset() if value.tzinfo is not None else None
    if offset is not None and abs(offset) > OFFSET_MAX:
        raise BadInput(_("The time-zone offset must be between -15:59 and +15:59, such as +01:00."))
    if not YEAR_MIN <= value.year <= YEAR_MAX:
        raise BadInput(_("Enter a date between the years %(min)s and %(max)s.") % {"min": YEAR_MIN, "max": YEAR_MAX})
    if offset is None:
        value = timezone.make_aware(value.replace(tzinfo=None))
    return value


def datetime_parse(raw: str) -> datetime:
    """RAW, a date and time in the W3C (ISO 8601) format or a date alone (its midnight in the site's time
    zone), checked by datetime_check; BadInput when it is none of these."""
    value = None
    if NUL not in raw:
        try:
            value = parse_datetime(raw)
            if value is None and (day := parse_date(raw)) is not None:
                value = datetime(day.year, day.month, day.day)
        except ValueError:  # well-formed but impossible: 2026-13-45, an offset of 24 hours or more
            value = None
    if value is None:
        raise BadInput(_("Enter a date and time in the W3C format, such as 2026-03-14T09:30:00+01:00."))
    return datetime_check(value)


def nul_message() -> str:
    return _("This text contains a NUL character (\\u0000), which is not allowed.")


def text_check(value: str) -> str:
    if NUL in value:
        raise BadInput(nul_message())
    return value


def email_check(value: str) -> str:
    """VALUE if it is a valid email address of at most EMAIL_MAX_LENGTH characters, else BadInput."""
    if len(value) > EMAIL_MAX_LENGTH:
        raise BadInput(_("An email address has at most %(max)s characters.") % {"max": EMAIL_MAX_LENGTH})
    try:
        validate_email(value)
    except ValidationError:
        raise BadInput(_("Enter a valid email address, such as name@example.org.")) from None
    return value


class EmailFormField(forms.EmailField):
    """A form's email address, checked by email_check (Django's own field lets 320 characters through, more
    than the columns hold)."""

    default_error_messages = {"invalid": gettext_lazy("Enter a valid email address, such as name@example.org.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", EMAIL_MAX_LENGTH)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("maxlength", str(EMAIL_MAX_LENGTH))

    def validate(self, value):
        super().validate(value)
        # A NUL character is left to Django's own validator, whose message names it.
        if value and NUL not in value:
            try:
                email_check(value)
            except BadInput as error:
                raise ValidationError(error.message, code="invalid") from None


def _walk(value, location: str, field: str, found: list) -> None:
    if isinstance(value, str):
        if NUL in value:
            found.append((location, field.replace(NUL, "\\u0000")))
    elif isinstance(value, dict):
        for key, item in value.items():
            name = f"{field}.{key}" if field else str(key)
            _walk(key, location, name, found)
            _walk(item, location, name, found)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _walk(item, location, f"{field}.{index}" if field else str(index), found)


def nul_fields(request, path_params: dict, *, json_body: bool = False, form: bool = False) -> list[tuple[str, str]]:
    """Where REQUEST holds a NUL character, as (location, field name) pairs: PATH_PARAMS ("path"), the query
    string ("query"), with FORM the fields of a posted form ("form", files left out), with JSON_BODY a JSON
    body ("body"). A NUL in a name is shown as \\u0000."""
    found: list = []
    _walk(path_params, "path", "", found)
    for key, values in request.GET.lists():
        _walk({key: values[0] if len(values) == 1 else values}, "query", "", found)
    try:
        if form and request.method == "POST" and request.content_type in ("application/x-www-form-urlencoded",
                                                                           "multipart/form-data"):
            for key, values in request.POST.lists():
                _walk({key: values[0] if len(values) == 1 else values}, "form", "", found)
        body = request.body if json_body and not request.content_type.startswith("multipart/") else b""
    except (RequestDataTooBig, ValueError):
        body = b""  # the view answers a body it cannot read (413, 400) its own way
    # In JSON a NUL can only be escaped: parse only when the escape is there.
    if b"\\u0000" in body:
        try:
            _walk(json.loads(body), "body", "", found)
        except ValueError:
            pass  # the view refuses the body as it would any invalid JSON
    return list(dict.fromkeys(found))
