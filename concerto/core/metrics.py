"""Prometheus metrics at `/metrics`, for the operators (off by default: the page is a 404 until
CONCERTO_METRICS_TOKEN or CONCERTO_METRICS_ALLOWED_IPS is set).

Two kinds of figures, kept apart because gunicorn runs several worker processes and the site several servers:

- **Counted in the process** (prometheus_client): HTTP requests by route name, method and status, their
  latency histogram, database connection errors. With several processes, set PROMETHEUS_MULTIPROC_DIR to an
  empty folder of the server (prometheus_client's multiprocess mode: each process writes its own file, and
  a scrape adds them up); without it, each process answers its own figures only. Each app server is scraped
  on its own address, not through the load balancer.
- **Read from the database at scrape time** (`DatabaseCollector`): what the whole site shares, whichever
  process or machine did it: the task queue (tasks ready, the age of the oldest, results by task and
  status, which counts notifications and emails sent and failed, by the worker on whatever machine) and the
  components' own figures, declared in their manifests (`metrics=`: budgets count ballots by channel).
  These are gauges, right from any server; a scrape costs a few indexed queries.
"""

import hmac
import logging
import os
import sys

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError
from django.db.models import Count
from django.http import Http404, HttpResponse, HttpResponseForbidden
from django_tasks_db.models import DBTaskResult
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

from concerto.core import health, registry

logger = logging.getLogger("concerto.metrics")

HTTP_REQUESTS = Counter(
    "concerto_http_requests", "HTTP requests answered, by route name, method and status.",
    ["route", "method", "status"],
)
HTTP_LATENCY = Histogram(
    "concerto_http_request_duration_seconds", "Time to answer an HTTP request, by route name and method.",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.35, 0.5, 1, 2, 5, 10),
)
DB_CONNECTION_ERRORS = Counter(
    "concerto_db_connection_errors", "Requests that failed because the database could not be reached or dropped "
    "the connection (OperationalError, InterfaceError).",
)

# Methods outside this list are counted as "other": a client chooses the method, and every label value is a
# new series kept by Prometheus.
METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


def request_observe(request, status: int, seconds: float) -> None:
    """Count one answered request. The route is the URL pattern's name (never the path, which holds ids and
    slugs without end); a request that matched no pattern counts as "unmatched"."""
    match = getattr(request, "resolver_match", None)
    route = (match.view_name or match.route) if match is not None else "unmatched"
    method = request.method if request.method in METHODS else "other"
    HTTP_REQUESTS.labels(route, method, str(status)).inc()
    HTTP_LATENCY.labels(route, method).observe(seconds)


def request_exception_observe(sender, request=None, **kwargs) -> None:
    """`got_request_exception`'s receiver: counts the database connection errors among a request's failures."""
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        DB_CONNECTION_ERRORS.inc()


class DatabaseCollector:
    """Gauges computed when Prometheus scrapes, from the rows every server shares."""

    def collect(self):
        lag = health.task_lag()
        ready = GaugeMetricFamily("concerto_tasks_ready", "Tasks ready to run, waiting for a worker.")
        ready.add_metric([], lag["ready"])
        yield ready
        oldest = GaugeMetricFamily("concerto_tasks_oldest_ready_seconds",
                                   "Age of the oldest task ready to run (0 when none waits).")
        oldest.add_metric([], lag["oldest_seconds"])
        yield oldest
        results = GaugeMetricFamily(
            "concerto_task_results", "Task results kept in the database, by task and status (deliveries of "
            "notifications and emails: SUCCESSFUL is sent, FAILED is an attempt that failed).",
            labels=["task", "status"])
        for row in DBTaskResult.objects.values("task_path", "status").annotate(n=Count("pk")).order_by():
            results.add_metric([row["task_path"].rsplit(".", 1)[-1], row["status"]], row["n"])
        yield results
        for manifest in registry.components():
            if manifest.metrics is not None:
                yield from manifest.metrics()


def metrics_allowed(request) -> bool | None:
    """None when metrics are off (no token, no address configured); else whether REQUEST may read them."""
    token, addresses = settings.CONCERTO_METRICS_TOKEN, settings.CONCERTO_METRICS_ALLOWED_IPS
    if not token and not addresses:
        return None
    if addresses and request.META.get("REMOTE_ADDR", "") in addresses:
        return True
    sent = request.META.get("HTTP_AUTHORIZATION", "")
    return bool(token) and hmac.compare_digest(sent.encode(), f"Bearer {token}".encode())


def metrics_view(request):
    allowed = metrics_allowed(request)
    if allowed is None:
        raise Http404
    if not allowed:
        return HttpResponseForbidden("Jeton ou adresse non autorisés.\n", content_type="text/plain; charset=utf-8")
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        in_process = CollectorRegistry()
        multiprocess.MultiProcessCollector(in_process)
    else:
        in_process = REGISTRY
    shared = CollectorRegistry()
    shared.register(DatabaseCollector())
    try:
        body = generate_latest(in_process) + generate_latest(shared)
    except DatabaseError:
        logger.exception("The metrics read from the database failed; the in-process ones are served alone.")
        body = generate_latest(in_process)
    response = HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    return response
