"""Representativeness of the participants, public: GET /api/v1/insights/representativeness?organisation=<slug>
(&space=<id>). Figures only, never a person."""

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from concerto.api.common import ErrorOut, Id, Slug, ValidationErrorOut, organisation_or_404
from concerto.core.insights.representativeness import representativeness_for
from concerto.core.spaces.models import Space

router = Router(tags=["insights"])


class InsightsBandOut(Schema):
    band: str = Field(description="INSEE's age band: 0-14, 15-29, 30-44, 45-59, 60-74, 75+.")
    population_share: float | None = Field(description="Share of the inhabitants (0 to 1); null without a table.")
    participant_share: float = Field(description="Share of the participants who gave a year of birth (0 to 1).")
    participants: int


class InsightsPopulationOut(Schema):
    source: str
    year: int
    communes: int = Field(description="Communes whose table is counted.")
    missing_communes: list[str] = Field(description="INSEE codes of the communes below without a table.")


class InsightsPriorityAreasOut(Schema):
    population_share: float | None = Field(description="Inhabitants of the priority areas (QPV) over the census "
                                                        "population of the commune; null when one is unknown.")
    participant_share: float | None = Field(description="Share of the participants who gave their quartier; null "
                                                         "under 5 participants.")
    participants: int | None = Field(description="Null under 5 participants (not shown, so nobody is recognised).")


class InsightsQuartierOut(Schema):
    name: str
    priority_area: bool
    population_share: float | None
    participant_share: float
    participants: int = Field(description="At least 5: quartiers with fewer are left out.")


class InsightsQuartiersOut(Schema):
    priority_areas: InsightsPriorityAreasOut | None = Field(description="Null when no quartier is a QPV.")
    quartiers: list[InsightsQuartierOut]
    participants: int = Field(description="People who took part and gave a quartier of the commune.")
    suppressed: int = Field(description="Quartiers left out: fewer than 5 participants.")
    reason: str


class InsightsRepresentativenessOut(Schema):
    organisation: str
    space: int | None
    bands: list[InsightsBandOut]
    score: float | None = Field(description="1 − total variation distance, 0 to 1; null without a table or "
                                            "without participants who gave a year of birth.")
    participants: int = Field(description="People who took part and gave a year of birth.")
    reference_year: int = Field(description="Ages are this year minus the year of birth.")
    under_represented: list[str] = Field(description="Bands below 80 % of their population share, worst first.")
    source: str | None = Field(description="The population table's source and census year; null without one.")
    population: InsightsPopulationOut | None
    reason: str = Field(description="Why there is no score, when there is none.")
    quartiers: InsightsQuartiersOut = Field(description="Participants by quartier (the priority areas of the city "
                                                        "policy against the rest), public aggregates only.")


class InsightsFilters(Schema):
    organisation: Slug = Field(description="Slug of the commune (or territory, or the Métropole).")
    space: Id | None = Field(None, description="Id of one of its published spaces.")


@router.get("/representativeness", summary="Participants against the population by age band",
            response={200: InsightsRepresentativenessOut, 404: ErrorOut, 422: ValidationErrorOut})
def representativeness(request, filters: Query[InsightsFilters]):
    """The participants of the organisation (or of one of its spaces) who gave a year of birth, by INSEE age band,
    against the population of the commune from the census (for a territory or the Métropole: the sum of its
    communes that have a table), with the score 1 − total variation distance."""
    organisation = organisation_or_404(filters.organisation)
    space = None
    if filters.space is not None:
        space = Space.objects.published().filter(pk=filters.space,
                                                 organisation_id__in=organisation.descendant_ids()).first()
        if space is None:
            raise Http404(_("No published space of this organisation has the id %(id)s.") % {"id": filters.space})
    result = representativeness_for(organisation=organisation, space=space, quartiers=True)
    figures = result.quartiers
    priority = figures.priority
    population = result.population
    return {
        "organisation": organisation.slug, "space": space.pk if space else None,
        "bands": [{"band": band.key, "population_share": band.population_share,
                   "participant_share": band.participant_share, "participants": band.participants}
                  for band in result.bands],
        "score": result.score, "participants": result.participants, "reference_year": result.reference_year,
        "under_represented": [band.key for band in result.under_represented],
        "source": f"{population.source} ({population.year})" if population else None,
        "population": {"source": population.source, "year": population.year, "communes": population.communes,
                       "missing_communes": [commune.insee_code for commune in population.missing]}
        if population else None,
        "reason": result.reason,
        "quartiers": {
            "priority_areas": {"population_share": priority.population_share,
                               "participant_share": priority.participant_share,
                               "participants": priority.participants} if priority else None,
            "quartiers": [{"name": row.name, "priority_area": row.priority_area,
                           "population_share": row.population_share, "participant_share": row.participant_share,
                           "participants": row.participants} for row in figures.rows],
            "participants": figures.answered, "suppressed": figures.suppressed, "reason": str(figures.reason),
        },
    }
