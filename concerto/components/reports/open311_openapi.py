"""The OpenAPI 3.1 description of the Open311 GeoReport v2 endpoint (/open311/v2/openapi.json), written by hand
from what open311.py serves, so that clients and fuzzers (schemathesis, in the tests) can read it.

Every resource answers in JSON or XML by its extension: the `{format}` path parameter. The JSON bodies are
described with their schemas; the XML ones as `text/xml` documents with the same elements (one element per
item: `service`, `request`, `attribute`, `value`, `error`).
"""

from django.http import JsonResponse
from django.views.decorators.http import require_GET

from concerto.components.reports import open311


def _nullable(kind: str, **extra) -> dict:
    return {"type": [kind, "null"], **extra}


TEXT = {"type": "string"}
ERRORS = {"type": "array", "minItems": 1, "items": {
    "type": "object", "required": ["code", "description"], "additionalProperties": False,
    "properties": {"code": {"type": "integer"}, "description": TEXT},
}}
SERVICE = {"type": "object", "additionalProperties": False,
           "required": ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"],
           "properties": {"service_code": TEXT, "service_name": TEXT, "description": _nullable("string"),
                          "metadata": {"type": "boolean"}, "type": {"enum": ["realtime", "batch", "blackbox"]},
                          "keywords": _nullable("string"), "group": _nullable("string")}}
ATTRIBUTE = {"type": "object", "required": ["variable", "code", "datatype", "required", "order", "description"],
             "additionalProperties": False,
             "properties": {
                 "variable": {"type": "boolean"}, "code": TEXT,
                 "datatype": {"enum": ["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"]},
                 "required": {"type": "boolean"}, "datatype_description": _nullable("string"),
                 "order": {"type": "integer"}, "description": TEXT,
                 "values": {"type": "array", "items": {
                     "type": "object", "required": ["key", "name"], "additionalProperties": False,
                     "properties": {"key": TEXT, "name": TEXT}}}}}
DEFINITION = {"type": "object", "required": ["service_code", "attributes"], "additionalProperties": False,
              "properties": {"service_code": TEXT, "attributes": {"type": "array", "items": ATTRIBUTE}}}
REQUEST = {"type": "object", "additionalProperties": False,
           "required": ["service_request_id", "status", "service_name", "service_code", "requested_datetime",
                        "updated_datetime", "lat", "long"],
           "properties": {
               "service_request_id": TEXT, "status": {"enum": ["open", "closed"]},
               "status_notes": _nullable("string"), "service_name": TEXT, "service_code": TEXT,
               "description": _nullable("string"), "agency_responsible": _nullable("string"),
               "service_notice": _nullable("string"),
               "requested_datetime": {"type": "string", "format": "date-time"},
               "updated_datetime": {"type": "string", "format": "date-time"},
               "expected_datetime": _nullable("string"), "address": _nullable("string"),
               "address_id": _nullable("string"), "zipcode": _nullable("string"),
               "lat": {"type": "number"}, "long": {"type": "number"}, "media_url": _nullable("string")}}
CREATED = {"type": "array", "items": {
    "type": "object", "required": ["service_request_id", "token"], "additionalProperties": False,
    "properties": {"service_request_id": TEXT, "token": TEXT, "service_notice": _nullable("string"),
                   "account_id": _nullable("string")}}}
TOKEN = {"type": "array", "items": {
    "type": "object", "required": ["service_request_id", "token"], "additionalProperties": False,
    "properties": {"service_request_id": TEXT, "token": TEXT}}}
DISCOVERY = {"type": "object", "required": ["changeset", "contact", "key_service", "endpoints"],
             "properties": {"changeset": TEXT, "contact": TEXT, "key_service": TEXT,
                            "endpoints": {"type": "array", "items": {"type": "object"}}}}

FORMAT = {"name": "format", "in": "path", "required": True, "schema": {"enum": ["json", "xml"]},
          "description": "json or xml: the format of the answer."}
JURISDICTION = {"name": "jurisdiction_id", "in": "query", "schema": {"type": "string", "maxLength": 20},
                "description": "The INSEE code of the commune, such as 92071 for Sceaux.", "example": "92071"}
DESCRIPTIONS = {
    "400": "A parameter is missing or not valid (a date, a coordinate, a NUL character...).",
    "403": "The api_key is missing, invalid, revoked or of another commune, or the commune reserves reports to "
           "verified residents.",
    "404": "No such jurisdiction, service, request or token.",
    "429": "This api_key sent too many requests: wait the seconds of Retry-After.",
}


def _answer(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema},
                                                     "text/xml": {"schema": {"type": "string"}}}}


def _operation(summary: str, description: str, ok: dict, *, errors=("400", "404"), parameters=(), body=None):
    operation = {
        "summary": summary, "description": description, "tags": ["open311"],
        "parameters": [FORMAT, *parameters],
        "responses": {"200": ok, **{status: _answer(DESCRIPTIONS[status], ERRORS) for status in errors}},
    }
    if "429" in errors:
        operation["responses"]["429"]["headers"] = {"Retry-After": {"schema": {"type": "string"}}}
    if body is not None:
        operation["requestBody"] = {"required": True,
                                    "content": {"application/x-www-form-urlencoded": {"schema": body}}}
    return operation


def _query(name: str, description: str, **schema) -> dict:
    return {"name": name, "in": "query", "description": description, "schema": {"type": "string", **schema}}


POST_BODY = {
    "type": "object", "required": ["jurisdiction_id", "service_code", "api_key"],
    "properties": {
        "jurisdiction_id": {"type": "string", "maxLength": 20, "example": "92071"},
        "api_key": {"type": "string", "maxLength": 200, "description": "The key the commune gave the client."},
        "service_code": {"type": "string", "maxLength": 50},
        "lat": {"type": "string", "description": "Latitude (WGS84)."},
        "long": {"type": "string", "description": "Longitude (WGS84)."},
        "address_string": {"type": "string", "description": "Kept with the report; not geocoded."},
        "address_id": {"type": "string"},
        "email": {"type": "string", "maxLength": 254, "description": "To follow the report (never shown)."},
        "device_id": {"type": "string"}, "account_id": {"type": "string"},
        "first_name": {"type": "string"}, "last_name": {"type": "string"}, "phone": {"type": "string"},
        "description": {"type": "string", "maxLength": 4000}, "media_url": {"type": "string"},
    },
    "additionalProperties": {"type": "string",
                             "description": "attribute[CODE]: the answer to a question of the service definition."},
}


def document(server_url: str = "/open311/v2") -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Concerto Open311 GeoReport v2", "version": "2",
            "description": (open311.__doc__ or "") + "\nNUL characters are refused in every parameter (400). "
                           "Dates are W3C date-times whose offset stays within ±15:59, between the years "
                           "1900 and 2999.",
        },
        "servers": [{"url": server_url}],
        "paths": {
            "/discovery.{format}": {"get": _operation(
                "Service discovery", "Where the endpoint is and what it speaks.",
                _answer("The discovery document.", DISCOVERY), errors=("400", "404"))},
            "/services.{format}": {"get": _operation(
                "List services", "The commune's active categories.",
                _answer("The services.", {"type": "array", "items": SERVICE}),
                parameters=[{**JURISDICTION, "required": True}])},
            "/services/{service_code}.{format}": {"get": _operation(
                "Service definition", "A category's extra questions as attributes.",
                _answer("The definition.", DEFINITION),
                parameters=[{"name": "service_code", "in": "path", "required": True, "schema": TEXT},
                            {**JURISDICTION, "required": True}])},
            "/requests.{format}": {
                "get": _operation(
                    "List requests", "Public requests, most recent first, the last 90 days by default (at most "
                                     f"{open311.MAX_REQUESTS}).",
                    _answer("The requests.", {"type": "array", "items": REQUEST}),
                    parameters=[JURISDICTION,
                                _query("service_request_id", "Comma-separated ids; the other filters are then "
                                                             "ignored."),
                                _query("service_code", "Comma-separated service codes."),
                                _query("start_date", "W3C date-time.", format="date-time"),
                                _query("end_date", "W3C date-time, at most 90 days after start_date.",
                                       format="date-time"),
                                _query("status", "open, closed, or both separated by a comma."),
                                _query("lat", "Latitude (WGS84), with long."),
                                _query("long", "Longitude (WGS84), with lat."),
                                _query("radius", "Metres around lat/long (1 to 10,000; 500 by default).")]),
                "post": _operation(
                    "Create a request", "A client with the commune's api_key reports at a point.",
                    _answer("The new request's id and token.", CREATED), errors=("400", "403", "404", "429"),
                    body=POST_BODY),
            },
            "/requests/{service_request_id}.{format}": {"get": _operation(
                "One request", "A public request by its id (a list of one).",
                _answer("The request.", {"type": "array", "items": REQUEST}),
                parameters=[{"name": "service_request_id", "in": "path", "required": True, "schema": TEXT},
                            JURISDICTION])},
            "/tokens/{token}.{format}": {"get": _operation(
                "Request id from a token", "The id of a posted request, from the token given when posting.",
                _answer("The request id.", TOKEN),
                parameters=[{"name": "token", "in": "path", "required": True, "schema": TEXT}])},
        },
    }


@require_GET
def openapi_view(request):
    return JsonResponse(document(), json_dumps_params={"ensure_ascii": False})
