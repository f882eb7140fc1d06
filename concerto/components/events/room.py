"""Check-in at the door and the live board during the event.

Check-in: an agent types or scans the code of a ticket (`checkin_record`), adds people who come without
registering (`walk_in_add`) and can undo a mistake (`checkin_undo`). Every refusal is a `CheckinRefused`
whose message is meant to be read aloud at the door.

The live board: participants send a short question or opinion (`board_post_create`) and vote for others'
(`board_vote_add`); the organiser opens and closes it, hides posts and marks questions answered.
Anonymous participants are told apart by a key derived from their session (`board_key`).
"""

import hashlib
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, Q, Sum
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from concerto.components.events import services
from concerto.components.events.models import BoardPost, BoardVote, Event, Registration
from concerto.core.accounts.verification import action_require
from concerto.core.audit.services import audit_record

BOARD_TEXT_MAX = 280
# At most this many posts per person in RATE_WINDOW: enough for a lively room, too few to flood the screen.
RATE_LIMIT = 5
RATE_WINDOW = timedelta(minutes=1)


# ---------------------------------------------------------------------------------------------- codes

def code_normalise(text: str) -> str:
    """The code as stored, from what an agent typed or the camera read (spaces, dashes, lower case)."""
    return services.registration_code_normalise(text or "")


def code_new() -> str:
    return services.registration_code_new()


def time_label(moment) -> str:
    """A time of day as said in the room: "18 h 42" in French."""
    local = timezone.localtime(moment)
    return pgettext("time of day", "{hour}:{minute}").format(hour=local.hour, minute=f"{local.minute:02d}")


def date_label(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "DATE_FORMAT")


# -------------------------------------------------------------------------------------------- check-in

class CheckinRefused(ValidationError):
    """A refused check-in. REASON is one of unknown, other_event, already, cancelled, waitlisted, full."""

    def __init__(self, message: str, *, reason: str, registration: Registration | None = None,
                 place_free: bool = False):
        super().__init__(message, code=reason)
        self.reason = reason
        self.registration = registration
        self.place_free = place_free


def person_name(registration: Registration) -> str:
    if registration.user_id is not None and registration.user is not None:
        return registration.user.public_name
    return registration.name or _("Participant")


def takes_a_place(event: Event, attendance: str) -> bool:
    return event.format != Event.Format.HYBRID or attendance == Registration.Attendance.IN_PERSON


def place_free(event: Event) -> bool:
    return event.capacity is None or services.seated(event).count() < event.capacity


def _audit(agent, action: str, registration: Registration, event: Event, **data) -> None:
    audit_record(actor=agent, action=action, target=registration, organisation=event.organisation,
                 data={"event": event.pk, **data})


def checkin_record(*, agent, event: Event, code: str, admit_waitlisted: bool = False,
                   over_capacity: bool = False) -> Registration:
    """Check in the holder of CODE at EVENT, or raise CheckinRefused saying why not.

    A waitlisted person is admitted only on the agent's explicit choice (ADMIT_WAITLISTED), and over
    capacity only with OVER_CAPACITY too. The check-in itself is a conditional UPDATE, so two agents
    scanning the same ticket at once cannot both succeed."""
    normalised = code_normalise(code)
    registration = (Registration.objects.select_related("event__component__space", "user")
                    .filter(code=normalised).first()) if normalised else None
    if registration is None:
        raise CheckinRefused(_("Unknown code: check the letters and try again."), reason="unknown")
    if registration.event_id != event.pk:
        other = registration.event
        raise CheckinRefused(
            _("This ticket is for “%(title)s” on %(date)s.") % {"title": other.title,
                                                                 "date": date_label(other.starts_at)},
            reason="other_event", registration=registration)
    if registration.status == Registration.Status.CANCELLED:
        raise CheckinRefused(_("This registration was cancelled."), reason="cancelled",
                             registration=registration)
    if registration.checked_in_at is not None:
        raise CheckinRefused(_("Already checked in at %(time)s.") % {"time": time_label(registration.checked_in_at)},
                             reason="already", registration=registration)
    now = timezone.now()
    with transaction.atomic():
        if registration.status == Registration.Status.WAITLISTED:
            free = place_free(event) or not takes_a_place(event, registration.attendance)
            if not admit_waitlisted or not (free or over_capacity):
                message = (_("This person is on the waitlist. A place is free: you can admit them.") if free
                           else _("This person is on the waitlist and the event is full. You can still admit "
                                  "them over capacity."))
                raise CheckinRefused(message, reason="waitlisted", registration=registration, place_free=free)
            updated = Registration.objects.filter(
                pk=registration.pk, status=Registration.Status.WAITLISTED, checked_in_at__isnull=True,
            ).update(status=Registration.Status.CONFIRMED, promoted_at=now, checked_in_at=now, checked_in_by=agent)
        else:
            updated = Registration.objects.filter(
                pk=registration.pk, status=Registration.Status.CONFIRMED, checked_in_at__isnull=True,
            ).update(checked_in_at=now, checked_in_by=agent)
        if not updated:
            # Someone else was faster (another agent, another phone): say what happened.
            registration.refresh_from_db()
            if registration.checked_in_at is not None:
                raise CheckinRefused(
                    _("Already checked in at %(time)s.") % {"time": time_label(registration.checked_in_at)},
                    reason="already", registration=registration)
            raise CheckinRefused(_("This registration was cancelled."), reason="cancelled",
                                 registration=registration)
        registration.refresh_from_db()
        _audit(agent, "event.checked_in", registration, event,
               admitted_from_waitlist=registration.promoted_at == now)
    return registration


def checkin_undo(*, agent, event: Event, registration: Registration) -> Registration:
    """Undo a check-in made by mistake. A walk-in exists only because they came: undoing removes them from
    the counts (the registration is cancelled)."""
    if registration.event_id != event.pk:
        raise ValidationError(_("This registration is not for this event."))
    if registration.checked_in_at is None:
        raise ValidationError(_("This person is not checked in."))
    with transaction.atomic():
        registration.checked_in_at = None
        registration.checked_in_by = None
        fields = ["checked_in_at", "checked_in_by"]
        if registration.walk_in:
            registration.status = Registration.Status.CANCELLED
            registration.cancelled_at = timezone.now()
            fields += ["status", "cancelled_at"]
        registration.save(update_fields=fields)
        _audit(agent, "event.checkin_undone", registration, event)
    return registration


def walk_in_add(*, agent, event: Event, name: str = "", attendance: str = Registration.Attendance.IN_PERSON,
                user=None, over_capacity: bool = False) -> Registration:
    """Someone who came without registering: a confirmed registration, checked in at once. Over capacity
    only when the agent says so (OVER_CAPACITY): the room's safety limit is theirs to judge."""
    name = " ".join((name or "").replace("\x00", "").split())[:150]
    if attendance not in Registration.Attendance.values:
        raise ValidationError({"attendance": _("Choose where the person attends.")})
    if takes_a_place(event, attendance) and not over_capacity and not place_free(event):
        raise ValidationError({"over_capacity": _(
            "The event is full (%(capacity)s places). To let this person in anyway, tick “Admit over "
            "capacity”.") % {"capacity": event.capacity}})
    if user is not None and event.registrations.filter(user=user).exclude(
            status=Registration.Status.CANCELLED).exists():
        raise ValidationError(_("This person is already registered: check in their ticket instead."))
    now = timezone.now()
    for _attempt in range(5):
        try:
            with transaction.atomic():
                registration = Registration.objects.create(
                    event=event, user=user, name=name, status=Registration.Status.CONFIRMED,
                    attendance=attendance, code=code_new(), walk_in=True, checked_in_at=now, checked_in_by=agent,
                    residence=getattr(user, "residence", None) if user is not None else None,
                )
                _audit(agent, "event.walk_in_added", registration, event, over_capacity=over_capacity)
                return registration
        except IntegrityError:
            continue  # a code already taken (1 in 10^11): draw another
    raise ValidationError(_("The walk-in could not be saved; try again."))


def checkin_counts(event: Event) -> dict:
    """The counters of the check-in page: checked in, expected (registered and confirmed), walk-ins."""
    confirmed = Q(status=Registration.Status.CONFIRMED)
    counts = event.registrations.aggregate(
        checked_in=Count("pk", filter=confirmed & Q(checked_in_at__isnull=False)),
        expected=Count("pk", filter=confirmed & Q(walk_in=False)),
        walk_ins=Count("pk", filter=confirmed & Q(walk_in=True)),
        waitlisted=Count("pk", filter=Q(status=Registration.Status.WAITLISTED)),
    )
    counts["in_person"] = event.registrations.filter(
        confirmed, checked_in_at__isnull=False, attendance=Registration.Attendance.IN_PERSON).count()
    counts["over_capacity"] = event.capacity is not None and services.seated(event).count() > event.capacity
    return counts


def door_answers(registration: Registration) -> list[tuple[str, str]]:
    """The registration answers, with their questions, in the questions' order (what the door needs)."""
    answers = registration.answers if isinstance(registration.answers, dict) else {}
    result = []
    for question in registration.event.questions.all():
        value = answers.get(str(question.pk))
        if value not in (None, ""):
            result.append((question.label, str(value)))
    return result


# ----------------------------------------------------------------------------------------- live board

def board_key(request) -> str:
    """Who is posting or voting: the account when signed in, else a hash of the session (created if needed).
    The session key itself is never stored."""
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    if request.session.session_key is None:
        request.session.save()
    digest = hashlib.sha256(request.session.session_key.encode()).hexdigest()[:40]
    return f"session:{digest}"


def board_refusal(*, event: Event, user) -> str:
    """Why USER may not use EVENT's board right now ("" when they may)."""
    if not event.live_board_open:
        return _("The live board is closed.")
    if not (user is not None and user.is_authenticated) and not event.component.setting("anonymous_board"):
        return _("Sign in to take part in the live board.")
    return ""


def board_post_create(*, event: Event, text: str, kind: str = BoardPost.Kind.QUESTION, user=None,
                      author_key: str) -> BoardPost:
    """A question or an opinion on EVENT's live board. Plain text only: it is escaped when shown.

    Raises VerificationRequired when the component reserves posting to verified residents (then anonymous
    posts are refused too, whatever the anonymous_board setting)."""
    action_require(user=user, component=event.component, action="board_post")
    refusal = board_refusal(event=event, user=user)
    if refusal:
        raise ValidationError(refusal)
    if kind not in BoardPost.Kind.values:
        raise ValidationError({"kind": _("Choose a question or an opinion.")})
    text = " ".join((text or "").replace("\x00", "").split())
    if not text:
        raise ValidationError({"text": _("Write your question or your opinion.")})
    if len(text) > BOARD_TEXT_MAX:
        raise ValidationError({"text": _("At most %(max)s characters (you wrote %(count)s).") % {
            "max": BOARD_TEXT_MAX, "count": len(text)}})
    since = timezone.now() - RATE_WINDOW
    if BoardPost.objects.filter(event=event, author_key=author_key, created_at__gte=since).count() >= RATE_LIMIT:
        raise ValidationError(_("You have sent %(count)s messages in the last minute. Wait a moment before "
                                "sending another.") % {"count": RATE_LIMIT})
    author = user if user is not None and user.is_authenticated else None
    with transaction.atomic():
        post = BoardPost.objects.create(event=event, kind=kind, text=text, author=author, author_key=author_key)
        audit_record(actor=author, action="event.board_posted", target=post, organisation=event.organisation,
                     data={"event": event.pk, "kind": kind})
    return post


def board_vote_add(*, post: BoardPost, user=None, voter_key: str) -> BoardPost:
    """One vote per person for someone else's post, while the board is open."""
    event = post.event
    refusal = board_refusal(event=event, user=user)
    if refusal:
        raise ValidationError(refusal)
    if post.is_hidden:
        raise ValidationError(_("This message is no longer on the board."))
    if post.author_key == voter_key or (
            user is not None and user.is_authenticated and post.author_id == user.pk):
        raise ValidationError(_("You cannot vote for your own message."))
    try:
        with transaction.atomic():
            BoardVote.objects.create(post=post, voter_key=voter_key)
            BoardPost.objects.filter(pk=post.pk).update(vote_count=F("vote_count") + 1)
    except IntegrityError:
        raise ValidationError(_("You have already voted for this message.")) from None
    post.refresh_from_db(fields=["vote_count"])
    return post


def board_posts(event: Event, *, limit: int | None = None):
    """The visible posts, most voted first, with their votes."""
    posts = event.board_posts.visible().order_by("-vote_count", "created_at", "pk")
    return posts[:limit] if limit else posts


def board_version(event: Event) -> str:
    """A fingerprint of what the board shows (one aggregate query): a poll that brings back the same one
    gets "nothing new" instead of the whole list, which is what most polls in a room are."""
    figures = event.board_posts.visible().aggregate(
        count=Count("pk"), last=Max("pk"), votes=Sum("vote_count"),
        answered=Count("pk", filter=Q(answered_at__isnull=False)))
    return "{}-{}-{}-{}-{}".format(int(event.live_board_open), figures["count"], figures["last"] or 0,
                                   figures["votes"] or 0, figures["answered"])


def board_open_set(*, actor, event: Event, open: bool) -> Event:
    event.live_board_open = bool(open)
    event.save(update_fields=["live_board_open", "updated_at"])
    audit_record(actor=actor, action="event.board_opened" if open else "event.board_closed", target=event,
                 organisation=event.organisation)
    return event


def board_post_hide(*, moderator, post: BoardPost, reason: str = "") -> BoardPost:
    post.hidden_at = timezone.now()
    post.hidden_reason = (reason or "")[:300]
    post.save(update_fields=["hidden_at", "hidden_reason"])
    audit_record(actor=moderator, action="moderation.hidden", target=post, organisation=post.event.organisation,
                 data={"reason": post.hidden_reason, "event": post.event_id})
    return post


def board_post_restore(*, moderator, post: BoardPost) -> BoardPost:
    post.hidden_at = None
    post.hidden_reason = ""
    post.save(update_fields=["hidden_at", "hidden_reason"])
    audit_record(actor=moderator, action="moderation.restored", target=post, organisation=post.event.organisation,
                 data={"event": post.event_id})
    return post


def board_post_answer(*, moderator, post: BoardPost, answered: bool = True) -> BoardPost:
    post.answered_at = timezone.now() if answered else None
    post.save(update_fields=["answered_at"])
    audit_record(actor=moderator, action="event.board_answered" if answered else "event.board_unanswered",
                 target=post, organisation=post.event.organisation, data={"event": post.event_id})
    return post


# ------------------------------------------------------------------------------------------ personal data

def personal_data(user) -> dict:
    """The person's board posts, votes and check-ins (the registrations themselves are in services.py)."""
    key = f"user:{user.pk}"
    posts = BoardPost.objects.filter(Q(author=user) | Q(author_key=key)).select_related("event")
    return {
        "event_board_posts": [
            {"event": post.event.title, "kind": post.kind, "text": post.text, "votes": post.vote_count,
             "created_at": post.created_at.isoformat(), "hidden": post.is_hidden}
            for post in posts
        ],
        "event_board_votes": [
            {"event": vote.post.event.title, "post": vote.post.text, "created_at": vote.created_at.isoformat()}
            for vote in BoardVote.objects.filter(voter_key=key).select_related("post__event")
        ],
        "event_check_ins": [
            {"event": registration.event.title, "checked_in_at": registration.checked_in_at.isoformat(),
             "walk_in": registration.walk_in}
            for registration in Registration.objects.filter(user=user, checked_in_at__isnull=False)
            .select_related("event")
        ],
    }


def erase_personal_data(user) -> None:
    """Erase the person from the board: their posts are deleted (a short text in the first person can
    identify its author, and the board is a live tool, not a record), and their votes lose their key but
    still count. Check-ins stay as anonymous attendance figures once services.py unlinks the registration;
    here we forget who checked whom in."""
    key = f"user:{user.pk}"
    with transaction.atomic():
        BoardPost.objects.filter(Q(author=user) | Q(author_key=key)).delete()
        for vote in BoardVote.objects.filter(voter_key=key):
            vote.voter_key = f"erased:{vote.pk}"
            vote.save(update_fields=["voter_key"])
        Registration.objects.filter(checked_in_by=user).update(checked_in_by=None)
