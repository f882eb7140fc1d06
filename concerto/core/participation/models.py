"""What every component shares: notifications, follows, comments and moderation."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Notification(models.Model):
    """An in-app notification: the "site" channel of the notification pipeline (notifications.py). The other
    channels (email...) deliver through the task queue; `emailed_at` records the email's delivery."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="notifications")
    created_at = models.DateTimeField(auto_now_add=True)
    verb = models.CharField(max_length=100)  # e.g. "news.published"
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return self.title


class NotificationPreference(models.Model):
    """A person's choice for one kind of notification (its verb) on one channel. Without a row, the kind's
    default applies (on, for the channels the kind uses)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notification_preferences")
    verb = models.CharField(max_length=100)
    channel = models.CharField(max_length=20)
    enabled = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "verb", "channel"],
                                               name="notification_preference_once")]
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.verb} {self.channel} {'on' if self.enabled else 'off'}"


class PushSubscription(models.Model):
    """A browser (one device) that agreed to receive a person's notifications as web push messages (W3C Push
    API): the push service's ENDPOINT and the keys that encrypt the messages for that browser. Removed when the
    push service says it is gone (404/410), when the person turns it off, or with the account."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="push_subscriptions")
    endpoint = models.URLField(max_length=1000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)
    last_success_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("push subscription")
        verbose_name_plural = _("push subscriptions")

    def __str__(self) -> str:
        return f"push {self.user_id} {self.endpoint[:60]}"


class Follow(models.Model):
    """A user follows an object (an organisation, a space...) and is notified of what happens to it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows")
    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    target_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("target_type", "target_id")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [
            models.UniqueConstraint(fields=["user", "target_type", "target_id"], name="unique_follow")
        ]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.target_type_id}:{self.target_id}"


class ItemLinkQuerySet(models.QuerySet):
    def from_item(self, item):
        return self.filter(source_type=ContentType.objects.get_for_model(item), source_id=item.pk)

    def to_item(self, item):
        return self.filter(target_type=ContentType.objects.get_for_model(item), target_id=item.pk)


class ItemLink(models.Model):
    """One item of a component became (part of) an item of another: an idea (a proposal) became a budget
    project. The kernel keeps the link, so that each component shows it without importing the other."""

    class Relation(models.TextChoices):
        BECAME = "became", _("became")

    relation = models.CharField(max_length=16, choices=Relation.choices, default=Relation.BECAME)
    source_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    source_id = models.PositiveBigIntegerField()
    source = GenericForeignKey("source_type", "source_id")
    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    target_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("target_type", "target_id")
    # Kept for the pages, so that a link reads without loading the other component's model.
    source_title = models.CharField(max_length=200)
    source_url = models.CharField(max_length=500)
    target_title = models.CharField(max_length=200)
    target_url = models.CharField(max_length=500)
    # How many people supported the source when it became the target (they follow the target).
    source_supports = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ItemLinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("item link")
        verbose_name_plural = _("item links")
        constraints = [
            # An idea becomes one project at most.
            models.UniqueConstraint(fields=["relation", "source_type", "source_id"], name="item_link_source_once"),
        ]
        indexes = [models.Index(fields=["target_type", "target_id"], name="item_link_target_idx")]

    def __str__(self) -> str:
        return f"{self.source_title} → {self.target_title}"


class ModeratedQuerySet(models.QuerySet):
    def visible(self):
        return self.filter(hidden_at__isnull=True)


class CommentQuerySet(ModeratedQuerySet):
    def on(self, target):
        """The comments on TARGET (replies included)."""
        return self.filter(target_type=ContentType.objects.get_for_model(target), target_id=target.pk)

    def with_votes(self, user=None):
        """Annotate `up_votes`, `down_votes` and `user_vote` (USER's vote: 1, -1 or None) in the same query."""
        queryset = self.annotate(
            up_votes=models.Count("votes", filter=models.Q(votes__value=1)),
            down_votes=models.Count("votes", filter=models.Q(votes__value=-1)),
        )
        if user is not None and user.is_authenticated:
            return queryset.annotate(user_vote=models.Max("votes__value", filter=models.Q(votes__user=user)))
        return queryset.annotate(user_vote=models.Value(None, output_field=models.SmallIntegerField()))


class Moderated(models.Model):
    """Mixin for content people publish: moderators can hide it and restore it."""

    hidden_at = models.DateTimeField(_("hidden on"), null=True, blank=True)
    hidden_reason = models.CharField(_("reason for hiding"), max_length=300, blank=True)

    class Meta:
        abstract = True

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class Comment(Moderated):
    """A comment on any object of a component (a news post, a proposal, a project).

    Threads are one level deep: a reply's parent is always a top-level comment of the same target
    (`comment_create` attaches a reply to a reply to that reply's parent), so pages never nest further.
    A top-level comment may take a stance (for, against, neutral) when the target's model says
    `comment_stances = True`; replies never do.
    """

    class Stance(models.TextChoices):
        FOR = "for", pgettext_lazy("comment stance", "For")
        AGAINST = "against", pgettext_lazy("comment stance", "Against")
        NEUTRAL = "neutral", pgettext_lazy("comment stance", "Neutral")

    organisation = models.ForeignKey("territory.Organisation", on_delete=models.CASCADE, related_name="+")
    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    target_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("target_type", "target_id")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="comments")
    body = models.TextField(_("comment"), max_length=5000)
    channel = models.CharField(max_length=16, default="web")
    created_at = models.DateTimeField(auto_now_add=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies",
                               verbose_name=_("in reply to"))
    stance = models.CharField(_("stance"), max_length=8, choices=Stance.choices, blank=True, default="")
    # Where the comment was written, when a merge moved it here (`comments_move`): read as is by the page,
    # without loading the other item, like ItemLink's titles.
    moved_from_title = models.CharField(max_length=200, blank=True, default="")
    moved_from_url = models.CharField(max_length=500, blank=True, default="")

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [models.Index(fields=["target_type", "target_id"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(parent__isnull=True) | models.Q(stance=""),
                                   name="comment_reply_has_no_stance"),
        ]

    def __str__(self) -> str:
        return self.body[:60]

    def get_absolute_url(self) -> str:
        return f"{Comment.thread_url(self.target)}#commentaire-{self.pk}"

    @staticmethod
    def thread_url(target) -> str:
        """Where TARGET's comments are read: `get_comments_url` when its model has one (staff threads, read in the
        back-office), else its own page."""
        for name in ("get_comments_url", "get_absolute_url"):
            if hasattr(target, name):
                return getattr(target, name)()
        return "/"

    @staticmethod
    def staff_only(target) -> bool:
        """Whether TARGET's comments are a staff thread (its model sets `comments_staff_only = True`): agents talking
        between themselves, which is not participation (kept out of the contributions ledger)."""
        return bool(getattr(type(target), "comments_staff_only", False))

    @property
    def is_public(self) -> bool:
        """Anyone may see (and report) it: not hidden, and what it comments on is public."""
        return not self.is_hidden and bool(getattr(self.target, "is_public", False))

    @staticmethod
    def stances_offered(target) -> bool:
        """Whether people commenting TARGET may say they are for or against (its model opts in)."""
        return bool(getattr(type(target), "comment_stances", False))


class CommentVote(models.Model):
    """A signed-in person finds a comment useful (+1) or not (-1). One vote per person and comment."""

    class Value(models.IntegerChoices):
        UP = 1, _("Agree")
        DOWN = -1, _("Disagree")

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="votes")
    # Erasing an account removes its votes: a vote says nothing once nobody stands behind it.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comment_votes")
    value = models.SmallIntegerField(choices=Value.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("vote on a comment")
        verbose_name_plural = _("votes on comments")
        constraints = [
            models.UniqueConstraint(fields=["comment", "user"], name="unique_comment_vote"),
            models.CheckConstraint(condition=models.Q(value__in=[1, -1]), name="comment_vote_value"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.value:+d} → {self.comment_id}"


class ModerationReport(models.Model):
    """Somebody flags a piece of content; moderators of its organisation handle it from their queue."""

    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam or advertising")
        OFFENSIVE = "offensive", _("Insulting, hateful or discriminatory")
        PERSONAL_DATA = "personal_data", _("Discloses personal data")
        OFF_TOPIC = "off_topic", _("Off topic")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", _("To review")
        HIDDEN = "hidden", _("Content hidden")
        DISMISSED = "dismissed", _("Dismissed, content kept")

    organisation = models.ForeignKey("territory.Organisation", on_delete=models.CASCADE, related_name="+")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    content = GenericForeignKey("content_type", "object_id")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    details = models.TextField(_("details"), blank=True, max_length=2000)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("moderation report")
        verbose_name_plural = _("moderation reports")
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} · {self.content_type_id}:{self.object_id}"


class Channel(models.TextChoices):
    """How a contribution reached the platform."""

    WEB = "web", _("Website")
    CHATBOT = "chatbot", _("Chatbot")
    PAPER = "paper", _("Paper")
    IN_PERSON = "in_person", _("In person (meeting, stand)")
    API = "api", _("API")


class Contribution(models.Model):
    """The ledger: one row per input from a person (a proposal, a response, a support, a comment...).

    Components write it through `contribution_record` when something is contributed and remove the row
    when the input is withdrawn or erased. It lets the platform count who took part, through which
    channel and from where, across components, without reading each component's tables.
    """

    organisation = models.ForeignKey("territory.Organisation", on_delete=models.CASCADE, related_name="+")
    component = models.ForeignKey("spaces.Component", null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="contributions")
    kind = models.CharField(max_length=50)  # e.g. "proposals.proposal", "consultations.response"
    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    target_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("target_type", "target_id")
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.WEB)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    # The commune the contributor lives in (from their profile, or as entered on paper), when known.
    residence = models.ForeignKey("territory.Organisation", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    created_at = models.DateTimeField(db_index=True)
    # The tagged link (a print kit, a campaign) the contributor followed in the same browser shortly before, if any
    # (core/attribution.py): the kind and id of what printed or sent it, nothing about the person.
    # A database default too: the fast lanes' SQL functions (budget ballots, poll answers) insert ledger rows
    # without naming these columns.
    source_kind = models.CharField(max_length=16, blank=True, default="", db_default="")
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    # A member of an actor of the directory (an association...) may contribute « au nom de » it (mobilisation).
    on_behalf_of = models.ForeignKey("mobilisation.Actor", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        indexes = [models.Index(fields=["target_type", "target_id"]),
                   models.Index(fields=["component", "kind"]),
                   models.Index(fields=["source_kind", "source_id"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.target_id} ({self.channel})"


class FeedEntry(models.Model):
    """Something new that people may follow: a news post, an event, a space that opens... One row per item and
    KIND, written by the component that published it (feed.feed_publish); FeedEntryTarget rows say which followed
    things (the space, the commune and its territory, topics) it belongs to, so that a person's feed reads a few
    index ranges, one per thing they follow."""

    kind = models.CharField(max_length=100)  # a notification verb, e.g. "news.published"
    title = models.CharField(max_length=300)
    summary = models.TextField(blank=True)
    url = models.CharField(max_length=500)
    organisation = models.ForeignKey("territory.Organisation", on_delete=models.CASCADE, related_name="+")
    # The space and the component of the item, if any: the feed hides what they no longer show (a space back to
    # draft, an unpublished component); an archived space stays.
    space = models.ForeignKey("spaces.Space", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    component = models.ForeignKey("spaces.Component", null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="+")
    source_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    source_id = models.PositiveBigIntegerField()
    published_at = models.DateTimeField(db_index=True)
    # Where it happens, if it has a place: for the people who follow the places around them.
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)

    class Meta:
        verbose_name = _("feed entry")
        verbose_name_plural = _("feed entries")
        constraints = [models.UniqueConstraint(fields=["kind", "source_type", "source_id"], name="feed_entry_once")]
        indexes = [models.Index(fields=["latitude", "longitude"], name="feed_entry_point_idx",
                                condition=models.Q(latitude__isnull=False))]

    def __str__(self) -> str:
        return self.title


class FeedEntryTarget(models.Model):
    """One followed thing a feed entry belongs to. The date is repeated so that one index gives a target's
    newest entries."""

    entry = models.ForeignKey(FeedEntry, on_delete=models.CASCADE, related_name="targets")
    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    target_id = models.PositiveBigIntegerField()
    published_at = models.DateTimeField()
    # The entry's kind up to its dot ("news", "events"...): a feed filtered on one reads its own index range.
    section = models.CharField(max_length=40, default="")

    class Meta:
        verbose_name = _("feed entry target")
        verbose_name_plural = _("feed entry targets")
        constraints = [models.UniqueConstraint(fields=["entry", "target_type", "target_id"],
                                               name="feed_entry_target_once")]
        indexes = [models.Index(fields=["target_type", "target_id", "-published_at", "-entry"],
                                name="feed_target_newest_idx"),
                   models.Index(fields=["target_type", "target_id", "section", "-published_at", "-entry"],
                                name="feed_target_section_idx")]

    def __str__(self) -> str:
        return f"{self.entry_id} → {self.target_type_id}:{self.target_id}"


class FeedReader(models.Model):
    """A person's feed: the secret of its Atom address (feed readers cannot sign in) and when they last looked
    (what is newer is marked unread)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feed_reader")
    token = models.CharField(max_length=64, unique=True)
    seen_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("feed reader")
        verbose_name_plural = _("feed readers")

    def __str__(self) -> str:
        return f"feed of user {self.user_id}"


class FollowedPlace(models.Model):
    """A person follows what happens around a point (their street, their child's school): the reports, events and
    projects within RADIUS metres show in their feed."""

    RADII = (300, 1000, 2000, 5000)
    MAX_PER_PERSON = 5

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followed_places")
    label = models.CharField(_("place"), max_length=200)
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    radius = models.PositiveIntegerField(_("radius (metres)"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("followed place")
        verbose_name_plural = _("followed places")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.label


class DigestSubscription(models.Model):
    """A person's digest by email (participation/digests.py): how often (none until they opt in), the secret of
    the one-click unsubscribe address, the last period sent (claimed by a conditional UPDATE, so that a period
    is sent once however many clocks run). Whether the address still takes bulk email is `EmailBounceCount`'s."""

    class Frequency(models.TextChoices):
        NONE = "none", _("No digest")
        DAILY = "daily", _("Every day")
        WEEKLY = "weekly", _("Every week")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest")
    frequency = models.CharField(max_length=8, choices=Frequency.choices, default=Frequency.NONE)
    token = models.CharField(max_length=64, unique=True)
    last_sent_period = models.CharField(max_length=12, blank=True)  # "2026-12-06" or "2026-W49"
    last_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("digest subscription")
        verbose_name_plural = _("digest subscriptions")
        indexes = [models.Index(fields=["frequency", "id"], name="digest_due")]

    def __str__(self) -> str:
        return f"{self.frequency} digest of user {self.user_id}"


class DigestSentCount(models.Model):
    """How many digests spoke of an organisation on a day (the commune's dialogue figures): the digest sender adds
    one for each organisation whose news a digest carried. One row per organisation and day, however many digests."""

    organisation = models.ForeignKey("territory.Organisation", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("digests sent")
        verbose_name_plural = _("digests sent")
        constraints = [models.UniqueConstraint(fields=["organisation", "day"], name="one_digest_count_a_day")]

    def __str__(self) -> str:
        return f"{self.count} digests {self.organisation_id} {self.day}"


class EmailBounceCount(models.Model):
    """The hard bounces of an email address (participation/bounces.py): from CONCERTO_EMAIL_HARD_BOUNCES_MAX, the
    address gets no bulk email (digests, newsletters). Keyed by the address, not an account: a bounce names an
    address. Soft bounces are not counted; confirming the address again resets the count."""

    address = models.CharField(max_length=254, unique=True)  # lower case
    hard_bounces = models.PositiveSmallIntegerField(default=0)
    soft_bounces = models.PositiveIntegerField(default=0)
    last_bounce_at = models.DateTimeField(null=True, blank=True)
    last_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("email bounces")
        verbose_name_plural = _("email bounces")

    def __str__(self) -> str:
        return f"{self.address}: {self.hard_bounces} hard bounces"


class EmailBounceEvent(models.Model):
    """A bounce already counted, by the provider's event (a hash of its identifiers, nothing readable): the same
    event delivered twice (webhook retries, a file loaded again) counts once."""

    key = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("email bounce event")
        verbose_name_plural = _("email bounce events")

    def __str__(self) -> str:
        return f"bounce event {self.key[:12]}"
class Newsletter(models.Model):
    """An issue of an organisation's newsletter (participation/newsletters.py): written by its agents in the
    back-office, sent by email to the people it targets, then shown in the organisation's public archive.

    Figures are aggregate only: `opens` counts the fetches of the one image address every recipient's copy
    shares, and each NewsletterLink counts the clicks on its link; nothing says who opened or clicked."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")

    organisation = models.ForeignKey("territory.Organisation", on_delete=models.CASCADE, related_name="newsletters")
    subject = models.CharField(_("subject"), max_length=150)
    body = models.TextField(_("text"), blank=True)  # rich text, sanitised when saved (concerto.core.richtext)
    # [{"kind": "space" | "agenda" | <component name>, "title", "url", "text"}]: copied when chosen, so the
    # archive shows what was sent even after the space or the poll changed.
    blocks = models.JSONField(default=list, blank=True)
    # Who it goes to: the organisation's followers (and its spaces'), followers of TOPICS, people following a
    # place inside the commune.
    to_followers = models.BooleanField(_("followers of the organisation and its spaces"), default=True)
    to_places = models.BooleanField(_("people following a place in the commune"), default=False)
    topics = models.ManyToManyField("spaces.Topic", blank=True, related_name="+", verbose_name=_("topics"))
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    send_started_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    recipients = models.PositiveIntegerField(default=0)  # frozen when the sending starts
    opens = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("newsletter")
        verbose_name_plural = _("newsletters")
        ordering = ["-sent_at", "-created_at", "-pk"]

    def __str__(self) -> str:
        return self.subject

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("newsletter_detail", args=[self.organisation.slug, self.pk])


class NewsletterLink(models.Model):
    """Link number NUMBER of a sent newsletter: its address (the only one `…/lien/<number>/` redirects to) and
    how many times it was followed, all recipients together."""

    newsletter = models.ForeignKey(Newsletter, on_delete=models.CASCADE, related_name="links")
    number = models.PositiveSmallIntegerField()
    url = models.URLField(max_length=2000)
    clicks = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("newsletter link")
        verbose_name_plural = _("newsletter links")
        ordering = ["newsletter", "number"]
        constraints = [models.UniqueConstraint(fields=["newsletter", "number"], name="one_newsletter_link_number")]

    def __str__(self) -> str:
        return f"{self.newsletter_id}#{self.number}"


class NewsletterDelivery(models.Model):
    """One recipient of one newsletter: written for every recipient when the sending starts (so their number
    is fixed), claimed by a conditional UPDATE of `sent_at` in the transaction that sends the email: two
    workers, or a batch run twice, send it once."""

    newsletter = models.ForeignKey(Newsletter, on_delete=models.CASCADE, related_name="deliveries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("newsletter delivery")
        verbose_name_plural = _("newsletter deliveries")
        constraints = [models.UniqueConstraint(fields=["newsletter", "user"], name="one_newsletter_per_person")]
        indexes = [models.Index(fields=["newsletter", "sent_at", "id"], name="newsletter_left")]

    def __str__(self) -> str:
        return f"{self.newsletter_id} → {self.user_id}"
