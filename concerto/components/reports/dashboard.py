"""Figures for the elected officials' dashboard: volume over time, resolution times, hot spots, congratulations.

Everything is computed from one filtered list of light rows (values()), so each figure on the page, in its
table and in the CSV export comes from the same numbers.
"""

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from concerto.components.reports.models import Report
from concerto.core import geocoding

# About 100 m: a degree of latitude is 111 km; longitude degrees are narrower by cos(latitude).
CELL_METRES = 100
HOT_SPOTS = 10


@dataclass
class Filters:
    organisation_ids: set[int]
    commune_id: int | None = None
    start: date | None = None
    end: date | None = None
    by: str = "month"  # or "week"


@dataclass
class Dashboard:
    total: int = 0
    periods: list[str] = field(default_factory=list)
    period_names: list[str] = field(default_factory=list)  # the same, as people read them (« juin 2026 »)
    by_kind: list[dict] = field(default_factory=list)        # [{"period", "counts": {kind: n}, "total"}]
    by_category: list[dict] = field(default_factory=list)    # [{"category", "total", "counts": [n per period]}]
    resolution: list[dict] = field(default_factory=list)     # [{"category", "count", "median", "p90"}] in days
    hot_spots: list[dict] = field(default_factory=list)      # [{"latitude", "longitude", "count"}]
    cells: list[dict] = field(default_factory=list)
    congratulations: list[dict] = field(default_factory=list)  # [{"service", "count"}]


def percentile(values: list[float], fraction: float) -> float | None:
    """The nearest-rank percentile (the 90th of ten values is the 9th smallest)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def median(values: list[float]) -> float | None:
    if not values:
        return None
    ordered, middle = sorted(values), len(values) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def period_of(moment: datetime, by: str) -> str:
    moment = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    if by == "week":
        year, week, _day = moment.isocalendar()
        return f"{year}-S{week:02d}"
    return f"{moment.year}-{moment.month:02d}"


def period_name(period: str) -> str:
    """« juin 2026 » for "2026-06", « semaine du 8 juin 2026 » for "2026-S24": months in words on the page
    (the CSV keeps the sortable keys)."""
    from django.utils.formats import date_format

    from concerto.core.participation.overview import week_label

    year, _sep, rest = period.partition("-")
    if rest.startswith("S"):
        return week_label(date.fromisocalendar(int(year), int(rest[1:]), 1))
    return date_format(date(int(year), int(rest), 1), "F Y")


def cell_of(latitude: float, longitude: float) -> tuple[int, int]:
    lat_step = CELL_METRES / 111_000
    lon_step = lat_step / max(0.2, math.cos(math.radians(latitude)))
    return math.floor(latitude / lat_step), math.floor(longitude / lon_step)


def cell_centre(cell: tuple[int, int]) -> tuple[float, float]:
    lat_step = CELL_METRES / 111_000
    latitude = (cell[0] + 0.5) * lat_step
    lon_step = lat_step / max(0.2, math.cos(math.radians(latitude)))
    return round(latitude, 6), round((cell[1] + 0.5) * lon_step, 6)


def rows(filters: Filters):
    reports = Report.objects.filter(organisation_id__in=filters.organisation_ids)
    if filters.commune_id:
        reports = reports.filter(organisation_id=filters.commune_id)
    tz = timezone.get_current_timezone()
    if filters.start:
        reports = reports.filter(created_at__gte=datetime.combine(filters.start, time.min, tzinfo=tz))
    if filters.end:
        reports = reports.filter(created_at__lte=datetime.combine(filters.end, time.max, tzinfo=tz))
    return reports.values_list("kind", "category__name", "status", "created_at", "resolved_at", "latitude",
                               "longitude", "service__name", "organisation__name")


def build(filters: Filters) -> Dashboard:
    board = Dashboard()
    kind_counts: dict[str, Counter] = defaultdict(Counter)
    category_counts: dict[str, Counter] = defaultdict(Counter)
    durations: dict[str, list[float]] = defaultdict(list)
    cells: Counter = Counter()
    cell_communes: dict[tuple, Counter] = defaultdict(Counter)
    thanks: Counter = Counter()
    for kind, category, status, created, resolved, latitude, longitude, service, commune in rows(filters):
        board.total += 1
        period = period_of(created, filters.by)
        kind_counts[period][kind] += 1
        category_counts[category][period] += 1
        if status == Report.Status.RESOLVED and resolved:
            durations[category].append((resolved - created).total_seconds() / 86400)
        cell = cell_of(latitude, longitude)
        cells[cell] += 1
        cell_communes[cell][commune] += 1
        if kind == Report.Kind.CONGRATULATION:
            thanks[service or _("No service")] += 1
    board.periods = sorted(kind_counts)
    board.period_names = [period_name(p) for p in board.periods]
    board.by_kind = [{"period": p, "name": period_name(p), "counts": [kind_counts[p][k] for k in Report.Kind.values],
                      "total": sum(kind_counts[p].values())} for p in board.periods]
    board.by_category = sorted(
        ({"category": name, "total": sum(counts.values()), "counts": [counts[p] for p in board.periods]}
         for name, counts in category_counts.items()), key=lambda row: (-row["total"], row["category"]))
    board.resolution = sorted(
        ({"category": name, "count": len(values), "median": round(median(values), 1),
          "p90": round(percentile(values, 0.9), 1)} for name, values in durations.items()),
        key=lambda row: row["category"])
    board.cells = [{"latitude": cell_centre(c)[0], "longitude": cell_centre(c)[1], "count": n,
                    "commune": cell_communes[c].most_common(1)[0][0]} for c, n in cells.items()]
    board.cells.sort(key=lambda row: (-row["count"], row["latitude"], row["longitude"]))
    board.hot_spots = board.cells[:HOT_SPOTS]
    name_places(board.hot_spots)
    board.congratulations = [{"service": name, "count": n}
                             for name, n in sorted(thanks.items(), key=lambda item: (-item[1], item[0]))]
    return board


def name_places(spots: list[dict]) -> None:
    """Give each hot spot a `place` people read: the address at its centre when a lookup already found it, else
    its commune's name. The page never waits for the address service: the missing ones are looked up in the
    worker, for the next view."""
    known = geocoding.addresses_known([(row["latitude"], row["longitude"]) for row in spots])
    for row, address in zip(spots, known, strict=True):
        row["place"] = (_("Near %(address)s") % {"address": address}) if address else row["commune"]


def bar_width(value, maximum) -> int:
    return round(100 * value / maximum) if maximum else 0


def bar_widths(rows: list[dict], value: str, *, longest: str = "", name: str = "width") -> None:
    """Set each row's NAME to the width (0 to 100) of the bar of its VALUE, the longest bar being the
    largest LONGEST (VALUE by default) of the rows."""
    most = max([row[longest or value] for row in rows] or [0])
    for row in rows:
        row[name] = bar_width(row[value], most)


def csv_rows(board: Dashboard):
    """(section, label, period, value) rows with every figure of the page."""
    kinds = dict(Report.Kind.choices)
    for row in board.by_kind:
        for kind, count in zip(Report.Kind.values, row["counts"], strict=True):
            yield "volume_by_kind", str(kinds[kind]), row["period"], count
    for row in board.by_category:
        for period, count in zip(board.periods, row["counts"], strict=True):
            yield "volume_by_category", row["category"], period, count
    for row in board.resolution:
        yield "resolution_median_days", row["category"], "", row["median"]
        yield "resolution_p90_days", row["category"], "", row["p90"]
    for row in board.hot_spots:
        yield "hot_spot", f"{row['latitude']},{row['longitude']}", "", row["count"]
    for row in board.congratulations:
        yield "congratulations", row["service"], "", row["count"]


MAP_POINTS_MAX = 5000


def cell_box(latitude: float, longitude: float) -> list[float]:
    """[west, south, east, north] of the ~100 m cell whose centre is (LATITUDE, LONGITUDE)."""
    lat_step = CELL_METRES / 111_000
    lon_step = lat_step / max(0.2, math.cos(math.radians(latitude)))
    return [round(longitude - lon_step / 2, 6), round(latitude - lat_step / 2, 6),
            round(longitude + lon_step / 2, 6), round(latitude + lat_step / 2, 6)]


def cells_geojson(board: Dashboard) -> dict:
    """The heat map's data (includes/map_points.html with heat=True): one feature per ~100 m cell, at its centre,
    with its number of reports and its box, so that no exact address shows. Past MAP_POINTS_MAX cells, the
    densest come first; "max" is the densest cell's count, which the colours are scaled to."""
    features = []
    for cell in board.cells[:MAP_POINTS_MAX]:  # densest first
        count, latitude, longitude = cell["count"], cell["latitude"], cell["longitude"]
        title = ngettext("%(count)s report in this cell of about 100 m",
                         "%(count)s reports in this cell of about 100 m", count) % {"count": count}
        features.append({
            "type": "Feature", "geometry": {"type": "Point", "coordinates": [longitude, latitude]},
            "properties": {"title": title, "count": count, "bbox": cell_box(latitude, longitude)},
        })
    return {"type": "FeatureCollection", "features": features,
            "max": board.cells[0]["count"] if board.cells else 0, "truncated": len(board.cells) > MAP_POINTS_MAX}


def overview(components) -> list:
    """For the participation overview: the median time to resolve a report, by category, in days."""
    from concerto.core.charts import Chart

    ids: set[int] = set()
    for component in components:
        ids |= component.space.organisation.descendant_ids()
    board = build(Filters(organisation_ids=ids))
    unit = _("days")
    return [Chart(_("Reports: median time to resolve, by category"),
                  [(row["category"], row["median"]) for row in board.resolution], unit=unit,
                  value_label=_("Median, in days"),
                  summary=_("Half of the resolved reports of each category were resolved in less time than this; "
                            "%(count)s reports in all.") % {"count": board.total})]


def comparison(*, groups, since, until) -> dict:
    """The comparison across communes (kernel hook `comparison`): for each group of organisations, the reports
    resolved in [SINCE, UNTIL), and the median days from report to resolution (as the dashboard counts them)."""
    from concerto.core.comparison.figures import by_group, median_days

    rows = Report.objects.filter(organisation_id__in=set().union(*groups.values()), status=Report.Status.RESOLVED,
                                 resolved_at__gte=since, resolved_at__lt=until).values_list(
        "organisation_id", "created_at", "resolved_at")
    return {key: {"reports_resolved": len(times), "reports_median_days": median_days(
                resolved - created for created, resolved in times)}
            for key, times in by_group(((pk, (created, resolved)) for pk, created, resolved in rows), groups).items()}
