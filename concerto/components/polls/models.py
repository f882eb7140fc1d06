"""Quick polls: one question, one tap. A poll lives in a space's "polls" component (its organisation through the
component's space) and may be targeted to a part of that organisation: an organisation below it (a territory, a
commune) or a quartier drawn on the map (a GeoJSON polygon)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concerto.core.spaces.items import ComponentItem

MIN_CHOICES, MAX_CHOICES = 2, 8
WHY_MAX_LENGTH = 1000


class PollQuerySet(models.QuerySet):
    def public(self):
        """Published polls of published components of published spaces."""
        return self.filter(published_at__isnull=False, component__published=True,
                           component__space__status="published")

    def open(self, now=None):
        """Public polls taking answers at NOW."""
        now = now or timezone.now()
        return self.public().filter(opens_at__lte=now, closed_at__isnull=True).filter(
            Q(closes_at__isnull=True) | Q(closes_at__gt=now))

    def concerning(self, organisation):
        """Polls whose target contains ORGANISATION (a commune): those of its own spaces and those of the
        territory or the Métropole above it, whichever way they are targeted (a quartier counts for the commune
        it was drawn in: its target organisation)."""
        above = [org.pk for org in organisation.ancestors()] + [organisation.pk]
        return self.filter(
            Q(target_organisation_id__in=above)
            | Q(target_organisation__isnull=True, component__space__organisation_id__in=above))

    def open_for(self, user, now=None):
        """The open polls USER may answer and has not answered yet, for the feed and the digests: those that
        concern their commune (verified, else declared). A quartier poll is included (the address is asked when
        answering). Nobody without a commune gets any."""
        from concerto.components.polls.eligibility import commune_of

        commune = commune_of(user)
        if commune is None:
            return self.none()
        return self.open(now).concerning(commune).exclude(answers__user=user)


class Poll(ComponentItem):
    class Why(models.TextChoices):
        NONE = "none", _("Not asked")
        OPTIONAL = "optional", _("Optional")
        REQUIRED = "required", _("Required")

    class Results(models.TextChoices):
        AFTER_ANSWER = "after_answer", _("After answering")
        AT_CLOSE = "at_close", _("Only once the poll is closed")

    component = models.ForeignKey("spaces.Component", on_delete=models.CASCADE, related_name="polls")
    question = models.CharField(_("question"), max_length=200)
    multiple = models.BooleanField(_("several answers allowed"), default=False)
    why = models.CharField(_("“Why?” text"), max_length=8, choices=Why.choices, default=Why.NONE)
    opens_at = models.DateTimeField(_("opens on"), default=timezone.now)
    closes_at = models.DateTimeField(_("closes on"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed on"), null=True, blank=True)
    results = models.CharField(_("results shown"), max_length=16, choices=Results.choices,
                               default=Results.AFTER_ANSWER)
    verified_only = models.BooleanField(_("only verified residents"), default=False)
    # None: the whole organisation of the space. Else an organisation below it (or itself).
    target_organisation = models.ForeignKey("territory.Organisation", verbose_name=_("target"), null=True, blank=True,
                                            on_delete=models.PROTECT, related_name="+")
    # A quartier drawn on the map: a GeoJSON Polygon or MultiPolygon (WGS84), within the target organisation.
    target_area = models.JSONField(_("quartier"), null=True, blank=True)
    target_area_name = models.CharField(_("name of the quartier"), max_length=100, blank=True)
    published_at = models.DateTimeField(_("published on"), null=True, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PollQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_at", "-pk"]
        verbose_name = _("quick poll")
        verbose_name_plural = _("quick polls")
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__isnull=True) | Q(closes_at__gt=models.F("opens_at")),
                                   name="poll_closes_after_opening"),
        ]

    def __str__(self) -> str:
        return self.question

    def get_absolute_url(self) -> str:
        space = self.component.space
        return reverse("polls:detail", kwargs={"org_slug": space.organisation.slug, "space_slug": space.slug,
                                               "component_id": self.component_id, "poll_id": self.pk})

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def is_public(self) -> bool:
        component = self.component
        return self.is_published and component.published and component.space.is_published

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return (self.is_public and self.closed_at is None and self.opens_at <= now
                and (self.closes_at is None or self.closes_at > now))

    def is_closed(self, now=None) -> bool:
        now = now or timezone.now()
        return self.closed_at is not None or (self.closes_at is not None and self.closes_at <= now)

    def results_shown(self, *, answered: bool, now=None) -> bool:
        """Whether a resident sees the results: once closed, or after answering when the agent chose so."""
        return self.is_closed(now) or (answered and self.results == self.Results.AFTER_ANSWER)

    @property
    def target(self):
        return self.target_organisation or self.component.space.organisation

    @property
    def target_label(self) -> str:
        if self.target_area:
            return f"{self.target_area_name or _('a quartier')} ({self.target.name})"
        return self.target.name


class Choice(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="choices")
    label = models.CharField(_("answer"), max_length=120)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("choice")
        verbose_name_plural = _("choices")

    def __str__(self) -> str:
        return self.label


class Answer(models.Model):
    """One person's answer. One per account (constraint); when the poll is for verified residents, also one per
    verified identity (the salted hash of the kernel's verification), so two accounts of one person count once."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="answers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="poll_answers")
    identity_hash = models.CharField(max_length=80, blank=True)
    choices = models.ManyToManyField(Choice, related_name="answers")
    why = models.TextField(_("why"), blank=True, max_length=WHY_MAX_LENGTH)
    channel = models.CharField(_("channel"), max_length=16)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["poll", "user"], name="one_poll_answer_per_account"),
            models.UniqueConstraint(fields=["poll", "identity_hash"], condition=~Q(identity_hash=""),
                                    name="one_poll_answer_per_identity"),
        ]

    def __str__(self) -> str:
        return f"{self.poll} · {self.channel}"

    @property
    def organisation(self):
        return self.poll.organisation
