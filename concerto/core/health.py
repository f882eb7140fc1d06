"""`/sante/`: the health check that load balancers and supervisors call every few seconds.

It must stay cheap and answer before anything else runs: no session, no login, no organisation lookup, no
template, no send limit (the URL is also in SECURE_REDIRECT_EXEMPT, so a check over plain HTTP from the load
balancer is not redirected to HTTPS). The body is JSON, one entry per check, with 200 when every check passes
and 503 when one fails, so a load balancer takes a server out of rotation when its database or cache is gone.

- database: `SELECT 1` on the default connection;
- cache: a key set and read back (Redis in production: sessions and send limits live there);
- tasks: with the database task backend, the age of the oldest task ready to run (a worker that stopped shows
  as a growing lag) and when a worker last started a task; above CONCERTO_HEALTH_MAX_TASK_LAG seconds the
  check fails (0: reported only). A lag says the workers are late, not that this web server is broken: see
  docs/operations.md, "Monitoring", for the load balancer's choice.
"""

import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Max, Min, Q
from django.http import JsonResponse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

PATH = "/sante/"


def _database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True}


def _cache() -> dict:
    key, value = "concerto:health", uuid.uuid4().hex
    cache.set(key, value, timeout=30)
    if cache.get(key) != value:
        return {"ok": False, "error": "the value read back differs"}
    return {"ok": True}


def task_lag() -> dict:
    """The task queue's state, from the database backend's table: how many tasks are ready to run, the age in
    seconds of the oldest one, and when a worker last started one. Also read by the metrics."""
    now = timezone.now()
    ready = DBTaskResult.objects.ready()
    # A task queued without a date has run_after at the end of time: its wait starts when it was queued.
    undated = Q(run_after=get_date_max())
    figures = ready.aggregate(oldest_queued=Min("enqueued_at", filter=undated),
                              oldest_due=Min("run_after", filter=~undated))
    starts = [value for value in figures.values() if value is not None]
    oldest = min(starts) if starts else None
    last_started = DBTaskResult.objects.aggregate(at=Max("started_at"))["at"]
    return {
        "ready": ready.count(),
        "oldest_seconds": round(max((now - oldest).total_seconds(), 0.0), 1) if oldest else 0.0,
        "last_started_at": last_started.isoformat() if last_started else None,
    }


def _tasks() -> dict:
    if settings.TASKS["default"]["BACKEND"] != "django_tasks_db.DatabaseBackend":
        return {"ok": True, "skipped": "the task backend is not the database"}
    lag = task_lag()
    # 0: the lag is reported, never failed on (a load balancer that must not drop every server for it).
    limit = settings.CONCERTO_HEALTH_MAX_TASK_LAG
    lag["ok"] = not limit or lag["oldest_seconds"] <= limit
    lag["max_seconds"] = settings.CONCERTO_HEALTH_MAX_TASK_LAG
    return lag


CHECKS = {"database": _database, "cache": _cache, "tasks": _tasks}


def health(request=None):
    """Every check, timed; 200 when all pass, 503 otherwise. An exception is a failed check, never a 500."""
    results = {}
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            result = check()
        except Exception as error:  # noqa: BLE001 - a health check reports what broke, it never raises
            result = {"ok": False, "error": type(error).__name__}
        result["ms"] = round((time.perf_counter() - started) * 1000, 1)
        results[name] = result
    healthy = all(result["ok"] for result in results.values())
    response = JsonResponse({"status": "ok" if healthy else "fail", "checks": results},
                            status=200 if healthy else 503)
    response["Cache-Control"] = "no-store"
    return response


class HealthCheckMiddleware:
    """First in MIDDLEWARE: answers PATH before sessions, authentication, locale, the organisation lookup and
    the request log run, so a check every second costs three queries and nothing else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == PATH:
            return health(request)
        return self.get_response(request)
