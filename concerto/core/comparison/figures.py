"""The figures compared across communes and territories, and the periodic job that computes them.

For each organisation (commune, territory, the Métropole) and each period, one `ComparisonRow` holds:
- `participants`: the distinct people of the contributions ledger in the period, counted where they took part
  (the organisation and those below it): the accounts, plus each contribution without an account (paper, in
  person) as one person, since nothing tells two of them apart;
- `population` and `participants_per_1000` (None when the organisation's population is not known);
- `actions_done`: the public actions of the accountability trail finished in the period;
- what the components give through their manifests' `comparison` hook (answer times to residents, reports'
  resolution times, budget votes and winning projects), None when no component gives it.

The job runs on the clock (`manage.py run_periodic`) and by `manage.py comparison_refresh`; it rewrites every row,
so running it twice is harmless.
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from statistics import median

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concerto.core import registry
from concerto.core.accountability.models import Action
from concerto.core.comparison.models import ComparisonRow
from concerto.core.insights.representativeness import representativeness_for
from concerto.core.participation.models import Contribution
from concerto.core.territory.models import Organisation

logger = logging.getLogger("concerto.comparison")

LAST_12_MONTHS = "12m"


@dataclass(frozen=True)
class Figure:
    """A column of the comparison: KEY in the rows' figures, LABEL and UNIT in words, HIGHER_IS_BETTER for the
    ranks (more participants is better, a longer answer time is worse), DECIMALS shown."""

    key: str
    label: object
    unit: object = ""
    higher_is_better: bool = True
    decimals: int = 0
    percent: bool = False


FIGURES = (
    Figure("participants_per_1000", _("Participants per 1,000 inhabitants"), decimals=2),
    # One minus the total variation distance between the participants' age bands and the population's
    # (concerto/core/insights): 100 % when those who took part are, by age, the commune's population.
    Figure("representativeness", _("Representativeness by age"), percent=True),
    Figure("answer_median_days", _("Median answer time to residents' questions"), _("days"),
           higher_is_better=False, decimals=1),
    Figure("answer_late_share", _("Questions answered late"), higher_is_better=False, percent=True),
    Figure("reports_median_days", _("Median time to resolve a report"), _("days"), higher_is_better=False,
           decimals=1),
    Figure("budget_votes", _("Participatory budget votes")),
    Figure("budget_winners", _("Winning budget projects")),
    Figure("actions_done", _("Actions completed")),
)
FIGURES_BY_KEY = {figure.key: figure for figure in FIGURES}


def periods(today: date | None = None) -> list[tuple[str, object]]:
    """The periods offered, (key, label): the last twelve months, then this year and the one before."""
    today = today or timezone.localdate()
    return [(LAST_12_MONTHS, _("The last 12 months")),
            *((str(year), str(year)) for year in (today.year, today.year - 1))]


def period_bounds(key: str, today: date | None = None) -> tuple[datetime, datetime]:
    """[since, until) of the period KEY, as aware datetimes."""
    today = today or timezone.localdate()
    tz = timezone.get_current_timezone()
    if key == LAST_12_MONTHS:
        start, end = today - timedelta(days=365), today + timedelta(days=1)
    else:
        start, end = date(int(key), 1, 1), date(int(key) + 1, 1, 1)
    return datetime.combine(start, time.min, tzinfo=tz), datetime.combine(end, time.min, tzinfo=tz)


def by_group(rows, groups) -> dict:
    """{group key: the values of ROWS, (organisation id, value) pairs, whose organisation is in that group} for
    GROUPS, {key: set of organisation ids}. One pass, so that a hook reads its rows once for every organisation."""
    of_organisation: dict[int, list] = {}
    for organisation_id, value in rows:
        of_organisation.setdefault(organisation_id, []).append(value)
    return {key: [value for pk in ids for value in of_organisation.get(pk, ())] for key, ids in groups.items()}


def median_days(durations) -> float | None:
    """The median of DURATIONS (timedeltas) in days, one decimal; None without any."""
    days = [duration.total_seconds() / 86400 for duration in durations]
    return round(median(days), 1) if days else None


def participants(*, groups, since, until) -> dict:
    """Distinct people of the ledger of each group in [SINCE, UNTIL) (see the module's docstring)."""
    every = set().union(*groups.values())
    ledger = Contribution.objects.filter(organisation_id__in=every, created_at__gte=since, created_at__lt=until)
    accounts = by_group(ledger.exclude(author=None).values_list("organisation_id", "author_id").distinct(), groups)
    anonymous = dict(ledger.filter(author=None).values_list("organisation_id").annotate(n=Count("pk"))
                     .values_list("organisation_id", "n"))
    return {key: len(set(accounts[key])) + sum(anonymous.get(pk, 0) for pk in ids) for key, ids in groups.items()}


def actions_done(*, groups, since, until) -> dict:
    """Public actions of each group finished in the period (their actual end, else their last change)."""
    every = set().union(*groups.values())
    first, last = since.date(), until.date()
    done = dict(Action.objects.public().filter(decision__organisation_id__in=every, stage=Action.Stage.DONE)
                .filter(Q(actual_end__gte=first, actual_end__lt=last)
                        | Q(actual_end=None, updated_at__gte=since, updated_at__lt=until))
                .values_list("decision__organisation_id").annotate(n=Count("pk"))
                .values_list("decision__organisation_id", "n"))
    return {key: sum(done.get(pk, 0) for pk in ids) for key, ids in groups.items()}


def per_1000(count: int, population: int | None) -> float | None:
    return round(count * 1000 / population, 2) if population else None


def groups_figures(*, groups, populations, since, until) -> dict:
    """Every figure of each group ({key: its organisation and those below it}) in the period: {key: figures}."""
    people = participants(groups=groups, since=since, until=until)
    done = actions_done(groups=groups, since=since, until=until)
    result = {}
    for key in groups:
        values = {figure.key: None for figure in FIGURES}
        values.update(participants=people[key], population=populations.get(key),
                      participants_per_1000=per_1000(people[key], populations.get(key)), actions_done=done[key])
        result[key] = values
    for manifest in registry.components():
        if manifest.comparison is not None:
            for key, given in manifest.comparison(groups=groups, since=since, until=until).items():
                result[key].update(given)
    organisations = Organisation.objects.in_bulk(list(groups))
    for key in groups:
        if key in organisations:
            score = representativeness_for(organisation=organisations[key], since=since, until=until).score
            result[key]["representativeness"] = None if score is None else round(100 * score, 1)
    return result


def _subtrees(organisations) -> dict[int, set[int]]:
    """{organisation id: its id and those of every organisation below it}, from one list (no query per node)."""
    children: dict[int, list[int]] = {}
    for pk, parent_id in organisations:
        children.setdefault(parent_id, []).append(pk)

    def below(pk):
        found = {pk}
        for child in children.get(pk, []):
            found |= below(child)
        return found

    return {pk: below(pk) for pk, _parent in organisations}


def comparison_refresh(now: datetime | None = None) -> int:
    """Compute every organisation's figures for every period and write them; returns how many rows were written.
    Periods no longer offered are deleted."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    organisations = list(Organisation.objects.values_list("pk", "parent_id", "population"))
    subtrees = _subtrees([(pk, parent) for pk, parent, _population in organisations])
    keys = [key for key, _label in periods(today)]
    populations = {pk: population for pk, _parent, population in organisations}
    rows = []
    for key in keys:
        since, until = period_bounds(key, today)
        figures = groups_figures(groups=subtrees, populations=populations, since=since, until=until)
        rows += [ComparisonRow(organisation_id=pk, period=key, computed_at=now, figures=figures[pk])
                 for pk in subtrees]
    ComparisonRow.objects.bulk_create(rows, batch_size=500, update_conflicts=True,
                                      unique_fields=["organisation", "period"],
                                      update_fields=["figures", "computed_at"])
    ComparisonRow.objects.exclude(period__in=keys).delete()
    logger.info("Comparison figures written: %d rows.", len(rows))
    return len(rows)


# Every six hours: the figures move slowly, and a full pass reads the whole ledger of the period.
REFRESH = registry.PeriodicJob(name="comparison.refresh", every=6 * 3600, run=comparison_refresh)
