"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2), mounted at /open311/v2/ (open311_urls.py).

One endpoint serves the Métropole's communes: jurisdiction_id is the commune's INSEE code. It is required
to list services, read a service definition and post a request (a category belongs to one commune); it is
an optional filter when reading requests. Each resource answers in JSON or XML by its extension; errors are
a list of {code, description} with the HTTP status the specification names (400, 403, 404).

Decisions where the specification leaves a choice:
- services are "realtime": a posted request gets its service_request_id at once (and a token as well);
- a request needs lat/long: we have no geocoder, so address_string alone is refused (400);
- media_url is not fetched nor stored (photos come through the website only);
- first_name, last_name, phone and account_id are not kept: the reporter is followed by email;
- a request is sent by an application on someone's behalf, so it cannot come from a verified resident: when a
  reports component of the commune (or of a territory above it) reserves reporting to verified residents,
  posting there is refused with a 403;
- the send limit on reports applies per API key (as per account on the website): beyond it, a 429 with the
  error list and Retry-After;
- hidden reports are never served; personal data (email, names, phone, device) never leaves.
"""

import math
import xml.etree.ElementTree as ET
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from concerto.components.reports.models import Category, Report
from concerto.core import inputs, ratelimit
from concerto.core.accounts.verification import VerificationRequired
from concerto.core.ratelimit import RateLimited
from concerto.core.territory.models import Organisation

MAX_REQUESTS = 1000  # the page size cap of GET requests, as the specification suggests
MAX_SPAN = timedelta(days=90)
MAX_IDS = 100
# The element name of one item of a list, in XML.
_ITEM_TAGS = {"services": "service", "service_requests": "request", "attributes": "attribute", "values": "value",
              "endpoints": "endpoint", "formats": "format", "errors": "error"}


class Open311Error(Exception):
    def __init__(self, status: int, description: str, *, retry_after: int | None = None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after


# Rendering ---------------------------------------------------------------------------------------------

def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _append(parent: ET.Element, tag: str, value) -> None:
    element = ET.SubElement(parent, tag)
    if isinstance(value, dict):
        for key, item in value.items():
            _append(element, key, item)
    elif isinstance(value, list | tuple):
        for item in value:
            _append(element, _ITEM_TAGS.get(tag, "item"), item)
    else:
        element.text = _text(value)


def to_xml(root: str, items) -> bytes:
    """The XML document for ITEMS (a list of dicts, or one dict) under ROOT, as the specification shows it."""
    element = ET.Element(root)
    if isinstance(items, dict):
        for key, value in items.items():
            _append(element, key, value)
    else:
        for item in items:
            _append(element, _ITEM_TAGS.get(root, "item"), item)
    # ElementTree escapes text and drops nothing: characters XML 1.0 forbids are removed first.
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(element, encoding="utf-8", xml_declaration=False)


_FORBIDDEN = dict.fromkeys([c for c in range(32) if c not in (9, 10, 13)])


def _clean(value):
    if isinstance(value, str):
        return value.translate(_FORBIDDEN)
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def respond(fmt: str, root: str, items, status: int = 200) -> HttpResponse:
    items = _clean(items)
    if fmt == "xml":
        return HttpResponse(to_xml(root, items), status=status, content_type="text/xml; charset=utf-8")
    return JsonResponse(items, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def error_response(fmt: str, status: int, description: str) -> HttpResponse:
    return respond(fmt, "errors", [{"code": status, "description": description}], status=status)


def _handle(view):
    """Turn an Open311Error raised by VIEW into the specification's error list."""
    def wrapper(request, *args, fmt="json", **kwargs):
        try:
            _refuse_nul(request, kwargs)
            return view(request, *args, fmt=fmt, **kwargs)
        except Open311Error as error:
            response = error_response(fmt, error.status, error.description)
            if error.retry_after is not None:
                response["Retry-After"] = str(error.retry_after)
            return response
    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


# Input -------------------------------------------------------------------------------------------------

def _param(data, name: str) -> str:
    value = data.get(name)
    return value.strip() if isinstance(value, str) else ""


def _jurisdiction(data, *, required: bool) -> Organisation | None:
    code = _param(data, "jurisdiction_id")
    if not code:
        if required:
            raise Open311Error(400, _("jurisdiction_id was not provided: give the INSEE code of the commune."))
        return None
    commune = Organisation.objects.filter(kind=Organisation.Kind.COMMUNE, insee_code=code[:5]).first()
    if commune is None or len(code) > 5:
        raise Open311Error(404, _("jurisdiction_id “%(code)s” was not found: give the INSEE code of a commune "
                                  "of the Métropole.") % {"code": code[:20]})
    return commune


def _category(commune: Organisation, code: str) -> Category:
    if not code:
        raise Open311Error(400, _("service_code was not provided."))
    category = Category.objects.filter(organisation=commune, code=code[:50], active=True).first()
    if category is None:
        raise Open311Error(404, _("service_code “%(code)s” was not found in this jurisdiction.") % {"code": code[:50]})
    return category


def _datetime(data, name: str):
    raw = _param(data, name)
    if not raw:
        return None
    try:
        # A "+" of an offset arrives as a space when the client did not encode it.
        return inputs.datetime_parse(raw.replace(" ", "+"))
    except inputs.BadInput as error:
        raise Open311Error(400, _field_error(name, error.message)) from None


def _field_error(name: str, message: str) -> str:
    # French puts a non-breaking space before the colon.
    return _("%(field)s: %(errors)s") % {"field": name, "errors": message}


# The specification's names of the parameters in the address.
_PATH_NAMES = {"code": "service_code", "request_id": "service_request_id"}


def _refuse_nul(request, kwargs) -> None:
    """Every parameter, in the address, the query or the form: PostgreSQL refuses NUL characters in text."""
    found = inputs.nul_fields(request, kwargs, form=True)
    if found:
        _location, name = found[0]
        raise Open311Error(400, _field_error(_PATH_NAMES.get(name, name)[:50], inputs.nul_message()))


def _coordinate(data, name: str, low: float, high: float) -> float | None:
    raw = _param(data, name)
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or not low <= value <= high:
        raise Open311Error(400, _("%(name)s must be a number between %(low)s and %(high)s (WGS84).")
                           % {"name": name, "low": low, "high": high})
    return value


# Output ------------------------------------------------------------------------------------------------

def _iso(value) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def _absolute(url: str) -> str:
    return settings.SITE_URL.rstrip("/") + url


def request_data(report: Report) -> dict:
    """The public fields of REPORT as an Open311 request (no email, name, phone or device)."""
    notes = report.public_answer or (report.status_reason if report.status == Report.Status.REJECTED else "")
    return {
        "service_request_id": str(report.pk),
        "status": "open" if report.is_open else "closed",
        "status_notes": notes or None,
        "service_name": report.category.name,
        "service_code": report.category.code,
        "description": report.description[:4000] or None,
        "agency_responsible": report.service.name if report.service_id and report.service else None,
        "service_notice": None,
        "requested_datetime": _iso(report.created_at),
        "updated_datetime": _iso(report.updated_at),
        "expected_datetime": None,
        "address": report.address or None,
        "address_id": None,
        "zipcode": None,
        "lat": report.latitude,
        "long": report.longitude,
        "media_url": None,
    }


def _public_reports():
    return Report.objects.visible().select_related("category", "service")


# Views -------------------------------------------------------------------------------------------------

@require_GET
@_handle
def discovery(request, fmt="json"):
    """Service discovery: where the GeoReport v2 endpoint is and what it speaks."""
    base = request.build_absolute_uri(reverse("reports_open311:discovery"))
    data = {
        "changeset": "2026-01-01T00:00:00Z",
        "contact": _("Métropole du Grand Paris — write to the contact address of your commune."),
        "key_service": _("Ask your commune's reports service for an API key to post requests."),
        "endpoints": [{
            "specification": "http://wiki.open311.org/GeoReport_v2",
            "url": base.rstrip("/"),
            "changeset": "2026-01-01T00:00:00Z",
            "type": "production",
            "formats": ["application/json", "text/xml"],
        }],
    }
    return respond(fmt, "discovery", data)


@require_GET
@_handle
def service_list(request, fmt="json"):
    """The commune's active categories (jurisdiction_id required)."""
    commune = _jurisdiction(request.GET, required=True)
    categories = (Category.objects.filter(organisation=commune, active=True).select_related("service")
                  .prefetch_related("questions"))
    services = [{
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description or None,
        "metadata": bool(category.questions.all()),
        "type": "realtime",
        "keywords": category.keywords or None,
        "group": category.group or None,
    } for category in categories]
    return respond(fmt, "services", services)


@require_GET
@_handle
def service_definition(request, code, fmt="json"):
    """A category's extra questions as Open311 attributes."""
    commune = _jurisdiction(request.GET, required=True)
    category = _category(commune, code)
    datatype_help = {
        "string": _("A short text."), "text": _("A text."), "number": _("A number."),
        "datetime": _("A date and time, such as 2026-03-14T09:30:00+01:00."),
        "singlevaluelist": _("One of the keys of the list."), "multivaluelist": _("Keys of the list."),
    }
    attributes = []
    for order, question in enumerate(category.questions.all(), start=1):
        attribute = {
            "variable": True,
            "code": question.code,
            "datatype": question.datatype,
            "required": question.required,
            "datatype_description": datatype_help.get(question.datatype),
            "order": order,
            "description": question.label,
        }
        if question.datatype in ("singlevaluelist", "multivaluelist"):
            attribute["values"] = [{"key": str(option.get("key", "")), "name": str(option.get("name", ""))}
                                   for option in question.options or []]
        attributes.append(attribute)
    return respond(fmt, "service_definition", {"service_code": category.code, "attributes": attributes})


@csrf_exempt
@require_http_methods(["GET", "POST"])
@_handle
def requests(request, fmt="json"):
    if request.method == "POST":
        return _request_create(request, fmt)
    return _request_list(request, fmt)


def _request_list(request, fmt):
    """GET requests: the public reports, filtered as the specification says (last 90 days by default)."""
    data = request.GET
    reports = _public_reports()
    commune = _jurisdiction(data, required=False)
    if commune is not None:
        reports = reports.filter(organisation=commune)
    ids = _param(data, "service_request_id")
    if ids:
        wanted = [part.strip() for part in ids.split(",") if part.strip()]
        if len(wanted) > MAX_IDS or not all(part.isdigit() and len(part) < 19 for part in wanted):
            raise Open311Error(400, _("service_request_id must be a comma-separated list of at most %(max)s "
                                      "request ids.") % {"max": MAX_IDS})
        # With ids, the other parameters are ignored, as the specification says.
        reports = reports.filter(pk__in=[int(part) for part in wanted])
    else:
        codes = [part.strip() for part in _param(data, "service_code").split(",") if part.strip()]
        if codes:
            reports = reports.filter(category__code__in=codes)
        start, end = _datetime(data, "start_date"), _datetime(data, "end_date")
        if start and end and end < start:
            raise Open311Error(400, _("end_date is before start_date."))
        if start and end and end - start > MAX_SPAN:
            raise Open311Error(400, _("start_date and end_date are more than 90 days apart."))
        if end is None:
            end = start + MAX_SPAN if start else timezone.now()
        if start is None:
            start = end - MAX_SPAN
        reports = reports.filter(created_at__gte=start, created_at__lte=end)
        status = [part.strip() for part in _param(data, "status").split(",") if part.strip()]
        if any(part not in ("open", "closed") for part in status):
            raise Open311Error(400, _("status must be open, closed or both separated by a comma."))
        if status == ["open"]:
            reports = reports.filter(status__in=Report.OPEN_STATUSES)
        elif status == ["closed"]:
            reports = reports.exclude(status__in=Report.OPEN_STATUSES)
        latitude = _coordinate(data, "lat", -90, 90)
        longitude = _coordinate(data, "long", -180, 180)
        if (latitude is None) != (longitude is None):
            raise Open311Error(400, _("lat and long go together."))
        if latitude is not None:
            radius = _coordinate(data, "radius", 1, 10_000) or 500
            dlat = math.degrees(radius / 6_371_008.8)
            dlon = dlat / max(0.01, math.cos(math.radians(latitude)))
            reports = reports.filter(latitude__gte=latitude - dlat, latitude__lte=latitude + dlat,
                                     longitude__gte=longitude - dlon, longitude__lte=longitude + dlon)
    reports = reports.order_by("-created_at", "-pk")[:MAX_REQUESTS]
    return respond(fmt, "service_requests", [request_data(report) for report in reports])


def _verified_only(commune) -> str:
    return _("In %(commune)s, only verified residents can send a report, on the website after verifying their "
             "residence. A request through Open311 cannot be tied to a verified resident: it was not created.") % {
        "commune": commune.name}


def _request_create(request, fmt):
    """POST requests: a client with the commune's API key posts a report at a point. This parses the request
    and authenticates the key; the service checks everything else, once, and Open311 maps its refusals to
    the specification's error list."""
    from concerto.components.reports import services, workflow

    data = request.POST
    commune = _jurisdiction(data, required=True)
    raw_key = _param(data, "api_key")
    if not raw_key:
        raise Open311Error(403, _("api_key was not provided: ask the commune for an API key."))
    key = workflow.open311_key_authenticate(raw_key[:200])
    if key is None:
        raise Open311Error(403, _("Invalid api_key received: the request was not created."))
    if key.organisation_id != commune.pk:
        raise Open311Error(403, _("This api_key is not one of this jurisdiction: the request was not created."))
    category = _category(commune, _param(data, "service_code"))
    latitude = _coordinate(data, "lat", -90, 90)
    longitude = _coordinate(data, "long", -180, 180)
    if latitude is None or longitude is None:
        if _param(data, "address_string") or _param(data, "address_id"):
            raise Open311Error(400, _("lat and long are required: this endpoint has no geocoder, an "
                                      "address_string alone cannot be placed."))
        raise Open311Error(400, _("lat and long were not provided."))
    answers = {}
    for question in category.questions.all():
        values = [value.strip() for value in data.getlist(f"attribute[{question.code}]") if value.strip()]
        if question.datatype == "multivaluelist":
            answers[question.code] = values
        elif values:
            answers[question.code] = values[0]
    try:
        report = services.report_create(
            category=category, kind=Report.Kind.MALFUNCTION, latitude=latitude, longitude=longitude,
            description=_param(data, "description"), address=_param(data, "address_string"), answers=answers,
            email=_param(data, "email"), channel="api", api_key=key, device_id=_param(data, "device_id"),
            sender=ratelimit.sender_of_key("open311", key.pk))
    except VerificationRequired:
        raise Open311Error(403, _verified_only(commune)) from None
    except RateLimited as limited:
        raise Open311Error(429, limited.message, retry_after=limited.retry_after) from None
    except ValidationError as error:
        messages = []
        for field, errors in error.message_dict.items():
            name = {"location": "lat/long", "category": "service_code"}.get(field, field)
            if name.startswith("q_"):
                name = f"attribute[{name[2:]}]"
            messages.append(_field_error(name, " ".join(str(e) for e in errors)))
        raise Open311Error(400, " ".join(messages)) from None
    return respond(fmt, "service_requests", [{
        "service_request_id": str(report.pk),
        "token": report.token,
        "service_notice": None,
        "account_id": None,
    }])


@require_GET
@_handle
def request_detail(request, request_id, fmt="json"):
    """One public request by its id (a list of one, as the specification shows)."""
    report = _public_reports().filter(pk=int(request_id)).first() if request_id.isdigit() and len(request_id) < 19 \
        else None
    commune = _jurisdiction(request.GET, required=False)
    if report is None or (commune is not None and report.organisation_id != commune.pk):
        raise Open311Error(404, _("service_request_id “%(id)s” was not found.") % {"id": request_id[:20]})
    return respond(fmt, "service_requests", [request_data(report)])


@require_GET
@_handle
def token_detail(request, token, fmt="json"):
    """The service request id of a posted request, from its token."""
    report = Report.objects.visible().filter(token=token[:64]).only("pk", "token").first()
    if report is None:
        raise Open311Error(404, _("token “%(token)s” was not found.") % {"token": token[:40]})
    return respond(fmt, "service_requests", [{"service_request_id": str(report.pk), "token": report.token}])


@csrf_exempt
def not_found(request):
    """Any other address under /open311/v2/: the specification's error list, in XML when it ends with .xml."""
    return error_response("xml" if request.path.endswith(".xml") else "json", 404,
                          _("This Open311 resource does not exist. Its description is at %(url)s.")
                          % {"url": reverse("reports_open311:openapi")})
