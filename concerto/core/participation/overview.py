"""The participation overview of an organisation or of one space, for the people who decide: who took part,
in what, through which channel, when, from which commune and at what age (where people gave a year of
birth), read from the contributions ledger; then what each component adds through its manifest's
`overview` hook (top proposals by supports, reports' resolution times...).

Every figure is a `charts.Chart`: the page draws it, reads it as a table, and the CSV holds the same rows.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count
from django.db.models.functions import TruncWeek
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from concerto.core.charts import Chart
from concerto.core.participation.models import Channel, Contribution

WEEKS = 26  # the weeks drawn by the "by week" chart: about six months
AGE_BANDS = ((0, 17, gettext_lazy("under 18")), (18, 29, gettext_lazy("18 to 29")),
             (30, 44, gettext_lazy("30 to 44")), (45, 59, gettext_lazy("45 to 59")),
             (60, 74, gettext_lazy("60 to 74")), (75, 200, gettext_lazy("75 and over")))


@dataclass
class Overview:
    total: int = 0
    people: int = 0
    charts: list[Chart] = field(default_factory=list)
    # The charts of who took part, also in `charts`, by name for the space's synthesis (backoffice/synthesis.py).
    by_channel: Chart | None = None
    by_commune: Chart | None = None
    by_age: Chart | None = None


def age_band(age: int) -> str:
    for low, high, label in AGE_BANDS:
        if low <= age <= high:
            return str(label)
    return ""


def week_label(day) -> str:
    """« semaine du 1 juin 2026 »: months in words, in the reader's language."""
    return _("week of %(day)s") % {"day": date_format(day, "j F Y")}


def _ledger(*, organisation, space=None):
    rows = Contribution.objects.filter(organisation_id__in=organisation.descendant_ids())
    if space is not None:
        rows = rows.filter(component__space=space)
    return rows


def overview_for(*, organisation, space=None, today=None) -> Overview:
    """The figures of ORGANISATION (and the communes below it), or of its SPACE only."""
    from concerto.core.spaces.models import Component

    today = today or timezone.localdate()
    ledger = _ledger(organisation=organisation, space=space)
    overview = Overview(total=ledger.count())
    overview.people = ledger.exclude(author=None).values("author").distinct().count()

    components = (Component.objects.filter(space=space) if space is not None else
                  Component.objects.filter(space__organisation_id__in=organisation.descendant_ids()))
    components = list(components.select_related("space"))
    titles = {c.pk: (c.title if space is not None else f"{c.title} ({c.space.title})") for c in components}
    by_component = ledger.exclude(component=None).values_list("component").annotate(n=Count("pk")).order_by("-n")
    overview.charts.append(Chart(
        _("Contributions by component"), [(titles.get(pk, "—"), n) for pk, n in by_component],
        summary=_("Where people took part: each component's number of contributions.")))

    channels = dict(Channel.choices)
    by_channel = ledger.values_list("channel").annotate(n=Count("pk")).order_by("-n")
    overview.by_channel = Chart(
        _("Contributions by channel"), [(str(channels.get(key, key)), n) for key, n in by_channel],
        summary=_("How contributions reached the commune: website, paper, in person, chatbot, API."))
    overview.charts.append(overview.by_channel)

    start = today - timedelta(weeks=WEEKS - 1, days=today.weekday())
    weeks = dict(ledger.filter(created_at__date__gte=start).annotate(week=TruncWeek("created_at"))
                 .values_list("week").annotate(n=Count("pk")).values_list("week", "n"))
    weeks = {(key.date() if hasattr(key, "date") else key): n for key, n in weeks.items()}
    rows = [(week_label(start + timedelta(weeks=i)), weeks.get(start + timedelta(weeks=i), 0)) for i in range(WEEKS)]
    overview.charts.append(Chart(
        _("Contributions by week"), rows, kind="columns",
        summary=ngettext("The last %(weeks)d week, from %(start)s.", "The last %(weeks)d weeks, from %(start)s.",
                         WEEKS) % {"weeks": WEEKS, "start": date_format(start, "j F Y")}))

    by_commune = (ledger.exclude(residence=None).values_list("residence__name").annotate(n=Count("pk"))
                  .order_by("-n", "residence__name"))
    unknown = ledger.filter(residence=None).count()
    overview.by_commune = Chart(
        _("Contributions by commune of residence"),
        [*((name, n) for name, n in by_commune), *([(_("Not given"), unknown)] if unknown else [])],
        summary=_("The commune where contributors live, when they said so or when it was entered from paper."))
    overview.charts.append(overview.by_commune)

    ages: Counter = Counter()
    year = today.year
    for birth_year, n in (ledger.exclude(author__birth_year=None).values_list("author__birth_year")
                          .annotate(n=Count("pk")).order_by()):
        ages[age_band(year - birth_year)] += n
    order = [str(label) for _low, _high, label in AGE_BANDS]
    overview.by_age = Chart(
        _("Contributions by age band"), [(band, ages[band]) for band in order if ages.get(band)],
        summary=ngettext("Only for the people who gave their year of birth in their account: %(count)s contribution.",
                         "Only for the people who gave their year of birth in their account: %(count)s contributions.",
                         sum(ages.values())) % {"count": sum(ages.values())})
    overview.charts.append(overview.by_age)

    overview.charts.extend(components_charts(components, "overview"))
    return overview


def components_charts(components, hook: str) -> list[Chart]:
    """The charts the manifests' HOOK ("overview", "dialogue") gives for COMPONENTS, kind by kind."""
    from concerto.core import registry

    by_kind: dict[str, list] = {}
    for component in components:
        by_kind.setdefault(component.kind, []).append(component)
    charts = []
    for kind, of_kind in sorted(by_kind.items()):
        try:
            function = getattr(registry.get(kind), hook)
        except LookupError:
            continue
        if function is not None:
            charts.extend(function(of_kind))
    return charts
