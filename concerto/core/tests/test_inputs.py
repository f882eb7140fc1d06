"""The kernel's checks on what people and clients send (core/inputs.py)."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.utils import translation

from concerto.core import inputs


@pytest.mark.parametrize("raw, expected", [
    ("2026-03-14T09:30:00+01:00", datetime(2026, 3, 14, 8, 30, tzinfo=UTC)),
    ("2026-03-14T09:30:00+15:59", datetime(2026, 3, 13, 17, 31, tzinfo=UTC)),
    ("2026-03-14T09:30:00-15:59", datetime(2026, 3, 15, 1, 29, tzinfo=UTC)),
    ("2026-03-14T09:30:00Z", datetime(2026, 3, 14, 9, 30, tzinfo=UTC)),
    ("2026-03-14", datetime(2026, 3, 13, 23, 0, tzinfo=UTC)),  # midnight in Paris
])
def test_dates_the_database_holds_are_read_and_made_aware(raw, expected):
    assert inputs.datetime_parse(raw) == expected


@pytest.mark.parametrize("raw, message", [
    ("2026-03-14T09:30:00+16:00", "The time-zone offset must be between -15:59 and +15:59, such as +01:00."),
    ("2026-03-14T09:30:00-23:59", "The time-zone offset must be between -15:59 and +15:59, such as +01:00."),
    ("0001-01-01", "Enter a date between the years 1900 and 2999."),
    ("0001-01-01T00:00:00+01:00", "Enter a date between the years 1900 and 2999."),
    ("9999-12-31", "Enter a date between the years 1900 and 2999."),
    ("2026-13-45T00:00:00Z", "Enter a date and time in the W3C format, such as 2026-03-14T09:30:00+01:00."),
    ("2026-03-14T09:30:00+24:00", "Enter a date and time in the W3C format, such as 2026-03-14T09:30:00+01:00."),
    ("2026-03-14\x00", "Enter a date and time in the W3C format, such as 2026-03-14T09:30:00+01:00."),
    ("hier", "Enter a date and time in the W3C format, such as 2026-03-14T09:30:00+01:00."),
])
def test_dates_that_would_overflow_or_that_the_database_refuses_are_bad_input(raw, message):
    with translation.override("en"), pytest.raises(inputs.BadInput) as refused:
        inputs.datetime_parse(raw)
    assert refused.value.message == message


def test_a_checked_datetime_keeps_a_real_offset_and_refuses_a_wider_one():
    paris = datetime(2026, 3, 14, 9, 30, tzinfo=timezone(timedelta(hours=1)))
    assert inputs.datetime_check(paris) is paris
    with pytest.raises(inputs.BadInput):
        inputs.datetime_check(datetime(2026, 3, 14, tzinfo=timezone(timedelta(hours=16))))


def test_emails_are_refused_past_254_characters_or_malformed():
    assert inputs.email_check("a" * 242 + "@example.org") == "a" * 242 + "@example.org"  # 254 characters
    with translation.override("fr"):
        with pytest.raises(inputs.BadInput, match="au plus 254 caractères"):
            inputs.email_check("a" * 243 + "@example.org")
        with pytest.raises(inputs.BadInput, match="adresse électronique valide"):
            inputs.email_check("pas-une-adresse")


def test_the_email_form_field_says_why_a_long_address_is_refused():
    field = inputs.EmailFormField()
    assert field.widget.attrs["maxlength"] == "254"
    with translation.override("fr"), pytest.raises(Exception) as refused:
        field.clean("a" * 300 + "@example.org")
    assert refused.value.messages == ["Une adresse électronique compte au plus 254 caractères."]
