"""The request's middleware: its id, its log line and its metrics.

`RequestMiddleware` gives each request an id (the `X-Request-ID` header a proxy sent, when it looks like
one, else a new one), echoes it in the response, and writes one line per request on the `concerto.requests`
logger: method, path (without the query string, which may carry an email or a search), status, duration,
the account's id. Every line logged while the request runs (an error, a failed delivery...) carries the
same request id (concerto/core/logs.py), so one search finds everything a request did. It also counts the
request for the metrics (concerto/core/metrics.py).

No personal data by default (RGPD): the account's id, never its email; the network address only when
CONCERTO_LOG_CLIENT_IP is on.
"""

import logging
import re
import time
import uuid

from django.conf import settings

from concerto.core import logs, metrics
from concerto.core.ratelimit import client_address

request_logger = logging.getLogger("concerto.requests")
# What a proxy's request id may look like; anything else (too long, spaces, quotes) is replaced.
REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{8,100}")


class RequestMiddleware:
    """Request id, request log line and metrics for every request (see the module's docstring). Placed
    early in MIDDLEWARE, so that its duration covers the others and their errors carry the id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        sent = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = sent if REQUEST_ID.fullmatch(sent) else uuid.uuid4().hex
        request.request_id = request_id
        token = logs.request_context_set(request_id=request_id, method=request.method, path=request.path)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            duration = time.perf_counter() - started
            response["X-Request-ID"] = request_id
            metrics.request_observe(request, response.status_code, duration)
            if request_logger.isEnabledFor(logging.INFO):
                extra = {"status": response.status_code, "duration_ms": round(duration * 1000, 1),
                         "user_id": logs.request_context().get("user_id")}
                if settings.CONCERTO_LOG_CLIENT_IP:
                    extra["client_ip"] = client_address(request)
                request_logger.info("%s %s %s", request.method, request.path, response.status_code, extra=extra)
            return response
        finally:
            logs.request_context_reset(token)

    def process_view(self, request, view_func, view_args, view_kwargs):
        """Once the session is read: the account's id joins the context of every line logged from here on."""
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            logs.request_context_update(user_id=user.pk)


class SiteErrorPagesMiddleware:
    """With DEBUG on (`make run`, the demo), a missing page or a crash still shows the site's own French pages,
    as in production, instead of Django's technical pages that a resident trying the demo cannot read. The
    traceback still goes to the console. CONCERTO_DEBUG_ERRORS=technical gives Django's pages back to a
    developer. Not loaded at all when DEBUG is off: production has the handlers of concerto/urls.py already."""

    def __init__(self, get_response):
        from django.core.exceptions import MiddlewareNotUsed

        if not settings.DEBUG or getattr(settings, "CONCERTO_DEBUG_ERRORS", "site") != "site":
            raise MiddlewareNotUsed
        self.get_response = get_response

    # Django's technical pages say so; a page of the site (or a JSON answer of the API) never does.
    TECHNICAL_MARK = b"<code>DEBUG = True</code>"

    def __call__(self, request):
        from django.urls import get_resolver

        response = self.get_response(request)
        # A 404 raised before the view (an unknown address, an unknown commune in OrganisationMiddleware) or a
        # crash outside the view has already been turned into Django's technical page: answer the site's.
        if response.status_code in (404, 500) and self.TECHNICAL_MARK in getattr(response, "content", b""):
            handler = get_resolver(getattr(request, "urlconf", None)).resolve_error_handler(response.status_code)
            return handler(request) if response.status_code == 500 else handler(request, None)
        return response

    def process_exception(self, request, exception):
        from django.core.exceptions import PermissionDenied
        from django.http import Http404
        from django.urls import get_resolver

        resolver = get_resolver(getattr(request, "urlconf", None))
        if isinstance(exception, Http404):
            return resolver.resolve_error_handler(404)(request, exception)
        if isinstance(exception, PermissionDenied):
            return None  # Django already answers with the site's 403 page, DEBUG or not
        logging.getLogger("django.request").error("Internal Server Error: %s", request.path, exc_info=exception)
        return resolver.resolve_error_handler(500)(request)
