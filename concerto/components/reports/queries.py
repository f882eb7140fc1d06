"""Fast read queries over up to millions of reports (owner: open311 helper):

- `map_features(*, organisation_ids, bbox, zoom, filters) -> dict` (GeoJSON FeatureCollection of at most 500
  features: single reports at high zoom, clusters with counts at low zoom);
- `nearby_open(*, category, latitude, longitude, radius_m=50, limit=10) -> list[Report]` (open reports of the
  same category within the radius, nearest first).

Both only serve public reports (not hidden). Clusters at zooms up to 14 are read from ReportMapCell, counts
and coordinate sums per grid cell (levels 8 to 14), category and open/closed, kept by database triggers
(migration 0002): fast whatever the number of reports. Other filters (kind, since, one status) and zooms 15-16
group the reports themselves in SQL (integer cell arithmetic, the (latitude, longitude) index first).
"""

import math

from django.db import connection
from django.urls import reverse

from concerto.components.reports.models import Report
from concerto.core.maps import degrees_around, haversine_m

MAX_FEATURES = 500
# At this zoom and above (a street), reports are always shown one by one (at most MAX_FEATURES of them).
SINGLE_ZOOM = 17
# A cluster cell is about this many screen pixels wide (tiles of 256 px).
CELL_PIXELS = 64

CLOSED_STATUSES = ("resolved", "rejected", "duplicate")
# The grid levels kept in ReportMapCell by database triggers (migration 0002): a cell is 90 / 2**level degrees.
MAP_CELL_LEVELS = range(8, 15)


class BadQuery(ValueError):
    """The bounding box or a filter cannot be understood."""


def _bbox(bbox) -> tuple[float, float, float, float]:
    """(west, south, east, north) from a sequence of 4 numbers or a "w,s,e,n" string; checked."""
    if isinstance(bbox, str):
        bbox = bbox.split(",")
    try:
        west, south, east, north = (float(value) for value in bbox)
    except (TypeError, ValueError) as error:
        raise BadQuery("bbox must be four numbers: west,south,east,north") from error
    if not all(math.isfinite(v) for v in (west, south, east, north)):
        raise BadQuery("bbox must be four finite numbers")
    west, east = max(-180.0, min(west, east)), min(180.0, max(west, east))
    south, north = max(-90.0, min(south, north)), min(90.0, max(south, north))
    return west, south, east, north


def _where(organisation_ids, bbox, filters) -> tuple[str, list]:
    """The SQL WHERE clause (and its parameters) shared by the map queries."""
    west, south, east, north = bbox
    clauses = ["r.latitude >= %s", "r.latitude <= %s", "r.longitude >= %s", "r.longitude <= %s",
               "r.hidden_at IS NULL"]
    params: list = [south, north, west, east]
    # SQLite's planner would rather walk the (organisation, status) queue index than the point index, and
    # read a whole Paris-sized commune for one street: "+ 0" and "|| ''" keep these terms off any index.
    sqlite = connection.vendor == "sqlite"
    organisation_column = "r.organisation_id + 0" if sqlite else "r.organisation_id"
    status_column = "r.status || ''" if sqlite else "r.status"
    if organisation_ids is not None:
        ids = [int(pk) for pk in organisation_ids]
        if not ids:
            clauses.append("1 = 0")
        else:
            clauses.append(f"{organisation_column} IN ({', '.join(['%s'] * len(ids))})")
            params.extend(ids)
    filters = filters or {}
    categories = filters.get("category") or filters.get("categories") or filters.get("category_ids")
    if categories:
        if not isinstance(categories, list | tuple | set):
            categories = [categories]
        ids = [int(getattr(c, "pk", c)) for c in categories]
        clauses.append(f"r.category_id IN ({', '.join(['%s'] * len(ids))})")
        params.extend(ids)
    status = filters.get("status")
    if status:
        if status == "open":
            statuses = list(Report.OPEN_STATUSES)
        elif status == "closed":
            statuses = list(CLOSED_STATUSES)
        else:
            statuses = [status] if isinstance(status, str) else list(status)
        clauses.append(f"{status_column} IN ({', '.join(['%s'] * len(statuses))})")
        params.extend(statuses)
    kind = filters.get("kind")
    if kind:
        clauses.append("r.kind = %s")
        params.append(str(kind))
    if filters.get("since"):
        clauses.append("r.created_at >= %s")
        params.append(filters["since"])
    if filters.get("component_id"):
        clauses.append("r.component_id = %s")
        params.append(int(filters["component_id"]))
    return " AND ".join(clauses), params


def _table() -> str:
    return connection.ops.quote_name(Report._meta.db_table)


def _cell_expression(column: str) -> str:
    """The integer cell of COLUMN; the value is >= 0 (offset by the box's corner), so truncation is floor."""
    if connection.vendor == "postgresql":
        return f"FLOOR(({column} - %s) * %s)::integer"
    return f"CAST(({column} - %s) * %s AS INTEGER)"


def _cell_size(bbox, zoom: int) -> float:
    """The cell's side in degrees: CELL_PIXELS at this zoom, enlarged until the box holds <= MAX_FEATURES cells."""
    west, south, east, north = bbox
    size = 360.0 / (2 ** max(0, min(zoom, 22))) * CELL_PIXELS / 256
    while math.ceil((east - west) / size + 1) * math.ceil((north - south) / size + 1) > MAX_FEATURES:
        size *= 1.5
    return size


def _single_features(where: str, params: list) -> list[dict]:
    # "id + 0": the newest first, but never by walking the primary key backwards (the planner may like that
    # on a dense box, and it reads a large part of the table before finding 500 reports in the box).
    sql = (f"SELECT r.id, r.kind, r.status, r.category_id, r.latitude, r.longitude FROM {_table()} r "
           f"WHERE {where} ORDER BY r.id + 0 DESC LIMIT {MAX_FEATURES}")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    category_ids = {row[3] for row in rows}
    from concerto.components.reports.models import Category

    names = dict(Category.objects.filter(pk__in=category_ids).values_list("pk", "name"))
    url = reverse("reports_signalements:detail", kwargs={"report_id": 0})[:-2]
    url_head, url_tail = url, "/"
    features = []
    for pk, kind, status, category_id, latitude, longitude in rows:
        features.append({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [longitude, latitude]},
            "properties": {
                "id": pk, "kind": kind, "status": status, "category": names.get(category_id, ""),
                "category_id": category_id, "open": status in Report.OPEN_STATUSES,
                "url": f"{url_head}{pk}{url_tail}",
            },
        })
    return features


def _cluster_features(where: str, params: list, bbox, zoom: int) -> list[dict]:
    west, south, _east, _north = bbox
    size = _cell_size(bbox, zoom)
    scale = 1.0 / size
    cell_y, cell_x = _cell_expression("r.latitude"), _cell_expression("r.longitude")
    sql = (f"SELECT {cell_y} AS cy, {cell_x} AS cx, COUNT(*), AVG(r.latitude), AVG(r.longitude), MIN(r.id) "
           f"FROM {_table()} r WHERE {where} GROUP BY cy, cx ORDER BY COUNT(*) DESC LIMIT {MAX_FEATURES}")
    with connection.cursor() as cursor:
        cursor.execute(sql, [south, scale, west, scale, *params])
        rows = cursor.fetchall()
    features = []
    for cy, cx, count, latitude, longitude, _first in rows:
        features.append({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round(longitude, 6), round(latitude, 6)]},
            "properties": {
                "cluster": True, "count": count, "cell": f"{cy}:{cx}",
                # The box to zoom to when the cluster is clicked (west, south, east, north).
                "bbox": [west + cx * size, south + cy * size, west + (cx + 1) * size, south + (cy + 1) * size],
            },
        })
    return features


def _summary_filters(organisation_ids, filters) -> tuple[str, list] | None:
    """The WHERE clause over ReportMapCell for these filters, or None when it cannot answer them."""
    filters = {key: value for key, value in (filters or {}).items() if value not in (None, "", [], ())}
    if set(filters) - {"category", "categories", "category_ids", "status"}:
        return None
    if filters.get("status") not in (None, "open", "closed"):
        return None
    clauses, params = ["c.count > 0"], []
    if organisation_ids is not None:
        ids = [int(pk) for pk in organisation_ids] or [0]
        clauses.append(f"c.organisation_id IN ({', '.join(['%s'] * len(ids))})")
        params.extend(ids)
    categories = filters.get("category") or filters.get("categories") or filters.get("category_ids")
    if categories:
        if not isinstance(categories, list | tuple | set):
            categories = [categories]
        ids = [int(getattr(c, "pk", c)) for c in categories]
        clauses.append(f"c.category_id IN ({', '.join(['%s'] * len(ids))})")
        params.extend(ids)
    if filters.get("status"):
        clauses.append("c.is_open = %s")
        params.append(filters["status"] == "open")
    return " AND ".join(clauses), params


def _summary_clusters(organisation_ids, bbox, zoom: int, filters) -> list[dict] | None:
    """Clusters read from the precomputed cells (fast whatever the number of reports), or None when the
    zoom or the filters need the reports themselves."""
    if connection.vendor not in ("sqlite", "postgresql"):
        return None
    where = _summary_filters(organisation_ids, filters)
    if where is None:
        return None
    west, south, east, north = bbox
    level = max(MAP_CELL_LEVELS.start, min(int(zoom), MAP_CELL_LEVELS.stop))
    while True:
        scale = 2 ** level / 90
        y0, y1 = math.floor(south * scale), math.floor(north * scale)
        x0, x1 = math.floor(west * scale), math.floor(east * scale)
        if (y1 - y0 + 1) * (x1 - x0 + 1) <= MAX_FEATURES or level == MAP_CELL_LEVELS.start:
            break
        level -= 1
    if level >= MAP_CELL_LEVELS.stop:
        return None  # a small box: grouping the reports themselves is fast
    clauses, params = where
    table = connection.ops.quote_name("reports_reportmapcell")
    sql = (f"SELECT c.cy, c.cx, SUM(c.count), SUM(c.sum_lat), SUM(c.sum_lon) FROM {table} c "
           f"WHERE c.level = %s AND c.cy BETWEEN %s AND %s AND c.cx BETWEEN %s AND %s AND {clauses} "
           f"GROUP BY c.cy, c.cx HAVING SUM(c.count) > 0 ORDER BY 3 DESC LIMIT {MAX_FEATURES}")
    with connection.cursor() as cursor:
        cursor.execute(sql, [level, y0, y1, x0, x1, *params])
        rows = cursor.fetchall()
    size = 1 / scale
    return [{
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [round(sum_lon / count, 6), round(sum_lat / count, 6)]},
        "properties": {"cluster": True, "count": int(count), "cell": f"{level}:{cy}:{cx}",
                       "bbox": [cx * size, cy * size, (cx + 1) * size, (cy + 1) * size]},
    } for cy, cx, count, sum_lat, sum_lon in rows]


def map_features(*, organisation_ids=None, bbox, zoom: int, filters: dict | None = None) -> dict:
    """The public reports in BBOX as a GeoJSON FeatureCollection of at most MAX_FEATURES features.

    ORGANISATION_IDS limits to these communes (None: all). FILTERS may hold "category" (ids or objects),
    "status" ("open", "closed", a status or a list), "kind", "since" (a datetime), "component_id".
    Single reports (properties id, kind, status, category, url) when the zoom is SINGLE_ZOOM or more or when
    at most MAX_FEATURES reports are in the box; else clusters (properties cluster, count, bbox) of a grid whose
    cells are about CELL_PIXELS wide at this zoom. Raises BadQuery on a malformed box.
    """
    box = _bbox(bbox)
    try:
        zoom = int(zoom)
    except (TypeError, ValueError) as error:
        raise BadQuery("zoom must be an integer") from error
    where, params = _where(organisation_ids, box, filters)
    if zoom >= SINGLE_ZOOM:
        features, clustered = _single_features(where, params), False
    else:
        # The precomputed cells answer at once how many reports the box holds (edge cells included).
        features = _summary_clusters(organisation_ids, box, zoom, filters)
        if features is not None:
            few = (len(features) < MAX_FEATURES
                   and sum(f["properties"]["count"] for f in features) <= MAX_FEATURES)
        else:
            # Are there few enough to show one by one? Count at most MAX_FEATURES + 1 rows.
            sql = f"SELECT COUNT(*) FROM (SELECT 1 FROM {_table()} r WHERE {where} LIMIT {MAX_FEATURES + 1}) t"
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                few = cursor.fetchone()[0] <= MAX_FEATURES
        if few:
            features, clustered = _single_features(where, params), False
        else:
            if features is None:
                features = _cluster_features(where, params, box, zoom)
            clustered = True
    # "truncated": single reports capped at MAX_FEATURES (a street zoom on a very busy street).
    return {"type": "FeatureCollection", "features": features, "clustered": clustered, "bbox": list(box),
            "truncated": not clustered and len(features) >= MAX_FEATURES}


def nearby_open(*, category, latitude: float, longitude: float, radius_m: float = 50, limit: int = 10) -> list:
    """The open public reports of CATEGORY (an object or an id) within RADIUS_M metres, nearest first.

    A bounding-box prefilter on the (category, status, latitude) index, then the exact haversine distance.
    Each report gets a `distance_m` attribute.
    """
    latitude, longitude, radius_m = float(latitude), float(longitude), max(0.0, float(radius_m))
    dlat, dlon = degrees_around(latitude, radius_m)
    candidates = (Report.objects.visible()
                  .filter(category_id=getattr(category, "pk", category), status__in=Report.OPEN_STATUSES,
                          latitude__gte=latitude - dlat, latitude__lte=latitude + dlat,
                          longitude__gte=longitude - dlon, longitude__lte=longitude + dlon)
                  .select_related("category")
                  .order_by()[:1000])
    found = []
    for report in candidates:
        report.distance_m = haversine_m(latitude, longitude, report.latitude, report.longitude)
        if report.distance_m <= radius_m:
            found.append(report)
    found.sort(key=lambda r: (r.distance_m, r.pk))
    return found[:limit]


# The back-office's likely duplicates compare the most recent open reports with all the others (a queue's new ones).
DUPLICATES_RECENT = 100
# Reports are compared by their description (twice, as a title) and their category's name (once).
SIMILAR_FIELDS = {"title": "description", "body": "category__name"}


def similar_candidates(organisation):
    """What may be suggested to someone writing a report in ORGANISATION (a commune, or a territory and its
    communes): its open public reports that have a description (the engine compares texts)."""
    ids = {organisation.pk} | set(organisation.descendant_ids())
    return Report.objects.public().open().filter(organisation_id__in=ids).exclude(description="")


def _similar_scope(organisation):
    from concerto.core.texts import similar as similar_texts

    candidates = similar_candidates(organisation)
    return candidates, similar_texts.queryset_scope(f"reports:{organisation.pk}", candidates, **SIMILAR_FIELDS)


def similar_open(organisation, text: str, *, point=None, limit: int = 5, threshold: float | None = None) -> list:
    """The open public reports of ORGANISATION whose description (and category) are closest to TEXT, the
    closest first (the kernel's engine, concerto.core.texts.similar: text only, so that a resident who placed
    the point a street away still finds the report). Each has its `similarity`, and its `distance_m` from POINT
    ((latitude, longitude)) when POINT is known, else None: the form says how far, the order stays the text's."""
    from concerto.core.texts import similar as similar_texts

    candidates, scope = _similar_scope(organisation)
    found = similar_texts.suggestions(
        scope, candidates.select_related("category"), text, limit=limit,
        threshold=similar_texts.RESIDENT_THRESHOLD if threshold is None else threshold)
    for report in found:
        report.distance_m = (haversine_m(point[0], point[1], report.latitude, report.longitude)
                             if point is not None else None)
    return found


def likely_duplicates(organisation, *, recent: int = DUPLICATES_RECENT) -> list[tuple[Report, Report, float]]:
    """Pairs (older, newer, score) of ORGANISATION's open public reports whose descriptions say much the same
    thing (the kernel's DUPLICATE_THRESHOLD), the closest first; each has its `distance_m` to the other."""
    from concerto.core.texts import similar as similar_texts

    candidates, scope = _similar_scope(organisation)
    found = similar_texts.likely_duplicates(scope, candidates.select_related("category"), recent=recent,
                                            **SIMILAR_FIELDS)
    for older, newer, _score in found:
        older.distance_m = newer.distance_m = haversine_m(older.latitude, older.longitude, newer.latitude,
                                                          newer.longitude)
    return found
