"""Events (public meetings, workshops, debates, walks, stands) in person, online or hybrid: registrations with
a waitlist, check-in at the door, the live board during the event, and the minutes afterwards.

Who writes what: events, registrations and feeds in services.py; check-in and the live board in
room.py; minutes, contributions gathered in the room and figures in minutes.py.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from concerto.core.participation.models import Moderated, ModeratedQuerySet
from concerto.core.spaces.items import ComponentItem


class Audience(models.TextChoices):
    """Publics an event targets on purpose (figures compare who came with whom it targeted)."""

    EVERYONE = "everyone", pgettext_lazy("audience", "Everyone")
    YOUNG_ADULTS = "young_adults", pgettext_lazy("audience", "18–35 year olds")
    TEENAGERS = "teenagers", pgettext_lazy("audience", "Teenagers")
    FAMILIES = "families", pgettext_lazy("audience", "Families")
    SENIORS = "seniors", pgettext_lazy("audience", "Seniors")
    TRADERS = "traders", pgettext_lazy("audience", "Traders")
    STUDENTS = "students", pgettext_lazy("audience", "Students")
    ASSOCIATIONS = "associations", pgettext_lazy("audience", "Associations")


class EventQuerySet(ModeratedQuerySet):
    def public(self):
        """Events anyone may see: published, in a published component of a published space."""
        return self.visible().filter(published=True, component__published=True,
                                     component__space__status="published")


class Event(ComponentItem, Moderated):
    class Kind(models.TextChoices):
        PUBLIC_MEETING = "public_meeting", pgettext_lazy("event kind", "Public meeting")
        WORKSHOP = "workshop", pgettext_lazy("event kind", "Workshop")
        DEBATE = "debate", pgettext_lazy("event kind", "Debate")
        WALK = "walk", pgettext_lazy("event kind", "Walk")
        STAND = "stand", pgettext_lazy("event kind", "Stand")

    class Format(models.TextChoices):
        IN_PERSON = "in_person", pgettext_lazy("event format", "In person")
        ONLINE = "online", pgettext_lazy("event format", "Online")
        HYBRID = "hybrid", pgettext_lazy("event format", "Hybrid")

    component = models.ForeignKey("spaces.Component", on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.PUBLIC_MEETING)
    format = models.CharField(_("format"), max_length=16, choices=Format.choices, default=Format.IN_PERSON)
    title = models.CharField(_("title"), max_length=150)
    description = models.TextField(_("description"), blank=True)  # rich text (concerto.core.richtext)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    # The place (in person and hybrid).
    place_name = models.CharField(_("place"), max_length=150, blank=True)
    address = models.CharField(_("address"), max_length=250, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    commune = models.ForeignKey("territory.Organisation", verbose_name=_("commune"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    step_free_access = models.BooleanField(_("step-free access"), default=False)
    induction_loop = models.BooleanField(_("induction loop"), default=False)
    sign_language = models.BooleanField(_("sign language interpreting"), default=False)
    accessibility_notes = models.TextField(_("other accessibility information"), blank=True)
    # The online room (online and hybrid): shown to registered people only.
    online_url = models.URLField(_("online meeting link"), max_length=500, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)  # ["fr", "en", ...]
    audiences = models.JSONField(_("audiences"), default=list, blank=True)  # [Audience values]
    organiser = models.CharField(_("organiser"), max_length=150, blank=True)
    # Registration: off means open to all without registering.
    registration_enabled = models.BooleanField(_("registration required"), default=True)
    capacity = models.PositiveIntegerField(_("places"), null=True, blank=True)  # empty: no limit
    # Where the contributions gathered in the room go (a proposals or consultation component of the space).
    contributions_component = models.ForeignKey(
        "spaces.Component", verbose_name=_("component for contributions gathered in the room"), null=True,
        blank=True, on_delete=models.SET_NULL, related_name="+")
    published = models.BooleanField(_("published"), default=False)
    cancelled_at = models.DateTimeField(_("cancelled on"), null=True, blank=True)
    cancellation_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    live_board_open = models.BooleanField(_("live board open"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [
            models.Index(fields=["component", "starts_at"], name="event_component_start_idx"),
            models.Index(fields=["commune", "starts_at"], name="event_commune_start_idx"),
            models.Index(fields=["starts_at"], name="event_start_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="event_ends_after_start"),
            models.CheckConstraint(
                condition=(Q(latitude__isnull=True) & Q(longitude__isnull=True))
                | (Q(latitude__isnull=False) & Q(longitude__isnull=False)),
                name="event_point_complete",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        space = self.component.space
        return reverse("events:detail", kwargs={
            "org_slug": space.organisation.slug, "space_slug": space.slug, "component_id": self.component_id,
            "event_id": self.pk})

    @property
    def is_live(self) -> bool:
        """The event is happening now (and not cancelled): its pages lead to the live board."""
        return self.cancelled_at is None and self.starts_at <= timezone.now() < self.ends_at

    @property
    def has_started(self) -> bool:
        """Registrations close when the event starts: from then on no page offers its places left (the event
        page, the cards of every list; services.registration_refusal says the same to the API)."""
        return self.starts_at <= timezone.now()

    @property
    def is_public(self) -> bool:
        return (self.hidden_at is None and self.published and self.component.published
                and self.component.space.status == "published")


class RegistrationQuestion(models.Model):
    """A question asked when registering (dietary needs, childcare, which workshop table...)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="questions")
    label = models.CharField(_("question"), max_length=200)
    required = models.BooleanField(_("required"), default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"RegistrationQuestion {self.pk}"


class Registration(models.Model):
    """A place at an event (or on its waitlist). Walk-ins added at the door are registrations too."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", pgettext_lazy("registration", "Confirmed")
        WAITLISTED = "waitlisted", pgettext_lazy("registration", "On the waitlist")
        CANCELLED = "cancelled", pgettext_lazy("registration", "Cancelled")

    class Attendance(models.TextChoices):
        IN_PERSON = "in_person", pgettext_lazy("attendance", "In the room")
        ONLINE = "online", pgettext_lazy("attendance", "Online")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="event_registrations")
    # Walk-ins without an account: a first name is enough; nothing else is required.
    name = models.CharField(_("name"), max_length=150, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.CONFIRMED)
    attendance = models.CharField(_("attends"), max_length=16, choices=Attendance.choices,
                                  default=Attendance.IN_PERSON)
    # The check-in code (in the QR code): random, unique across all events.
    code = models.CharField(max_length=16, unique=True)
    answers = models.JSONField(default=dict, blank=True)  # {"<question id>": "answer"}
    walk_in = models.BooleanField(_("walk-in"), default=False)
    # The person's commune of residence and year of birth at registration (from their profile, when they
    # consented), for the figures on the audiences the event targeted.
    residence = models.ForeignKey("territory.Organisation", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_in_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    promoted_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            # One live registration per person and event; a cancelled one can be followed by a new one.
            models.UniqueConstraint(fields=["event", "user"], condition=~Q(status="cancelled") & Q(user__isnull=False),
                                    name="one_live_registration_per_user"),
        ]
        indexes = [models.Index(fields=["event", "status", "created_at"], name="registration_queue_idx")]

    def __str__(self) -> str:
        return f"Registration {self.pk}"


class Minutes(models.Model):
    """What the organiser publishes after the event."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="minutes")
    text = models.TextField(_("minutes"))  # rich text
    attendees_in_person = models.PositiveIntegerField(_("attendees in the room"), default=0)
    attendees_online = models.PositiveIntegerField(_("attendees online"), default=0)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    published_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Minutes {self.pk}"


class MinutesAttachment(models.Model):
    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="attachments")
    title = models.CharField(_("title"), max_length=150)
    file = models.FileField(_("file"), upload_to="events/minutes/")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"MinutesAttachment {self.pk}"


class RoomContribution(models.Model):
    """A contribution gathered in the room (paper, sticky note) and entered afterwards: the ledger row of the
    proposal or answer it became, linked to the event it came from."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="room_contributions")
    contribution = models.OneToOneField("participation.Contribution", on_delete=models.CASCADE, related_name="+")
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"RoomContribution {self.pk}"


class BoardPostQuerySet(ModeratedQuerySet):
    pass


class BoardPost(Moderated):
    """A question or an opinion sent to the live board during the event, from a phone in the room or online."""

    class Kind(models.TextChoices):
        QUESTION = "question", pgettext_lazy("board post", "Question")
        OPINION = "opinion", pgettext_lazy("board post", "Opinion")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="board_posts")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.QUESTION)
    text = models.CharField(_("text"), max_length=280)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    # Anonymous participants in the room are told apart by their session, never stored otherwise.
    author_key = models.CharField(max_length=80)
    vote_count = models.PositiveIntegerField(default=0)
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = BoardPostQuerySet.as_manager()

    class Meta:
        ordering = ["-vote_count", "created_at", "pk"]

    @property
    def organisation(self):
        return self.event.component.space.organisation


class BoardVote(models.Model):
    post = models.ForeignKey(BoardPost, on_delete=models.CASCADE, related_name="votes")
    voter_key = models.CharField(max_length=80)  # "user:<id>" or "session:<hash>"
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "voter_key"], name="one_board_vote_per_person")]

    def __str__(self) -> str:
        return f"BoardVote {self.pk}"


class FeedToken(models.Model):
    """The secret in the address of a person's iCalendar feed of their registrations (calendar apps cannot
    sign in). A new token replaces the old one, which then stops working."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_feed_token")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Retention: a token unused for the period is deleted (events/retention.py); noted at most once a day.
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"feed token of user {self.user_id}"
