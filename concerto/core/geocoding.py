"""Addresses: the Base Adresse Nationale (through the IGN Géoplateforme), called from the server.

Browsers never talk to the geocoder: they ask Concerto (`/adresses/recherche/`, `/adresses/inverse/`, see
`address_views`), which asks the service named by `CONCERTO_GEOCODER_URL` (the base URL; `<base>/search` and
`<base>/reverse` answer the BAN's GeoJSON, as do api-adresse.data.gouv.fr and a self-hosted addok). The value
`none` turns addresses off: forms then take a map click or a typed point, as they always could.

- `address_search(text)` -> list of `Address` inside the Métropole, or None when the service failed.
- `address_at(latitude, longitude)` -> the label of the nearest address ("12 Rue Houdan 92330 Sceaux"), "" when
  there is none nearby, None when the service failed.
- `address_fill(instance)`: give a located row its address now, or later in the worker when the service failed.

Answers are cached (searches a day, reverse lookups a month, by point rounded to about a metre); a failure is
never cached, logged once per call, and answered as None: the caller says so in words and keeps what it had.
Every call has a short timeout (`CONCERTO_GEOCODER_TIMEOUT`), so a slow service costs a form at most that.
"""

import hashlib
import json
import logging
import math
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from django_tasks import task

from concerto.core.territory import lookup

logger = logging.getLogger(__name__)

# (south, west), (north, east) of the Métropole, with a margin: the check used when no boundaries are
# imported, so that an obviously wrong point (another country, swapped coordinates) is still refused.
METROPOLE_BOUNDS = ((48.60, 2.10), (49.05, 2.66))
SEARCH_CACHE_SECONDS = 24 * 3600
REVERSE_CACHE_SECONDS = 30 * 24 * 3600
# Five decimals are about a metre: two clicks on the same spot share one lookup.
REVERSE_DECIMALS = 5
# The service's answers beyond this size are not addresses.
MAX_ANSWER_BYTES = 512 * 1024
MAX_QUERY_CHARS = 200
MIN_QUERY_CHARS = 3
# Centre of the Métropole: searches favour addresses near it (the BAN's lat/lon bias).
METROPOLE_CENTRE = (48.8566, 2.3522)


@dataclass(frozen=True)
class Address:
    label: str
    latitude: float
    longitude: float
    commune: str = ""  # the commune of the Métropole at the point ("" outside it)
    inside: bool = True

    def as_json(self) -> dict:
        return asdict(self)


def enabled() -> bool:
    return bool(base_url())


def base_url() -> str:
    url = (getattr(settings, "CONCERTO_GEOCODER_URL", "") or "").strip()
    return "" if url.lower() in {"", "none", "off"} else url.rstrip("/")


TYPED_POINT = re.compile(r"^\s*(-?\d{1,2}(?:[.,]\d+)?)\s*[,; ]\s*(-?\d{1,3}(?:[.,]\d+)?)\s*$")


def point_typed(*texts: str) -> tuple[float, float] | None:
    """The (latitude, longitude) written as "48.7765, 2.29" (or with decimal commas: "48,7765; 2,29") in the first
    of TEXTS that holds one — a chat's shared location arrives as "lat,lng" too — or None."""
    for text in texts:
        match = TYPED_POINT.match(text or "")
        if match:
            return float(match[1].replace(",", ".")), float(match[2].replace(",", "."))
    return None


def point_inside(latitude: float, longitude: float) -> tuple[bool, str]:
    """(inside the Métropole?, name of the commune there). Without boundaries: a rectangle around it."""
    if lookup.is_available():
        commune = lookup.commune_at(longitude, latitude)
        return (commune is not None, commune.name if commune is not None else "")
    (south, west), (north, east) = METROPOLE_BOUNDS
    return (south <= latitude <= north and west <= longitude <= east, "")


def _get(path: str, params: dict) -> dict | None:
    """The service's JSON answer to GET <base>/<path>?<params>, or None (logged) on any failure."""
    url = f"{base_url()}/{path}?{urllib.parse.urlencode(params)}"
    timeout = float(getattr(settings, "CONCERTO_GEOCODER_TIMEOUT", 2.0))
    request = urllib.request.Request(url, headers={"Accept": "application/json", "User-Agent": "Concerto"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (the operator's URL)
            body = response.read(MAX_ANSWER_BYTES + 1)
        if len(body) > MAX_ANSWER_BYTES:
            raise ValueError("answer too large")
        data = json.loads(body)
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        return data
    except (OSError, ValueError, urllib.error.URLError) as error:  # timeouts are OSErrors
        logger.warning("Geocoder %s failed: %s", path, error, extra={"geocoder_path": path})
        return None


def _addresses(data: dict) -> list[Address]:
    found = []
    for feature in data.get("features") or []:
        try:
            properties = feature.get("properties") or {}
            longitude, latitude = (float(value) for value in feature["geometry"]["coordinates"][:2])
            label = str(properties.get("label") or "").strip()[:250]
        except (AttributeError, KeyError, TypeError, ValueError):
            continue
        if not label or not (math.isfinite(latitude) and math.isfinite(longitude)):
            continue
        inside, commune = point_inside(latitude, longitude)
        found.append(Address(label=label, latitude=latitude, longitude=longitude, commune=commune, inside=inside))
    return found


def _cache_key(kind: str, raw: str) -> str:
    return f"concerto:geocoder:{kind}:" + hashlib.sha256(f"{base_url()}|{raw}".encode()).hexdigest()[:32]


def clean_query(text) -> str:
    return " ".join(str(text or "").split())[:MAX_QUERY_CHARS]


def address_search(text, *, limit: int = 5, include_outside: bool = False) -> list[Address] | None:
    """Addresses matching TEXT, best first: only those in the Métropole unless INCLUDE_OUTSIDE. [] for a text
    too short or when addresses are off; None when the service failed (nothing cached then)."""
    query = clean_query(text)
    if not enabled() or len(query) < MIN_QUERY_CHARS:
        return []
    limit = max(1, min(int(limit), 10))
    key = _cache_key("search", f"{query.lower()}|{limit}")
    rows = cache.get(key)
    if rows is None:
        # Ask for a few more than shown: some may lie outside the Métropole.
        data = _get("search", {"q": query, "limit": limit + 5, "lat": METROPOLE_CENTRE[0],
                               "lon": METROPOLE_CENTRE[1], "index": "address"})
        if data is None:
            return None
        rows = [address.as_json() for address in _addresses(data)]
        cache.set(key, rows, SEARCH_CACHE_SECONDS)
    found = [Address(**row) for row in rows]
    if not include_outside:
        found = [address for address in found if address.inside]
    return found[:limit]


def _reverse_key(latitude: float, longitude: float) -> str:
    return _cache_key("reverse", f"{latitude:.{REVERSE_DECIMALS}f},{longitude:.{REVERSE_DECIMALS}f}")


def addresses_known(points) -> list[str | None]:
    """The addresses at POINTS ((latitude, longitude) pairs) that reverse lookups already found: a label, ""
    when no address is near, None when not known yet. Never asks the service: the points not known yet are
    looked up in the worker (`addresses_look_up`), so a page that shows many places never waits for it."""
    if not enabled():
        return [None for _point in points]
    keys = [_reverse_key(round(float(lat), REVERSE_DECIMALS), round(float(lon), REVERSE_DECIMALS))
            for lat, lon in points]
    found = cache.get_many(keys)
    labels = [found.get(key) for key in keys]
    missing = [[float(lat), float(lon)] for (lat, lon), label in zip(points, labels, strict=True) if label is None]
    if missing:
        transaction.on_commit(lambda: addresses_look_up.enqueue(missing[:LOOK_UP_BATCH]))
    return labels


def place_name(latitude: float, longitude: float) -> str:
    """A point without a stored address in words: the address a lookup already found, else the name of the
    commune around it, else "". Never waits for the service (the worker looks the address up for next time)."""
    address = addresses_known([(latitude, longitude)])[0]
    if address:
        return address
    commune = lookup.commune_at(longitude, latitude)
    return commune.name if commune is not None else ""


# The worker's reverse lookups asked by one page view, at most.
LOOK_UP_BATCH = 20


@task()
def addresses_look_up(points: list) -> int:
    """The worker finds the addresses at POINTS for addresses_known (cached like any lookup): how many found."""
    return sum(1 for latitude, longitude in points[:LOOK_UP_BATCH] if address_at(latitude, longitude))


def address_at(latitude: float, longitude: float) -> str | None:
    """The label of the address nearest to the point, "" when none (or addresses are off), None on failure."""
    if not enabled():
        return ""
    try:
        latitude, longitude = round(float(latitude), REVERSE_DECIMALS), round(float(longitude), REVERSE_DECIMALS)
    except (TypeError, ValueError):
        return ""
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        return ""
    key = _reverse_key(latitude, longitude)
    label = cache.get(key)
    if label is None:
        data = _get("reverse", {"lat": latitude, "lon": longitude, "limit": 1, "index": "address"})
        if data is None:
            return None
        found = _addresses(data)
        label = found[0].label if found else ""
        cache.set(key, label, REVERSE_CACHE_SECONDS)
    return label


# ---------------------------------------------------------------------------------------------------
# A located row's address: now, or later in the worker
# ---------------------------------------------------------------------------------------------------

def address_fill(instance, *, field: str = "address", latitude_field: str = "latitude",
                 longitude_field: str = "longitude") -> None:
    """Give INSTANCE (saved, with a point) the address at its point when it has none: now if the service
    answers, else after commit in the worker (`address_fill_later`). What a person typed is never replaced."""
    latitude, longitude = getattr(instance, latitude_field), getattr(instance, longitude_field)
    if getattr(instance, field) or latitude is None or longitude is None or not enabled():
        return
    label = address_at(latitude, longitude)
    if label:
        type(instance).objects.filter(pk=instance.pk, **{field: ""}).update(**{field: label[:250]})
        setattr(instance, field, label[:250])
    elif label is None:
        model = instance._meta.label
        transaction.on_commit(lambda: address_fill_later.enqueue(model, instance.pk, field, latitude_field,
                                                                 longitude_field))


@task()
def address_fill_later(model: str, pk: int, field: str = "address", latitude_field: str = "latitude",
                       longitude_field: str = "longitude") -> str:
    """The worker's second try for address_fill: the address found ("" when the service still fails)."""
    row = apps.get_model(model).objects.filter(pk=pk).values(field, latitude_field, longitude_field).first()
    if row is None or row[field] or row[latitude_field] is None:
        return row[field] if row else ""
    label = address_at(row[latitude_field], row[longitude_field])
    if not label:
        return ""
    apps.get_model(model).objects.filter(pk=pk, **{field: ""}).update(**{field: label[:250]})
    return label


# ---------------------------------------------------------------------------------------------------
# The endpoints browsers call (JSON), rate-limited per sender
# ---------------------------------------------------------------------------------------------------

def _refused(request) -> JsonResponse | None:
    from concerto.core.ratelimit import limit_of, lookup_allowed

    if lookup_allowed("address_lookup", request):
        return None
    response = JsonResponse({"error": _("Too many address searches in a short time: wait a minute, or place the "
                                        "point on the map.")}, status=429)
    response["Retry-After"] = str(limit_of("address_lookup")[1])
    return response


def _unavailable() -> JsonResponse:
    return JsonResponse({"error": _("The address service is not answering: place the point on the map, use your "
                                    "position, or enter the latitude and longitude.")}, status=503)


@require_safe
def address_search_view(request):
    """GET ?q=: {"results": [{label, latitude, longitude, commune}]}, only addresses of the Métropole."""
    if not enabled():
        return JsonResponse({"results": [], "disabled": True})
    refused = _refused(request)
    if refused is not None:
        return refused
    found = address_search(request.GET.get("q", ""), limit=5)
    if found is None:
        return _unavailable()
    return JsonResponse({"results": [
        {"label": address.label, "latitude": address.latitude, "longitude": address.longitude,
         "commune": address.commune} for address in found
    ]})


@require_safe
def address_reverse_view(request):
    """GET ?lat=&lon=: {"label": "12 Rue Houdan 92330 Sceaux"} ("" when no address is near)."""
    try:
        latitude, longitude = float(request.GET.get("lat", "")), float(request.GET.get("lon", ""))
        if not (math.isfinite(latitude) and math.isfinite(longitude)
                and -90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise ValueError
    except ValueError:
        return JsonResponse({"error": _("Give the latitude and the longitude in decimal degrees.")}, status=400)
    if not enabled():
        return JsonResponse({"label": "", "disabled": True})
    refused = _refused(request)
    if refused is not None:
        return refused
    label = address_at(latitude, longitude)
    if label is None:
        return _unavailable()
    return JsonResponse({"label": label})


def address_set(instance, typed: str = "", *, field: str = "address") -> None:
    """Before INSTANCE (with a point) is saved: its address is TYPED (what the person chose or wrote), else the
    one at its point; when the service fails, the worker fills it once the row is committed."""
    typed = " ".join(str(typed or "").split())[:250]
    if typed or not enabled():
        setattr(instance, field, typed)
        return
    label = address_at(instance.latitude, instance.longitude)
    setattr(instance, field, (label or "")[:250])
    if label is None:
        transaction.on_commit(lambda: instance.pk and address_fill_later.enqueue(instance._meta.label, instance.pk,
                                                                                 field))


# Street names common to the communes of the Métropole: the demo's located items get a plausible address
# without any network (the offline demo), drawn from their point so that a reload gives the same one.
DEMO_STREETS = ("rue de la Mairie", "avenue de la République", "rue Victor-Hugo", "rue Jean-Jaurès",
                "place de l'Église", "rue des Écoles", "allée du Parc", "avenue du Général-Leclerc", "rue Pasteur",
                "boulevard Gambetta")


def demo_address(latitude: float, longitude: float, commune: str) -> str:
    """A made-up but plausible address in COMMUNE for the demo's point (never a real geocoder's answer)."""
    street = DEMO_STREETS[int(abs(latitude * 1e4) + abs(longitude * 1e4)) % len(DEMO_STREETS)]
    return f"{int(abs(latitude * 1e5)) % 60 + 1} {street}, {commune}"
