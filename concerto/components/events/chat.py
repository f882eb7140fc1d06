"""Events in a chat (core.registry.Conversation): the next events of the commune, each with a link to its page
(registration is done there)."""

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from concerto.components.events.models import Event
from concerto.core.participation.notifications import absolute_url
from concerto.core.registry import ChatStep, ChatTurn
from concerto.core.spaces.models import Component

NEXT = 5


def _upcoming(component):
    return list(Event.objects.public().filter(component=component, ends_at__gte=timezone.now())
                .order_by("starts_at", "pk")[:NEXT])


def items(organisation) -> list[tuple[str, str]]:
    components = (Component.objects.published().of_kind("events")
                  .filter(space__organisation=organisation).select_related("space").order_by("pk"))
    return [(str(component.pk), component.title) for component in components
            if component.space.is_published and _upcoming(component)]


def turn(*, ref: str, state: dict, text: str, payload: str, person, organisation) -> ChatTurn:
    component = (Component.objects.published().of_kind("events")
                 .filter(space__organisation=organisation, pk=ref if ref.isdigit() else 0).first())
    events = _upcoming(component) if component is not None else []
    if not events:
        return ChatTurn([ChatStep("text", _("No event is coming up."))], done=True)
    steps = [ChatStep("text", _("Coming up:"))]
    for event in events:
        when = date_format(timezone.localtime(event.starts_at), "l j F Y, H\\hi")
        steps.append(ChatStep("link", f"{event.title}\n{when}", url=absolute_url(event.get_absolute_url()),
                              label=_("See the event")))
    return ChatTurn(steps, done=True)
