"""Participatory budgeting: budgets (envelopes), projects and their review, ballots, paper entries, results
(the follow-up of winning projects is the kernel's: core/accountability).

Who writes what (see docs/architecture.md): budgets, projects and their review in services/ (one module per
concern), ballots in ballots.py and paper sheets in paper.py, results in results.py and pabulib files in
pabulib.py; the counting engine (pure Python, no Django) in counting/. What a project shares with the other
things residents submit (proposals...) is the kernel's Submission (core/participation/submissions).
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from concerto.core.participation.models import Channel
from concerto.core.participation.submissions.models import (
    Submission,
    SubmissionQuerySet,
    point_complete_constraint,
)
from concerto.core.spaces.categories.models import ComponentCategory


class Budget(models.Model):
    """One envelope of a budgets component: the whole commune, or one quartier or commune of a territory.

    Each budget has its own ballot kind and counting rule; a voter casts at most one ballot per budget."""

    class BallotKind(models.TextChoices):
        APPROVAL = "approval", _("Approval: choose up to k projects")
        KNAPSACK = "knapsack", _("Knapsack: choose projects whose total cost fits the budget")
        CUMULATIVE = "cumulative", _("Cumulative: spread points over the projects")

    class Rule(models.TextChoices):
        GREEDY = "greedy", _("Greedy: most votes first, while the budget allows")
        MES = "mes", _("Method of Equal Shares (cost utilities, completed by budget increments)")

    component = models.ForeignKey("spaces.Component", on_delete=models.CASCADE, related_name="budgets")
    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    # Whole euros: amounts and costs of participatory budgets are never given in cents.
    amount = models.PositiveBigIntegerField(_("amount (€)"))
    # Who may vote: residents of this organisation (a commune of a territory's space); the space's own
    # organisation when empty.
    scope = models.ForeignKey("territory.Organisation", verbose_name=_("voters' area"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    ballot_kind = models.CharField(_("ballot"), max_length=16, choices=BallotKind.choices,
                                   default=BallotKind.APPROVAL)
    # Approval: the most projects a ballot may choose (0: no limit). Knapsack: unused.
    max_choices = models.PositiveSmallIntegerField(_("maximum number of projects"), default=0)
    # Knapsack: the smallest share of the amount a ballot must spend, in percent (0: none).
    min_share = models.PositiveSmallIntegerField(_("minimum share of the budget to spend (%)"), default=0)
    # Cumulative: the points each voter spreads, and the most one project may receive (0: no cap).
    points = models.PositiveSmallIntegerField(_("points per voter"), default=10)
    max_points_per_project = models.PositiveSmallIntegerField(_("maximum points per project"), default=0)
    rule = models.CharField(_("counting rule"), max_length=16, choices=Rule.choices, default=Rule.GREEDY)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    # When the collectivité published the list of projects put to the vote, with their final costs.
    ballot_published_at = models.DateTimeField(_("ballot published on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")
        constraints = [
            models.UniqueConstraint(fields=["component", "name"], name="unique_budget_name"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def organisation(self):
        return self.component.space.organisation

    @property
    def voters_area(self):
        return self.scope or self.component.space.organisation


class Category(ComponentCategory):
    """A theme that a component's projects are filed under (environment, sport, culture...)."""

    component_kind = "budgets"

    component = models.ForeignKey("spaces.Component", on_delete=models.CASCADE, related_name="budget_categories")

    class Meta(ComponentCategory.Meta):
        constraints = [
            models.UniqueConstraint(fields=["component", "name"], name="unique_budget_category_name"),
        ]


class ProjectQuerySet(SubmissionQuerySet):
    def on_ballot(self):
        """The projects put to the vote (with their final cost)."""
        return self.filter(on_ballot=True, final_cost__isnull=False)


class Project(Submission):
    """A project residents submit; evaluators review it; the collectivité may put it to the vote."""

    class Eligibility(models.TextChoices):
        PENDING = "", pgettext_lazy("project eligibility", "Not reviewed yet")
        ELIGIBLE = "eligible", pgettext_lazy("project eligibility", "Eligible")
        INELIGIBLE = "ineligible", pgettext_lazy("project eligibility", "Not eligible")

    class Feasibility(models.TextChoices):
        UNKNOWN = "", pgettext_lazy("project feasibility", "Not assessed yet")
        FEASIBLE = "feasible", pgettext_lazy("project feasibility", "Feasible")
        WITH_CHANGES = "with_changes", pgettext_lazy("project feasibility", "Feasible with changes")
        NOT_FEASIBLE = "not_feasible", pgettext_lazy("project feasibility", "Not feasible")

    # A withdrawn project leaves the public list and the vote; its page stays for its author and the team.
    withdrawn_stays_public = False

    component = models.ForeignKey("spaces.Component", on_delete=models.CASCADE, related_name="budget_projects")
    # The envelope the project competes in (one of the component's budgets).
    budget = models.ForeignKey(Budget, verbose_name=_("budget"), null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="projects")
    category = models.ForeignKey(Category, verbose_name=_("category"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="projects")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="budget_projects")
    text = models.TextField(_("description"))  # rich text, sanitised when saved (concerto.core.richtext)
    estimated_cost = models.PositiveBigIntegerField(_("estimated cost (€)"), null=True, blank=True)
    image = models.ImageField(_("image"), upload_to="budgets/", blank=True)
    # Imported projects (pabulib replay) keep the file's id; empty otherwise.
    external_id = models.CharField(max_length=64, blank=True)

    # Review (evaluators). The public answer is shown on the project's page once published.
    eligibility = models.CharField(_("eligibility"), max_length=16, choices=Eligibility.choices, blank=True,
                                   default="")
    eligibility_reason = models.TextField(_("reason"), blank=True)
    feasibility = models.CharField(_("feasibility"), max_length=16, choices=Feasibility.choices, blank=True,
                                   default="")
    # The services' cost estimate; it is the cost on the ballot and in the count.
    final_cost = models.PositiveBigIntegerField(_("final cost (€)"), null=True, blank=True)
    public_answer = models.TextField(_("public answer"), blank=True)
    answered_at = models.DateTimeField(_("answered on"), null=True, blank=True)
    merged_into = models.ForeignKey("self", verbose_name=pgettext_lazy("budget project", "merged into"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="merged_projects")
    on_ballot = models.BooleanField(_("put to the vote"), default=False)
    ballot_number = models.PositiveSmallIntegerField(_("number on the ballot"), null=True, blank=True)

    # Results. A winning project's follow-up (stage, progress, news, photos) is its own action in the kernel's
    # decisions and actions (services/follow_up.py).
    selected = models.BooleanField(_("winning project"), default=False)

    objects = ProjectQuerySet.as_manager()

    class Meta(Submission.Meta):
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        indexes = [
            models.Index(fields=["component", "hidden_at", "-created_at", "-id"], name="budget_project_recent_idx"),
            models.Index(fields=["budget", "on_ballot"], name="budget_project_ballot_idx"),
        ]
        constraints = [
            point_complete_constraint("budget_project_point_complete"),
        ]

    def get_absolute_url(self) -> str:
        space = self.component.space
        return reverse("budgets:project", kwargs={
            "org_slug": space.organisation.slug, "space_slug": space.slug, "component_id": self.component_id,
            "project_id": self.pk})

    @property
    def cost(self):
        """The cost that counts: the services' final cost once reviewed, the author's estimate before."""
        return self.final_cost if self.final_cost is not None else self.estimated_cost


class Evaluation(models.Model):
    """One evaluator's assessment of a project (internal; the project's fields hold the decision)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="evaluations")
    evaluator = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    eligibility = models.CharField(_("eligibility"), max_length=16, choices=Project.Eligibility.choices,
                                   blank=True, default="")
    feasibility = models.CharField(_("feasibility"), max_length=16, choices=Project.Feasibility.choices,
                                   blank=True, default="")
    cost_estimate = models.PositiveBigIntegerField(_("cost estimate (€)"), null=True, blank=True)
    notes = models.TextField(_("internal notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")

    def __str__(self) -> str:
        return f"Evaluation {self.pk}"


class ProjectPhoto(models.Model):
    """A photo of a project from its submission (the photos of its works are its action's, in the kernel)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to="budgets/photos/")
    alt = models.CharField(_("photo description"), max_length=200)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"ProjectPhoto {self.pk}"


class Ballot(models.Model):
    """One voter's ballot for one budget, online or on paper.

    `voter_key` identifies the person, not the account: the salted hash of their census identity when they
    were verified against the census list (so that a paper ballot and an online one by the same person
    collide), `user:<id>` otherwise. The unique constraint is what guarantees one ballot per person per
    budget, whatever the channel and however many requests arrive at once."""

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="ballots")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="budget_ballots")
    voter_key = models.CharField(max_length=80)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.WEB)
    # The voter's commune, for turnout by commune (from their verification or their profile).
    commune = models.ForeignKey("territory.Organisation", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [
            models.UniqueConstraint(fields=["budget", "voter_key"], name="one_ballot_per_voter_per_budget"),
        ]

    def __str__(self) -> str:
        return f"Ballot {self.pk}"


class BallotChoice(models.Model):
    """A project chosen on a ballot, with its points (1 for approval and knapsack ballots)."""

    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="choices")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="ballot_choices")
    points = models.PositiveSmallIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ballot", "project"], name="one_choice_per_project_per_ballot"),
        ]

    def __str__(self) -> str:
        return f"BallotChoice {self.pk}"


class PaperEntry(models.Model):
    """One agent's keying of one paper ballot sheet. Two agents key each sheet; when both entries agree,
    the ballot is cast (channel paper); when they differ, the sheet is flagged for a third look."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting for the second entry")
        MATCHED = "matched", _("Both entries agree: ballot counted")
        MISMATCH = "mismatch", _("Entries differ: to check")
        ALREADY_VOTED = "already_voted", _("Refused: this person already voted")
        REJECTED = "rejected", _("Refused: invalid ballot")

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="paper_entries")
    polling_station = models.CharField(_("polling station"), max_length=100)
    sheet_number = models.CharField(_("sheet number"), max_length=40)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # The voter, as the agent at the polling station recorded them (hashed like the census list, with the salt
    # of their commune: the budget's area, or the commune the agent chose when the area is a territory).
    voter_key = models.CharField(max_length=80, blank=True)
    commune = models.ForeignKey("territory.Organisation", verbose_name=_("voter's commune"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    # {"<project id>": points}
    choices = models.JSONField(default=dict)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.WAITING)
    ballot = models.ForeignKey(Ballot, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("paper ballot entry")
        verbose_name_plural = _("paper ballot entries")
        constraints = [
            models.UniqueConstraint(fields=["budget", "sheet_number", "entered_by"],
                                    name="one_entry_per_sheet_per_agent"),
        ]

    def __str__(self) -> str:
        return f"PaperEntry {self.pk}"


class Result(models.Model):
    """The count of one budget: computed by the budget's rule from the ballots at a moment, then published."""

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="results")
    rule = models.CharField(max_length=16, choices=Budget.Rule.choices)
    computed_at = models.DateTimeField(auto_now_add=True)
    computed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    ballots = models.PositiveIntegerField(default=0)
    # The engine's outcome: selected ids in order, per project votes/cost/reason (see counting.Outcome).
    outcome = models.JSONField(default=dict)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-computed_at", "-pk"]
        get_latest_by = "computed_at"

    def __str__(self) -> str:
        return f"Result {self.pk}"
