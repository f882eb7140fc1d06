"""Decisions and the actions that carry them out (issue 16, "suivi des décisions").

A Decision belongs to an organisation (and optionally to one of its spaces); DecisionLink ties it to the
contributions it answers, whatever component holds them (a generic relation, with the title, address and
organisation copied at link time so that the public trail reads without the component). An Action carries a
decision out, with its stages, figures, place, photos and dated updates (ActionUpdate).
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class DecisionQuerySet(models.QuerySet):
    def public(self):
        """What the public tracker shows: decisions not archived, of a published space or of no space."""
        return self.filter(archived_at__isnull=True).filter(
            Q(space__isnull=True) | Q(space__status="published"))


class Decision(models.Model):
    class Body(models.TextChoices):
        MUNICIPAL_COUNCIL = "municipal_council", _("Municipal council")
        MAYOR = "mayor", _("Mayor")
        TERRITORY_COUNCIL = "territory_council", _("EPT council")
        METROPOLE_COUNCIL = "metropole_council", _("Métropole council")

    organisation = models.ForeignKey("territory.Organisation", on_delete=models.CASCADE, related_name="+")
    space = models.ForeignKey("spaces.Space", verbose_name=_("space"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"), blank=True, max_length=20000)
    decided_on = models.DateField(_("date of the decision"))
    body = models.CharField(_("decided by"), max_length=24, choices=Body.choices)
    deliberation_number = models.CharField(_("deliberation number"), max_length=50, blank=True)
    document = models.FileField(_("deliberation (PDF)"), upload_to="decisions/", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    objects = DecisionQuerySet.as_manager()

    class Meta:
        ordering = ["-decided_on", "-pk"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        indexes = [models.Index(fields=["organisation", "-decided_on"], name="decision_org_date_idx")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("accountability:decision", kwargs={"org_slug": self.organisation.slug,
                                                          "decision_id": self.pk})

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class DecisionLinkQuerySet(models.QuerySet):
    def to_item(self, item):
        return self.filter(target_type=ContentType.objects.get_for_model(item), target_id=item.pk)


class DecisionLink(models.Model):
    """A contribution DECISION answers, with the answer's status and a short public explanation."""

    class Status(models.TextChoices):
        ADOPTED = "adopted", pgettext_lazy("decision answer", "Adopted")
        PARTLY = "partly", pgettext_lazy("decision answer", "Partly adopted")
        NOT_ADOPTED = "not_adopted", pgettext_lazy("decision answer", "Not adopted")
        PLANNED = "planned", pgettext_lazy("decision answer", "Already planned")

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="links")
    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    target_id = models.PositiveBigIntegerField()
    # Copied when linked: the trail reads without asking the component again.
    target_kind = models.CharField(max_length=60)  # "proposals.Proposal"
    target_title = models.CharField(max_length=200)
    target_url = models.CharField(max_length=500)
    target_organisation = models.ForeignKey("territory.Organisation", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(_("answer"), max_length=12, choices=Status.choices)
    explanation = models.CharField(_("public explanation"), max_length=500)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DecisionLinkQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["decision", "target_type", "target_id"],
                                               name="decision_link_once")]
        indexes = [models.Index(fields=["target_type", "target_id"], name="decision_link_target_idx")]

    def __str__(self) -> str:
        return f"{self.decision} → {self.target_title}"

    def carried_by(self) -> list:
        """The actions that carry this answer out: its own (a winning project's works) when it has some, else the
        decision's actions that are no other contribution's own."""
        actions = list(self.decision.actions.all())
        return [a for a in actions if a.link_id == self.pk] or [a for a in actions if a.link_id is None]


class ActionQuerySet(models.QuerySet):
    def public(self):
        return self.filter(decision__in=Decision.objects.public())

    def of_items(self, model, ids):
        """The actions that carry out items of MODEL with those IDS (their own follow-up)."""
        return self.filter(link__target_type=ContentType.objects.get_for_model(model), link__target_id__in=ids)

    def late(self, today=None):
        today = today or timezone.localdate()
        return self.filter(planned_end__lt=today).exclude(stage__in=Action.CLOSED_STAGES)


class Action(models.Model):
    class Stage(models.TextChoices):
        PLANNED = "planned", pgettext_lazy("action stage", "Planned")
        STUDIES = "studies", pgettext_lazy("action stage", "Studies")
        WORKS = "works", pgettext_lazy("action stage", "Works")
        DONE = "done", pgettext_lazy("action stage", "Done")
        ABANDONED = "abandoned", pgettext_lazy("action stage", "Abandoned")

    CLOSED_STAGES = ("done", "abandoned")

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="actions")
    # The one answer this action carries out, when it is a contribution's own follow-up (a winning budget project):
    # its stages then concern that contribution's people only. Empty for an action of the whole decision.
    link = models.ForeignKey(DecisionLink, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=10000)
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices, default=Stage.PLANNED)
    abandon_reason = models.CharField(_("reason for abandoning"), max_length=500, blank=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    budget_planned = models.DecimalField(_("planned budget (€)"), max_digits=14, decimal_places=2,
                                         null=True, blank=True)
    budget_spent = models.DecimalField(_("budget spent (€)"), max_digits=14, decimal_places=2, null=True, blank=True)
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    actual_end = models.DateField(_("actual end"), null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    address = models.CharField(_("address"), max_length=250, blank=True)
    service = models.CharField(_("responsible service"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["planned_end", "pk"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="action_progress_percent"),
            models.CheckConstraint(condition=Q(budget_planned__isnull=True) | Q(budget_planned__gte=0),
                                   name="action_budget_planned_positive"),
            models.CheckConstraint(condition=Q(budget_spent__isnull=True) | Q(budget_spent__gte=0),
                                   name="action_budget_spent_positive"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return f"{self.decision.get_absolute_url()}#action-{self.pk}"

    @property
    def organisation(self):
        return self.decision.organisation

    def is_late(self, today=None) -> bool:
        today = today or timezone.localdate()
        return bool(self.planned_end and self.planned_end < today and self.stage not in self.CLOSED_STAGES)


class ActionUpdate(models.Model):
    """A dated public note on an action's progress (and the stage it reached, if it changed)."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates")
    text = models.TextField(_("update"), max_length=5000)
    stage = models.CharField(max_length=12, choices=Action.Stage.choices, blank=True)
    progress = models.PositiveSmallIntegerField(null=True, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.text[:60]


class ActionPhoto(models.Model):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to="actions/")
    alt = models.CharField(_("description of the photo"), max_length=250)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.alt
