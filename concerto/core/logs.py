"""Logs that a machine can read: one JSON object per line (CONCERTO_LOG_FORMAT=json), and the request's
context on every line, JSON or text. Read by the LOGGING setting before the apps load: this module imports
nothing of the project. The request's context is set by `middleware.RequestMiddleware`.
"""

import contextvars
import json
import logging
import traceback
from datetime import UTC, datetime

_context: contextvars.ContextVar[dict] = contextvars.ContextVar("concerto_request", default={})  # noqa: B039
# The LogRecord attributes that are not a caller's `extra=`.
# `request` (Django's) is an object: its id, method and path are already there.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName", "request"}


def request_context_set(**values) -> contextvars.Token:
    """Start a request's context (RequestMiddleware); give the token back to `request_context_reset`."""
    return _context.set(values)


def request_context() -> dict:
    """The current request's id, method, path and account id (empty outside a request)."""
    return _context.get()


def request_context_update(**values) -> None:
    _context.get().update(values)


def request_context_reset(token: contextvars.Token) -> None:
    _context.reset(token)


class RequestContextFilter(logging.Filter):
    """Adds the request's context to every record (`%(request_id)s` in a text format)."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = _context.get()
        request = getattr(record, "request", None)
        if not context and request is not None:
            # Django logs a 4xx or 5xx after the middleware returned, with the request: its id is on it.
            context = {"request_id": getattr(request, "request_id", "-"), "method": getattr(request, "method", "-"),
                       "path": getattr(request, "path", "-")}
        for key in ("request_id", "method", "path", "user_id"):
            if not hasattr(record, key):
                setattr(record, key, context.get(key, "-"))
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, the request's context, what
    the caller passed in `extra=`, and the exception with its traceback."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in entry and value != "-":
                entry[key] = value
        if record.exc_info:
            entry["exception"] = {
                "type": record.exc_info[0].__name__ if record.exc_info[0] else None,
                "message": str(record.exc_info[1]),
                "traceback": "".join(traceback.format_exception(*record.exc_info)),
            }
        return json.dumps(entry, ensure_ascii=False, default=str)
