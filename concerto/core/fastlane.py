"""Fast lanes: a few hot request shapes answered in front of Django, everything else by Django.

A request through Django costs about 1.5 ms of application CPU before any view runs (its handler and the
middleware stack of settings.MIDDLEWARE). On a vote day or under a burst of chat messages, that is most of the
work. A lane takes one request shape (a method and an exact path), does what the view does, and answers with the
headers Django's middleware would have added; it only ever accepts. Whenever it is unsure (a refusal of any kind,
a body it does not read exactly as the view would, a cookie, an insecure request Django would redirect, a host
Django would refuse, an error), it has written nothing and hands the request, its body re-wrapped, to Django,
which answers as it always did: every refusal and every message stays Django's.

The lanes today: API ballots (components/budgets/intake.py), the chat webhooks (channels/lanes.py) and quick poll
answers (components/polls/lane.py). They are
listed by concerto/wsgi.py, each behind its setting. A lane is an object with:
- `match(method, path)`: whether the request is its shape (cheap: a regular expression);
- `answer(environ, body, started)`: (status, headers, content) when it accepted the request, else None.
This module gives the lanes what they share: the WSGI dispatcher (`FastLanes`), the body reader (`body_read`),
the checks Django's middleware makes before a view (`request_acceptable`), the response headers (`respond`) and
the request signals around database work (`as_request`).
"""

from __future__ import annotations

import io
import json
import logging
import re
import time
import uuid
from contextlib import contextmanager

from django.conf import settings
from django.core import signals
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpResponse
from django.urls import resolve
from ninja.renderers import JSONRenderer

from concerto.core import dbrouting, metrics, security
from concerto.core.middleware import REQUEST_ID
from concerto.core.ratelimit import client_address

logger = logging.getLogger("concerto.fastlane")
request_logger = logging.getLogger("concerto.requests")

REASONS = {200: "OK", 201: "Created"}

# The JSON content types a lane reads (anything else, a form say, is Django's).
JSON_TYPES = {"application/json", "application/json; charset=utf-8", "application/json;charset=utf-8"}
# A personal API token as ApiToken.issue makes them (url-safe base64 with a prefix); anything else is Django's.
BEARER = re.compile(r"Bearer ([A-Za-z0-9_-]{8,200})")
# What django-ninja answers with: its renderer and content type.
API_CONTENT_TYPE = f"{JSONRenderer.media_type}; charset={JSONRenderer.charset}"
_renderer = JSONRenderer()


class FastLanes:
    """WSGI middleware: each request that one of LANES takes and accepts is answered here, all others by APP."""

    def __init__(self, app, lanes):
        self.app = app
        self.lanes = list(lanes)
        for lane in self.lanes:
            # The URL configuration (every view's module) is imported now, in gunicorn's master with --preload,
            # rather than by the first request of each worker (seconds under load, while requests pile up).
            try:
                lane.warm()
            except Exception:
                logger.exception("The fast lane %s could not warm up", type(lane).__name__)

    def __call__(self, environ, start_response):
        method, path = environ.get("REQUEST_METHOD", ""), environ.get("PATH_INFO", "")
        lane = next((lane for lane in self.lanes if lane.match(method, path)), None)
        if lane is None:
            return self.app(environ, start_response)
        started = time.perf_counter()
        body = body_read(environ, lane.max_body, lane.content_types, cookie_free=lane.cookie_free)
        if body is None:
            return self.app(environ, start_response)
        answer = None
        try:
            answer = lane.answer(environ, body, started)
        except Exception:  # anything unusual before the lane wrote: Django answers as it always did
            logger.exception("The fast lane %s handed a request to Django after an error", type(lane).__name__)
        if answer is None:
            environ["wsgi.input"] = io.BytesIO(body)
            return self.app(environ, start_response)
        status, headers, content = answer
        start_response(status, headers)
        return [content]


def body_read(environ, max_body: int, content_types: set[str], *, cookie_free: bool = True) -> bytes | None:
    """The request's body, read whole, when its content type is one of CONTENT_TYPES and it is at most MAX_BODY
    bytes (with a Content-Length, no transfer encoding, and no cookie when COOKIE_FREE); None (nothing read) if
    not. Whatever happens next, Django can read it again."""
    if (cookie_free and environ.get("HTTP_COOKIE")) or environ.get("CONTENT_TYPE", "").lower() not in content_types:
        return None
    try:
        length = int(environ.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None
    if not 0 < length <= max_body or environ.get("HTTP_TRANSFER_ENCODING"):
        return None
    body = environ["wsgi.input"].read(length)
    environ["wsgi.input"] = io.BytesIO(body)
    return body


def bearer_key(environ) -> str | None:
    """The API token of `Authorization: Bearer <key>` when the header is exactly that, else None."""
    match = BEARER.fullmatch(environ.get("HTTP_AUTHORIZATION", ""))
    return match.group(1) if match else None


def api_json(data, status: int) -> bytes:
    """DATA rendered as django-ninja renders an endpoint's answer."""
    return _renderer.render(None, data, response_status=status).encode()


class Routes:
    """The views' ResolverMatch (what the metrics name a route by), resolved once per process for each KEY."""

    def __init__(self):
        self._matches: dict[str, object] = {}

    def __call__(self, path: str, key: str | None = None):
        key = key or path
        match = self._matches.get(key)
        if match is None:
            match = self._matches[key] = resolve(path)
        return match


def token_request(environ, body: bytes, read):
    """What an API lane taking a personal token reads of a request: (request, API key, what READ makes of the
    body's JSON) when there is no query string, a bearer token, a JSON body READ takes (not None) and Django's
    middleware would let the request through (`request_acceptable`); None otherwise (Django's to answer)."""
    key = bearer_key(environ)
    if environ.get("QUERY_STRING") or key is None:
        return None
    try:
        value = read(json.loads(body))
    except ValueError:
        return None
    if value is None:
        return None
    request = WSGIRequest(environ)
    if not request_acceptable(request):
        return None
    return request, key, value


def request_acceptable(request: WSGIRequest) -> bool:
    """Whether SecurityMiddleware and CommonMiddleware would let REQUEST through to the view (no HTTPS redirect, an
    allowed host): when not, Django answers (its redirect, its 400)."""
    if settings.SECURE_SSL_REDIRECT and not request.is_secure():
        return False
    try:
        request.get_host()
    except Exception:  # DisallowedHost
        return False
    return True


@contextmanager
def as_request(sender):
    """Database work of a lane's request between the signals Django sends around a request: its connection is
    closed or given back to the pool after, as CONN_MAX_AGE says, like any request's."""
    signals.request_started.send(sender=sender)
    try:
        yield
    finally:
        signals.request_finished.send(sender=sender)


class _Route:
    """What metrics.request_observe reads of a request: the route's name and the method."""

    __slots__ = ("method", "resolver_match")

    def __init__(self, method: str, match):
        self.method = method
        self.resolver_match = match


def respond(request: WSGIRequest, environ, *, status: int, content_type: str, content: bytes, language: str,
            user_id: int | None, started: float, route, vary: str = "Accept-Language, Cookie",
            sticky: bool = False):
    """(status line, headers, content) as Django's middleware would answer: the same headers, in the same order,
    the request id, the request log line and the metrics. ROUTE is the view's ResolverMatch (resolve it once per
    process); VARY is what LocaleMiddleware and SessionMiddleware add for this view; STICKY: the request wrote, so
    with a replica the read-after-write cookie is set (dbrouting)."""
    # Built as a list (an HttpResponse costs more than a ballot's own Python work).
    headers = [("Content-Type", content_type)]
    policy: dict[str, str] = {}
    security.policy_headers_add(policy)
    headers.extend(policy.items())
    if settings.SECURE_HSTS_SECONDS and request.is_secure():
        sts = f"max-age={settings.SECURE_HSTS_SECONDS}"
        if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
            sts += "; includeSubDomains"
        if settings.SECURE_HSTS_PRELOAD:
            sts += "; preload"
        headers.append(("Strict-Transport-Security", sts))
    if settings.SECURE_CONTENT_TYPE_NOSNIFF:
        headers.append(("X-Content-Type-Options", "nosniff"))
    if settings.SECURE_REFERRER_POLICY:
        referrer = settings.SECURE_REFERRER_POLICY
        headers.append(("Referrer-Policy", referrer if isinstance(referrer, str) else ",".join(referrer)))
    if settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
        headers.append(("Cross-Origin-Opener-Policy", settings.SECURE_CROSS_ORIGIN_OPENER_POLICY))
    headers += [("Vary", vary), ("Content-Language", language), ("Content-Length", str(len(content))),
                ("X-Frame-Options", settings.X_FRAME_OPTIONS)]
    sent = environ.get("HTTP_X_REQUEST_ID", "")
    request_id = sent if REQUEST_ID.fullmatch(sent) else uuid.uuid4().hex
    headers.append(("X-Request-ID", request_id))
    duration = time.perf_counter() - started
    metrics.request_observe(_Route(request.method, route), status, duration)
    if request_logger.isEnabledFor(logging.INFO):
        extra = {"request_id": request_id, "method": request.method, "path": request.path, "user_id": user_id,
                 "status": status, "duration_ms": round(duration * 1000, 1), "fast_lane": True}
        if settings.CONCERTO_LOG_CLIENT_IP:
            extra["client_ip"] = client_address(request)
        request_logger.info("%s %s %s", request.method, request.path, status, extra=extra)
    if sticky and dbrouting.replica_configured():
        cookie = HttpResponse()
        cookie.set_cookie(dbrouting.PRIMARY_COOKIE, "1", max_age=int(settings.CONCERTO_REPLICA_STICKY_SECONDS),
                          httponly=True, samesite="Lax", secure=settings.SESSION_COOKIE_SECURE)
        headers += [("Set-Cookie", c.output(header="")) for c in cookie.cookies.values()]
    return f"{status} {REASONS[status]}", headers, content
