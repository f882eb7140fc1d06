"""Proposals (ideas) that residents submit in a space's proposals component, their categories and supports."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from concerto.core.participation.submissions.models import (
    Submission,
    point_complete_constraint,
)
from concerto.core.spaces.categories.models import ComponentCategory


class Category(ComponentCategory):
    """A theme that a component's proposals are filed under, managed in the back-office."""

    component_kind = "proposals"

    component = models.ForeignKey("spaces.Component", on_delete=models.CASCADE, related_name="proposal_categories")

    class Meta(ComponentCategory.Meta):
        constraints = [
            models.UniqueConstraint(fields=["component", "name"], name="unique_proposal_category_name"),
        ]


class Proposal(Submission):
    """An idea a resident submits; others support and discuss it; the collectivité answers it publicly.

    The shared fields and rules (title, text, point, image, withdrawal, comments) are Submission's."""

    class Answer(models.TextChoices):
        NONE = "", pgettext_lazy("proposal answer", "Not answered yet")
        UNDER_STUDY = "under_study", pgettext_lazy("proposal answer", "Under study")
        ACCEPTED = "accepted", pgettext_lazy("proposal answer", "Accepted")
        REJECTED = "rejected", pgettext_lazy("proposal answer", "Rejected")
        IMPLEMENTED = "implemented", pgettext_lazy("proposal answer", "Implemented")

    # A withdrawn proposal stays on the list, marked withdrawn: its supports and comments stay readable.
    withdrawn_stays_public = True

    component = models.ForeignKey("spaces.Component", on_delete=models.CASCADE, related_name="proposals")
    category = models.ForeignKey(Category, verbose_name=_("category"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="proposals")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="proposals")
    image = models.ImageField(_("image"), upload_to="proposals/", blank=True)

    # Kept up to date in the same transaction as each support, so that lists sort on it.
    support_count = models.PositiveIntegerField(_("supports"), default=0)

    answer_status = models.CharField(pgettext_lazy("proposal answer", "answer"), max_length=16, choices=Answer.choices,
                                     blank=True, default="")
    answer_text = models.TextField(_("answer text"), blank=True)
    answered_at = models.DateTimeField(_("answered on"), null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    # Merged into another proposal of the same component (a duplicate): its page leads to that one.
    merged_into = models.ForeignKey("self", verbose_name=pgettext_lazy("proposal", "merged into"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="merged_proposals")
    merged_at = models.DateTimeField(_("merged on"), null=True, blank=True)
    # The agent who examines the proposal (back-office only).
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("evaluator"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="assigned_proposals")

    # Normalised forms for search and similar proposals (see text.py).
    search_text = models.TextField(blank=True, editable=False)
    title_words = models.CharField(max_length=600, blank=True, editable=False)

    class Meta(Submission.Meta):
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        indexes = [
            # One per sort order of the public list, which reads the proposals not hidden (`hidden_at IS NULL`
            # is an equality for both databases); `id` breaks ties and keeps pages stable. They also cover
            # the count of the list and the ids of a deep page.
            models.Index(fields=["component", "hidden_at", "-created_at", "-id"], name="proposal_recent_idx"),
            models.Index(fields=["component", "hidden_at", "-support_count", "-id"], name="proposal_supports_idx"),
            models.Index(fields=["component", "hidden_at", "-comment_count", "-id"], name="proposal_comments_idx"),
            models.Index(fields=["component", "answer_status"], name="proposal_answer_idx"),
            models.Index(fields=["component", "category"], name="proposal_category_idx"),
            models.Index(fields=["component", "commune"], name="proposal_commune_idx"),
        ]
        constraints = [point_complete_constraint("proposal_point_complete")]

    def get_absolute_url(self) -> str:
        # Lists show dozens of links: the component's own URL is reversed once and kept on it.
        component = self.component
        base = getattr(component, "_proposals_base_url", None)
        if base is None:
            space = component.space
            base = reverse("proposals:index", kwargs={
                "org_slug": space.organisation.slug, "space_slug": space.slug, "component_id": component.pk})
            component._proposals_base_url = base
        return f"{base}{self.pk}/"

    @property
    def is_answered(self) -> bool:
        return bool(self.answer_status)

    @property
    def answer_css(self) -> str:
        """The shared status class whose colour fits the answer (the badge also says it in words)."""
        return {
            self.Answer.UNDER_STUDY: "upcoming", self.Answer.ACCEPTED: "published",
            self.Answer.IMPLEMENTED: "published", self.Answer.REJECTED: "hidden",
        }.get(self.answer_status, "archived")

    @property
    def is_merged(self) -> bool:
        return self.merged_into_id is not None

    def edit_blocker(self) -> str:
        """Why the author can no longer change the proposal, or "" while they still can."""
        if self.is_merged:
            return _("This proposal was merged with another one: it can no longer be changed.")
        if self.is_withdrawn:
            return _("You withdrew this proposal: it can no longer be changed.")
        if self.is_hidden:
            return _("This proposal was hidden by moderation: it can no longer be changed.")
        if self.is_answered:
            return _("The collectivité has answered this proposal: it can no longer be changed.")
        if self.support_count or self.comment_count:
            return _("This proposal already has supports or comments: it can no longer be changed, so that "
                     "everyone keeps supporting and discussing the same text.")
        return ""

    def threshold_reached(self, threshold: int) -> bool:
        return bool(threshold) and self.support_count >= threshold

    def threshold_percent(self, threshold: int) -> int:
        if not threshold:
            return 0
        return min(100, round(100 * self.support_count / threshold))


class Support(models.Model):
    """One participant supports one proposal (at most once: the constraint holds against double clicks)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="supports")
    # Denormalised from the proposal, to count a participant's supports in a component without a join.
    component = models.ForeignKey("spaces.Component", on_delete=models.CASCADE, related_name="+")
    # Kept without its user when the account is erased, so that counts and reached thresholds stay true.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="proposal_supports")
    channel = models.CharField(max_length=16, default="web")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "user"], name="unique_support_per_participant"),
        ]
        indexes = [models.Index(fields=["component", "user"], name="support_component_user_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.proposal_id}"

    @property
    def organisation(self):
        return self.component.space.organisation
