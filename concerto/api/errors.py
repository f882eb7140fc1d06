"""Every error of the API is JSON `{"detail": "..."}` in the caller's language (French by default).

Validation errors add `errors`: a list of `{"field", "location", "message"}`. Unexpected exceptions are
logged and answered with a JSON 500 instead of Django's HTML page.
"""

import logging

from django.conf import settings
from django.core.exceptions import (
    ObjectDoesNotExist,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

from concerto.core import inputs
from concerto.core.ratelimit import RateLimited

logger = logging.getLogger(__name__)

# Locations ninja puts first in an error's `loc`, and the name our endpoints give their body argument.
_LOCATIONS = {"body", "query", "path", "header", "cookie", "form", "file"}
_BODY_ARGUMENT = "payload"


def _field_message(error: dict) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind in {"string_too_short"} and ctx.get("min_length") == 1:
        return _("This field cannot be empty.")
    if kind == "string_too_short":
        return _("Enter at least %(count)s characters.") % {"count": ctx.get("min_length")}
    if kind == "string_too_long":
        return _("Enter at most %(count)s characters.") % {"count": ctx.get("max_length")}
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return _("Enter a whole number.")
    if kind in {"greater_than_equal", "greater_than"}:
        return _("The value must be at least %(limit)s.") % {"limit": ctx.get("ge", ctx.get("gt"))}
    if kind in {"less_than_equal", "less_than"}:
        return _("The value must be at most %(limit)s.") % {"limit": ctx.get("le", ctx.get("lt"))}
    if kind in {"bool_parsing", "bool_type"}:
        return _("Enter true or false.")
    if kind in {"literal_error", "enum"}:
        return _("Choose one of: %(choices)s.") % {"choices": ctx.get("expected", "")}
    if kind == "string_pattern_mismatch":
        return _("This value has characters that are not allowed.")
    if kind == "string_type":
        return _("Enter some text.")
    if kind.startswith("datetime_") and kind != "datetime_range" or kind.startswith("date_"):
        return _("Enter a date and time in the ISO 8601 format, such as 2026-03-14T09:30:00+01:00.")
    if kind == "json_invalid":
        return _("The request body is not valid JSON.")
    if kind in {"model_attributes_type", "dict_type", "model_type"}:
        return _("Send a JSON object.")
    return error.get("msg", _("This value is not valid."))


def _field_name(loc) -> tuple[str, str]:
    parts = [str(p) for p in loc]
    location = parts.pop(0) if parts and parts[0] in _LOCATIONS else ""
    if location == "body" and parts and parts[0] == _BODY_ARGUMENT:
        parts.pop(0)
    return ".".join(parts), location


def validation_errors(errors: list[dict]) -> list[dict]:
    result = []
    for error in errors:
        field, location = _field_name(error.get("loc", ()))
        result.append({"field": field, "location": location, "message": _field_message(error)})
    return result


CSRF_CODE = "csrf_failed"


def nul_errors(request, path_params: dict) -> list[dict]:
    """Where the request holds a NUL character (inputs.nul_fields: the path, the query, a JSON body), as
    validation errors."""
    message = inputs.nul_message()
    return [{"field": field, "location": location, "message": message}
            for location, field in inputs.nul_fields(request, path_params, json_body=True)]


def json_error(status: int, detail: str, **extra) -> JsonResponse:
    return JsonResponse({"detail": str(detail), **extra}, status=status,
                        json_dumps_params={"ensure_ascii": False})


def on_validation_error(request, exc: NinjaValidationError):
    return json_error(422, _("The data sent is not valid."), errors=validation_errors(exc.errors))


def on_django_validation_error(request, exc: DjangoValidationError):
    if hasattr(exc, "error_dict"):
        errors = [{"field": "" if field == "__all__" else field, "location": "body", "message": str(message)}
                  for field, messages in exc.message_dict.items() for message in messages]
    else:
        errors = [{"field": "", "location": "body", "message": str(m)} for m in exc.messages]
    return json_error(422, _("The data sent is not valid."), errors=errors)


def on_http_error(request, exc: HttpError):
    if isinstance(exc, AuthenticationError) and exc.message == "Unauthorized":
        message = _("Authentication is required: log in or send an API token.")
    elif isinstance(exc, Throttled):
        message = _("Too many requests. Please wait a moment and try again.")
    elif exc.message == "CSRF check Failed":
        # The `code` lets a program tell it from a refusal of the endpoint itself (the ballots' 403 has one).
        return json_error(403, _("The CSRF check failed: send the X-CSRFToken header with the session, "
                                 "or use an API token."), code=CSRF_CODE)
    elif exc.message.startswith("Cannot parse request body"):
        message = _("The request body is not valid JSON.")
    elif exc.status_code == 403 and exc.message == "Forbidden":
        message = _("You do not have permission to do this.")
    else:
        message = exc.message
    code = getattr(exc, "code", "")
    response = json_error(exc.status_code, message, **({"code": code} if code else {}))
    if isinstance(exc, AuthenticationError):
        response["WWW-Authenticate"] = "Bearer"
    return response


def on_not_found(request, exc: Exception):
    # Http404 raised by our endpoints carries a translated message; anything else gets the generic one.
    if isinstance(exc, Http404) and str(exc):
        detail = str(exc)
    else:
        detail = _("Nothing matches this address or identifier.")
    return json_error(404, detail)


def on_permission_denied(request, exc: PermissionDenied):
    return json_error(403, str(exc) or _("You do not have permission to do this."))


def on_request_too_big(request, exc: RequestDataTooBig):
    return json_error(413, _("The request is too large. Send at most %(size)s MB.")
                      % {"size": settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)})


def on_suspicious(request, exc: SuspiciousOperation):
    # Django's own checks on what a client sent (too many fields, a malformed header...).
    logger.warning("Suspicious API request on %s %s: %s", request.method, request.path, exc)
    return json_error(400, _("The request could not be understood. Check the address or the form and try "
                                "again."))


def on_rate_limited(request, exc: RateLimited):
    # A service refused a sender past its send limit (core/ratelimit.py): nothing was saved.
    response = json_error(429, exc.message)
    response["Retry-After"] = str(exc.retry_after)
    return response


def on_unexpected(request, exc: Exception):
    logger.exception("Unexpected API error on %s %s", request.method, request.path)
    return json_error(500, _("An error occurred on our side. Nothing you had already saved is lost. "
                             "Please try again in a few minutes."))


def install(api) -> None:
    api.add_exception_handler(Exception, on_unexpected)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(ObjectDoesNotExist, on_not_found)
    api.add_exception_handler(PermissionDenied, on_permission_denied)
    api.add_exception_handler(SuspiciousOperation, on_suspicious)
    api.add_exception_handler(RequestDataTooBig, on_request_too_big)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(NinjaValidationError, on_validation_error)
    api.add_exception_handler(DjangoValidationError, on_django_validation_error)
    api.add_exception_handler(RateLimited, on_rate_limited)


def not_found_view(request, *args, **kwargs):
    """Any other address under /api/v1/ answers in JSON too."""
    return json_error(404, _("This API endpoint does not exist. The list is at /api/v1/docs."))


# The errors every endpoint may answer, written into the published schema (ConcertoAPI) where an endpoint
# does not describe them itself, so that the schema lists every status a client can get.
_ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}
_VALIDATION_REF = {"$ref": "#/components/schemas/ValidationErrorOut"}
_ERROR_DESCRIPTIONS = {
    "400": "The request could not be understood (a body that is not JSON, a malformed header).",
    "401": "Authentication is required, or the API token is not valid.",
    "403": "Refused: the CSRF check of a session failed (with `code`: `csrf_failed`), or the caller may not do "
           "this.",
    "404": "Nothing matches an identifier or a slug sent.",
    "413": "The request body is too large.",
    "422": "The data sent is not valid: `errors` lists each field (a NUL character in any text is refused).",
    "429": "Too many requests from this sender: wait the seconds of `Retry-After`.",
}
_WRITES = {"post", "put", "patch", "delete"}


def _error_schemas():
    from concerto.api.common import ErrorOut, ValidationErrorOut

    schemas = {"ErrorOut": ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")}
    validation = ValidationErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(validation.pop("$defs", {}))
    schemas["ValidationErrorOut"] = validation
    return schemas


def document_errors(schema: dict) -> dict:
    """SCHEMA with, on each operation, the errors it may answer that it does not describe: 400 and 422 for
    all; 404 where it takes parameters; 401 and 403 where it needs authentication; 413 and 429 for writes."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for name, definition in _error_schemas().items():
        components.setdefault(name, definition)
    for methods in schema.get("paths", {}).values():
        for method, operation in methods.items():
            statuses = ["400", "422"]
            if operation.get("parameters") or operation.get("requestBody"):
                statuses.append("404")
            if operation.get("security"):
                statuses += ["401", "403"]
            if method in _WRITES:
                statuses += ["413", "429"]
            responses = operation.setdefault("responses", {})
            for status in statuses:
                if status in responses or int(status) in responses:
                    continue
                body = _VALIDATION_REF if status == "422" else _ERROR_REF
                responses[status] = {"description": _ERROR_DESCRIPTIONS[status],
                                     "content": {"application/json": {"schema": body}}}
    return schema
