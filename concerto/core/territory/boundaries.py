"""Reading commune boundaries from a GeoJSON FeatureCollection, checking everything before anything is saved.

Accepted: the IGN Admin Express style (property INSEE_COM or insee_com), or `code` as in the
france-geojson files. Geometries are WGS84 Polygon or MultiPolygon. Any problem raises BoundaryError
naming the feature and what is wrong, so an operator can fix the file.
"""

import json
import math

import shapely
from django.utils.translation import gettext as _
from shapely.errors import ShapelyError
from shapely.geometry import shape

# In order of preference; the first present wins.
CODE_PROPERTIES = ("INSEE_COM", "insee_com", "code", "code_insee", "CODE_INSEE", "insee", "INSEE")
# Past this many problems, listing more does not help an operator.
MAX_REPORTED = 10


class BoundaryError(ValueError):
    pass


def parse_json(content: str | bytes) -> object:
    try:
        return json.loads(content)
    except UnicodeDecodeError as error:
        raise BoundaryError(_("The file is not valid JSON: it is not UTF-8 text.")) from error
    except json.JSONDecodeError as error:
        raise BoundaryError(
            _("The file is not valid JSON (line %(line)d, column %(column)d): %(error)s.")
            % {"line": error.lineno, "column": error.colno, "error": error.msg}
        ) from error
    except (ValueError, RecursionError) as error:
        # Nesting too deep for the parser, or a number too long to convert: not a boundaries file.
        raise BoundaryError(
            _("The file is not valid JSON: it is nested too deeply or holds a number too long.")
        ) from error


def feature_code(properties) -> str | None:
    if not isinstance(properties, dict):
        return None
    for key in CODE_PROPERTIES:
        value = properties.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value).zfill(5)
        if isinstance(value, str) and value.strip():
            return value.strip().upper()
    return None


def _position_problem(position) -> str | None:
    if not isinstance(position, list) or len(position) not in (2, 3):
        return _("a position is not a [longitude, latitude] pair")
    if not all(isinstance(n, int | float) and not isinstance(n, bool) and math.isfinite(n) for n in position):
        return _("a position holds something other than finite numbers")
    lon, lat = position[0], position[1]
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        return _("position %(position)s is outside longitude/latitude bounds (is it WGS84?)") % {
            "position": position[:2]}
    return None


def _polygon_problem(rings) -> str | None:
    if not isinstance(rings, list) or not rings:
        return _("a polygon has no rings")
    for ring in rings:
        if not isinstance(ring, list) or len(ring) < 4:
            return _("a ring has fewer than 4 positions")
        for position in ring:
            problem = _position_problem(position)
            if problem:
                return problem
        if ring[0][:2] != ring[-1][:2]:
            return _("a ring is not closed (its first and last positions differ)")
    return None


def geometry_problem(geometry) -> str | None:
    """What is wrong with GEOMETRY, or None when it is a usable Polygon or MultiPolygon."""
    if not isinstance(geometry, dict):
        return _("it has no geometry")
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    if kind == "Polygon":
        problem = _polygon_problem(coordinates)
    elif kind == "MultiPolygon":
        if not isinstance(coordinates, list) or not coordinates:
            return _("the MultiPolygon has no polygons")
        problem = next(filter(None, (_polygon_problem(polygon) for polygon in coordinates)), None)
    else:
        return _("its geometry is %(kind)s, not Polygon or MultiPolygon") % {"kind": kind}
    if problem:
        return problem
    try:
        reason = shapely.is_valid_reason(shape(geometry))
    except (ValueError, TypeError, ShapelyError) as error:
        return _("the geometry cannot be read: %(error)s") % {"error": error}
    if reason != "Valid Geometry":
        return _("the geometry is not valid: %(reason)s") % {"reason": reason}
    return None


def features_read(data) -> dict[str, dict]:
    """INSEE code -> geometry for every feature of the FeatureCollection DATA, or BoundaryError."""
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        found = data.get("type") if isinstance(data, dict) else type(data).__name__
        raise BoundaryError(_("The file must be a GeoJSON FeatureCollection (found: %(found)s).")
                            % {"found": found})
    features = data.get("features")
    if not isinstance(features, list) or not features:
        raise BoundaryError(_("The FeatureCollection has no features."))
    problems, geometries = [], {}
    for number, feature in enumerate(features, start=1):
        code = feature_code(feature.get("properties")) if isinstance(feature, dict) else None
        label = _("Feature %(number)d") % {"number": number} + (f" ({code})" if code else "")
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            problems.append(_("%(label)s: it is not a GeoJSON Feature.") % {"label": label})
        elif code is None:
            problems.append(_("%(label)s: no INSEE code (expected one of the properties %(keys)s).")
                            % {"label": label, "keys": ", ".join(CODE_PROPERTIES[:3])})
        elif code in geometries:
            problems.append(_("%(label)s: the code %(code)s appears twice.") % {"label": label, "code": code})
        elif problem := geometry_problem(feature.get("geometry")):
            problems.append(_("%(label)s: %(problem)s.") % {"label": label, "problem": problem})
        else:
            geometries[code] = {"type": feature["geometry"]["type"],
                                "coordinates": feature["geometry"]["coordinates"]}
    if problems:
        shown = problems[:MAX_REPORTED]
        if len(problems) > MAX_REPORTED:
            shown.append(_("… and %(count)d more problems.") % {"count": len(problems) - MAX_REPORTED})
        raise BoundaryError(_("Nothing was imported. Problems found:") + "\n" + "\n".join(shown))
    return geometries
