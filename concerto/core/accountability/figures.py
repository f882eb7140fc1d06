"""The figures elected officials ask of accountability, for an organisation (its own spaces) or one of its spaces:
how many contributions got a public answer, how long it took, decisions per space, actions late.

A contribution here is a row of the ledger whose item a decision may answer (the manifests' `linkables`: proposals,
budget projects, reports, questions to officials...); a support, a comment or a questionnaire response is not one.
It is answered when a public decision (not archived, of a published space or of none) links its item, whoever
decided (the commune, its territory, the Métropole). The time to answer runs from the day it was made to the date of
the first public decision that answers it. Every figure is one aggregate query (the median: a count, then the one or
two middle rows read through ORDER BY ... OFFSET), whatever the number of contributions."""

from dataclasses import dataclass

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, DurationField, Exists, ExpressionWrapper, F, OuterRef, Q, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone

from concerto.core import registry
from concerto.core.accountability.models import Action, Decision, DecisionLink
from concerto.core.participation.models import Contribution
from concerto.core.spaces.models import Space


@dataclass
class Figures:
    contributions: int = 0
    answered: int = 0
    median_days: float | None = None
    decisions: int = 0
    actions: int = 0
    late: int = 0

    @property
    def answered_percent(self) -> float | None:
        return round(100 * self.answered / self.contributions, 1) if self.contributions else None


def _linkable_types() -> list[int]:
    models = [apps.get_model(linkable.model) for manifest in registry.components() for linkable in manifest.linkables]
    return [ct.pk for ct in ContentType.objects.get_for_models(*models).values()] if models else []


def _answers():
    """The public answers to the ledger row of the outer query, first decided first."""
    return (DecisionLink.objects.filter(decision__in=Decision.objects.public(), target_type=OuterRef("target_type"),
                                        target_id=OuterRef("target_id")).order_by("decision__decided_on"))


def figures_compute(*, organisation, space=None, today=None) -> Figures:
    today = today or timezone.localdate()
    contributions = Contribution.objects.filter(organisation=organisation, target_type_id__in=_linkable_types())
    decisions = Decision.objects.public().filter(organisation=organisation)
    if space is not None:
        contributions = contributions.filter(component__space=space)
        decisions = decisions.filter(space=space)
    figures = Figures(**contributions.aggregate(contributions=Count("pk"),
                                                answered=Count("pk", filter=Exists(_answers()))))
    if figures.answered:
        delays = (contributions.annotate(answered_on=Subquery(_answers().values("decision__decided_on")[:1]))
                  .filter(answered_on__isnull=False)
                  .annotate(delay=ExpressionWrapper(F("answered_on") - TruncDate("created_at"),
                                                    output_field=DurationField()))
                  .order_by("delay").values_list("delay", flat=True))
        middle = figures.answered // 2
        if figures.answered % 2:
            values = list(delays[middle:middle + 1])
        else:
            values = list(delays[middle - 1:middle + 1])
        figures.median_days = sum(value.total_seconds() for value in values) / len(values) / 86400
    figures.decisions = decisions.count()
    actions = Action.objects.filter(decision__in=decisions).aggregate(
        actions=Count("pk"), late=Count("pk", filter=Q(planned_end__lt=today) & ~Q(stage__in=Action.CLOSED_STAGES)))
    figures.actions, figures.late = actions["actions"], actions["late"]
    return figures


COLUMNS = ("space", "contributions", "answered", "answered_percent", "median_days_to_answer", "decisions", "actions",
           "actions_late")


def figures_table(*, organisation, today=None) -> list[dict]:
    """The figures of ORGANISATION as a whole (space ""), then of each of its spaces, newest first: the page's table
    and its CSV. A few aggregate queries per space, never a row read per contribution."""
    rows = []
    spaces = [None, *Space.objects.filter(organisation=organisation).order_by("-created_at", "-pk")]
    for space in spaces:
        figures = figures_compute(organisation=organisation, space=space, today=today)
        rows.append({"space": space.title if space is not None else "", "space_object": space,
                     "contributions": figures.contributions, "answered": figures.answered,
                     "answered_percent": figures.answered_percent,
                     "median_days_to_answer": (round(figures.median_days, 1) if figures.median_days is not None
                                               else None),
                     "decisions": figures.decisions, "actions": figures.actions, "actions_late": figures.late})
    return rows
