"""Reads that tolerate lag go to the PostgreSQL streaming replica; everything else goes to the primary.

With `DATABASE_REPLICA_URL` set, the settings add a `replica` database alias (same options as `default`) and
install `ReplicaRouter` and `ReplicaReadsMiddleware`. Without it nothing changes: every query uses `default`.

Which reads may be served by the replica is decided per request, explicitly, by the middleware:
- only safe methods (GET, HEAD, OPTIONS) of a visitor who is not signed in and sends no `Authorization` header
  (public pages, maps, feeds, open-data exports: what a few seconds of replication lag cannot spoil);
- never after this client's own write: every unsafe request (POST, PUT, PATCH, DELETE) gets a short-lived
  cookie (`concerto_primary`, `CONCERTO_REPLICA_STICKY_SECONDS`, 15 s by default) that sends the client's
  next reads to the primary, so that what they just did shows at once (read-after-write);
- a view that must read fresh data even for anonymous visitors is decorated with `@primary_reads`.
Inside such a request, `ReplicaRouter` sends reads to the replica, unless a transaction is open on the primary
(reads inside `transaction.atomic()` stay with the writes), and writes always to the primary. Code outside a
request (a task, a command) can mark a block lag-tolerant with `with replica_reads():`.

Before a lag-tolerant request reads anything, the middleware connects to the replica (or health-checks its kept
connection); when it cannot, the request reads from the primary and the replica is left aside for
`CONCERTO_REPLICA_RETRY_SECONDS` (10 s) before it is tried again. When it breaks later in the request, the safe
request is served again from the primary (no 5xx): by `process_exception` when the view failed, or from the
start when a middleware did (the error is logged then). A streamed
response (a CSV export) that fails halfway cannot be served again; it breaks, as it would on the primary.
Migrations run on the primary only (the replica follows by replication).
"""

import contextvars
import functools
import logging
import time
from contextlib import contextmanager

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

REPLICA = "replica"
PRIMARY_COOKIE = "concerto_primary"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

logger = logging.getLogger("concerto.dbrouting")
_lag_tolerant: contextvars.ContextVar[bool] = contextvars.ContextVar("concerto_lag_tolerant", default=False)
# Per process: the replica is not asked again before this instant (time.monotonic()) after a failure.
_replica_down_until = 0.0


def replica_configured() -> bool:
    return REPLICA in connections.settings


def replica_available() -> bool:
    return replica_configured() and time.monotonic() >= _replica_down_until


def replica_mark_down(error: Exception | None = None) -> None:
    """Leave the replica aside for CONCERTO_REPLICA_RETRY_SECONDS; its broken connection is dropped."""
    global _replica_down_until
    _replica_down_until = time.monotonic() + float(getattr(settings, "CONCERTO_REPLICA_RETRY_SECONDS", 10))
    logger.warning("Replica unreachable, reads go to the primary for a while: %s", error)
    try:
        connections[REPLICA].close()
    except DatabaseError:
        pass


def replica_mark_up() -> None:
    global _replica_down_until
    _replica_down_until = 0.0


def lag_tolerant() -> bool:
    """Whether reads of the current code may be served by the replica."""
    return _lag_tolerant.get()


@contextmanager
def replica_reads(tolerant: bool = True):
    """Mark the reads of this block as lag-tolerant (or, with False, as needing the primary)."""
    token = _lag_tolerant.set(tolerant)
    try:
        yield
    finally:
        _lag_tolerant.reset(token)


def primary_reads(view):
    """A view whose reads must be fresh even for an anonymous visitor (served from the primary)."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        with replica_reads(False):
            return view(request, *args, **kwargs)

    wrapped.primary_reads = True
    return wrapped


class ReplicaRouter:
    """Reads to the replica inside lag-tolerant code when it is up; writes, transactions, migrations to the
    primary."""

    def db_for_read(self, model, **hints):
        if (_lag_tolerant.get() and replica_available()
                and not connections[DEFAULT_DB_ALIAS].in_atomic_block):
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # Both aliases hold the same data: an object read from the replica may point at one from the primary.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


def request_lag_tolerant(request) -> bool:
    """The middleware's rule: a safe request of an anonymous client that wrote nothing in the last seconds."""
    if request.method not in SAFE_METHODS or PRIMARY_COOKIE in request.COOKIES:
        return False
    if request.META.get("HTTP_AUTHORIZATION"):
        return False  # an API client with a token: it may read what it just wrote
    user = getattr(request, "user", None)
    return not (user is not None and user.is_authenticated)


class ReplicaReadsMiddleware:
    """Marks lag-tolerant requests (see the module's docstring) and keeps each client's reads on the primary
    for a few seconds after its own writes. Placed after the authentication middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        tolerant = replica_available() and request_lag_tolerant(request) and replica_ready()
        request.lag_tolerant = tolerant
        with replica_reads(tolerant):
            try:
                response = self.get_response(request)
            except DatabaseError:
                # Even the error page failed on the replica (it reads too).
                if not (tolerant and _replica_failed()):
                    raise
                response = None
        if tolerant and (response is None or response.status_code >= 500) and _replica_failed():
            # The replica died during the request, outside the view (a middleware's read): the error is logged
            # and the whole request served again from the primary.
            replica_mark_down(RuntimeError(f"{request.path} failed on it"))
            request.lag_tolerant = False
            with replica_reads(False):
                response = self.get_response(request)
        if request.method not in SAFE_METHODS and replica_configured():
            seconds = int(getattr(settings, "CONCERTO_REPLICA_STICKY_SECONDS", 15))
            response.set_cookie(PRIMARY_COOKIE, "1", max_age=seconds, httponly=True, samesite="Lax",
                                secure=settings.SESSION_COOKIE_SECURE)
        return response

    def process_exception(self, request, exception):
        """The replica failed during a lag-tolerant request: leave it aside and serve the request again from
        the primary (a safe request changes nothing, so running its view twice is harmless)."""
        if not (getattr(request, "lag_tolerant", False) and isinstance(exception, DatabaseError)
                and _replica_failed()):
            return None
        replica_mark_down(exception)
        match = request.resolver_match
        if match is None:
            return None
        with replica_reads(False):
            response = match.func(request, *match.args, **match.kwargs)
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
        return response


def replica_ready() -> bool:
    """Connect to the replica, or check its kept connection (Django's health check, once per request): a
    replica found down here is left aside before the request reads anything."""
    connection = connections[REPLICA]
    try:
        connection.close_if_health_check_failed()
        connection.ensure_connection()
    except DatabaseError as error:
        replica_mark_down(error)
        return False
    return True


def _replica_failed() -> bool:
    """Whether the replica's connection is the one that broke (not a query error on the primary)."""
    connection = connections[REPLICA]
    try:
        if connection.connection is None:
            connection.ensure_connection()
            return False
        return not connection.is_usable()
    except DatabaseError:
        return True
