"""The usual round of a page's form: posted, valid, handed to one service whose ValidationError is shown
on the form next to the fields it names; on success a message and the caller's redirect."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError

# What a date and time field of a back-office form takes (the browser's datetime-local sends the first).
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"]


class DateTimeInput(forms.DateTimeInput):
    """A date and a time in one field of the browser (datetime-local), typed by hand without it."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class DateInput(forms.DateInput):
    """A date in the browser's date picker (sent as 2026-12-07), typed by hand as 07/12/2026 without it."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


def date_field(label, required: bool = False, **options) -> forms.DateField:
    """A back-office form's date field: the date picker, the two formats above."""
    return forms.DateField(label=label, required=required, widget=DateInput, input_formats=DATE_FORMATS, **options)


def form_add_errors(form, error: ValidationError, *, fields: dict[str, str] | None = None) -> None:
    """Show a service's ERROR on FORM: next to the field it names (FIELDS renames a service's argument
    to the form's field), at the top of the form for any other name or when it names none."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for name, problems in error.message_dict.items():
        name = (fields or {}).get(name, name)
        form.add_error(name if name in form.fields else None, problems)


def required_when(field, condition):
    """FIELD is optional except in one case the form checks itself (a reason « obligatoire pour rejeter »):
    the label then says CONDITION instead of « facultatif » (includes/field.html), never both."""
    field.required_when = condition
    return field


@dataclass(frozen=True)
class Saved:
    """What `form_saved` gives back once the service went through: what the service returned."""

    result: Any


def form_saved(request, form, save: Callable[[], Any], *, done: str | Callable[[Any], str]) -> Saved | None:
    """On a POST of a valid FORM, call SAVE (the one service, reading `form.cleaned_data`); when it goes
    through, flash DONE (or DONE(result)) and return `Saved(result)` for the caller to redirect. None on a
    GET, an invalid form or a service's ValidationError (then shown on the form: the page answers 400)."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = save()
    except ValidationError as error:
        form_add_errors(form, error)
        return None
    messages.success(request, done(result) if callable(done) else done)
    return Saved(result)


def form_unchecked(form):
    """FORM shown again as it was typed, without any error: a step that only looks before anything is sent
    (« Check for similar ideas »), so that a half-filled form is not told off. Nothing is validated or saved."""
    form._errors = forms.utils.ErrorDict()
    form.cleaned_data = {}
    return form


def similar_while_typing(form, url: str, target: str, fields: tuple[str, ...] = ("title", "text"),
                         include: str = "") -> None:
    """FORM's FIELDS ask URL for similar ideas after a pause in typing (htmx, GET with all FIELDS' values, or
    with what INCLUDE names, an htmx selector such as "closest form" when the answer needs other fields), the
    answer going into TARGET, the page's aria-live region. Without JavaScript nothing changes: the form's
    « Check for similar ideas » button does the same by posting."""
    present = [name for name in fields if name in form.fields]
    include = include or ", ".join(f"#{form[name].auto_id}" for name in present)
    for name in present:
        form.fields[name].widget.attrs.update({
            "hx-get": url, "hx-trigger": "keyup changed delay:400ms", "hx-target": target, "hx-swap": "innerHTML",
            "hx-include": include, "hx-sync": "closest form:replace",
        })
