"""Contributing « au nom de » an actor: a person whose account is a confirmed member of an actor of the directory (an
association, a school, a business...; core/mobilisation) may sign a contribution for it, and every page shows it as
« Nom — au nom de Association X ».

The choice is kept on the contribution's ledger row (`Contribution.on_behalf_of`), so that every component gets it
through `contribution_record` and the pages read it through one template filter (`signed_name`, core/templatetags/
people.py). Which actors a person may sign for is the directory's business: mobilisation registers
`behalf_provider_register(actors_of)` when it starts, so that the ledger, below it, never imports it.

Decision: only actors of the item's own organisation (a Montreuil association signs in Montreuil's spaces, not in
Sceaux's nor the Métropole's): the directory is a commune's, and its agents vouch for the members they added.
"""

from collections.abc import Callable, Iterable

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concerto.core.participation.models import Contribution

FIELD = "on_behalf_of"
_provider: Callable | None = None


def behalf_provider_register(actors_of: Callable) -> None:
    """ACTORS_OF(user, organisation) -> the actors USER may sign for in ORGANISATION's items."""
    global _provider
    _provider = actors_of


def behalf_choices(user, organisation) -> list:
    """The actors USER may contribute for on an item of ORGANISATION (none for a visitor, or without a directory)."""
    if _provider is None or organisation is None or user is None or not user.is_authenticated:
        return []
    return list(_provider(user, organisation))


def refused() -> ValidationError:
    return ValidationError({FIELD: [_("You can only contribute on behalf of an organisation you are a member of, "
                                      "in its own commune.")]}, code="not_a_member")


def behalf_check(*, user, organisation, actor) -> None:
    """For the services: ValidationError unless ACTOR is None or one USER may sign for in ORGANISATION."""
    if actor is not None and actor.pk not in {choice.pk for choice in behalf_choices(user, organisation)}:
        raise refused()


class BehalfField(forms.TypedChoiceField):
    """« En mon nom » or one of the actors the person may sign for; any other value is refused in French."""

    def __init__(self, actors, **kwargs):
        self.actors = {str(actor.pk): actor for actor in actors}
        super().__init__(
            label=gettext_lazy("You contribute"), required=False, empty_value=None, coerce=self.actors.get,
            choices=[("", gettext_lazy("In my own name")), *[
                (pk, _("On behalf of %(name)s") % {"name": actor.name}) for pk, actor in self.actors.items()]],
            error_messages={"invalid_choice": refused().message_dict[FIELD][0]}, **kwargs)


def behalf_field_add(form, user, organisation):
    """Adds the `on_behalf_of` field to FORM: a select for members (`form.offers_behalf`), a hidden field for the
    others, so that a non-member sending an actor's id gets the field's French error (a 400) instead of being
    ignored."""
    actors = behalf_choices(user, organisation)
    form.fields[FIELD] = BehalfField(actors, widget=None if actors else forms.HiddenInput)
    form.offers_behalf = bool(actors)
    return form


def behalf_value(form) -> dict:
    """The service's `on_behalf_of` keyword from FORM once valid: {} when behalf_field_add did not add the field
    (an edit: the signature does not change), so that every create view passes it the same way."""
    return {FIELD: form.cleaned_data.get(FIELD)} if FIELD in form.fields else {}


def behalf_names(items: Iterable) -> None:
    """Reads, in one query, the actor each of ITEMS (of one model) was contributed for, for `signed_name`."""
    items = [item for item in items if item is not None and item.pk is not None]
    if not items:
        return
    content_type = ContentType.objects.get_for_model(items[0])
    rows = (Contribution.objects.filter(target_type=content_type, target_id__in=[item.pk for item in items],
                                        on_behalf_of__isnull=False)
            .values_list("target_id", "on_behalf_of_id", "on_behalf_of__name"))
    signed = {target: (pk, name) for target, pk, name in rows}
    for item in items:
        item._on_behalf_id, item._on_behalf_name = signed.get(item.pk, (None, ""))


def behalf_name(item) -> str:
    """The public name of the actor ITEM was contributed for, or ""."""
    if item is None or getattr(item, "pk", None) is None:
        return ""
    if not hasattr(item, "_on_behalf_name"):
        behalf_names([item])
    return item._on_behalf_name


def behalf_actor(item) -> dict | None:
    """{"id", "name"} of the actor ITEM was contributed for (its public name only), or None: for the API."""
    name = behalf_name(item)
    return {"id": item._on_behalf_id, "name": name} if name else None
