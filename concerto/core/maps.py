"""Maps shared by the components: the communes' outlines as GeoJSON, and a form field for a point.

- `boundaries_geojson` (route `communes_boundaries`) serves the outlines of the Métropole's communes,
  simplified and cached, drawn over the tiles of `CONCERTO_MAP_TILES_URL` (Plan IGN by default; `none`: the
  outlines alone, and the map says so). The tiles' URL and attribution travel in the same document (member
  `map`), so that map.js needs one request.
- `PointField` / `PointWidget`: an address input and two plain inputs, latitude and longitude, that work
  without JavaScript (the server geocodes a typed address when no point is given, see core/geocoding.py);
  map.js adds the address autocomplete (an ARIA combobox) and a map where a click, the keyboard or the
  device's position places the point. `clean()` gives None or a `Point` (a `(latitude, longitude)` tuple
  whose `address` is the address chosen or typed, "" when none) and refuses points outside the Métropole.
- The template `includes/map_points.html` draws a GeoJSON FeatureCollection of points (see its header).
"""

import hashlib
import json
import math

import numpy as np
import shapely
from django import forms
from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max, Q
from django.http import HttpResponse
from django.template import loader
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_safe
from shapely.errors import ShapelyError
from shapely.geometry import shape

from concerto.core import geocoding
from concerto.core.geocoding import METROPOLE_BOUNDS
from concerto.core.territory import lookup
from concerto.core.territory.models import Organisation

# About 70 to 110 m at the Métropole's latitude: outlines stay true at the zoom levels where a whole
# commune is on screen, and the document stays under about 100 KB (20 KB gzipped) for 130 communes.
SIMPLIFY_TOLERANCE = 0.001
# Four decimals are about 10 m; more digits only make the document bigger.
COORDINATE_DECIMALS = 4
EARTH_RADIUS_M = 6_371_008.8
# Browsers keep the outlines an hour, then revalidate with the ETag (a 304 when nothing changed).
BROWSER_CACHE_SECONDS = 3600
SERVER_CACHE_SECONDS = 24 * 3600
__all__ = ["METROPOLE_BOUNDS", "AreaField", "AreaWidget", "Point", "PointField", "PointWidget", "boundaries_geojson",
           "tiles_url"]


def tiles_url() -> str:
    """The tiles' URL template, "" when the setting is `none` (or empty): outlines only."""
    url = (settings.CONCERTO_MAP_TILES_URL or "").strip()
    return "" if url.lower() in {"none", "off"} else url


# ---------------------------------------------------------------------------------------------------
# The communes' outlines
# ---------------------------------------------------------------------------------------------------

def _boundaries_version() -> str:
    """A short hash that changes whenever an outline, a name or the map settings change."""
    figures = Organisation.objects.communes().aggregate(
        count=Count("pk", filter=Q(boundary__isnull=False)), last=Max("pk"), stamp=Max("updated_at"),
    )
    raw = "|".join(str(value) for value in [
        *figures.values(), SIMPLIFY_TOLERANCE, COORDINATE_DECIMALS,
        settings.CONCERTO_MAP_TILES_URL, settings.CONCERTO_MAP_ATTRIBUTION,
    ])
    return hashlib.sha256(raw.encode()).hexdigest()[:20]


def _simplify(geometries: np.ndarray) -> np.ndarray:
    """GEOMETRIES simplified and rounded; any that would vanish or break is kept as it was."""
    try:
        # Simplifying the communes together keeps shared borders shared (no gaps, no overlaps).
        if not shapely.coverage_is_valid(geometries):
            raise ValueError("not a coverage")
        simplified = shapely.coverage_simplify(geometries, SIMPLIFY_TOLERANCE)
    except (AttributeError, ValueError, ShapelyError, shapely.errors.UnsupportedGEOSVersionError):
        # An older GEOS, or outlines that overlap: each commune on its own, still valid.
        simplified = shapely.simplify(geometries, SIMPLIFY_TOLERANCE, preserve_topology=True)
    rounded = shapely.set_precision(simplified, 10 ** -COORDINATE_DECIMALS)
    broken = shapely.is_empty(rounded) | ~shapely.is_valid(rounded)
    rounded[broken] = geometries[broken]
    return rounded


def boundaries_collection() -> dict:
    """The communes' outlines as a GeoJSON FeatureCollection (properties `name`, `code`: INSEE code).

    The foreign member `map` holds the tile server (`tiles`, `attribution`), empty when none is set.
    """
    rows = list(
        Organisation.objects.communes().filter(boundary__isnull=False).order_by("insee_code")
        .values_list("name", "insee_code", "boundary")
    )
    features = []
    if rows:
        geometries = np.array([shape(boundary) for _name, _code, boundary in rows], dtype=object)
        for (name, code, _boundary), geometry in zip(rows, _simplify(geometries), strict=True):
            features.append({
                "type": "Feature",
                "properties": {"name": name, "code": code},
                "geometry": json.loads(shapely.to_geojson(geometry)),
            })
    return {
        "type": "FeatureCollection",
        "map": {"tiles": tiles_url(), "attribution": settings.CONCERTO_MAP_ATTRIBUTION if tiles_url() else ""},
        "features": features,
    }


def _boundaries_body(version: str) -> bytes:
    key = f"concerto:maps:boundaries:{version}"
    body = cache.get(key)
    if body is None:
        body = json.dumps(boundaries_collection(), ensure_ascii=False, separators=(",", ":")).encode()
        cache.set(key, body, SERVER_CACHE_SECONDS)
    return body


@require_safe
@gzip_page
def boundaries_geojson(request):
    """GET: the communes' outlines (see boundaries_collection), with ETag and Cache-Control."""
    etag = f'"{_boundaries_version()}"'
    response = get_conditional_response(request, etag=etag)
    if response is None:
        response = HttpResponse(_boundaries_body(etag.strip('"')), content_type="application/geo+json")
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=BROWSER_CACHE_SECONDS)
    return response


def organisation_bounds(organisation: Organisation) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """((south, west), (north, east)) around the communes of ORGANISATION, None without outlines."""
    ids = {organisation.pk} if organisation.is_commune else organisation.descendant_ids()
    outlines = list(
        Organisation.objects.communes().filter(pk__in=ids, boundary__isnull=False).values_list("boundary", flat=True)
    )
    if not outlines:
        return None
    west, south, east, north = shapely.total_bounds([shape(outline) for outline in outlines]).tolist()
    return (south, west), (north, east)


# ---------------------------------------------------------------------------------------------------
# A point in the Métropole: the form field and its widget
# ---------------------------------------------------------------------------------------------------

def _format_coordinate(value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, float | int) and not isinstance(value, bool):
        return f"{value:.6f}".rstrip("0").rstrip(".")
    # Raw text sent back after an error: shown as the person typed it.
    return str(value)


class Point(tuple):
    """A cleaned point: `(latitude, longitude)`, with the ADDRESS chosen or typed for it ("" when none)."""

    def __new__(cls, latitude: float, longitude: float, address: str = ""):
        point = super().__new__(cls, (latitude, longitude))
        point.address = address
        return point


class PointWidget(forms.Widget):
    """An address input (`<name>_address`) and two text inputs (`<name>_latitude`, `<name>_longitude`) that
    map.js enhances into an address autocomplete and a map.

    The label of the field points at the latitude input; each input has its own label too. Rendered
    with the project's templates (includes/point_widget.html), which the default form renderer does not
    search.
    """

    template_name = "includes/point_widget.html"
    # One label, hint and error for the pair; Django then adds aria-describedby to both inputs.
    use_fieldset = False
    SUFFIXES = ("latitude", "longitude")
    ALL_SUFFIXES = ("latitude", "longitude", "address")

    def __init__(self, attrs=None, within: Organisation | None = None):
        super().__init__(attrs)
        self.within = within
        self.with_address = True
        # The name of the address input when the form calls it otherwise than `<name>_address` (events: "address").
        self.address_name = None

    def _address_key(self, name):
        return self.address_name or f"{name}_address"

    def id_for_label(self, id_):
        return f"{id_}_latitude" if id_ else id_

    def value_from_datadict(self, data, files, name):
        return (*(data.get(f"{name}_{suffix}") for suffix in self.SUFFIXES), data.get(self._address_key(name)))

    def value_omitted_from_data(self, data, files, name):
        return all(key not in data for key in (*(f"{name}_{suffix}" for suffix in self.SUFFIXES),
                                               self._address_key(name)))

    def format_value(self, value):
        """(latitude, longitude, address) as texts."""
        if not isinstance(value, list | tuple) or len(value) not in (2, 3):
            return ("", "", "")
        address = value[2] if len(value) == 3 else getattr(value, "address", "")
        return (*(_format_coordinate(part) for part in value[:2]), str(address or ""))

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        attrs = dict(widget["attrs"])
        base_id = attrs.pop("id", None) or f"id_{name}"
        widget["input_attrs"] = attrs
        widget["base_id"] = base_id
        widget["inputs"] = [
            {"name": f"{name}_{suffix}", "id": f"{base_id}_{suffix}", "value": part, "kind": suffix}
            for suffix, part in zip(self.SUFFIXES, widget["value"][:2], strict=True)
        ]
        address_id = f"id_{self.address_name}" if self.address_name else f"{base_id}_address"
        widget["address"] = {"name": self._address_key(name), "id": address_id, "value": widget["value"][2]}
        widget["geocoder"] = geocoding.enabled()
        widget["with_address"] = self.with_address
        bounds = organisation_bounds(self.within) if self.within is not None else None
        widget["bounds"] = json.dumps(bounds) if bounds else ""
        return context

    def _render(self, template_name, context, renderer=None):
        return mark_safe(loader.render_to_string(template_name, context))


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance in metres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def degrees_around(latitude: float, radius_m: float) -> tuple[float, float]:
    """(latitude, longitude) half-sides in degrees of a box holding the circle of RADIUS_M metres around a point
    at LATITUDE: the prefilter an index can use before the exact `haversine_m`."""
    dlat = math.degrees(radius_m / EARTH_RADIUS_M)
    return dlat, dlat / max(0.01, math.cos(math.radians(latitude)))


class PointField(forms.Field):
    """A point of the Métropole: `clean()` gives None (optional and empty) or a `Point` (latitude, longitude),
    whose `address` is the one chosen or typed. An address typed without a point is geocoded on the server.

    `within=<Organisation>` also refuses points outside that organisation's communes; it can be set
    after construction (`form.fields["location"].within = space.organisation`). Without imported
    boundaries, points are only checked against a rectangle around the Métropole.
    """

    widget = PointWidget
    default_error_messages = {
        "required": _("Choose the place on the map, or enter its latitude and longitude."),
        "incomplete": _("Enter both the latitude and the longitude."),
        "invalid_latitude": _("The latitude must be a number in decimal degrees, such as 48.8566."),
        "invalid_longitude": _("The longitude must be a number in decimal degrees, such as 2.3522."),
        "latitude_range": _("The latitude must be between -90 and 90."),
        "longitude_range": _("The longitude must be between -180 and 180."),
        "swapped": _("The latitude and the longitude seem to be swapped: in the Métropole, the latitude "
                     "is about 48.8 and the longitude about 2.4."),
        "outside": _("This place is outside the Métropole du Grand Paris: choose a place in one of its "
                     "communes."),
        "outside_within": _("This place is outside %(name)s: choose another place."),
        "address_unknown": _("No address of the Métropole du Grand Paris matches “%(address)s”: check it, or "
                             "place the point on the map."),
        "address_outside": _("This address is outside the Métropole du Grand Paris: choose a place in one of its "
                             "communes."),
        "address_unavailable": _("The address service is not answering right now: place the point on the map, or "
                                 "enter the latitude and longitude."),
    }

    def __init__(self, *, within: Organisation | None = None, with_address: bool = True,
                 address_name: str | None = None, address_alone: bool = False, **kwargs):
        kwargs.setdefault("help_text", _(
            "In decimal degrees, for example 48.8566 and 2.3522 for the Hôtel de Ville de Paris."
        ))
        super().__init__(**kwargs)
        self.within = within
        # False for a form that has its own address field (events): the widget then shows the map and the
        # coordinates only.
        self.widget.with_address = with_address
        self.widget.address_name = address_name
        # True for a thing whose address matters more than its point (events: a room the BAN may not know):
        # an address that cannot be located is kept, as `Point(None, None, address)`, instead of refused.
        self.address_alone = address_alone

    @property
    def within(self) -> Organisation | None:
        return self._within

    @within.setter
    def within(self, organisation: Organisation | None) -> None:
        self._within = organisation
        self.widget.within = organisation

    def _number(self, text, kind: str) -> float:
        text = str(text).strip().replace(" ", "").replace("\u202f", "").replace(",", ".")
        try:
            number = float(text)
        except (TypeError, ValueError):
            raise forms.ValidationError(self.error_messages[f"invalid_{kind}"], code=f"invalid_{kind}") from None
        if not math.isfinite(number):
            raise forms.ValidationError(self.error_messages[f"invalid_{kind}"], code=f"invalid_{kind}")
        return number

    def _geocode(self, address: str) -> "Point":
        found = geocoding.address_search(address, limit=1, include_outside=True)
        if found is None:
            raise forms.ValidationError(self.error_messages["address_unavailable"], code="address_unavailable")
        if not found:
            raise forms.ValidationError(self.error_messages["address_unknown"], code="address_unknown",
                                        params={"address": address})
        if not found[0].inside:
            raise forms.ValidationError(self.error_messages["address_outside"], code="address_outside")
        return Point(found[0].latitude, found[0].longitude, found[0].label)

    def to_python(self, value):
        """A Point, None when all is empty; only the shape of the input is checked (and an address alone is
        geocoded)."""
        if value is None:
            return None
        if not isinstance(value, list | tuple) or len(value) not in (2, 3):
            raise forms.ValidationError(self.error_messages["incomplete"], code="incomplete")
        address = " ".join(str(value[2] or "").split())[:250] if len(value) == 3 else getattr(value, "address", "")
        parts = ["" if part is None else str(part).strip() for part in value[:2]]
        if not any(parts):
            if address and self.address_alone:
                try:
                    return self._geocode(address) if geocoding.enabled() else Point(None, None, address)
                except forms.ValidationError:
                    return Point(None, None, address)
            if address and geocoding.enabled():
                return self._geocode(address)
            return None
        if not all(parts):
            raise forms.ValidationError(self.error_messages["incomplete"], code="incomplete")
        latitude, longitude = self._number(parts[0], "latitude"), self._number(parts[1], "longitude")
        if not -90 <= latitude <= 90:
            raise forms.ValidationError(self.error_messages["latitude_range"], code="latitude_range")
        if not -180 <= longitude <= 180:
            raise forms.ValidationError(self.error_messages["longitude_range"], code="longitude_range")
        return Point(latitude, longitude, address)

    def validate(self, value):
        super().validate(value)
        if value is None or value[0] is None:
            return
        latitude, longitude = value
        (south, west), (north, east) = METROPOLE_BOUNDS
        if south <= longitude <= north and west <= latitude <= east:
            raise forms.ValidationError(self.error_messages["swapped"], code="swapped")
        if not lookup.is_available():
            if not (south <= latitude <= north and west <= longitude <= east):
                raise forms.ValidationError(self.error_messages["outside"], code="outside")
            return
        commune = lookup.commune_at(longitude, latitude)
        if commune is None:
            raise forms.ValidationError(self.error_messages["outside"], code="outside")
        within = self.within
        if within is not None:
            allowed = {within.pk} if within.is_commune else within.descendant_ids()
            if commune.pk not in allowed:
                raise forms.ValidationError(self.error_messages["outside_within"], code="outside_within",
                                            params={"name": within.name})

    def has_changed(self, initial, data):
        try:
            new = self.to_python(data)
        except forms.ValidationError:
            return True
        try:
            old = self.to_python(initial)
        except forms.ValidationError:
            old = None
        if old is None or new is None or None in old or None in new:
            return old != new or getattr(old, "address", "") != getattr(new, "address", "")
        return (any(abs(a - b) > 1e-9 for a, b in zip(old, new, strict=True))
                or getattr(old, "address", "") != getattr(new, "address", ""))




# ---------------------------------------------------------------------------------------------------
# An area (a quartier): a GeoJSON textarea that map.js turns into a map where one draws the polygon
# ---------------------------------------------------------------------------------------------------

class AreaWidget(forms.Textarea):
    """The GeoJSON textarea itself (the no-JavaScript way: paste GeoJSON), with a map above it where map.js lets
    one draw the polygon point by point (includes/area_widget.html); the textarea follows the drawing."""

    template_name = "includes/area_widget.html"

    def __init__(self, attrs=None, within: Organisation | None = None):
        super().__init__({"rows": 4, "spellcheck": "false", **(attrs or {})})
        self.within = within

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        bounds = organisation_bounds(self.within) if self.within is not None else None
        context["widget"]["bounds"] = json.dumps(bounds) if bounds else ""
        return context

    def format_value(self, value):
        if isinstance(value, dict):
            return json.dumps(value)
        return super().format_value(value)

    def _render(self, template_name, context, renderer=None):
        return mark_safe(loader.render_to_string(template_name, context))


class AreaField(forms.CharField):
    """A GeoJSON geometry (a Feature's geometry too) or None when empty. Whether it is the right kind of shape, and
    where, is the service's to say (territory.quartiers.polygon_problem, polls' poll_check)."""

    widget = AreaWidget

    def __init__(self, *, within: Organisation | None = None, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.within = within

    def to_python(self, value):
        if isinstance(value, dict):
            return value
        text = (value or "").strip()
        if not text:
            return None
        try:
            value = json.loads(text)
        except (ValueError, RecursionError):
            raise forms.ValidationError(_("This is not GeoJSON."), code="not_geojson") from None
        if isinstance(value, dict) and value.get("type") == "FeatureCollection" \
                and isinstance(value.get("features"), list) and len(value["features"]) == 1:
            value = value["features"][0]
        if isinstance(value, dict) and value.get("type") == "Feature":
            value = value.get("geometry")
        if not isinstance(value, dict):
            raise forms.ValidationError(_("This is not GeoJSON."), code="not_geojson")
        return value
