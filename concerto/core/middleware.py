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
