"""The events component: what it tells the registry. The functions it names live with the part of the
component they belong to (services.py, room.py, minutes.py)."""

from django.utils.translation import gettext_lazy as _

from concerto.components.events import open_datasets
from concerto.components.events.permissions import PERMISSIONS
from concerto.core.accounts.privacy import RetentionRule
from concerto.core.registry import (
    Action,
    ComponentManifest,
    Conversation,
    Deferred,
    InputWindow,
    Linkable,
    NotificationKind,
    PeriodicJob,
    Setting,
    register,
)


def personal_data(user) -> dict:
    from concerto.components.events import room, services

    return {**services.personal_data(user), **room.personal_data(user)}


def erase_personal_data(user) -> None:
    from concerto.components.events import room, services

    services.erase_personal_data(user)
    room.erase_personal_data(user)



def participation_count(component) -> int:
    from concerto.components.events.models import BoardPost, Registration

    return (Registration.objects.filter(event__component=component).count()
            + BoardPost.objects.filter(event__component=component).count())


def send_reminders(now) -> int:
    from concerto.components.events import services

    return services.reminders_send(now=now)


REGISTRATION_EMAIL = "concerto.components.events.emails.registration_email"


# The component's audit actions in words, for the audit log page (concerto/core/audit/labels.py).
AUDIT_LABELS = {
    "events.event_unpublished": _("Event unpublished"),
    "events.minutes_updated": _("Minutes changed"),
    "event.board_posted": _("Message posted on the live board"),
    "event.board_opened": _("Live board opened"),
    "event.board_closed": _("Live board closed"),
    "event.board_answered": _("Live board question marked as answered"),
    "event.board_unanswered": _("Live board question marked as not answered"),
    "event.checked_in": _("Participant checked in"),
    "event.checkin_undone": _("Check-in undone"),
    "event.walk_in_added": _("Walk-in participant added"),
    "events.event_cancelled": _("Event cancelled"),
    "events.event_created": _("Event created"),
    "events.event_updated": _("Event changed"),
    "events.event_published": _("Event published"),
    "events.minutes_attachment_added": _("Attachment added to the minutes"),
    "events.minutes_attachment_removed": _("Attachment removed from the minutes"),
    "events.minutes_published": _("Minutes published"),
    "events.minutes_unpublished": _("Minutes unpublished"),
    "events.minutes_written": _("Minutes written"),
    "events.question_added": _("Registration question added"),
    "events.question_removed": _("Registration question removed"),
    "events.registration_cancelled": _("Registration cancelled"),
    "events.registration_created": _("Registration"),
    "events.registration_promoted": _("Registration moved from the waiting list"),
    "events.room_contribution_entered": _("Contribution typed in during the meeting"),
}


def linkable_search(*, organisation_ids, query: str):
    """The public items of ORGANISATION_IDS matching QUERY that a decision may answer (core/accountability)."""
    from concerto.components.events.models import Event
    from concerto.core.accountability.linking import items_matching

    with_minutes = Event.objects.public().filter(minutes__published_at__isnull=False)
    return items_matching(with_minutes, organisation_field="component__space__organisation",
                          text_fields=("title", "minutes__text"),
                          organisation_ids=organisation_ids, query=query)


manifest = register(ComponentManifest(
    name="events",
    linkables=(Linkable("events.Event", _("Minutes of an event"),
                        Deferred("concerto.components.events.manifest.linkable_search")),),
    permissions=PERMISSIONS,
    url_segment="rencontres",
    label=_("Events"),
    description=_("Public meetings, workshops, debates, walks and stands, in person, online or hybrid: "
                  "registration, check-in, a live board, minutes and what was said in the room."),
    public_urls="concerto.components.events.urls",
    backoffice_urls="concerto.components.events.backoffice_urls",
    organisation_urls="concerto.components.events.organisation_urls",
    space_urls="concerto.components.events.space_urls",
    api_router="concerto.components.events.api.router",
    actions=(
        Action("register", _("Register for an event")),
        Action("board_post", _("Post on the live board")),
    ),
    settings=(
        Setting("events_per_page", int, 20, label=_("Events per page"), help_text=_("Between 5 and 100."),
                min_value=5, max_value=100),
        Setting("anonymous_board", bool, True, label=_("People without an account can use the live board"),
                help_text=_("Useful in the room: a phone is enough, no account needed.")),
    ),
    step_settings=(
        Setting("registrations_open", bool, True, label=_("Registrations are open during this step")),
    ),
    open_datasets=(open_datasets.DATASET,),
    exports={"events": Deferred("concerto.components.events.services.export_events")},
    statistics=Deferred("concerto.components.events.minutes.statistics"),
    summary=Deferred("concerto.components.events.services.summary"),
    personal_data=personal_data,
    erase_personal_data=erase_personal_data,
    retention=(RetentionRule(
        "event_registration_details", _("Names of walk-ins and answers to an event's registration questions"),
        _("the end of the event"), 365, _("Kept to organise the event and answer questions about it afterwards"),
        Deferred("concerto.components.events.retention.registration_details_purge")),
        RetentionRule(
            "event_board_keys", _("Who posted or voted on an event's live board (a code drawn from the browser "
                                  "session, or the account)"), _("the end of the event"), 30,
            _("Needed during the event only, to limit posts and count one vote per person"),
            Deferred("concerto.components.events.retention.board_keys_purge")),
        RetentionRule(
            "event_feed_tokens", _("Secret addresses of personal event calendars that are no longer used"),
            _("their last use"), 365, _("An address nobody reads any more is a risk and serves no purpose"),
            Deferred("concerto.components.events.retention.feed_tokens_purge"))),
    # The reminders of the day before (each registration gets one, whatever the number of runs).
    periodic=(PeriodicJob("events.reminders", 15 * 60, send_reminders),),
    participation_count=participation_count,
    notifications=(
        NotificationKind("events.registration_confirmed", _("My registration to an event is confirmed"),
                         channels=("email",), email=REGISTRATION_EMAIL),
        NotificationKind("events.registration_waitlisted", _("I am on the waitlist of an event"),
                         channels=("email",), email=REGISTRATION_EMAIL),
        NotificationKind("events.promoted", _("A place freed up for me at an event"), email=REGISTRATION_EMAIL),
        NotificationKind("events.reminder", _("The reminder of an event, the day before"), channels=("email",),
                         email=REGISTRATION_EMAIL),
        NotificationKind("events.cancelled", _("An event I registered to is cancelled"), because=""),
        NotificationKind("events.minutes_published", _("The minutes of an event I attended are published")),
    ),
    input_windows=(
        InputWindow("registrations_open", _("Registrations open until %(date)s"), _("Registrations open")),
    ),
    audit_labels=AUDIT_LABELS,
    conversation=Conversation(items=Deferred("concerto.components.events.chat.items"),
                              turn=Deferred("concerto.components.events.chat.turn")),
    agenda=Deferred("concerto.components.events.agenda.agenda"),
))
