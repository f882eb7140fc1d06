"""The events' part of the kernel's agenda hook (registry.AgendaItem): other components (questions to elected
officials) list the events an official hosted, or invite to one, without importing this component."""

from django.utils import timezone

from concerto.core.registry import AgendaItem


def agenda(organisation, *, organiser: str = "", upcoming: bool = False, limit: int = 50) -> list[AgendaItem]:
    """The public events of ORGANISATION's spaces, not cancelled; those whose organiser names ORGANISER when
    given; only those still to come with UPCOMING (soonest first), else the most recent first."""
    from concerto.components.events.models import Event

    events = (Event.objects.public().filter(component__space__organisation=organisation, cancelled_at__isnull=True)
              .select_related("component__space__organisation"))
    if organiser:
        events = events.filter(organiser__icontains=organiser)
    if upcoming:
        events = events.filter(ends_at__gte=timezone.now()).order_by("starts_at", "pk")
    else:
        events = events.order_by("-starts_at", "-pk")
    return [AgendaItem(title=event.title, url=event.get_absolute_url(), starts_at=event.starts_at,
                       organiser=event.organiser,
                       place=", ".join(part for part in (event.place_name, event.address) if part))
            for event in events[:limit]]
