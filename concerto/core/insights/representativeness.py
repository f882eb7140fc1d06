"""Who took part, by INSEE age band, against the population of the commune (or of the communes of a territory or
of the Métropole that have a table).

Participants are people, not contributions: the distinct authors of the contributions ledger (in the organisation,
one space or one component) who gave a year of birth. Their age is the reference year minus their year of birth:
this year while the space runs, the year it ended once it has. The score is one minus the total variation distance
between the two distributions (docs/architecture.md, « Representativeness (issue 18) »).
"""

from dataclasses import dataclass, field

from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from concerto.core.charts import paired_bar_chart
from concerto.core.insights.models import BAND_KEYS, BAND_LABELS, BANDS, PopulationCount, PopulationTable
from concerto.core.participation.models import Channel
from concerto.core.participation.overview import _ledger as ledger_of
from concerto.core.territory.models import Organisation, Quartier

UNDER_REPRESENTED = 0.8  # a band is under-represented below 80 % of its population share
FRAGILE = 30  # below this many participants, the page says the figures are fragile
SUPPRESSED = 5  # a quartier (or the priority areas together) with fewer participants is not shown: too few to hide


def band_index(age: int) -> int:
    """The position in BANDS of AGE, or -1 (a negative age: a year of birth after the reference year)."""
    for index, (_key, low, high) in enumerate(BANDS):
        if low <= age <= high:
            return index
    return len(BANDS) - 1 if age > BANDS[-1][2] else -1


@dataclass
class Population:
    counts: list[float]
    year: int
    source: str
    communes: int  # communes counted
    missing: list[Organisation] = field(default_factory=list)  # communes below without a table

    @property
    def shares(self) -> list[float]:
        total = sum(self.counts)
        return [count / total for count in self.counts]


def communes_of(organisation: Organisation):
    return Organisation.objects.communes().filter(pk__in=organisation.descendant_ids())


def population_of(organisation: Organisation) -> Population | None:
    """The population by band of ORGANISATION: its own table for a commune, the sum of its communes' tables for a
    territory or the Métropole; None when none has a table."""
    communes = communes_of(organisation)
    tables = PopulationTable.objects.filter(organisation__in=communes)
    described = list(tables.values_list("year", "source").distinct())
    if not described:
        return None
    sums = dict(PopulationCount.objects.filter(table__in=tables, sex="").values_list("band")
                .annotate(total=Sum("count")).values_list("band", "total"))
    years = sorted({year for year, _source in described})
    return Population(counts=[sums.get(key, 0.0) for key in BAND_KEYS], year=years[-1],
                      source="; ".join(sorted({source for _year, source in described})),
                      communes=tables.count(),
                      missing=list(communes.exclude(population_table__in=tables).order_by("name")))


def population_by_commune(organisation: Organisation) -> dict[int, list[float]]:
    """Each commune below ORGANISATION that has a table: its six counts (raking's margins)."""
    rows: dict[int, list[float]] = {}
    for commune_id, band, count in (PopulationCount.objects.filter(table__organisation__in=communes_of(organisation),
                                                                   sex="")
                                    .values_list("table__organisation_id", "band", "count")):
        rows.setdefault(commune_id, [0.0] * len(BAND_KEYS))[BAND_KEYS.index(band)] = count
    return rows


@dataclass
class Band:
    key: str
    label: str
    population_share: float | None
    participant_share: float
    participants: int

    @property
    def population_percent(self) -> float | None:
        return None if self.population_share is None else 100 * self.population_share

    @property
    def participant_percent(self) -> float:
        return 100 * self.participant_share

    @property
    def ratio(self) -> float | None:
        if not self.population_share:
            return None
        return self.participant_share / self.population_share


@dataclass
class Representativeness:
    participants: int
    bands: list[Band]
    score: float | None
    population: Population | None
    reference_year: int
    channels: list[tuple[str, int, float | None]] = field(default_factory=list)  # (channel, people, score in %)
    reason: str = ""  # why there is no score
    quartiers: "QuartierFigures | None" = None  # by quartier, when asked

    @property
    def under_represented(self) -> list[Band]:
        """The bands furthest below their population share (ratio < UNDER_REPRESENTED), worst first, at most 3."""
        if not self.participants:
            return []
        low = [band for band in self.bands if band.ratio is not None and band.ratio < UNDER_REPRESENTED]
        return sorted(low, key=lambda band: band.ratio)[:3]

    @property
    def fragile(self) -> bool:
        return 0 < self.participants < FRAGILE

    @property
    def score_percent(self) -> float | None:
        return None if self.score is None else 100 * self.score

    @property
    def svg(self):
        """Participants and population, in % of each, band by band (for sighted readers; the page has the table)."""
        if self.score is None:
            return ""
        return paired_bar_chart([(band.label, band.participant_percent, band.population_percent)
                                 for band in self.bands], (_("Participants"), _("Population")), unit="\u00a0%")


def score_of(participant_shares, population_shares) -> float:
    """1 − total variation distance: 1 when the participants are distributed like the population, 0 when they
    share no band with it; the share of participants that would not need to change band."""
    return 1 - sum(abs(p - q) for p, q in zip(participant_shares, population_shares, strict=True)) / 2


def _by_band(rows, reference_year: int) -> list[int]:
    people = [0] * len(BANDS)
    for birth_year, n in rows:
        index = band_index(reference_year - birth_year)
        if index >= 0:
            people[index] += n
    return people


def reference_year_of(space=None, today=None) -> int:
    today = today or timezone.localdate()
    if space is not None and space.end_date and space.end_date < today:
        return space.end_date.year
    return today.year


def representativeness_for(*, organisation: Organisation, space=None, component=None, today=None,
                           channels: bool = False, quartiers: bool = False, since=None,
                           until=None) -> Representativeness:
    """The participants of ORGANISATION (and below), or of its SPACE, or of one COMPONENT, against the population
    of the commune (of the space's organisation for a space); only those who took part in [SINCE, UNTIL) when
    given (the comparison across communes counts a period)."""
    if component is not None:
        space = component.space
    year = reference_year_of(space, today)
    ledger = ledger_of(organisation=organisation, space=space)
    if since is not None:
        ledger = ledger.filter(created_at__gte=since)
    if until is not None:
        ledger = ledger.filter(created_at__lt=until)
    if component is not None:
        ledger = ledger.filter(component=component)
    aged = ledger.exclude(author__birth_year=None)
    people = _by_band(aged.values_list("author__birth_year").annotate(n=Count("author", distinct=True)).order_by()
                      .values_list("author__birth_year", "n"), year)
    population = population_of(space.organisation if space is not None else organisation)
    result = _compare(people, population, year)
    if channels and population is not None:
        names = dict(Channel.choices)
        by_channel: dict[str, list] = {}
        for channel, birth_year, n in (aged.values_list("channel", "author__birth_year")
                                       .annotate(n=Count("author", distinct=True)).order_by()
                                       .values_list("channel", "author__birth_year", "n")):
            by_channel.setdefault(channel, []).append((birth_year, n))
        for channel, rows in sorted(by_channel.items()):
            compared = _compare(_by_band(rows, year), population, year)
            result.channels.append((str(names.get(channel, channel)), compared.participants, compared.score_percent))
    if quartiers:
        result.quartiers = quartier_figures(ledger, space.organisation if space is not None else organisation,
                                            population)
    return result


def _compare(people: list[int], population: Population | None, year: int) -> Representativeness:
    total = sum(people)
    participant_shares = [n / total if total else 0.0 for n in people]
    population_shares = population.shares if population is not None else [None] * len(BANDS)
    bands = [Band(key, str(BAND_LABELS[key]), population_shares[i], participant_shares[i], people[i])
             for i, key in enumerate(BAND_KEYS)]
    score, reason = None, ""
    if population is None:
        reason = _("No population table by age band for this commune: representativeness is not computed.")
    elif not total:
        reason = _("Nobody who took part has given a year of birth yet.")
    else:
        score = score_of(participant_shares, population_shares)
    return Representativeness(participants=total, bands=bands, score=score, population=population,
                              reference_year=year, reason=reason)


# By quartier: the priority areas of the city policy (QPV) against the rest. ------------------------------------

@dataclass
class QuartierShare:
    name: str
    priority_area: bool
    participants: int | None  # None: fewer than SUPPRESSED, not shown
    participant_share: float | None
    population_share: float | None  # None: the quartier's population or the commune's table is unknown

    @property
    def participant_percent(self):
        return None if self.participant_share is None else 100 * self.participant_share

    @property
    def population_percent(self):
        return None if self.population_share is None else 100 * self.population_share


@dataclass
class QuartierFigures:
    """Participants who gave their quartier, by quartier and for the priority areas together. Shares of
    participants are of those who gave a quartier of these communes; shares of inhabitants are the quartier's
    population (entered by the agents) over the population of the commune(s) in the census table."""

    defined: int  # quartiers described in the communes
    answered: int  # participants who gave one of them
    priority: QuartierShare | None  # the QPV together; None when no quartier is a QPV
    rows: list[QuartierShare] = field(default_factory=list)
    suppressed: int = 0  # quartiers not shown: fewer than SUPPRESSED participants
    reason: str = ""  # why nothing is compared

    @property
    def fragile(self) -> bool:
        return 0 < self.answered < FRAGILE

    @property
    def rest(self) -> QuartierShare | None:
        """The other quartiers together (shown only when the priority areas are)."""
        if self.priority is None or self.priority.participants is None:
            return None
        population = None if self.priority.population_share is None else 1 - self.priority.population_share
        return QuartierShare(str(_("Rest of the commune")), False, self.answered - self.priority.participants,
                             1 - self.priority.participant_share, population)


def _share(part, whole):
    return part / whole if whole and part is not None else None


def quartier_figures(ledger, organisation: Organisation, population: Population | None) -> QuartierFigures:
    """The people of LEDGER (contributions) by quartier of the communes of ORGANISATION, against POPULATION."""
    quartiers = list(Quartier.objects.filter(organisation__in=communes_of(organisation))
                     .order_by("organisation__name", "position", "name"))
    if not quartiers:
        return QuartierFigures(0, 0, None, reason=_(
            "No quartier is described for this commune: the priority areas (QPV) against the rest are not measured. "
            "The agents describe the quartiers on the “Quartiers” page."))
    counts = dict(ledger.filter(author__quartier__in=quartiers).values_list("author__quartier")
                  .annotate(n=Count("author", distinct=True)).order_by().values_list("author__quartier", "n"))
    answered = sum(counts.values())
    inhabitants = sum(population.counts) if population is not None else 0
    rows, suppressed = [], 0
    for quartier in quartiers:
        people = counts.get(quartier.pk, 0)
        shown = people >= SUPPRESSED
        suppressed += 0 if shown else 1
        rows.append(QuartierShare(quartier.name, quartier.priority_area, people if shown else None,
                                  _share(people, answered) if shown else None,
                                  _share(quartier.population, inhabitants)))
    shown_rows = [row for row in rows if row.participants is not None]
    priority_areas = [quartier for quartier in quartiers if quartier.priority_area]
    priority = None
    if priority_areas:
        people = sum(counts.get(quartier.pk, 0) for quartier in priority_areas)
        known = all(quartier.population is not None for quartier in priority_areas)
        population_share = _share(sum(q.population for q in priority_areas), inhabitants) if known else None
        shown = people >= SUPPRESSED
        priority = QuartierShare(str(_("Priority areas (QPV)")), True, people if shown else None,
                                 _share(people, answered) if shown else None, population_share)
    reason = ""
    if not answered:
        reason = _("Nobody who took part has given their quartier yet.")
    elif priority is None:
        reason = _("No quartier of the commune is marked as a priority area of the city policy (QPV).")
    elif priority.participants is None:
        reason = _("Fewer than 5 participants live in the priority areas (QPV): the figure is not shown, so that "
                   "nobody can be recognised.")
    return QuartierFigures(len(quartiers), answered, priority, shown_rows, suppressed, reason)
