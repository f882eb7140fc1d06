"""Which commune of the Métropole is at a point (WGS84 longitude, latitude)?

The boundaries imported with `manage.py import_boundaries` are held in an in-process index (an STRtree
over prepared polygons), built on first use. A cheap version of the organisations table (counts, last
id, last `updated_at`) says when to rebuild it; it is read at most once every RECHECK_SECONDS, so a
change made by another process shows within that delay, and a change made in this process (a save, an
import) clears the index at once.

Without any boundary the platform still works: `is_available()` is False, every lookup answers None and
pages say that location checks are off.
"""

import copy
import math
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import shapely
from django.db.models import Count, Max, Q
from shapely.geometry import shape

from concerto.core.territory.models import Organisation

RECHECK_SECONDS = 1.0


@dataclass(frozen=True)
class _Index:
    version: tuple
    communes: list[Organisation]  # in INSEE order, the same order as `geometries`
    geometries: np.ndarray
    tree: shapely.STRtree | None


_index: _Index | None = None
_checked_at = 0.0
_lock = threading.Lock()


def _version() -> tuple:
    figures = Organisation.objects.aggregate(
        count=Count("pk"), last=Max("pk"), stamp=Max("updated_at"),
        with_boundary=Count("pk", filter=Q(boundary__isnull=False)),
    )
    return tuple(figures.values())


def _build(version: tuple) -> _Index:
    communes = list(Organisation.objects.communes().filter(boundary__isnull=False).order_by("insee_code"))
    geometries = np.array([shape(org.boundary) for org in communes], dtype=object)
    if not communes:
        return _Index(version, [], geometries, None)
    shapely.prepare(geometries)
    return _Index(version, communes, geometries, shapely.STRtree(geometries))


def _current() -> _Index:
    global _index, _checked_at
    index = _index
    if index is not None and time.monotonic() - _checked_at < RECHECK_SECONDS:
        return index
    with _lock:
        version = _version()
        if _index is None or _index.version != version:
            _index = _build(version)
        _checked_at = time.monotonic()
        return _index


def index_clear() -> None:
    """Forget the index; the next lookup rebuilds it from the database."""
    global _index
    _index = None


def is_available() -> bool:
    """True when at least one commune has a boundary, so that location checks can run."""
    return _current().tree is not None


def _locate(index: _Index, lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
    """Position in index.communes of the commune at each point, -1 where there is none."""
    if index.tree is None or not len(lons):
        return np.full(len(lons), -1, dtype=np.int64)
    missing = len(index.communes)
    found = np.full(len(lons), missing, dtype=np.int64)
    # Bounding boxes first (the tree), then the exact test on the few candidates, all vectorised.
    point_idx, commune_idx = index.tree.query(shapely.points(lons, lats))
    inside = shapely.intersects_xy(index.geometries[commune_idx], lons[point_idx], lats[point_idx])
    # A point on a shared border lies in two communes: the lower INSEE code wins, so answers are stable.
    np.minimum.at(found, point_idx[inside], commune_idx[inside])
    found[found == missing] = -1
    return found


def _coordinates(points: Iterable) -> tuple[np.ndarray, np.ndarray]:
    array = np.asarray([(float(lon), float(lat)) for lon, lat in points], dtype=float).reshape(-1, 2)
    return array[:, 0].copy(), array[:, 1].copy()


def communes_at(points: Iterable) -> list[Organisation | None]:
    """The commune at each (longitude, latitude) of POINTS, None for a point outside the Métropole.

    Raises ValueError or TypeError when a coordinate is not a number.
    """
    lons, lats = _coordinates(points)
    index = _current()
    copies: dict[int, Organisation] = {}
    result: list[Organisation | None] = []
    for position in _locate(index, lons, lats).tolist():
        if position < 0:
            result.append(None)
            continue
        # Callers get their own instance: the cached ones must not be changed behind the index's back.
        if position not in copies:
            copies[position] = copy.copy(index.communes[position])
        result.append(copies[position])
    return result


def commune_at(lon: float, lat: float) -> Organisation | None:
    """The commune at (LON, LAT) in WGS84, or None outside the Métropole (or without boundaries)."""
    lon, lat = float(lon), float(lat)
    index = _current()
    if index.tree is None or not (math.isfinite(lon) and math.isfinite(lat)):
        return None
    # The same answer as communes_at, without its array set-up: this path is called once per request.
    for position in sorted(index.tree.query(shapely.Point(lon, lat)).tolist()):
        if shapely.intersects_xy(index.geometries[position], lon, lat):
            return copy.copy(index.communes[position])
    return None
