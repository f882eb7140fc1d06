"""Weighted results for the components (questionnaires, quick polls): the population side of weighting.py.

A component gives its respondents (year of birth and commune of residence, either may be unknown) and what each
chose; it gets raw and weighted shares side by side, the effective sample size and the warnings, for the kernel
template "insights/weighted_results.html". Post-stratification on the age band for a commune; raking on age band
× commune of residence when the organisation has several communes with a table.
"""

from dataclasses import dataclass, field

import numpy as np
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from concerto.core.insights import weighting
from concerto.core.insights.models import BAND_KEYS, BAND_LABELS
from concerto.core.insights.representativeness import (
    band_index,
    communes_of,
    population_by_commune,
    population_of,
    reference_year_of,
)


@dataclass
class WeightedRow:
    label: str
    count: int
    percent: float
    weighted_percent: float | None


@dataclass
class WeightedResults:
    rows: list[WeightedRow]
    respondents: int
    weights: weighting.Weights | None = None
    source: str = ""
    notes: list[str] = field(default_factory=list)  # merges, people left out
    warning: str = ""  # extreme weights
    reason: str = ""  # why nothing is weighted

    @property
    def effective_n(self) -> int:
        return round(self.weights.effective_n) if self.weights else 0


def _labels(keys) -> str:
    return ", ".join(str(BAND_LABELS[BAND_KEYS[key]]) for key in keys)


@dataclass
class Population:
    """What the weights are computed against, the same for every question of a component: the reference year,
    the population table by age band and, when the organisation has several communes with a table, theirs."""

    year: int
    table: object  # representativeness.population_of's, or None
    by_commune: dict


def population_for(*, organisation, space=None, today=None) -> Population:
    """Read once for all the questions of a component (seven queries), rather than once per question."""
    owner = space.organisation if space is not None else organisation
    table = population_of(owner)
    by_commune = population_by_commune(owner) if table is not None and communes_of(owner).count() > 1 else {}
    return Population(year=reference_year_of(space, today), table=table, by_commune=by_commune)


def weighted_results(*, organisation, respondents, chosen, labels, space=None, today=None,
                     population: Population | None = None) -> WeightedResults:
    """RESPONDENTS: (birth_year or None, residence organisation id or None, how many people) per cell of the
    respondents; CHOSEN: (birth_year, residence id, position in LABELS, how many people chose it). The database
    groups them (GROUP BY), so that the cost does not grow with the number of respondents. POPULATION: from
    population_for, when the caller weights several questions."""
    cells = {(birth_year, place): row for row, (birth_year, place) in
             enumerate(dict.fromkeys((birth_year, place) for birth_year, place, _n in respondents))}
    people = np.zeros(len(cells))
    for birth_year, place, n in respondents:
        people[cells[birth_year, place]] += n
    matrix = np.zeros((len(cells), len(labels)))
    for birth_year, place, position, n in chosen:
        row = cells.get((birth_year, place))
        if row is not None:
            matrix[row, position] += n
    raw = matrix.sum(axis=0)
    count = int(people.sum())
    result = WeightedResults(rows=[], respondents=count)
    if population is None:
        population = population_for(organisation=organisation, space=space, today=today)
    year = population.year
    bands = np.array([band_index(year - birth_year) if birth_year else -1 for birth_year, _place in cells],
                     dtype=np.int64)
    by_commune = population.by_commune
    table = population.table
    weights = None
    if table is None:
        result.reason = _("No population table by age band for this commune: results are not weighted.")
    elif not count:
        result.reason = _("No answer yet.")
    else:
        result.source = f"{table.source} ({table.year})"
        if len(by_commune) > 1:
            order = sorted(by_commune)
            position = {commune_id: index for index, commune_id in enumerate(order)}
            places = np.array([position.get(place, -1) for _year, place in cells], dtype=np.int64)
            weights = weighting.rake(bands, places, np.array([by_commune[pk] for pk in order]), counts=people)
        else:
            weights = weighting.post_stratify(bands, np.array(table.counts), counts=people)
        if not weights.n:
            result.reason = _("None of the respondents gave a year of birth: results are not weighted.")
            weights = None
    if weights is not None:
        result.weights = weights
        shares = weighting.weighted_shares(weights, matrix)
        if weights.left_out:
            result.notes.append(ngettext(
                "%(count)s respondent is left out of the weighted results: no year of birth (or no commune of "
                "residence in the area) in their account.",
                "%(count)s respondents are left out of the weighted results: no year of birth (or no commune of "
                "residence in the area) in their account.", weights.left_out) % {"count": weights.left_out})
        if weights.merged:
            result.notes.append(_("Age bands without any respondent merged with their neighbour: %(bands)s.")
                                % {"bands": _labels([band for band, _into in weights.merged])})
        if weights.dropped:
            result.notes.append(ngettext(
                "%(count)s commune has no respondent: its inhabitants cannot be represented.",
                "%(count)s communes have no respondent: their inhabitants cannot be represented.",
                len(weights.dropped)) % {"count": len(weights.dropped)})
        if weights.extreme:
            result.warning = _(
                "Some weights are extreme (largest %(max)s, effective sample %(effective)s for %(n)s respondents): "
                "a few people count for many, read the weighted results with caution.") % {
                "max": f"{weights.max_weight:.1f}", "effective": round(weights.effective_n), "n": weights.n}
    else:
        shares = None
    result.rows = [WeightedRow(label=str(label), count=int(raw[i]), percent=100 * raw[i] / count if count else 0.0,
                               weighted_percent=100 * float(shares[i]) if shares is not None else None)
                   for i, label in enumerate(labels)]
    return result
