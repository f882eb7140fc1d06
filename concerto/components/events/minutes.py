"""After the event: the minutes, the contributions gathered in the room, and the figures of the component.

The contributions gathered on paper or on sticky notes go into the component the event names (proposals, a
questionnaire...) like any other contribution, marked with the in-person channel, through the RoomEntry
that component's manifest declares (its form and its service): events imports no other component. A
RoomContribution links each ledger row to the event.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from concerto.components.events.models import (
    Audience,
    Event,
    Minutes,
    MinutesAttachment,
    Registration,
    RoomContribution,
)
from concerto.core import french, registry
from concerto.core.audit.models import AuditEntry
from concerto.core.audit.services import audit_record
from concerto.core.errors import Refusal
from concerto.core.participation.models import Channel, Contribution
from concerto.core.participation.services import followers_of, notification_send
from concerto.core.richtext import plain_text, sanitize_html

TEXT_MAX_LENGTH = 50_000
ATTENDEES_MAX = 100_000
ATTACHMENTS_MAX = 20
ATTACHMENT_TITLE_MAX = MinutesAttachment._meta.get_field("title").max_length
# Below this many attendees with a known year of birth, the share of an age group says nothing.
MIN_KNOWN_AGES = 5
# The audiences whose turnout a year of birth can tell: (youngest, oldest) age, oldest None for "and over".
AGE_AUDIENCES = {
    Audience.TEENAGERS: (13, 17),
    Audience.YOUNG_ADULTS: (18, 35),
    Audience.SENIORS: (65, None),
}
ONLINE_CHANNELS = (Channel.WEB, Channel.CHATBOT, Channel.API)


class MinutesError(Refusal):
    """An action refused for a reason the organiser must read (the event is not over yet...)."""


def max_attachment_bytes() -> int:
    return getattr(settings, "CONCERTO_MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024)


# ------------------------------------------------------------------------------------------- minutes

def minutes_of(event: Event) -> Minutes | None:
    """EVENT's minutes, or None (the reverse one-to-one raises when there are none)."""
    try:
        return event.minutes
    except Minutes.DoesNotExist:
        return None


def has_ended(event: Event, now=None) -> bool:
    return event.ends_at <= (now or timezone.now())


def checked_in_counts(event: Event) -> dict:
    """Who was checked in at EVENT: in the room, online, and how many of them walked in."""
    attended = (Registration.objects.filter(event=event, checked_in_at__isnull=False)
                .exclude(status=Registration.Status.CANCELLED))
    figures = attended.aggregate(
        in_person=Count("pk", filter=Q(attendance=Registration.Attendance.IN_PERSON)),
        online=Count("pk", filter=Q(attendance=Registration.Attendance.ONLINE)),
        walk_ins=Count("pk", filter=Q(walk_in=True)),
    )
    return {name: value or 0 for name, value in figures.items()}


def minutes_initial(event: Event) -> dict:
    """What the minutes form starts from: the saved minutes, else the check-in counts."""
    minutes = Minutes.objects.filter(event=event).first()
    if minutes is not None:
        return {"text": minutes.text, "attendees_in_person": minutes.attendees_in_person,
                "attendees_online": minutes.attendees_online}
    counts = checked_in_counts(event)
    return {"text": "", "attendees_in_person": counts["in_person"], "attendees_online": counts["online"]}


def _check_count(value, name: str, errors: dict) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        errors[name] = [_("Enter a whole number.")]
        return 0
    if number < 0:
        errors[name] = [_("The number cannot be negative.")]
    elif number > ATTENDEES_MAX:
        errors[name] = [_("Enter a number of at most %(max)s.") % {"max": ATTENDEES_MAX}]
    return number


@transaction.atomic
def minutes_save(*, actor, event: Event, text: str, attendees_in_person: int, attendees_online: int) -> Minutes:
    """Write (or rewrite) the minutes of EVENT, once it is over. Published minutes stay published."""
    if not has_ended(event):
        raise MinutesError(_("The event is not over yet: the minutes can be written once it ends, after %(end)s.")
                           % {"end": french.day_and_hour(event.ends_at, "j F Y")})
    if event.cancelled_at is not None:
        raise MinutesError(_("This event was cancelled: it has no minutes."))
    errors: dict[str, list[str]] = {}
    raw = (text or "").strip()
    clean = sanitize_html(raw.replace("\x00", ""))
    if not plain_text(clean):
        errors["text"] = [_("Write the minutes: what was said and what comes next.")]
    elif len(raw) > TEXT_MAX_LENGTH:
        errors["text"] = [_("The minutes are too long: %(max)s characters at most.") % {"max": TEXT_MAX_LENGTH}]
    in_person = _check_count(attendees_in_person, "attendees_in_person", errors)
    online = _check_count(attendees_online, "attendees_online", errors)
    if errors:
        raise ValidationError(errors)
    minutes, created = Minutes.objects.select_for_update().get_or_create(
        event=event, defaults={"text": clean, "attendees_in_person": in_person, "attendees_online": online,
                               "author": actor})
    if not created:
        minutes.text, minutes.attendees_in_person, minutes.attendees_online = clean, in_person, online
        minutes.save(update_fields=["text", "attendees_in_person", "attendees_online", "updated_at"])
    audit_record(actor=actor, action="events.minutes_written" if created else "events.minutes_updated",
                 target=event, organisation=event.organisation,
                 data={"in_person": in_person, "online": online})
    return minutes


@transaction.atomic
def minutes_publish(*, actor, minutes: Minutes) -> Minutes:
    """Publish MINUTES; the people registered to the event and its followers are told (after commit)."""
    locked = Minutes.objects.select_for_update().select_related("event__component__space__organisation").get(
        pk=minutes.pk)
    if locked.published_at is not None:
        return locked
    locked.published_at = timezone.now()
    locked.save(update_fields=["published_at", "updated_at"])
    event = locked.event
    # Published again after a correction: people were told the first time.
    told = AuditEntry.objects.filter(action="events.minutes_published", target_id=str(event.pk),
                                     target_type=ContentType.objects.get_for_model(Event)).exists()
    audit_record(actor=actor, action="events.minutes_published", target=event, organisation=event.organisation)
    if event.is_public and not told:
        _notify_minutes(actor=actor, event=event)
    minutes.published_at = locked.published_at
    return locked


def _notify_minutes(*, actor, event: Event) -> None:
    registered = [registration.user for registration in
                  Registration.objects.filter(event=event, user__isnull=False)
                  .exclude(status=Registration.Status.CANCELLED).select_related("user")]
    recipients = registered + list(followers_of(event))
    if actor is not None and actor.is_authenticated:
        recipients = [user for user in recipients if user.pk != actor.pk]
    space = event.component.space
    from django.urls import reverse

    url = reverse("events:minutes", kwargs={"org_slug": space.organisation.slug, "space_slug": space.slug,
                                            "component_id": event.component_id, "event_id": event.pk})
    # Stored text: in the site's language, whatever the language of the organiser's session.
    with translation.override(settings.LANGUAGE_CODE):
        title = _("The minutes of “%(title)s” are published") % {"title": event.title}
        body = _("Read what was said and what comes next.")
    notification_send(recipients=recipients, verb="events.minutes_published", title=title, body=body, url=url)


@transaction.atomic
def minutes_unpublish(*, actor, minutes: Minutes) -> Minutes:
    if minutes.published_at is None:
        return minutes
    minutes.published_at = None
    minutes.save(update_fields=["published_at", "updated_at"])
    audit_record(actor=actor, action="events.minutes_unpublished", target=minutes.event,
                 organisation=minutes.event.organisation)
    return minutes


def attachment_clean(file):
    """The file to store for FILE, a PDF or an image within the size limit, through the kernel's upload
    pipeline (an image is re-encoded without its metadata). Raises ValidationError with a clear message."""
    from concerto.core.uploads import document_clean

    return document_clean(file, max_bytes=max_attachment_bytes())


@transaction.atomic
def attachment_add(*, actor, minutes: Minutes, title: str, file) -> MinutesAttachment:
    errors: dict[str, list[str]] = {}
    title = " ".join((title or "").replace("\x00", "").split())
    if not title:
        errors["title"] = [_("Give the file a title, for example “Slides of the meeting”.")]
    elif len(title) > ATTACHMENT_TITLE_MAX:
        errors["title"] = [_("The title is too long: %(max)s characters at most.") % {"max": ATTACHMENT_TITLE_MAX}]
    try:
        file = attachment_clean(file)
    except ValidationError as error:
        errors["file"] = error.messages
    if not errors and minutes.attachments.count() >= ATTACHMENTS_MAX:
        errors["file"] = [_("The minutes already have %(max)s files, the most allowed.") % {"max": ATTACHMENTS_MAX}]
    if errors:
        raise ValidationError(errors)
    attachment = MinutesAttachment.objects.create(minutes=minutes, title=title, file=file)
    audit_record(actor=actor, action="events.minutes_attachment_added", target=minutes.event,
                 organisation=minutes.event.organisation, data={"title": title})
    return attachment


@transaction.atomic
def attachment_remove(*, actor, attachment: MinutesAttachment) -> None:
    event = attachment.minutes.event
    name, storage = attachment.file.name, attachment.file.storage
    audit_record(actor=actor, action="events.minutes_attachment_removed", target=event,
                 organisation=event.organisation, data={"title": attachment.title})
    attachment.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))


# ------------------------------------------------------------------------------- room contributions

def room_entry(component):
    """What COMPONENT takes from a room (its manifest's RoomEntry), or None."""
    try:
        return registry.get(component.kind).room_entry
    except LookupError:
        return None


def room_target(event: Event):
    """The component that receives the contributions gathered at EVENT, if it can (same space, and its manifest
    declares a RoomEntry)."""
    component = event.contributions_component
    if component is None or component.space_id != event.component.space_id or room_entry(component) is None:
        return None
    return component


def _check_room_entry(event: Event):
    component = room_target(event)
    if component is None:
        raise MinutesError(_("This event does not say where its contributions go. Choose a proposals or "
                             "consultation component of the space in the event's settings."))
    if event.starts_at > timezone.now():
        raise MinutesError(_("The event has not started yet: contributions gathered in the room are entered "
                             "once it has started."))
    return component


def _link(*, actor, event: Event, target, kind: str) -> RoomContribution:
    contribution = Contribution.objects.filter(
        target_type=ContentType.objects.get_for_model(target), target_id=target.pk, kind=kind).first()
    room = RoomContribution.objects.create(event=event, contribution=contribution,
                                           entered_by=actor if actor is not None and actor.is_authenticated
                                           else None)
    audit_record(actor=actor, action="events.room_contribution_entered", target=event,
                 organisation=event.organisation, data={"kind": kind, "id": target.pk})
    return room


@transaction.atomic
def room_contribution_enter(*, actor, event: Event, values: dict):
    """A contribution written on paper or on a sticky note at EVENT, typed by ACTOR into the component the
    event names, through that component's RoomEntry (VALUES: what its form's `room_values()` gave). It is
    anonymous, marked with the in-person channel, dated the day of the event when the component keeps a
    date, and counted like any other. Returns (saved object, room contribution). Raises MinutesError when the
    event has no target or has not started, ValidationError on what the component refuses."""
    component = _check_room_entry(event)
    entry = room_entry(component)
    day = min(timezone.localdate(event.starts_at), timezone.localdate())
    target = entry.record(actor=actor, component=component, day=day, **values)
    return target, _link(actor=actor, event=event, target=target, kind=entry.contribution_kind)


def room_contributions(event: Event):
    return (RoomContribution.objects.filter(event=event).select_related("contribution", "entered_by")
            .order_by("-created_at", "-pk"))


# ------------------------------------------------------------------------------------------ figures

def _percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


@dataclass
class EventFigures:
    event: Event
    registered: int = 0
    waitlisted: int = 0
    in_person: int = 0   # checked in, in the room
    online: int = 0      # checked in, online
    walk_ins: int = 0
    minutes_in_person: int | None = None
    minutes_online: int | None = None
    room_contributions: int = 0

    @property
    def attendees_in_person(self) -> int:
        """The headcount: the minutes' figure when written (people who came without checking in count),
        else the check-ins."""
        return self.minutes_in_person if self.minutes_in_person is not None else self.in_person

    @property
    def attendees_online(self) -> int:
        return self.minutes_online if self.minutes_online is not None else self.online

    @property
    def attendees(self) -> int:
        return self.attendees_in_person + self.attendees_online


@dataclass
class Share:
    key: str
    label: str
    count: int
    percent: int | None


@dataclass
class AudienceTurnout:
    audience: str
    label: str
    events: list
    measurable: bool
    attendees: int = 0           # checked in at the events that targeted it
    known: int = 0               # of them, with a year of birth they agreed to give
    in_group: int = 0
    share: int | None = None
    known_all: int = 0           # among all attendees of the component's events
    in_group_all: int = 0
    share_all: int | None = None
    enough: bool = False


@dataclass
class Figures:
    events: list[EventFigures]
    formats: list[Share]
    channels: list[Share]
    event_formats: list[Share]
    ledger: list[Share]
    ledger_total: int
    ledger_groups: list[Share]
    audiences: list[AudienceTurnout] = field(default_factory=list)
    min_known_ages: int = MIN_KNOWN_AGES

    @property
    def attendees(self) -> int:
        return sum(row.attendees for row in self.events)


def _in_group(age: int, bounds) -> bool:
    low, high = bounds
    return age >= low and (high is None or age <= high)


def figures(component) -> Figures:
    """Every figure of the back-office page, in a handful of GROUP BY queries."""
    events = list(Event.objects.filter(component=component, cancelled_at__isnull=True)
                  .select_related("minutes").order_by("starts_at", "pk"))
    by_id = {event.pk: EventFigures(event=event) for event in events}
    rows = (Registration.objects.filter(event__in=events).values("event_id").order_by().annotate(
        registered=Count("pk", filter=Q(status=Registration.Status.CONFIRMED, walk_in=False)),
        waitlisted=Count("pk", filter=Q(status=Registration.Status.WAITLISTED)),
        in_person=Count("pk", filter=Q(checked_in_at__isnull=False, attendance=Registration.Attendance.IN_PERSON)
                        & ~Q(status=Registration.Status.CANCELLED)),
        online=Count("pk", filter=Q(checked_in_at__isnull=False, attendance=Registration.Attendance.ONLINE)
                     & ~Q(status=Registration.Status.CANCELLED)),
        walk_ins=Count("pk", filter=Q(checked_in_at__isnull=False, walk_in=True)
                       & ~Q(status=Registration.Status.CANCELLED)),
    ))
    for row in rows:
        target = by_id[row.pop("event_id")]
        for name, value in row.items():
            setattr(target, name, value)
    for event_id, count in (RoomContribution.objects.filter(event__in=events).values_list("event_id")
                            .annotate(n=Count("pk")).order_by()):
        by_id[event_id].room_contributions = count
    for event in events:
        minutes = minutes_of(event)
        if minutes is not None:
            by_id[event.pk].minutes_in_person = minutes.attendees_in_person
            by_id[event.pk].minutes_online = minutes.attendees_online
    table = list(by_id.values())
    room = sum(row.attendees_in_person for row in table)
    online = sum(row.attendees_online for row in table)
    formats = [Share("in_person", _("In the room"), room, _percent(room, room + online)),
               Share("online", _("Online"), online, _percent(online, room + online))]
    walk_ins = sum(row.walk_ins for row in table)
    checked = sum(row.in_person + row.online for row in table)
    channels = [Share("registered", _("Registered beforehand"), checked - walk_ins, _percent(checked - walk_ins,
                                                                                             checked)),
                Share("walk_in", _("Walked in without registering"), walk_ins, _percent(walk_ins, checked))]
    event_formats = []
    for value, label in Event.Format.choices:
        attendees = sum(row.attendees for row in table if row.event.format == value)
        event_formats.append(Share(value, str(label), attendees, _percent(attendees, room + online)))
    ledger, ledger_total, groups = ledger_shares(component.space)
    return Figures(events=table, formats=formats, channels=channels, event_formats=event_formats, ledger=ledger,
                   ledger_total=ledger_total, ledger_groups=groups, audiences=audience_turnout(events))


def ledger_shares(space):
    """The contributions of SPACE's components by channel, and grouped as in person / paper / online."""
    counts = dict(Contribution.objects.filter(component__space=space).values_list("channel")
                  .annotate(n=Count("pk")).order_by())
    total = sum(counts.values())
    shares = [Share(value, str(label), counts.get(value, 0), _percent(counts.get(value, 0), total))
              for value, label in Channel.choices]
    online = sum(counts.get(value, 0) for value in ONLINE_CHANNELS)
    in_person = counts.get(Channel.IN_PERSON, 0)
    paper = counts.get(Channel.PAPER, 0)
    groups = [Share("in_person", _("In person, at meetings and stands"), in_person, _percent(in_person, total)),
              Share("paper", _("On paper"), paper, _percent(paper, total)),
              Share("online", _("Online (website, chatbot, API)"), online, _percent(online, total))]
    return shares, total, groups


def audience_turnout(events) -> list[AudienceTurnout]:
    """For each audience some of EVENTS targeted: did it come? The share of the attendees of those events
    whose age (from the year of birth they agreed to give) is in the audience, next to the same share among
    all the attendees. Audiences an age cannot tell (families, traders...) are listed as not measurable."""
    targeted = defaultdict(list)
    for event in events:
        for audience in event.audiences or []:
            if audience in Audience.values and audience != Audience.EVERYONE:
                targeted[audience].append(event)
    if not targeted:
        return []
    attendees = list(Registration.objects.filter(event__in=events, checked_in_at__isnull=False)
                     .exclude(status=Registration.Status.CANCELLED)
                     .values_list("event_id", "birth_year", "event__starts_at"))
    result = []
    for audience in Audience.values:
        if audience not in targeted:
            continue
        chosen = targeted[audience]
        turnout = AudienceTurnout(audience=audience, label=str(Audience(audience).label), events=chosen,
                                  measurable=audience in AGE_AUDIENCES)
        ids = {event.pk for event in chosen}
        turnout.attendees = sum(1 for event_id, _year, _start in attendees if event_id in ids)
        if turnout.measurable:
            bounds = AGE_AUDIENCES[audience]
            for event_id, birth_year, starts_at in attendees:
                if birth_year is None:
                    continue
                inside = _in_group(starts_at.year - birth_year, bounds)
                turnout.known_all += 1
                turnout.in_group_all += inside
                if event_id in ids:
                    turnout.known += 1
                    turnout.in_group += inside
            turnout.enough = turnout.known >= MIN_KNOWN_AGES
            if turnout.enough:
                turnout.share = _percent(turnout.in_group, turnout.known)
            if turnout.known_all >= MIN_KNOWN_AGES:
                turnout.share_all = _percent(turnout.in_group_all, turnout.known_all)
        result.append(turnout)
    return result


def figures_csv_rows(component):
    """The figures as rows for a CSV file: one row per event, then the totals and the shares."""
    data = figures(component)
    yield [_("Part of the figures"), _("Item"), _("Date"), _("Format"), _("Registered"), _("Waitlist"),
           _("Checked in, in the room"), _("Checked in, online"), _("Walk-ins"), _("Attendees in the room"),
           _("Attendees online"), _("Contributions entered from the room")]
    for row in data.events:
        yield [_("Event"), row.event.title, timezone.localtime(row.event.starts_at).strftime("%Y-%m-%d %H:%M"),
               row.event.get_format_display(), row.registered, row.waitlisted, row.in_person, row.online,
               row.walk_ins, row.attendees_in_person, row.attendees_online, row.room_contributions]
    for share in data.formats + data.channels + data.event_formats:
        yield [_("Attendance"), share.label, "", "", "", "", "", "", "", share.count,
               "" if share.percent is None else french.percent(share.percent), ""]
    for share in data.ledger_groups + data.ledger:
        yield [_("Contributions to the space"), share.label, "", "", "", "", "", "", "", share.count,
               "" if share.percent is None else french.percent(share.percent), ""]


def statistics(component) -> dict:
    """The few figures of the space's page: public events, how many came, contributions made in person."""
    public = Event.objects.public().filter(component=component, cancelled_at__isnull=True)
    now = timezone.now()
    past = list(public.filter(ends_at__lte=now).select_related("minutes"))
    attendees = 0
    without_minutes = []
    for event in past:
        minutes = minutes_of(event)
        if minutes is not None and minutes.published_at is not None:
            attendees += minutes.attendees_in_person + minutes.attendees_online
        else:
            without_minutes.append(event.pk)
    if without_minutes:
        attendees += Registration.objects.filter(event_id__in=without_minutes, checked_in_at__isnull=False).exclude(
            status=Registration.Status.CANCELLED).count()
    _shares, total, groups = ledger_shares(component.space)
    by_group = {share.key: share.count for share in groups}
    return {
        "events": public.count(),
        "upcoming": public.filter(ends_at__gt=now).count(),
        "attendees": attendees,
        "room_contributions": RoomContribution.objects.filter(event__in=public).count(),
        # The whole space's contributions, and how many were made in person or online.
        "space_contributions": total,
        "space_contributions_in_person": by_group["in_person"],
        "space_contributions_online": by_group["online"],
    }
