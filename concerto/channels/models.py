"""Chat channels: a commune's connection to a platform, the people who write, and their messages."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from concerto.channels import secrets


class Platform(models.TextChoices):
    MESSENGER = "messenger", "Messenger"
    WEB = "web", _("Web chat")
    TELEGRAM = "telegram", "Telegram"
    SMS = "sms", _("Text messages")


class ChatChannel(models.Model):
    """A commune's page on a platform (a Messenger page): its id on the platform picks the commune."""

    organisation = models.ForeignKey("territory.Organisation", on_delete=models.CASCADE, related_name="chat_channels",
                                     verbose_name=_("organisation"))
    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices)
    external_id = models.CharField(_("page id"), max_length=64)
    token_encrypted = models.TextField(editable=False, default="")
    # Telegram's secret_token, or the SMS provider's callback secret: what the webhook checks (encrypted).
    webhook_secret_encrypted = models.TextField(editable=False, default="")
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["platform", "external_id"], name="chat_channel_unique_page")]
        verbose_name = _("chat channel")

    def __str__(self) -> str:
        return f"{self.platform} {self.external_id}"

    @property
    def token(self) -> str:
        return secrets.decrypt(self.token_encrypted)

    def set_token(self, token: str) -> None:
        self.token_encrypted = secrets.encrypt(token)

    @property
    def webhook_secret(self) -> str:
        return secrets.decrypt(self.webhook_secret_encrypted)

    def set_webhook_secret(self, secret: str) -> None:
        self.webhook_secret_encrypted = secrets.encrypt(secret)


class Participant(models.Model):
    """One person on one platform. Found by the HMAC of their platform id; the id itself is kept encrypted
    (replying needs it). STATE is where the conversation stands, so that they can come back later."""

    platform = models.CharField(max_length=16, choices=Platform.choices)
    key_hash = models.CharField(max_length=64)
    address_encrypted = models.TextField(default="")
    channel = models.ForeignKey(ChatChannel, null=True, blank=True, on_delete=models.SET_NULL)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="chat_participants")
    organisation = models.ForeignKey("territory.Organisation", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    state = models.JSONField(default=dict)
    linked_at = models.DateTimeField(null=True, blank=True)  # when USER was linked (channels/linking.py)
    stopped_at = models.DateTimeField(null=True, blank=True)
    last_inbound_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["platform", "key_hash"], name="chat_participant_unique")]

    def __str__(self) -> str:
        return f"{self.platform} #{self.pk}"

    @property
    def address(self) -> str:
        return secrets.decrypt(self.address_encrypted)

    @property
    def anonymous_key(self) -> str:
        return f"chat:{self.platform}:{self.pk}"


class LinkCode(models.Model):
    """A one-time code shown on a person's account page, typed in a chat to link that chat to the account
    (channels/linking.py). Only its HMAC is kept; it expires after linking.CODE_MINUTES and is used once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    code_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"link code #{self.pk}"


class Message(models.Model):
    """A message in or out. An inbound one keeps the platform's message id: a retried delivery is recorded
    once. Texts are deleted after CONCERTO_RETENTION_DAYS["chat_messages"] (90 days)."""

    class Direction(models.TextChoices):
        IN = "in", _("received")
        OUT = "out", _("sent")

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=3, choices=Direction.choices)
    external_id = models.CharField(max_length=200, null=True, blank=True)
    text = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["participant", "external_id"],
                                               name="chat_message_unique_external_id")]

    def __str__(self) -> str:
        return f"{self.direction} #{self.pk}"


class ChatTicket(models.Model):
    """A person asked to talk to an agent (« Parler à un agent »): the commune's agents read the messages of
    PARTICIPANT from OPENED_AT on (never before), answer them through the same transport, and close the ticket.
    Tickets follow the messages' retention (concerto/channels/privacy.py)."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="tickets")
    organisation = models.ForeignKey("territory.Organisation", on_delete=models.CASCADE, related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True, db_index=True)
    last_activity_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")

    class Meta:
        ordering = ["-opened_at", "-pk"]
        verbose_name = _("conversation with an agent")

    def __str__(self) -> str:
        return f"ticket #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    def messages(self):
        """The messages an agent may read: from the moment the person asked for one until the ticket closed."""
        rows = self.participant.messages.filter(created_at__gte=self.opened_at)
        return rows.filter(created_at__lte=self.closed_at) if self.closed_at else rows


class InboundEvent(models.Model):
    """A webhook's event, stored as it came (parsed, checked) and waiting for the worker: the webhook writes it in
    one statement and answers; `transport.inbound_drain` runs the engine on it, in order per person, then
    deletes it. Unique on (channel, the platform's message id): a delivery retried while it waits is stored once
    (afterwards, the Message row's own constraint keeps it from being answered twice). PERSON is the
    participant's lookup hash (secrets.lookup_hash), so that one person's events are taken in order."""

    channel = models.ForeignKey(ChatChannel, on_delete=models.CASCADE, related_name="+")
    external_id = models.CharField(max_length=200, null=True, blank=True)
    person = models.CharField(max_length=64)
    event = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["channel", "external_id"], name="chat_inbound_unique_event")]
        indexes = [models.Index(fields=["person", "id"], name="chat_inbound_person")]

    def __str__(self) -> str:
        return f"inbound #{self.pk}"
class ChatSubscription(models.Model):
    """A person who asked, in a chat, to receive the news of a commune: on every topic (ALL_TOPICS) or on
    TOPICS. STOP (or the platform's opt-out) sets STOPPED_AT on all of a person's subscriptions at once."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="subscriptions")
    organisation = models.ForeignKey("territory.Organisation", on_delete=models.CASCADE, related_name="+",
                                     verbose_name=_("organisation"))
    all_topics = models.BooleanField(_("all topics"), default=False)
    topics = models.ManyToManyField("spaces.Topic", blank=True, related_name="+", verbose_name=_("topics"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    stopped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["participant", "organisation"],
                                               name="chat_subscription_unique")]
        verbose_name = _("news subscription")

    def __str__(self) -> str:
        return f"subscription #{self.pk}"


class Broadcast(models.Model):
    """A message sent to the subscribers of a commune: written by an agent in the back-office (KIND message),
    or the announcement of a news post just published (KIND news). The counts are kept as the worker sends."""

    class Kind(models.TextChoices):
        MESSAGE = "message", _("message from the commune")
        NEWS = "news", _("news post")

    organisation = models.ForeignKey("territory.Organisation", on_delete=models.CASCADE, related_name="+",
                                     verbose_name=_("organisation"))
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.MESSAGE)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    text = models.TextField(_("message"))
    url = models.CharField(max_length=500, blank=True)
    topics = models.ManyToManyField("spaces.Topic", blank=True, related_name="+", verbose_name=_("topics"))
    # {platform: count} of the people it was sent to, and {reason: count} of those it could not reach.
    reached = models.JSONField(default=dict)
    unreachable = models.JSONField(default=dict)
    sent = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    # Made at night, on a Sunday or a public holiday: its text messages wait for the next morning they may go
    # (broadcasts.sms_held_send, a periodic job, clears it when it sends them).
    sms_held = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("broadcast")
        indexes = [models.Index(fields=["sms_held"], condition=models.Q(sms_held=True), name="channels_bcast_held")]

    def __str__(self) -> str:
        return f"broadcast #{self.pk}"

    @property
    def recipients(self) -> int:
        return sum(self.reached.values())

    @property
    def pending(self) -> int:
        return max(self.recipients - self.sent - self.failed, 0)
