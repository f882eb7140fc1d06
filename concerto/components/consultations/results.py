"""Results of a consultation, counted by the database.

Every figure comes from a handful of GROUP BY queries over `Answer` (whose rows repeat the response's
channel and commune of residence, so that filters need no join, and whose covering indexes hold what each
query reads), whatever the number of responses: eight queries for the whole page, plus one per number
question (its median) and one per text question (its latest answers). Nothing loops over responses in
Python. The counts are cached under a key that changes with every counted response.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Avg, Count, Max, Min, Q
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from concerto.components.consultations.models import Answer, ChoiceCount, Question, Response
from concerto.core.insights.weighted import population_for, weighted_results
from concerto.core.participation.models import Channel
from concerto.core.territory.models import Organisation

Kind = Question.Kind
LATEST_TEXTS = 3
MAX_MAP_POINTS = 5000
NO_COMMUNE = "aucune"


@dataclass(frozen=True)
class Filters:
    """Which responses to count: all, or those of one channel and/or one commune of residence.
    `residence` is an Organisation, NO_COMMUNE (not given) or None (any)."""

    channel: str = ""
    residence: object = None

    @property
    def active(self) -> bool:
        return bool(self.channel or self.residence)

    def _q(self, prefix: str = "", *, channel: bool = True) -> Q:
        query = Q()
        if self.channel and channel:
            query &= Q(**{f"{prefix}channel": self.channel})
        if self.residence == NO_COMMUNE:
            query &= Q(**{f"{prefix}residence__isnull": True})
        elif self.residence is not None:
            query &= Q(**{f"{prefix}residence": self.residence})
        return query

    def answers(self) -> Q:
        return self._q()

    def responses(self, *, channel: bool = True) -> Q:
        return self._q(channel=channel)

    def as_query(self) -> dict:
        query = {}
        if self.channel:
            query["canal"] = self.channel
        if self.residence == NO_COMMUNE:
            query["commune"] = NO_COMMUNE
        elif self.residence is not None:
            query["commune"] = self.residence.slug
        return query


ALL = Filters()


def filters_from(cleaned: dict) -> Filters:
    """Filters from a valid ResultsFilterForm's cleaned data."""
    residence = None
    commune = cleaned.get("commune") or ""
    if commune == NO_COMMUNE:
        residence = NO_COMMUNE
    elif commune:
        residence = Organisation.objects.filter(slug=commune).first()
    return Filters(channel=cleaned.get("canal") or "", residence=residence)


def _percent(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


@dataclass
class Item:
    """One line of a question's results: an option, a value of a scale, a month..."""

    label: str
    count: int
    percent: float = 0.0
    average_rank: float | None = None
    is_other: bool = False
    key: object = None


@dataclass
class QuestionResult:
    question: Question
    answered: int = 0
    items: list[Item] = field(default_factory=list)
    mean: float | None = None
    median: float | None = None
    minimum: float | None = None
    maximum: float | None = None
    latest: list[str] = field(default_factory=list)
    other_count: int = 0
    places: list[Item] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.question.kind

    @property
    def has_chart(self) -> bool:
        return bool(self.items)


@dataclass
class Results:
    total: int
    channels: list[Item]
    questions: list[QuestionResult]
    filters: Filters

    def by_section(self, structure) -> list:
        by_question = {result.question.pk: result for result in self.questions}
        return [(section, [by_question[q.pk] for q in section.question_list]) for section in structure.sections]


def submitted_responses(component):
    return Response.objects.filter(component=component, status=Response.Status.SUBMITTED)


def communes_with_responses(component):
    ids = submitted_responses(component).filter(residence__isnull=False).values("residence_id").distinct()
    return Organisation.objects.filter(pk__in=ids).order_by("search_name", "name")


CACHE_SECONDS = 600


def _version(component) -> str:
    """Changes whenever a counted response is added, changed or removed (two index lookups)."""
    figures = submitted_responses(component).aggregate(n=Count("*"), last=Max("updated_at"))
    last = figures["last"].timestamp() if figures["last"] else 0
    return f"{figures['n']}-{last}"


def _cache_key(component, filters: Filters, latest_texts: int) -> str:
    residence = filters.residence if filters.residence in (None, NO_COMMUNE) else filters.residence.pk
    return (f"consultations:results:{component.pk}:{filters.channel}:{residence}:{latest_texts}:"
            f"{_version(component)}")


def results_compute(structure, filters: Filters = ALL, *, latest_texts: int = LATEST_TEXTS,
                    use_cache: bool = True) -> Results:
    """The results of STRUCTURE's questionnaire for the responses FILTERS keeps.

    The counts are kept in the cache under a key that changes with every counted response, so that a
    page seen by many people is counted once, and a new response is counted at once. The wording comes
    from STRUCTURE, so that a corrected label shows without recounting."""
    component = structure.component
    if use_cache:
        key = _cache_key(component, filters, latest_texts)
        figures = cache.get(key)
        if figures is None:
            figures = _figures(structure, filters, latest_texts)
            cache.set(key, figures, CACHE_SECONDS)
    else:
        figures = _figures(structure, filters, latest_texts)
    return _results(structure, filters, figures)


def _figures(structure, filters: Filters, latest_texts: int) -> dict:
    """Every count the results need, read with GROUP BY queries, as plain data (cacheable)."""
    component = structure.component
    responses = submitted_responses(component)
    figures = {
        "total": responses.filter(filters.responses()).count(),
        # The share of each channel among the responses of the commune filter (the channel filter aside).
        "channels": dict(responses.filter(filters.responses(channel=False)).values_list("channel")
                         .annotate(n=Count("*")).order_by()),
        "options": {}, "scale": defaultdict(dict), "numbers": {}, "dates": defaultdict(dict), "written": [],
        "places": {}, "latest": {},
    }
    ids_of = defaultdict(list)
    for question in structure.questions:
        ids_of[question.kind].append(question.pk)
    answers = Answer.objects.filter(filters.answers())

    choice_ids = ids_of[Kind.SINGLE] + ids_of[Kind.MULTIPLE] + ids_of[Kind.RANKING]
    if choice_ids:
        # One row per chosen option; for multiple choice and ranking, the row with rank 1 stands for
        # the person, so people are counted in the same pass, without a COUNT(DISTINCT).
        for _question_id, option_id, count, rank, people in (
            answers.filter(question_id__in=choice_ids).values_list("question_id", "option_id")
            .annotate(n=Count("*"), mean_rank=Avg("rank"), people=Count("rank", filter=Q(rank=1))).order_by()
        ):
            figures["options"][option_id] = (count, rank, people)
    if ids_of[Kind.SCALE]:
        for question_id, number, count in (
            answers.filter(question_id__in=ids_of[Kind.SCALE]).values_list("question_id", "number")
            .annotate(n=Count("*")).order_by()
        ):
            figures["scale"][question_id][int(number)] = count
    if ids_of[Kind.NUMBER]:
        for question_id, count, mean, low, high in (
            answers.filter(question_id__in=ids_of[Kind.NUMBER]).values_list("question_id")
            .annotate(n=Count("*"), mean=Avg("number"), low=Min("number"), high=Max("number")).order_by()
        ):
            median = _median(answers.filter(question_id=question_id), count) if count else None
            figures["numbers"][question_id] = (count, mean, low, high, median)
    if ids_of[Kind.DATE]:
        # Grouped by day in SQL (a few hundred rows at most), then by month when shown.
        for question_id, day, count in (
            answers.filter(question_id__in=ids_of[Kind.DATE]).values_list("question_id", "date")
            .annotate(n=Count("*")).order_by()
        ):
            figures["dates"][question_id][day] = count
    # Texts and points: how many answered, and for points in which commune (texts have no place).
    written_ids = ids_of[Kind.SHORT_TEXT] + ids_of[Kind.LONG_TEXT] + ids_of[Kind.POINT]
    if written_ids:
        figures["written"] = list(answers.filter(question_id__in=written_ids).values_list("question_id", "place_id")
                                  .annotate(n=Count("*")).order_by())
        places = {place for _question, place, _count in figures["written"] if place}
        if places:
            figures["places"] = dict(Organisation.objects.filter(pk__in=places).values_list("pk", "name"))
    if latest_texts:
        answered = {question_id for question_id, _place, _count in figures["written"]}
        for question_id in ids_of[Kind.SHORT_TEXT] + ids_of[Kind.LONG_TEXT]:
            if question_id in answered:
                figures["latest"][question_id] = list(
                    # Newest responses first, read backwards along an index.
                    answers.filter(question_id=question_id).order_by("-response_id").values_list("text", flat=True)
                    [:latest_texts]
                )
    figures["scale"], figures["dates"] = dict(figures["scale"]), dict(figures["dates"])
    return figures


def _results(structure, filters: Filters, figures: dict) -> Results:
    channel_counts = figures["channels"]
    channel_total = sum(channel_counts.values())
    channels = [Item(label=str(label), count=channel_counts.get(value, 0),
                     percent=_percent(channel_counts.get(value, 0), channel_total), key=value)
                for value, label in Channel.choices if channel_counts.get(value)]
    results = {question.pk: QuestionResult(question=question) for question in structure.questions}
    option_counts = figures["options"]
    for question in structure.questions:
        result = results[question.pk]
        options = structure.options.get(question.pk, [])
        if question.has_options:
            counts = [option_counts.get(option.pk, (0, None, 0)) for option in options]
            if question.kind == Kind.SINGLE:
                result.answered = sum(count for count, _rank, _people in counts)
            else:
                result.answered = sum(people for _count, _rank, people in counts)
            for option, (count, rank, _people) in zip(options, counts, strict=True):
                result.items.append(Item(
                    label=option.label, count=count, percent=_percent(count, result.answered),
                    is_other=option.is_other, key=option.pk,
                    average_rank=round(rank, 2) if rank is not None and question.kind == Kind.RANKING else None,
                ))
                if option.is_other:
                    result.other_count = count
            if question.kind == Kind.RANKING:
                result.items.sort(key=lambda item: (item.average_rank is None, item.average_rank or 0))
        elif question.kind == Kind.SCALE:
            counts = figures["scale"].get(question.pk, {})
            result.answered = sum(counts.values())
            scale = question.scale_range()
            labels = {scale[0]: question.scale_min_label, scale[-1]: question.scale_max_label}
            for value in scale:
                label = f"{value} ({labels[value]})" if labels.get(value) else str(value)
                result.items.append(Item(label=label, count=counts.get(value, 0),
                                         percent=_percent(counts.get(value, 0), result.answered), key=value))
            if result.answered:
                result.mean = round(sum(value * count for value, count in counts.items()) / result.answered, 2)
        elif question.kind == Kind.NUMBER and question.pk in figures["numbers"]:
            count, mean, low, high, median = figures["numbers"][question.pk]
            result.answered, result.minimum, result.maximum, result.median = count, low, high, median
            result.mean = round(mean, 2) if mean is not None else None
        elif question.kind == Kind.DATE:
            months = defaultdict(int)
            for day, count in figures["dates"].get(question.pk, {}).items():
                months[day.replace(day=1)] += count
            result.answered = sum(months.values())
            for month in sorted(months):
                result.items.append(Item(label=date_format(month, "F Y"), count=months[month],
                                         percent=_percent(months[month], result.answered), key=month))
    places = defaultdict(list)
    for question_id, place_id, count in figures["written"]:
        if question_id in results:
            results[question_id].answered += count
            places[question_id].append((figures["places"].get(place_id) or _("Commune not known"), count))
    for question_id, found in places.items():
        result = results[question_id]
        if result.kind == Kind.POINT:
            result.places = [Item(label=name, count=count, percent=_percent(count, result.answered))
                             for name, count in sorted(found, key=lambda place: (-place[1], place[0]))]
    for question_id, texts in figures["latest"].items():
        if question_id in results:
            results[question_id].latest = texts
    return Results(total=figures["total"], channels=channels,
                   questions=[results[question.pk] for question in structure.questions], filters=filters)


def _median(answers, count: int) -> float:
    middle = answers.order_by("number").values_list("number", flat=True)
    if count % 2:
        return middle[count // 2]
    low, high = list(middle[count // 2 - 1: count // 2 + 1])
    return (low + high) / 2


def weighted_choice_results(structure, *, recount: bool = False) -> list:
    """Each single- and multiple-choice question with its results raw and weighted to the population by age band
    (concerto.core.insights.weighted), from the counts the database keeps per (question, option, year of birth,
    commune of residence) as answers arrive and change (models.ChoiceCount, choice_counts.py): a few thousand rows
    whatever the number of responses, always up to date (a changed year of birth counts at once), so no cache.
    RECOUNT groups the answers themselves instead (the former way, which the tests and the bench compare with)."""
    questions = [question for question in structure.questions if question.kind in (Kind.SINGLE, Kind.MULTIPLE)]
    if not questions:
        return []
    component = structure.component
    rows = _recounted_rows(questions) if recount else _counted_rows(questions)
    people, chosen = defaultdict(list), defaultdict(list)
    # One order for both ways, so that the weights are summed in the same order and the figures are identical.
    for question_id, option_id, birth_year, place, n, first in sorted(rows, key=_row_order):
        chosen[question_id].append((birth_year, place, option_id, n))
        if first:
            people[question_id].append((birth_year, place, first))
    space = component.space
    population = population_for(organisation=space.organisation, space=space)
    results = []
    for question in questions:
        position = {option.pk: index for index, option in enumerate(question.option_list)}
        results.append((question, weighted_results(
            organisation=space.organisation, space=space, population=population, respondents=people[question.pk],
            chosen=[(year, place, position[option], n) for year, place, option, n in chosen[question.pk]
                    if option in position],
            labels=[option.label for option in question.option_list])))
    return results


def _row_order(row) -> tuple:
    return tuple(value or 0 for value in row[:4])


def _counted_rows(questions) -> list:
    """(question, option, year of birth, commune of residence, answers, people) rows, as the table keeps them
    (0 stands for unknown there)."""
    rows = (ChoiceCount.objects.filter(question__in=questions, answers__gt=0)
            .values_list("question_id", "option_key", "birth_year", "residence_key", "answers", "people"))
    return [(question, option or None, year or None, place or None, n, first)
            for question, option, year, place, n, first in rows]


def _recounted_rows(questions) -> list:
    """The same rows grouped from the answers. The row with rank 1 (or without a rank, for single choice) stands
    for the person, so people are counted in the same pass: a cell's respondents to a question are the sum of its
    `people` over the options (weighted_results adds them up)."""
    answers = Answer.objects.filter(question__in=questions, response__status=Response.Status.SUBMITTED)
    return list(answers.values_list("question_id", "option_id", "response__respondent__birth_year", "residence_id")
                .annotate(n=Count("pk"), people=Count("pk", filter=Q(rank__isnull=True) | Q(rank=1))).order_by())


def text_answers(question, filters: Filters = ALL, search: str = ""):
    """The written answers to QUESTION (a text question, or the "other" answers of a choice question),
    newest first, as a queryset to paginate."""
    answers = Answer.objects.filter(filters.answers(), question=question).exclude(text="")
    if search:
        answers = answers.filter(text__icontains=search)
    return answers.order_by("-response_id", "-pk").select_related("option")


def points_geojson(question, filters: Filters = ALL, *, url: str = "") -> dict:
    """The points answered to a map question, as a GeoJSON FeatureCollection (the latest MAX_MAP_POINTS)."""
    rows = (Answer.objects.filter(filters.answers(), question=question, latitude__isnull=False)
            .order_by("-pk").values_list("latitude", "longitude", "place__name")[:MAX_MAP_POINTS])
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [longitude, latitude]},
             "properties": {"title": place or _("Answer"), "url": url}}
            for latitude, longitude, place in rows
        ],
    }


def results_rows(structure, results: Results) -> list[dict]:
    """The aggregated results as flat rows (open data): one per question and answer, month or value.
    Nothing about any respondent."""
    rows = []
    for result in results.questions:
        question = result.question
        base = {"question_id": question.pk, "question": question.label, "type": question.kind,
                "answered": result.answered}
        for item in result.items:
            rows.append({**base, "answer": item.label, "count": item.count, "percent": item.percent,
                         "average_rank": item.average_rank})
        for item in result.places:
            rows.append({**base, "answer": item.label, "count": item.count, "percent": item.percent,
                         "average_rank": None})
        if question.kind in (Kind.NUMBER, Kind.SCALE) and result.mean is not None:
            rows.append({**base, "answer": "mean", "count": result.answered, "percent": None,
                         "average_rank": None, "value": result.mean})
        if question.kind == Kind.NUMBER and result.answered:
            for name in ("median", "minimum", "maximum"):
                rows.append({**base, "answer": name, "count": result.answered, "percent": None,
                             "average_rank": None, "value": getattr(result, name)})
        if question.kind in (Kind.SHORT_TEXT, Kind.LONG_TEXT):
            rows.append({**base, "answer": "written answers", "count": result.answered, "percent": None,
                         "average_rank": None})
    return rows
