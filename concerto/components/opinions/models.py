"""Opinion debates ("débats d'opinions", as Polis): a conversation lives in a space's "opinions" component; its
statements are voted agree / disagree / pass; its opinion groups are recomputed by the task worker after votes
(services.py), never inside a vote request, and kept in GroupsResult."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concerto.core.spaces.items import ComponentItem


class Conversation(ComponentItem):
    class Moderation(models.TextChoices):
        BEFORE = "before", _("Statements published after moderation")
        AFTER = "after", _("Statements published before moderation")

    class Audience(models.TextChoices):
        ANYONE = "anyone", _("Anyone")
        ACCOUNT = "account", _("People with an account")
        VERIFIED = "verified", _("Verified residents")

    component = models.ForeignKey("spaces.Component", on_delete=models.CASCADE, related_name="conversations")
    question = models.CharField(_("question"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    moderation = models.CharField(_("moderation"), max_length=8, choices=Moderation.choices,
                                  default=Moderation.BEFORE)
    audience = models.CharField(_("who may take part"), max_length=8, choices=Audience.choices,
                                default=Audience.ACCOUNT)
    opens_at = models.DateTimeField(_("opens on"), default=timezone.now)
    closes_at = models.DateTimeField(_("closes on"), null=True, blank=True)
    published_at = models.DateTimeField(_("published on"), null=True, blank=True)
    # Where an imported conversation comes from, and its licence's credit (a Polis openData export: CC BY 4.0).
    source = models.TextField(_("source"), blank=True)
    # Set when a recomputation of the groups is queued and not started yet: votes in the meantime queue nothing
    # more (the debounce of services.schedule_groups).
    groups_due_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.question

    def get_absolute_url(self) -> str:
        return self.url_for("opinions:detail")

    def get_results_url(self) -> str:
        return self.url_for("opinions:results")

    def url_for(self, name: str) -> str:
        space = self.component.space
        return reverse(name, kwargs={"org_slug": space.organisation.slug, "space_slug": space.slug,
                                     "component_id": self.component_id, "conversation_id": self.pk})

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    def is_closed(self, now=None) -> bool:
        return self.closes_at is not None and self.closes_at <= (now or timezone.now())

    def is_open(self, now=None) -> bool:
        """Taking votes and statements at NOW (its publication aside: the pages check it)."""
        now = now or timezone.now()
        return self.opens_at <= now and not self.is_closed(now)

    def shown_statements(self):
        """The statements people see and vote on: accepted ones, and those awaiting moderation when the
        conversation publishes before moderation."""
        shown = Q(status=Statement.Status.ACCEPTED)
        if self.moderation == self.Moderation.AFTER:
            shown |= Q(status=Statement.Status.PENDING)
        return self.statements.filter(shown)


class Statement(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting moderation")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="statements")
    text = models.TextField(_("statement"), max_length=1000)
    status = models.CharField(_("moderation"), max_length=8, choices=Status.choices, default=Status.PENDING)
    seed = models.BooleanField(_("seed statement"), default=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    # The statement's id in the export it was imported from (Polis's comment-id), else None.
    external_id = models.IntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["conversation", "external_id"],
                                               condition=Q(external_id__isnull=False),
                                               name="opinions_statement_unique_external_id")]
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.text[:80]

    @property
    def is_shown(self) -> bool:
        return self.status == self.Status.ACCEPTED or (
            self.status == self.Status.PENDING and self.conversation.moderation == Conversation.Moderation.AFTER)


class Vote(models.Model):
    class Value(models.IntegerChoices):
        AGREE = 1, _("Agree")
        DISAGREE = -1, _("Disagree")
        PASS = 0, _("Pass / unsure")

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="votes")
    # Who voted, as the groups know them: "u<user id>" for a signed-in person, "polis:<voter-id>" for an imported
    # vote, "a<n>" once the person's account is deleted (their votes stay in the groups, nameless).
    participant = models.CharField(max_length=64)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    value = models.SmallIntegerField(choices=Value.choices)
    voted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        # One vote of a participant on a statement: a new one replaces it (the last counts, as in Polis).
        constraints = [models.UniqueConstraint(fields=["statement", "participant"],
                                               name="opinions_vote_one_per_participant")]

    def __str__(self):
        return f"{self.participant}: {self.value}"


class GroupsResult(models.Model):
    """The last computation of a conversation's opinion groups (maths.py), as the results page reads it."""

    conversation = models.OneToOneField(Conversation, on_delete=models.CASCADE, related_name="groups_result")
    computed_at = models.DateTimeField(default=timezone.now)
    votes = models.PositiveIntegerField(default=0)  # votes counted
    k = models.PositiveSmallIntegerField(default=0)  # 0: no groups (see `reason`)
    reason = models.CharField(max_length=200, blank=True)  # why there are no groups, when there are none
    # {"groups": {participant: group}, "coordinates": {participant: [x, y]}, "representative": {group: [statement
    # pks]}, "consensus": [statement pks], "silhouette": float}
    data = models.JSONField(default=dict)

    def __str__(self):
        return f"{self.conversation_id}: {self.k} groups"
