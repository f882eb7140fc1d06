"""Write actions on events and registrations, and what the manifest asks of them (export, summary,
personal data). Check-in and the live board are in room.py, minutes and figures in minutes.py.

Places are never given beyond the capacity: registering, cancelling and changing the capacity all read the
count under a lock on the event's row (select_for_update), so two people taking the last place at the same
time end up one confirmed and one on the waitlist. Each write leaves an audit entry; notifications and
emails go out after commit.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from concerto.components.events.models import Audience, Event, FeedToken, Registration, RegistrationQuestion
from concerto.core import geocoding, registry
from concerto.core.accounts.verification import action_require
from concerto.core.audit.services import audit_record
from concerto.core.errors import Refusal
from concerto.core.participation.feed import feed_publish, feed_withdraw
from concerto.core.participation.notifications import notification_send
from concerto.core.ratelimit import send_limited
from concerto.core.richtext import plain_text, sanitize_html

KIND = "events"
# Check-in codes: no 0/O, 1/I/L, so that a code read aloud or typed from paper is not mistaken.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
DESCRIPTION_MAX_LENGTH = 20_000
ANSWER_MAX_LENGTH = 1000
QUESTIONS_MAX = 20
# Languages an event can be held in (codes; names come from Django's locale data, in the reader's language).
LANGUAGES = ("fr", "en", "es", "pt", "it", "de", "ar", "zh-hans", "ro", "pl", "tr", "ru", "uk", "ta", "vi")
EDITABLE_FIELDS = (
    "kind", "format", "title", "description", "starts_at", "ends_at", "place_name", "address", "point",
    "step_free_access", "induction_loop", "sign_language", "accessibility_notes", "online_url", "languages",
    "audiences", "organiser", "registration_enabled", "capacity", "contributions_component",
)


class EventError(Refusal):
    """An action refused for a reason the person must read (full, closed, already registered...)."""


def _check_component(component) -> None:
    if component.kind != KIND:
        raise ValueError("This is not an events component")


# Check-in codes ---------------------------------------------------------------------------------------

def registration_code_new() -> str:
    """A fresh random check-in code of CODE_LENGTH characters from CODE_ALPHABET, not used by any
    registration yet (the unique constraint on Registration.code is the final guard)."""
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))
        if not Registration.objects.filter(code=code).exists():
            return code


def registration_code_normalise(text: str) -> str:
    """A code as typed or scanned ("abcd efgh", "ABCD-EFGH") in its stored form."""
    return "".join((text or "").split()).replace("-", "").upper()[:32]


def registration_code_display(code: str) -> str:
    return f"{code[:4]} {code[4:]}" if len(code) == CODE_LENGTH else code


# Events -----------------------------------------------------------------------------------------------

def _clean_event(component, values: dict) -> dict:
    """The checked values of an event, or a ValidationError keyed by field."""
    from concerto.core.territory import lookup

    errors: dict[str, list[str]] = {}
    clean = dict(values)
    title = " ".join((values.get("title") or "").split())
    if not title:
        errors["title"] = [_("Give the event a title.")]
    elif len(title) > Event._meta.get_field("title").max_length:
        errors["title"] = [_("The title is too long: %(max)s characters at most.")
                           % {"max": Event._meta.get_field("title").max_length}]
    clean["title"] = title
    if values.get("kind") not in Event.Kind.values:
        errors["kind"] = [_("Choose a kind of event from the list.")]
    if values.get("format") not in Event.Format.values:
        errors["format"] = [_("Choose a format from the list.")]
    raw = (values.get("description") or "").strip()
    if len(raw) > DESCRIPTION_MAX_LENGTH:
        errors["description"] = [_("The description is too long: %(max)s characters at most.")
                                 % {"max": DESCRIPTION_MAX_LENGTH}]
    clean["description"] = sanitize_html(raw)
    starts_at, ends_at = values.get("starts_at"), values.get("ends_at")
    if starts_at is None:
        errors["starts_at"] = [_("Give the date and time the event starts.")]
    if ends_at is None:
        errors["ends_at"] = [_("Give the date and time the event ends.")]
    if starts_at is not None and ends_at is not None and ends_at <= starts_at:
        errors["ends_at"] = [_("The event must end after it starts: check the end date and time.")]
    for name in ("place_name", "address", "organiser"):
        clean[name] = " ".join((values.get(name) or "").split())[:Event._meta.get_field(name).max_length]
    clean["accessibility_notes"] = (values.get("accessibility_notes") or "").strip()[:2000]
    online_url = (values.get("online_url") or "").strip()
    if values.get("format") in (Event.Format.ONLINE, Event.Format.HYBRID) and not online_url:
        errors["online_url"] = [_("An online or hybrid event needs the link of its online meeting.")]
    elif online_url and not online_url.lower().startswith(("https://", "http://")):
        errors["online_url"] = [_("Enter a web address starting with https://.")]
    clean["online_url"] = online_url
    if values.get("format") == Event.Format.IN_PERSON and not (clean["place_name"] or clean["address"]):
        errors["place_name"] = [_("Say where the event takes place.")]
    languages = list(dict.fromkeys(values.get("languages") or []))
    if any(code not in LANGUAGES for code in languages):
        errors["languages"] = [_("Choose the languages from the list.")]
    clean["languages"] = languages
    audiences = list(dict.fromkeys(values.get("audiences") or []))
    if any(value not in Audience.values for value in audiences):
        errors["audiences"] = [_("Choose the audiences from the list.")]
    clean["audiences"] = audiences
    capacity = values.get("capacity")
    if capacity is not None and (not isinstance(capacity, int) or capacity < 1 or capacity > 100_000):
        errors["capacity"] = [_("The number of places must be between 1 and 100,000, or empty for no limit.")]
    target = values.get("contributions_component")
    if target is not None and (target.space_id != component.space_id or target.kind not in registry.room_entry_kinds()):
        errors["contributions_component"] = [_("Choose a proposals or consultation component of this space.")]
    point = values.get("point")
    clean["commune"] = None
    if point is not None:
        try:
            latitude, longitude = float(point[0]), float(point[1])
        except (TypeError, ValueError, IndexError):
            errors["point"] = [_("This location is not valid.")]
        else:
            clean["point"] = (latitude, longitude)
            clean["commune"] = lookup.commune_at(longitude, latitude)
    if clean["commune"] is None and component.space.organisation.is_commune and values.get("format") != "online":
        # No point (or no outlines imported): the commune running the space is where it takes place.
        clean["commune"] = component.space.organisation
    if errors:
        raise ValidationError(errors)
    return clean


def _apply(event: Event, clean: dict) -> None:
    for name in EDITABLE_FIELDS:
        if name == "point":
            point = clean.get("point")
            event.latitude, event.longitude = point if point is not None else (None, None)
        elif name in clean:
            setattr(event, name, clean[name])
    event.commune = clean.get("commune")
    if not event.registration_enabled:
        event.capacity = None
    if event.latitude is not None and not event.address:
        # Placed by a point only: the address at the point, now or later in the worker (never over a typed one).
        geocoding.address_set(event, "")


@transaction.atomic
def event_create(*, actor, component, **values) -> Event:
    """A new, unpublished event in COMPONENT; VALUES are EDITABLE_FIELDS (point: (latitude, longitude) or None)."""
    _check_component(component)
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"event_create() does not take {', '.join(sorted(unknown))}")
    values.setdefault("kind", Event.Kind.PUBLIC_MEETING)
    values.setdefault("format", Event.Format.IN_PERSON)
    values.setdefault("registration_enabled", True)
    clean = _clean_event(component, values)
    event = Event(component=component)
    _apply(event, clean)
    event.save()
    audit_record(actor=actor, action="events.event_created", target=event, organisation=component.space.organisation)
    return event


def _locked(event: Event) -> Event:
    fresh = Event.objects.select_for_update().get(pk=event.pk)
    fresh.component = event.component
    return fresh


@transaction.atomic
def event_update(*, actor, event: Event, **values) -> Event:
    """Change some of EDITABLE_FIELDS of EVENT. More places promote people from the waitlist."""
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"event_update() does not take {', '.join(sorted(unknown))}")
    locked = _locked(event)
    current = {name: getattr(locked, name) for name in EDITABLE_FIELDS if name != "point"}
    current["point"] = (locked.latitude, locked.longitude) if locked.latitude is not None else None
    clean = _clean_event(event.component, {**current, **values})
    changed = [name for name in EDITABLE_FIELDS if clean.get(name) != current.get(name)]
    _apply(locked, clean)
    if not changed:
        return locked
    locked.save()
    audit_record(actor=actor, action="events.event_updated", target=locked, organisation=locked.organisation,
                 data={"fields": changed})
    _promote_waitlist(locked)
    return locked


@transaction.atomic
def event_publish(*, actor, event: Event, published: bool = True) -> Event:
    locked = _locked(event)
    if published and locked.cancelled_at is not None:
        raise EventError(_("A cancelled event cannot be published again."))
    if locked.published == published:
        return locked
    locked.published = published
    locked.save(update_fields=["published", "updated_at"])
    audit_record(actor=actor, action="events.event_published" if published else "events.event_unpublished",
                 target=locked, organisation=locked.organisation)
    if published:
        event_feed_record(event=locked)
    else:
        feed_withdraw(item=locked)
    return locked


def event_feed_record(*, event: Event) -> None:
    """EVENT, published, in the feeds of the people who follow its space, its commune or the places around it
    (the feed hides it while its space or component is not public)."""
    feed_publish(item=event, kind="events.published", title=event.title,
                 summary=Truncator(plain_text(event.description)).words(40), url=event.get_absolute_url(),
                 organisation=event.organisation, space=event.component.space,
                 point=(event.latitude, event.longitude) if event.latitude is not None else None)


@transaction.atomic
def event_cancel(*, actor, event: Event, reason: str) -> Event:
    """Cancel EVENT for REASON (required, shown on its page); everyone registered or waiting is told."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": [_("Give the reason: the people registered will read it.")]})
    max_length = Event._meta.get_field("cancellation_reason").max_length
    if len(reason) > max_length:
        raise ValidationError({"reason": [_("The reason is too long: %(max)s characters at most.")
                                          % {"max": max_length}]})
    locked = _locked(event)
    if locked.cancelled_at is not None:
        raise EventError(_("This event is already cancelled."))
    locked.cancelled_at = timezone.now()
    locked.cancellation_reason = reason
    locked.save(update_fields=["cancelled_at", "cancellation_reason", "updated_at"])
    audit_record(actor=actor, action="events.event_cancelled", target=locked, organisation=locked.organisation,
                 data={"reason": reason})
    people = [r.user for r in locked.registrations.exclude(status=Registration.Status.CANCELLED)
              .filter(user__isnull=False).select_related("user")]
    with translation.override(settings.LANGUAGE_CODE):
        title = _("The event “%(title)s” is cancelled") % {"title": locked.title}
        body = _("Reason: %(reason)s") % {"reason": reason}
    notification_send(recipients=people, verb="events.cancelled", title=title, body=body,
                      url=locked.get_absolute_url())
    return locked


# Registration questions -------------------------------------------------------------------------------

@transaction.atomic
def question_add(*, actor, event: Event, label: str, required: bool = False) -> RegistrationQuestion:
    label = " ".join((label or "").split())
    if not label:
        raise ValidationError({"label": [_("Write the question.")]})
    if len(label) > RegistrationQuestion._meta.get_field("label").max_length:
        raise ValidationError({"label": [_("The question is too long: 200 characters at most.")]})
    if event.questions.count() >= QUESTIONS_MAX:
        raise ValidationError({"label": [_("An event can ask %(max)s questions at most.") % {"max": QUESTIONS_MAX}]})
    position = (event.questions.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    question = RegistrationQuestion.objects.create(event=event, label=label, required=bool(required),
                                                   position=position)
    audit_record(actor=actor, action="events.question_added", target=event, organisation=event.organisation,
                 data={"question": label, "required": bool(required)})
    return question


@transaction.atomic
def question_remove(*, actor, question: RegistrationQuestion) -> None:
    """Remove QUESTION; answers already given stay with the registrations, under the question's id."""
    event = question.event
    audit_record(actor=actor, action="events.question_removed", target=event, organisation=event.organisation,
                 data={"question": question.label})
    question.delete()


# Registrations ----------------------------------------------------------------------------------------

def registration_of(*, user, event: Event) -> Registration | None:
    """USER's live registration (confirmed or waitlisted) to EVENT, or None."""
    if user is None or not user.is_authenticated:
        return None
    return (event.registrations.filter(user=user).exclude(status=Registration.Status.CANCELLED)
            .order_by("-created_at").first())


def seated(event: Event):
    """The registrations that take one of the event's places: in a hybrid event the places are in the room,
    and people following online never wait."""
    rows = event.registrations.filter(status=Registration.Status.CONFIRMED)
    if event.format == Event.Format.HYBRID:
        rows = rows.filter(attendance=Registration.Attendance.IN_PERSON)
    return rows


def places_left(event: Event) -> int | None:
    """Places still free (None: no limit)."""
    if event.capacity is None:
        return None
    return max(0, event.capacity - seated(event).count())


def registration_refusal(*, user, event: Event) -> str:
    """Why USER cannot register to EVENT now ("" when they can; being already registered is checked under
    the lock by registration_create)."""
    if not event.is_public:
        return _("This event is not published.")
    if event.cancelled_at is not None:
        return _("This event is cancelled.")
    if not event.registration_enabled:
        return _("No registration is needed for this event: come along.")
    if event.ends_at <= timezone.now():
        return _("This event is over.")
    if event.starts_at <= timezone.now():
        return _("The event has started: registrations are closed. Follow it live on its board.")
    window = event.component.window("registrations_open")
    if not window.open:
        closed = _("Registrations are closed.")
        return f"{closed} {window.message}"
    return ""


def _clean_answers(event: Event, answers: dict | None) -> dict:
    answers = answers or {}
    clean, errors = {}, {}
    for question in event.questions.all():
        text = " ".join(str(answers.get(str(question.pk), answers.get(question.pk, "")) or "").split())
        if len(text) > ANSWER_MAX_LENGTH:
            errors[f"question_{question.pk}"] = [_("This answer is too long: %(max)s characters at most.")
                                                 % {"max": ANSWER_MAX_LENGTH}]
        elif question.required and not text:
            errors[f"question_{question.pk}"] = [_("Answer this question: it is required.")]
        elif text:
            clean[str(question.pk)] = text
    if errors:
        raise ValidationError(errors)
    return clean


def _attendance(event: Event, attendance: str | None) -> str:
    if event.format == Event.Format.ONLINE:
        return Registration.Attendance.ONLINE
    if event.format == Event.Format.IN_PERSON:
        return Registration.Attendance.IN_PERSON
    if attendance not in Registration.Attendance.values:
        raise ValidationError({"attendance": [_("Say whether you will come to the room or follow online.")]})
    return attendance


@send_limited("registration")
@transaction.atomic
def registration_create(*, user, event: Event, answers: dict | None = None, attendance: str | None = None,
                        channel: str = "web") -> Registration:
    """USER registers to EVENT: confirmed while places are left, else on the waitlist (never over the
    capacity). A confirmation email with the event as an .ics file goes out after commit.

    Raises VerificationRequired when the component reserves registering to verified residents (walk-ins
    added at the door by an agent, room.walk_in_add, are not concerned)."""
    action_require(user=user, component=event.component, action="register")
    if user is None or not user.is_authenticated:
        raise EventError(_("Sign in to register."))
    locked = _locked(event)  # every registration to this event waits here for the one before it
    refusal = registration_refusal(user=user, event=locked)
    if refusal:
        raise EventError(refusal)
    attendance = _attendance(locked, attendance)
    clean_answers = _clean_answers(locked, answers)
    if registration_of(user=user, event=locked) is not None:
        raise EventError(_("You are already registered to this event: your registration is kept as it was."))
    status = Registration.Status.CONFIRMED
    counted = not (locked.format == Event.Format.HYBRID and attendance == Registration.Attendance.ONLINE)
    if counted and locked.capacity is not None and seated(locked).count() >= locked.capacity:
        status = Registration.Status.WAITLISTED
    consented = user.demographics_consent_at is not None
    registration = Registration(
        event=locked, user=user, name=user.display_name[:150] if getattr(user, "display_name", "") else "",
        status=status, attendance=attendance, answers=clean_answers,
        residence_id=user.residence_id if consented else None, birth_year=user.birth_year if consented else None,
    )
    for _attempt in range(3):
        registration.code = registration_code_new()
        try:
            with transaction.atomic():
                registration.save()
            break
        except IntegrityError:
            if registration_of(user=user, event=locked) is not None:
                raise EventError(_("You are already registered to this event: your registration is kept as "
                                   "it was.")) from None
    else:  # pragma: no cover - three colliding random codes in a row
        raise EventError(_("Something went wrong: please try again."))
    audit_record(actor=user, action="events.registration_created", target=locked,
                 organisation=locked.organisation, data={"registration": registration.pk, "status": status,
                                                         "channel": channel})
    confirmed = status == Registration.Status.CONFIRMED
    with translation.override(settings.LANGUAGE_CODE):
        title = (_("Your registration: %(title)s") if confirmed else _("You are on the waitlist: %(title)s")) % {
            "title": locked.title}
    notification_send(recipients=[user], verb="events.registration_confirmed" if confirmed
                      else "events.registration_waitlisted", title=title, url=locked.get_absolute_url(),
                      data={"registration": registration.pk})
    return registration


@transaction.atomic
def registration_cancel(*, actor, registration: Registration) -> Registration:
    """Cancel REGISTRATION (by its person or an agent): the place goes to the first on the waitlist."""
    locked_event = _locked(registration.event)
    fresh = Registration.objects.select_for_update().get(pk=registration.pk)
    if fresh.status == Registration.Status.CANCELLED:
        return fresh
    if actor is not None and fresh.user_id != actor.pk and not actor.has_perm(
            "spaces.manage_space", locked_event.organisation):
        raise EventError(_("Only the person registered can cancel this registration."))
    fresh.status = Registration.Status.CANCELLED
    fresh.cancelled_at = timezone.now()
    fresh.save(update_fields=["status", "cancelled_at"])
    audit_record(actor=actor, action="events.registration_cancelled", target=locked_event,
                 organisation=locked_event.organisation, data={"registration": fresh.pk})
    fresh.event = locked_event
    _promote_waitlist(locked_event)
    return fresh


def _promote_waitlist(event: Event) -> list[Registration]:
    """Give the free places to the waitlist, first come first served (the caller holds the event's lock)."""
    if event.cancelled_at is not None or event.ends_at <= timezone.now():
        return []
    waiting = event.registrations.filter(status=Registration.Status.WAITLISTED).order_by("created_at", "pk")
    free = places_left(event)
    chosen = list(waiting if free is None else waiting[:free])
    now = timezone.now()
    for registration in chosen:
        registration.status = Registration.Status.CONFIRMED
        registration.promoted_at = now
        registration.save(update_fields=["status", "promoted_at"])
        audit_record(actor=None, action="events.registration_promoted", target=event,
                     organisation=event.organisation, data={"registration": registration.pk})
        with translation.override(settings.LANGUAGE_CODE):
            title = _("A place is free: you are registered to “%(title)s”") % {"title": event.title}
        notification_send(recipients=[registration.user], verb="events.promoted", title=title,
                          url=event.get_absolute_url(), data={"registration": registration.pk})
    return chosen


def reminders_due(*, now=None):
    """Confirmed registrations to events starting in the next 24 hours whose reminder is not sent yet."""
    now = now or timezone.now()
    return (Registration.objects.filter(
        status=Registration.Status.CONFIRMED, reminded_at__isnull=True, user__isnull=False, walk_in=False,
        event__starts_at__gt=now, event__starts_at__lte=now + timedelta(hours=24), event__cancelled_at__isnull=True,
        event__published=True).select_related("event__component__space__organisation", "user"))


def reminders_send(*, now=None) -> int:
    """Send the reminder of every registration due (see reminders_due), each once: the row is marked
    before its email is queued, under a conditional update, so two runs at once send one email."""
    sent = 0
    for registration in reminders_due(now=now):
        with transaction.atomic():
            marked = Registration.objects.filter(pk=registration.pk, reminded_at__isnull=True).update(
                reminded_at=timezone.now())
            if marked:
                with translation.override(settings.LANGUAGE_CODE):
                    title = _("Tomorrow: %(title)s") % {"title": registration.event.title}
                notification_send(recipients=[registration.user], verb="events.reminder", title=title,
                                  url=registration.event.get_absolute_url(), data={"registration": registration.pk})
                sent += 1
    return sent


# Personal feed ----------------------------------------------------------------------------------------

def feed_token_for(*, user, renew: bool = False) -> str:
    """USER's secret feed token, created on first use; RENEW replaces it (the old address stops working)."""
    token = FeedToken.objects.filter(user=user).first()
    if token is not None and not renew:
        return token.token
    value = secrets.token_urlsafe(32)
    FeedToken.objects.update_or_create(  # a new address counts its retention period from now
        user=user, defaults={"token": value, "created_at": timezone.now(), "last_used_at": None})
    return value


def feed_user(token: str):
    """The user of a feed TOKEN, or None."""
    if not token or len(token) > 64:
        return None
    row = FeedToken.objects.select_related("user").filter(token=token).first()
    if row is None or not row.user.is_active:
        return None
    now = timezone.now()
    if row.last_used_at is None or now - row.last_used_at > timedelta(days=1):  # calendar apps poll often
        FeedToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row.user


# Queries the pages use --------------------------------------------------------------------------------

def events_of_organisation(organisation):
    """Public events of ORGANISATION's spaces and of every organisation below it; for a commune, also those
    of the Métropole's and the territory's spaces that concern it."""
    from concerto.core.spaces.openings import spaces_covering

    ids = organisation.descendant_ids()
    mine = Q(component__space__organisation_id__in=ids)
    if organisation.is_commune:
        mine |= Q(component__space__in=spaces_covering(organisation).values("pk"))
    return Event.objects.public().filter(mine)


def with_counts(events):
    """EVENTS annotated with `confirmed_count` and `waitlist_count`."""
    return events.annotate(
        confirmed_count=Count("registrations", filter=Q(registrations__status=Registration.Status.CONFIRMED)),
        waitlist_count=Count("registrations", filter=Q(registrations__status=Registration.Status.WAITLISTED)),
    )


# What the manifest asks -------------------------------------------------------------------------------

def export_events(component) -> list[dict]:
    """The public events of COMPONENT for open data (no personal data, no online link)."""
    rows = []
    events = with_counts(Event.objects.public().filter(component=component).select_related("commune"))
    for event in events:
        rows.append({
            "id": event.pk, "kind": event.kind, "format": event.format, "title": event.title,
            "description": plain_text(event.description), "starts_at": event.starts_at.isoformat(),
            "ends_at": event.ends_at.isoformat(), "place": event.place_name, "address": event.address,
            "latitude": event.latitude, "longitude": event.longitude,
            "commune": event.commune.name if event.commune else "",
            "commune_insee": getattr(event.commune, "insee_code", "") or "",
            "step_free_access": event.step_free_access, "induction_loop": event.induction_loop,
            "sign_language": event.sign_language, "languages": ",".join(event.languages),
            "audiences": ",".join(event.audiences), "organiser": event.organiser,
            "capacity": event.capacity, "registrations": event.confirmed_count,
            "cancelled": event.cancelled_at is not None,
        })
    return rows


def summary(component, request) -> str:
    now = timezone.now()
    upcoming = Event.objects.public().filter(component=component, ends_at__gt=now, cancelled_at__isnull=True)
    count = upcoming.count()
    if not count:
        return _("No upcoming event.")
    first = upcoming.order_by("starts_at").first()
    from django.utils.formats import date_format

    when = date_format(timezone.localtime(first.starts_at), "j F Y")
    return translation.ngettext(
        "%(count)s upcoming event, the next one on %(date)s.",
        "%(count)s upcoming events, the next one on %(date)s.", count) % {"count": count, "date": when}


def personal_data(user) -> dict:
    registrations = Registration.objects.filter(user=user).select_related("event").order_by("created_at")
    return {"event_registrations": [{
        "event": r.event.title, "starts_at": r.event.starts_at.isoformat(), "status": r.status,
        "attendance": r.attendance, "code": r.code, "answers": r.answers,
        "registered_at": r.created_at.isoformat(),
        "checked_in_at": r.checked_in_at.isoformat() if r.checked_in_at else None,
    } for r in registrations]}


def erase_personal_data(user) -> None:
    """Keep the registrations as anonymous counts (figures), without anything that points to the person."""
    Registration.objects.filter(user=user).update(user=None, name="", answers={}, residence=None, birth_year=None)
    FeedToken.objects.filter(user=user).delete()
