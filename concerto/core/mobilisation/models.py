"""Concertation plans (one per space, written before it opens) and the directory of local actors.

A plan says, section by section, what is open to change, which decision the concertation feeds and who takes it,
whom it must reach (age bands, quartiers, kinds of actors), which actors to involve and how, the calendar of
mobilisation, the channels, and the commitments to tell residents what became of their contributions. It may be
saved with sections missing (a draft); it is published, complete, as the space's « Comment fonctionne cette
concertation » page.

An actor is an organisation of the commune's life (an association, a school, a business...) with its topics and
quartiers, and contact persons kept private (personal data: only staff allowed to see personal data read them).
"""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from concerto.core.insights.models import BAND_KEYS, BAND_LABELS

# INSEE's age bands, as the population tables and the representativeness figures have them (core/insights).
AGE_BANDS = tuple((key, BAND_LABELS[key]) for key in BAND_KEYS)


class ActorKind(models.TextChoices):
    ASSOCIATION = "association", _("Association")
    TRADER = "trader", _("Trader")
    SCHOOL = "school", _("School")
    BUSINESS = "business", _("Business")
    STARTUP = "startup", _("Start-up")
    PUBLIC_BODY = "public_body", _("Public body")
    COLLECTIVE = "collective", _("Residents' collective")
    OTHER = "other", _("Other")


class Channel(models.TextChoices):
    WEB = "web", _("The participation website")
    CHAT = "chat", _("Chats (Messenger, Telegram, SMS)")
    EVENTS = "events", _("Meetings and workshops")
    STREET = "street", _("Stands and walks in the street")
    PRINT = "print", _("Posters and flyers")
    PRESS = "press", _("Municipal magazine and local press")
    PARTNERS = "partners", _("Partners' relays (associations, schools, social centres)")
    NEWSLETTER = "newsletter", _("Newsletter and email")


class Actor(models.Model):
    organisation = models.ForeignKey("territory.Organisation", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=ActorKind.choices)
    description = models.TextField(_("what it does"), blank=True, max_length=2000)
    topics = models.ManyToManyField("spaces.Topic", verbose_name=_("topics"), blank=True, related_name="+")
    quartiers = models.CharField(_("quartiers"), max_length=500, blank=True,
                                 help_text=_("The quartiers where it acts, separated by commas."))
    priority_area = models.BooleanField(_("acts in a priority neighbourhood (QPV)"), default=False)
    website = models.URLField(_("website"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("actor")
        verbose_name_plural = _("actors")

    def __str__(self) -> str:
        return self.name


class ActorContact(models.Model):
    """A contact person of an actor: personal data, never public, erased with the actor."""

    actor = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    # When the person agreed to receive the commune's invitations to take part by email (campaigns), as the agent
    # recorded it; empty: never, or withdrawn by the message's one-click link.
    campaigns_consent_at = models.DateTimeField(_("agreed to receive invitations to take part on"), null=True,
                                                blank=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class ActorMember(models.Model):
    """A person's account linked to an actor: once they have confirmed, they may contribute « au nom de » it. An
    agent adds an existing account by its email (pending); the person confirms or declines from their account page,
    and may leave at any time."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the person's confirmation")
        CONFIRMED = "confirmed", pgettext_lazy("membership", "Confirmed")

    actor = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING)
    added_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["actor", "user"], name="one_membership_per_actor_and_user")]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.actor_id}"


class Plan(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    space = models.OneToOneField("spaces.Space", on_delete=models.CASCADE, related_name="plan")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    # 1. The question and the room for manoeuvre.
    question = models.TextField(_("the question put to residents"), blank=True, max_length=2000)
    open_to_change = models.TextField(_("what residents can change"), blank=True, max_length=4000)
    not_open = models.TextField(_("what is already decided and why"), blank=True, max_length=4000)
    # 2. The decision.
    decision = models.TextField(_("the decision the concertation feeds"), blank=True, max_length=2000)
    decision_maker = models.CharField(_("who decides"), max_length=300, blank=True)
    decision_date = models.DateField(_("when the decision is expected"), null=True, blank=True)
    # 3. The publics to reach.
    age_bands = models.JSONField(_("age bands to reach"), default=list, blank=True)
    actor_kinds = models.JSONField(_("kinds of actors to involve"), default=list, blank=True)
    quartiers = models.TextField(_("quartiers to reach"), blank=True, max_length=2000)
    priority_areas = models.BooleanField(_("reach the priority neighbourhoods (QPV)"), default=False)
    publics_note = models.TextField(_("why these publics"), blank=True, max_length=4000)
    # 6. The channels.
    channels = models.JSONField(_("channels"), default=list, blank=True)
    # 7. The commitments to give feedback.
    feedback = models.TextField(_("how residents will hear what became of their contributions"), blank=True,
                                max_length=4000)
    feedback_date = models.DateField(_("feedback given by"), null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("concertation plan")
        verbose_name_plural = _("concertation plans")

    def __str__(self) -> str:
        return str(self.space)

    def get_absolute_url(self) -> str:
        return reverse("mobilisation:plan", args=[self.space.organisation.slug, self.space.slug])

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class PlanStakeholder(models.Model):
    """4. An actor to involve (from the directory, or named here), its role in the concertation, how it is
    reached."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="stakeholders")
    actor = models.ForeignKey(Actor, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    name = models.CharField(_("name"), max_length=200, blank=True)
    role = models.CharField(_("role in the concertation"), max_length=300)
    reached_by = models.CharField(_("how it will be reached"), max_length=300)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.actor.name if self.actor_id else self.name


class PlanMilestone(models.Model):
    """5. A date of the mobilisation calendar: an event, a campaign, posters, a partner's relay..."""

    class Kind(models.TextChoices):
        EVENT = "event", _("Event or workshop")
        CAMPAIGN = "campaign", _("Campaign (email, SMS, chats)")
        POSTERS = "posters", _("Posters and flyers")
        RELAY = "relay", _("Partners' relay")
        PRESS = "press", _("Press and municipal magazine")
        OTHER = "other", _("Other")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="milestones")
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("what"), max_length=200)
    public = models.CharField(_("for whom"), max_length=200, blank=True)

    class Meta:
        ordering = ["date", "pk"]

    def __str__(self) -> str:
        return self.title


# Short links and print kits. -----------------------------------------------------------------------------------

# No 0/o, 1/l/i: a code copied by hand from a poster is read right.
SHORT_CODE_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
SHORT_CODE_LENGTH = 8


class ShortLink(models.Model):
    """A short address of this site, `/l/<code>`, that sends to a page of the same site (never elsewhere: no open
    redirect) and counts its visits per day, without anything about the person. SOURCE_KIND and SOURCE_ID say what
    printed or sent it (a print kit today, a campaign later), so that a contribution that follows a visit can be
    attributed to it."""

    class Source(models.TextChoices):
        KIT = "kit", _("Print kit")
        CAMPAIGN = "campaign", _("Campaign")

    organisation = models.ForeignKey("territory.Organisation", on_delete=models.CASCADE, related_name="+")
    code = models.CharField(max_length=16, unique=True)
    target = models.CharField(_("page"), max_length=500)
    source_kind = models.CharField(max_length=16, choices=Source.choices)
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    label = models.CharField(_("label"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        indexes = [models.Index(fields=["source_kind", "source_id"])]

    def __str__(self) -> str:
        return self.label or self.code

    def get_absolute_url(self) -> str:
        return reverse("short_link", args=[self.code])


class ShortLinkDay(models.Model):
    """How many times a short link was followed on a day: a count, nothing else (no address, no time of day)."""

    link = models.ForeignKey(ShortLink, on_delete=models.CASCADE, related_name="days")
    day = models.DateField()
    visits = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["link", "day"], name="one_count_per_short_link_and_day")]

    def __str__(self) -> str:
        return f"{self.link_id} {self.day}: {self.visits}"


class KitFormat(models.TextChoices):
    POSTER_A4 = "poster_a4", _("A4 poster")
    POSTER_A3 = "poster_a3", _("A3 poster")
    FLYER_A5 = "flyer_a5", _("A5 flyers, two per A4 sheet")
    FLYER_A6 = "flyer_a6", _("A6 flyers, four per A4 sheet")


class KitTarget(models.TextChoices):
    SPACE = "space", _("A space")
    EVENT = "event", _("An event")
    REPORTS = "reports", _("The reports service")


class PrintKit(models.Model):
    """A poster or flyers for a page of the organisation's site (a space, an event, the reports service), with a QR
    code to its own short link: the scans say how many people the paper brought."""

    organisation = models.ForeignKey("territory.Organisation", on_delete=models.CASCADE, related_name="+")
    target_kind = models.CharField(_("for"), max_length=16, choices=KitTarget.choices)
    target_label = models.CharField(max_length=200)
    format = models.CharField(_("format"), max_length=16, choices=KitFormat.choices, default=KitFormat.POSTER_A4)
    title = models.CharField(_("title"), max_length=90)
    text = models.TextField(_("text"), max_length=400, blank=True)
    when = models.CharField(_("date and place"), max_length=200, blank=True)
    link = models.OneToOneField(ShortLink, on_delete=models.CASCADE, related_name="kit")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("print kit")
        verbose_name_plural = _("print kits")

    def __str__(self) -> str:
        return self.title


# Campaigns. ----------------------------------------------------------------------------------------------------

class CampaignChannel(models.TextChoices):
    EMAIL = "email", pgettext_lazy("channel", "Email")
    PUSH = "push", _("Notification on the devices")


class Campaign(models.Model):
    """A message of an organisation inviting a segment of the people who accepted invitations to take part
    (campaigns.py). SEGMENT holds the criteria, all optional and combined (campaigns.SEGMENT_KEYS)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        CANCELLED = "cancelled", pgettext_lazy("campaign", "Cancelled")

    organisation = models.ForeignKey("territory.Organisation", on_delete=models.CASCADE, related_name="+")
    space = models.ForeignKey("spaces.Space", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    channel = models.CharField(_("channel"), max_length=16, default=CampaignChannel.EMAIL)
    subject = models.CharField(_("subject"), max_length=120)
    text = models.TextField(_("text"), max_length=2000)
    target = models.CharField(_("page"), max_length=500)
    segment = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    send_at = models.DateTimeField(_("send at"), null=True, blank=True)
    link = models.OneToOneField(ShortLink, null=True, blank=True, on_delete=models.SET_NULL, related_name="campaign")
    recipients = models.PositiveIntegerField(default=0)
    opens = models.PositiveIntegerField(default=0)
    send_started_at = models.DateTimeField(null=True, blank=True)
    last_batch_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        indexes = [models.Index(fields=["status", "send_at"])]

    def __str__(self) -> str:
        return self.subject


class CampaignDelivery(models.Model):
    """One recipient of a campaign: an account, or an actor's contact person (no account, an address). SENT_AT is
    the claim (a conditional UPDATE, core/bulk.py); FAILED: the transport refused it."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="deliveries")
    user = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(ActorContact, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(null=True, blank=True)
    failed = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "user"], name="one_delivery_per_campaign_and_person"),
            models.UniqueConstraint(fields=["campaign", "contact"], name="one_delivery_per_campaign_and_contact"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.user_id or self.contact_id}"
