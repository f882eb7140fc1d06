"""Questions residents ask their commune's elected officials, the officials' public profiles, and supports.

A question reaches its organisation through its component (a space of the commune). It waits for a moderator
(`PENDING`), then is public (`PUBLISHED`) and gathers supports; at the component's threshold the commune commits
to answer by `due_at`. The answer lives on the question (one answer, published once, possibly corrected).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce, Now
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from concerto.core.participation.models import Moderated, ModeratedQuerySet
from concerto.core.spaces.items import ComponentItem


class OfficialProfile(models.Model):
    """The public page of an elected official of an organisation: built on their `elected` role (the services
    refuse a profile for someone without it), with what the role does not say (mandate, delegations, photo)."""

    organisation = models.ForeignKey("territory.Organisation", on_delete=models.CASCADE,
                                     related_name="official_profiles")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="official_profiles")
    slug = models.SlugField(_("address"), max_length=80)
    name = models.CharField(_("name"), max_length=120)
    mandate = models.CharField(_("mandate"), max_length=200, help_text=_("For example: Deputy mayor."))
    delegations = models.TextField(_("delegations"), blank=True, max_length=2000,
                                   help_text=_("One delegation per line, for example: Mobility."))
    photo = models.ImageField(_("photo"), upload_to="officials/", blank=True)
    photo_alt = models.CharField(_("photo description"), max_length=200, blank=True)
    published = models.BooleanField(_("published"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("elected official's profile")
        verbose_name_plural = _("elected officials' profiles")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "slug"], name="official_profile_slug"),
            models.UniqueConstraint(fields=["organisation", "user"], name="official_profile_user"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("questions_organisation:official", kwargs={"org_slug": self.organisation.slug,
                                                                   "profile_slug": self.slug})

    @property
    def delegation_list(self) -> list[str]:
        return [line.strip() for line in self.delegations.splitlines() if line.strip()]

    @property
    def label(self) -> str:
        """How the ask form names the official: name, then delegations."""
        delegations = ", ".join(self.delegation_list)
        return f"{self.name} ({delegations})" if delegations else self.name


class QuestionQuerySet(ModeratedQuerySet):
    def public(self):
        """Questions anyone may read: kept by the moderators, in a published component of a published space."""
        return self.visible().filter(status=Question.Status.PUBLISHED, component__published=True,
                                     component__space__status="published")

    def of_organisation(self, organisation):
        return self.filter(component__space__organisation=organisation)

    def answered(self):
        return self.filter(answered_at__isnull=False)

    def late(self):
        """Committed questions answered after their deadline, or still waiting past it."""
        return self.filter(due_at__isnull=False).filter(due_at__lt=Coalesce(F("answered_at"), Now()))

    def answers_for(self, user, *, since=None):
        """For digests: the public answers to the questions USER asked or supported, published since SINCE
        (all of them without), the most recent first."""
        if user is None or not user.is_authenticated:
            return self.none()
        answers = self.public().answered().filter(Q(author=user) | Q(supports__user=user))
        if since is not None:
            answers = answers.filter(answered_at__gte=since)
        return answers.distinct().order_by("-answered_at", "-pk")


class Question(ComponentItem, Moderated):
    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("question status", "Awaiting moderation")
        PUBLISHED = "published", pgettext_lazy("question status", "Published")
        REJECTED = "rejected", pgettext_lazy("question status", "Refused by the moderators")

    component = models.ForeignKey("spaces.Component", on_delete=models.CASCADE, related_name="questions")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="questions_asked")
    # None: the question goes to the mayor's office.
    addressee = models.ForeignKey(OfficialProfile, verbose_name=_("addressed to"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="questions")
    title = models.CharField(_("question"), max_length=200)
    text = models.TextField(_("details"), blank=True, max_length=4000)
    channel = models.CharField(max_length=16, default="web")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    published_at = models.DateTimeField(_("published on"), null=True, blank=True)
    support_count = models.PositiveIntegerField(default=0)
    # The threshold was reached: the commune answers by DUE_AT (an agent may move it).
    committed_at = models.DateTimeField(_("commitment since"), null=True, blank=True)
    due_at = models.DateTimeField(_("answer due by"), null=True, blank=True)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("official who answers"), null=True,
                                 blank=True, on_delete=models.SET_NULL, related_name="questions_assigned")
    reminded_at = models.DateTimeField(null=True, blank=True)
    # The answer: a text, a document, a video link or an invitation to an event (any of them, at least one).
    answer_text = models.TextField(_("answer"), blank=True, max_length=8000)
    answer_document = models.FileField(_("document"), upload_to="questions/", blank=True)
    answer_video_url = models.URLField(_("video link"), max_length=500, blank=True)
    answer_event_url = models.CharField(_("event"), max_length=500, blank=True)
    answer_event_title = models.CharField(max_length=200, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    answered_by_name = models.CharField(max_length=200, blank=True)
    answered_at = models.DateTimeField(_("answered on"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("question to elected officials")
        verbose_name_plural = _("questions to elected officials")
        indexes = [models.Index(fields=["component", "status"], name="question_component_status_idx"),
                   models.Index(fields=["due_at"], name="question_due_idx")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        space = self.component.space
        return reverse("questions:detail", kwargs={
            "org_slug": space.organisation.slug, "space_slug": space.slug, "component_id": self.component_id,
            "question_id": self.pk})

    @property
    def is_public(self) -> bool:
        component = self.component
        return (self.status == self.Status.PUBLISHED and self.hidden_at is None and component.published
                and component.space.is_published)

    @property
    def body(self) -> str:
        return f"{self.title}\n\n{self.text}".strip()

    @property
    def excerpt(self) -> str:
        return Truncator(self.text).words(30)

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None

    @property
    def has_answer(self) -> bool:
        return bool(self.answer_text or self.answer_document or self.answer_video_url or self.answer_event_url)

    @property
    def is_late(self) -> bool:
        """Answered after the deadline, or waiting past it: the page says « Réponse en retard »."""
        if self.due_at is None:
            return False
        return (self.answered_at or timezone.now()) > self.due_at

    @property
    def answer_days(self) -> int | None:
        """Whole days from publication to the answer."""
        if self.answered_at is None or self.published_at is None:
            return None
        return max(0, (self.answered_at - self.published_at).days)


class QuestionSupport(models.Model):
    """One account supports a question, once."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=16, default="web")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("support of a question")
        verbose_name_plural = _("supports of questions")
        constraints = [models.UniqueConstraint(fields=["question", "user"], name="question_support_once")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.question_id}"

    @property
    def organisation(self):
        return self.question.organisation
