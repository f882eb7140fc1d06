"""Events in the API, mounted by the manifest at /api/v1/events/: read only, public events only.

Never the online meeting link (for registered people only) nor who registered: only counts of places.
Minutes appear once published.
"""

from datetime import datetime
from typing import Literal

from django.db.models import Exists, OuterRef
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from concerto.api.common import ErrorOut, Id, MappedPage, Pagination, Slug, ValidationErrorOut, filter_by_place
from concerto.components.events.models import Event, Minutes
from concerto.core.richtext import sanitize_html
from concerto.core.spaces.api import ComponentItemOut

router = Router(tags=["events"])

RELATED = ("component__space__organisation", "commune")


class EventOut(ComponentItemOut):
    id: int
    title: str
    kind: str = Field(description="public_meeting, workshop, debate, walk or stand.")
    format: str = Field(description="in_person, online or hybrid.")
    description: str = Field(description="Sanitised HTML.")
    starts_at: datetime
    ends_at: datetime
    place_name: str
    address: str
    commune: str | None = Field(description="Slug of the commune where the event takes place.")
    latitude: float | None
    longitude: float | None
    step_free_access: bool
    induction_loop: bool
    sign_language: bool
    accessibility_notes: str
    languages: list[str]
    audiences: list[str]
    organiser: str
    registration_enabled: bool
    capacity: int | None
    cancelled: bool
    cancelled_at: datetime | None
    cancellation_reason: str
    has_minutes: bool = Field(description="True when the minutes are published.")
    organisation: str
    space: int
    component: int
    url: str

    @staticmethod
    def resolve_description(obj) -> str:
        return sanitize_html(obj.description)

    @staticmethod
    def resolve_commune(obj) -> str | None:
        return obj.commune.slug if obj.commune else None

    @staticmethod
    def resolve_languages(obj) -> list[str]:
        return [str(value) for value in obj.languages or []]

    @staticmethod
    def resolve_audiences(obj) -> list[str]:
        return [str(value) for value in obj.audiences or []]

    @staticmethod
    def resolve_cancelled(obj) -> bool:
        return obj.cancelled_at is not None

    @staticmethod
    def resolve_has_minutes(obj) -> bool:
        return bool(obj.published_minutes)


class AttachmentOut(Schema):
    title: str
    url: str
    size: int | None


class MinutesOut(Schema):
    event: int
    text: str = Field(description="Sanitised HTML.")
    attendees_in_person: int
    attendees_online: int
    published_at: datetime
    attachments: list[AttachmentOut]
    room_contributions: int = Field(description="Contributions gathered in the room and entered into the space.")


class EventFilters(Schema):
    organisation: Slug | None = Field(None, description="Slug of the organisation running the space.")
    space: Id | None = Field(None, description="Id of the participation space.")
    component: Id | None = Field(None, description="Id of the events component.")
    commune: Slug | None = Field(None, description="Slug of the commune where the events take place.")
    when: Literal["all", "upcoming", "past"] = Field("all", description="Events not over yet, or over.")


def _public():
    return Event.objects.public().filter(component__kind="events").annotate(
        published_minutes=Exists(Minutes.objects.filter(event=OuterRef("pk"), published_at__isnull=False)))


@router.get("/events", response=list[EventOut], summary="List public events")
@paginate(Pagination)
def event_list(request, filters: Query[EventFilters]):
    """Published events of published components of published spaces, soonest first (latest first for past
    events). Cancelled events are listed with `cancelled: true`."""
    events = _public().select_related(*RELATED)
    events = filter_by_place(events, filters)
    now = timezone.now()
    if filters.when == "upcoming":
        return events.filter(ends_at__gt=now).order_by("starts_at", "pk")
    if filters.when == "past":
        return events.filter(ends_at__lte=now).order_by("-starts_at", "-pk")
    return events.order_by("starts_at", "pk")


def _event_or_404(event_id: int) -> Event:
    event = _public().select_related(*RELATED).filter(pk=event_id).first()
    if event is None:
        raise Http404(_("This event does not exist or is not published."))
    return event


@router.get("/events/{event_id}", response={200: EventOut, 404: ErrorOut, 422: ValidationErrorOut},
            summary="One public event")
def event_detail(request, event_id: Id):
    return _event_or_404(event_id)


class MinutesFilters(Schema):
    organisation: Slug | None = Field(None, description="Slug of the organisation running the space.")
    space: Id | None = Field(None, description="Id of the participation space.")
    component: Id | None = Field(None, description="Id of the events component.")


def _minutes_out(request, minutes: Minutes) -> dict:
    attachments = []
    for attachment in minutes.attachments.order_by("created_at", "pk"):
        try:
            size = attachment.file.size
        except OSError:  # the file went missing from storage: still list it
            size = None
        attachments.append({"title": attachment.title, "url": request.build_absolute_uri(attachment.file.url),
                            "size": size})
    return {"event": minutes.event_id, "text": sanitize_html(minutes.text),
            "attendees_in_person": minutes.attendees_in_person, "attendees_online": minutes.attendees_online,
            "published_at": minutes.published_at, "attachments": attachments,
            "room_contributions": minutes.event.room_contributions.count()}


@router.get("/minutes", response=list[MinutesOut], summary="List the published minutes of public events")
@paginate(Pagination)
def minutes_list(request, filters: Query[MinutesFilters]):
    """Most recent events first."""
    events = _public()
    events = filter_by_place(events, filters)
    minutes = (Minutes.objects.filter(published_at__isnull=False, event__in=events.values("pk"))
               .select_related("event").order_by("-event__starts_at", "-pk"))
    return MappedPage(minutes, lambda page: [_minutes_out(request, item) for item in page])


@router.get("/events/{event_id}/minutes", response={200: MinutesOut, 404: ErrorOut, 422: ValidationErrorOut},
            summary="The published minutes of a public event")
def event_minutes(request, event_id: Id):
    event = _event_or_404(event_id)
    minutes = Minutes.objects.filter(event=event, published_at__isnull=False).first()
    if minutes is None:
        raise Http404(_("These minutes do not exist or are not published."))
    return _minutes_out(request, minutes)
