"""What the budgets services share: the refusal they raise, the limits on what people type, amounts in
whole euros, and telling people of a change."""

from django.utils.translation import gettext as _

from concerto.components.budgets.models import Project
from concerto.core.participation.services import notification_send

KIND = "budgets"
TITLE_MAX_LENGTH = Project._meta.get_field("title").max_length
# What a person may type (markup included); the sanitised text is never longer.
TEXT_MAX_LENGTH = 8000
ANSWER_MAX_LENGTH = 10_000
NOTES_MAX_LENGTH = 10_000
# A cost or an amount above this is a typing mistake (a trillion euros), and keeps numbers within 64 bits.
MAX_EUROS = 10**12


class ProjectError(Exception):
    """An action refused for a reason the person must read (closed step, list already voted on...)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def check_component(component) -> None:
    if component.kind != KIND:
        raise ValueError("This is not a budgets component")


def person(user):
    return user if user is not None and user.is_authenticated else None


def notify(*, actor, recipients, verb: str, title: str, body: str, url: str) -> None:
    actor = person(actor)
    people = [user for user in recipients if user is not None and (actor is None or user.pk != actor.pk)]
    notification_send(recipients=people, verb=verb, title=title, body=body, url=url)


def whole_euros(value, *, field: str, errors: dict, required: bool, maximum: int | None = None,
                 empty_message: str = "") -> int | None:
    if value in (None, ""):
        if required:
            errors[field] = [empty_message or _("Enter an amount in euros.")]
        return None
    try:
        number = int(str(value).strip().replace(" ", "").replace("\u202f", "").replace("\xa0", ""))
    except (TypeError, ValueError):
        errors[field] = [_("Enter a whole number of euros, without cents (for example 25000).")]
        return None
    if number <= 0:
        errors[field] = [_("The amount must be more than 0 €.")]
        return None
    if number > MAX_EUROS:
        errors[field] = [_("This amount is too large.")]
        return None
    if maximum is not None and number > maximum:
        errors[field] = [_("The cost is more than the budget (%(amount)s €): it must fit in it.")
                         % {"amount": f"{maximum:,}".replace(",", "\u202f")}]
        return None
    return number
