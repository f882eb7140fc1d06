"""What a space's concertation plan says next to its representativeness gap, while the process is open.

The participation overview's panel (core/backoffice/overview_views.py, template insights/panel.html) shows, under
the under-represented age bands:
- each age band the plan set out to reach, and whether it is still below its share of the inhabitants;
- the under-represented bands the plan does not name (the plan's « publics » section is one click away);
- the plan's actors who can relay the process (how each is reached), and the next dates of its mobilisation
  calendar.
Nothing is invented: every line comes from the plan the agents wrote and from the figures of the panel. A space
without a plan gets an invitation to write one.
"""

from dataclasses import dataclass, field

from concerto.core.insights.models import BAND_LABELS
from concerto.core.insights.representativeness import UNDER_REPRESENTED, Representativeness
from concerto.core.mobilisation.models import Plan, PlanMilestone, PlanStakeholder

MAX_STAKEHOLDERS = 5
MAX_MILESTONES = 3


@dataclass(frozen=True)
class TargetedBand:
    """An age band the plan names, with where it stands among the participants."""

    key: str
    label: str
    participant_percent: float | None  # None: no population table, or nobody gave an age
    population_percent: float | None

    @property
    def behind(self) -> bool:
        """Still under-represented (the panel's own threshold)."""
        if self.participant_percent is None or not self.population_percent:
            return False
        return self.participant_percent / self.population_percent < UNDER_REPRESENTED


@dataclass
class PlanAdvice:
    plan: Plan | None  # None: the space has no plan yet
    targeted: list[TargetedBand] = field(default_factory=list)
    not_targeted: list = field(default_factory=list)  # under-represented Bands the plan does not name
    stakeholders: list[PlanStakeholder] = field(default_factory=list)
    milestones: list[PlanMilestone] = field(default_factory=list)

    @property
    def behind(self) -> list[TargetedBand]:
        return [band for band in self.targeted if band.behind]


def plan_advice(space, result: Representativeness, today) -> PlanAdvice:
    """SPACE's plan read against RESULT (the space's representativeness): see the module's docstring."""
    plan = Plan.objects.filter(space=space).first()
    if plan is None:
        return PlanAdvice(plan=None)
    by_key = {band.key: band for band in result.bands} if result.participants else {}
    targeted = []
    for key in plan.age_bands or []:
        if key not in BAND_LABELS:
            continue
        band = by_key.get(key)
        targeted.append(TargetedBand(
            key=key, label=str(BAND_LABELS[key]),
            participant_percent=band.participant_percent if band is not None else None,
            population_percent=band.population_percent if band is not None else None))
    named = set(plan.age_bands or [])
    return PlanAdvice(
        plan=plan, targeted=targeted,
        not_targeted=[band for band in result.under_represented if band.key not in named],
        stakeholders=list(plan.stakeholders.select_related("actor")[:MAX_STAKEHOLDERS]),
        milestones=list(plan.milestones.filter(date__gte=today)[:MAX_MILESTONES]))
