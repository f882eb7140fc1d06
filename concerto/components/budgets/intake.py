"""The ballot intake's fast lane (concerto/core/fastlane.py): one request shape only, an API ballot.

A vote day's ballot cost about 3 ms of application CPU through Django (its handler and middleware, then
django-ninja), ten times the ballot's own work; at 1,000 ballots/s on two cores there is about 1 ms for the
application and the database together. The lane takes `PUT`/`POST /api/v1/budgets/budgets/<id>/ballot` with
`Authorization: Bearer <token>`, no cookie and a JSON body of the published schema, and does what the API endpoint
does, without the framework around it: the cached ballot box (`ballots.ballot_box`), the choices' checks
(`normalise_choices`, then `ballots.intake_element`, the fast path's checks on the cached facts), then hands the
ballot, with its token's hash, to this process's intake writer and waits. The writer sends every ballot that
arrived while its previous batch was committing as one statement (`budgets_ballot_intake`, migration 0005: for
each ballot in its own savepoint, the token check of `authenticate_api_token` and `budgets_ballot_cast`, which
re-checks eligibility and writes the ballot, its choices and its ledger row), in autocommit: one transaction,
one durable commit (group commit without a timer), and each request is answered only after that commit. The
answer is the endpoint's: status, JSON body (BallotOut's fields, ninja's renderer) and the headers the
middleware would add (security headers, X-Request-ID, Content-Language, the replica's cookie).

It only ever accepts. Whenever it is unsure (a refusal of any kind, a body it does not read exactly as the
schema would, an unknown token, a cookie, an insecure request that Django would redirect, a host Django would
refuse, a batch whose statement failed or did not answer) it has written nothing (or, for a batch whose commit
did not answer, maybe the very same ballot) and hands the request, its body re-wrapped, to Django, which answers
as it always did: every refusal and every message stays Django's. Ballots have no send limit and write no audit
entry (ballots.py says why), so the lane skips neither; it counts its requests in the same metrics and writes
the same request log line.

Listed by `concerto/wsgi.py` behind CONCERTO_BALLOT_FAST_LANE (on by default with PostgreSQL: the fast path
is PostgreSQL's). `tests/test_intake_lane.py` compares its answers with Django's, byte for byte.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import time

from django.db import connection
from django.utils import timezone, translation

from concerto.components.budgets import ballots
from concerto.core import fastlane
from concerto.core.accounts.models import ApiToken
from concerto.core.participation.models import Channel

logger = logging.getLogger("concerto.budgets")

PATH = re.compile(r"/api/v1/budgets/budgets/([1-9][0-9]{0,17})/ballot")
# A ballot names at most MAX_CHOICES projects: its JSON is far under this. A larger body is Django's.
MAX_BODY = 32_768
MAX_ID = 2**63 - 1
_route = fastlane.Routes()


def _choices(payload):
    """The body's choices when it is exactly what the schema BallotIn accepts without coercion, else None
    (Django then judges it: pydantic coerces "3" to 3, refuses what is not a whole number, and so on)."""
    if type(payload) is not dict or len(payload) != 1 or "choices" not in payload:
        return None
    choices = payload["choices"]
    if type(choices) is list:
        if len(choices) > ballots.MAX_CHOICES or any(type(c) is not int or not 1 <= c <= MAX_ID for c in choices):
            return None
        return choices
    if type(choices) is dict:
        if any(type(points) is not int for points in choices.values()):
            return None
        return choices
    return None


def _ballot_box(budget_id: int):
    """The cached ballot box; when this process must read it again, that read is a request's worth of database
    work, between the signals Django sends around a request (its connection goes back to the pool after)."""
    budget = ballots.ballot_box_cached(budget_id)
    if budget is not None:
        return budget
    with fastlane.as_request(BallotLane):
        return ballots.ballot_box(budget_id)


def _ballot_json(budget_id: int, created_at, updated_at, chosen: dict[int, int]) -> bytes:
    """The body of the API's BallotOut, as django-ninja renders it (fields in the schema's order)."""
    data = {"budget": budget_id, "channel": Channel.API.value,
            "choices": [{"project": project_id, "points": points} for project_id, points in sorted(chosen.items())],
            "created_at": created_at, "updated_at": updated_at}
    return fastlane.api_json(data, 201)


# The intake writer ---------------------------------------------------------------------------------------------

class _Pending:
    __slots__ = ("done", "element", "outcome")

    def __init__(self, element: dict):
        self.element = element
        self.outcome = None
        self.done = threading.Event()


class IntakeWriter:
    """One per process: the only thread that writes the lane's ballots. Requests hand it their checked ballot and
    wait; it sends everything that arrived while its previous batch was being committed as ONE statement
    (`budgets_ballot_intake`, migration 0005: token checks and ballots, each in its own savepoint), in
    autocommit, so one transaction and one durable commit serve the whole batch, and only once that statement
    has returned (committed) does it wake the requests up. Group commit by construction: under load the batches
    grow by themselves, with no timer to wait for; alone, a ballot is a batch of one."""

    MAX_BATCH = 256
    # Idle this long, it gives its connection back (to the pool, or closed).
    IDLE_SECONDS = 2.0
    # A request waits this long for its batch; past that it is Django's (which casts it again if need be).
    WAIT_SECONDS = 10.0

    def __init__(self):
        self._ready = threading.Condition()
        self._waiting: list[_Pending] = []
        self._stopping = False
        # Figures for the bench: batches written, ballots in them, this thread's CPU seconds.
        self.batches = 0
        self.ballots = 0
        self.cpu_seconds = 0.0
        self._thread = threading.Thread(target=self._run, name="ballot-intake-writer", daemon=True)
        self._thread.start()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive() and not self._stopping

    def cast(self, element: dict):
        """(user id, created, created_at) once the ballot is committed, or None when it was not written (or its
        batch's commit did not answer)."""
        pending = _Pending(element)
        with self._ready:
            self._waiting.append(pending)
            self._ready.notify()
        if not pending.done.wait(self.WAIT_SECONDS):
            return None
        return pending.outcome

    def stop(self) -> None:
        with self._ready:
            self._stopping = True
            self._ready.notify()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        from django.db import connection  # this thread's own

        while True:
            with self._ready:
                if not self._waiting and not self._stopping:
                    self._ready.wait(self.IDLE_SECONDS)
                batch = self._waiting[:self.MAX_BATCH]
                del self._waiting[:self.MAX_BATCH]
                stopping = self._stopping and not self._waiting
            if batch:
                self._write(connection, batch)
            elif connection.connection is not None:
                self._close(connection)
            if stopping and not batch:
                self._close(connection)
                return

    @staticmethod
    def _close(connection) -> None:
        try:
            connection.close()
        except Exception:  # a broken connection: nothing to give back
            logger.warning("The ballot intake writer could not close its connection", exc_info=True)

    def _write(self, connection, batch: list[_Pending]) -> None:
        cpu = time.thread_time()
        try:
            try:
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT out_index, out_user, out_created, out_created_at, out_outcome "
                        "FROM budgets_ballot_intake(%s::jsonb, %s, %s)",
                        [json.dumps([pending.element for pending in batch]), Channel.API.value,
                         ballots.CONTRIBUTION_KIND])
                    rows = cursor.fetchall()
            except Exception:  # the whole batch is unsure (committed or not): every request goes to Django
                logger.exception("The ballot intake writer's batch of %s failed", len(batch))
                self._close(connection)  # maybe broken: the next batch connects again
                return
            self.batches += 1
            self.ballots += len(batch)
            for index, user_id, created, created_at, outcome in rows:
                if outcome == "ok":
                    batch[index].outcome = (user_id, created, created_at)
        finally:
            for pending in batch:
                pending.done.set()
            self.cpu_seconds += time.thread_time() - cpu


_writer: IntakeWriter | None = None
_writer_pid = 0
_writer_lock = threading.Lock()


def writer() -> IntakeWriter:
    """This process's intake writer, started on first use (after gunicorn's fork: a thread does not survive it)."""
    global _writer, _writer_pid
    current = _writer
    if current is not None and _writer_pid == os.getpid() and current.alive:
        return current
    with _writer_lock:
        if _writer is None or _writer_pid != os.getpid() or not _writer.alive:
            _writer, _writer_pid = IntakeWriter(), os.getpid()
        return _writer


def writer_stop() -> None:
    """Stop this process's writer (its connection closed): tests, before their database goes."""
    global _writer
    with _writer_lock:
        if _writer is not None and _writer_pid == os.getpid():
            _writer.stop()
        _writer = None


class BallotLane:
    """The fast lane of API ballots (concerto/core/fastlane.py): answered here when they are surely accepted."""

    max_body = MAX_BODY
    content_types = fastlane.JSON_TYPES
    cookie_free = True

    @staticmethod
    def warm() -> None:
        _route("/api/v1/budgets/budgets/1/ballot", "ballot")

    @staticmethod
    def match(method: str, path: str) -> bool:
        return method in ("PUT", "POST") and PATH.fullmatch(path) is not None

    def answer(self, environ, body: bytes, started: float):
        """(status, headers, body) of an accepted ballot, or None when the lane wrote nothing."""
        read = fastlane.token_request(environ, body, _choices)
        if read is None:
            return None
        request, key, choices = read
        budget = _ballot_box(int(PATH.fullmatch(environ["PATH_INFO"]).group(1)))
        if budget is None or getattr(budget, "ballot_box_stamp", None) is None:
            return None
        language = translation.get_language_from_request(request)
        translation.activate(language)
        try:
            try:
                chosen = ballots.normalise_choices(choices)
            except ballots.BallotError:
                return None
            now = timezone.now()
            element = ballots.intake_element(budget=budget, choices=chosen, now=now)
            if element is None:
                return None
            element["k"] = ApiToken.hash_key(key)
            if connection.connection is not None:
                # A cold cache above (the content type, say) took a connection: it goes back to the pool before
                # the wait, or a process's threads could hold every pooled connection while the writer needs one.
                connection.close()
            outcome = writer().cast(element)
            if outcome is None:
                # Not written, or maybe written by a batch whose commit did not answer: Django casts it (again; a
                # ballot replaced by the same choices is the same ballot, answered 200 instead of 201).
                return None
            user_id, created, created_at = outcome
            content = _ballot_json(budget.pk, created_at, now, chosen)
            # LocaleMiddleware's and SessionMiddleware's Vary (the session is read on every request, for the user).
            return fastlane.respond(request, environ, status=201 if created else 200,
                                    content_type=fastlane.API_CONTENT_TYPE, content=content, language=language,
                                    user_id=user_id, started=started, route=_route(request.path_info, "ballot"),
                                    sticky=True)
        finally:
            translation.deactivate()
