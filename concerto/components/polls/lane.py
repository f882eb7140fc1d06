"""The quick polls' fast lane (concerto/core/fastlane.py): `POST /api/v1/polls/polls/<id>/answer` answered in front of
Django when the answer is surely accepted.

A one-tap answer through Django cost about 13 ms of application CPU (the handler and middleware, django-ninja, then
`services.poll_answer`'s dozen ORM queries and the PollOut of the answer). The lane takes the API's shape of a
one-tap answer: `Authorization: Bearer <token>`, no cookie, a JSON body `{"choices": [ids]}` (with, at most, an
empty "why"), on a poll whose rules the lane knows how to check (no quartier, not for verified residents only, no
"why" required). It checks the choices against the poll (kept by this process a few seconds, like the ballot box),
then ONE statement, in its own transaction, does what `services.poll_answer` does: the token's user and its
"last used" stamp (as `authenticate_api_token`), the poll still public and open and unchanged since this process
read it, the person's commune (verified, else declared) inside the target (`eligibility.answer_refusal`), the answer
(the unique constraint `one_poll_answer_per_account` decides, ON CONFLICT DO NOTHING), its choices and its ledger
row (`contribution_record`: `polls.answer`, channel `api`), and the results the answer's 201 shows (counted in
the statement's snapshot, plus the answer itself). The answer is the endpoint's: 201 with the PollOut that
django-ninja renders, and the headers Django's middleware adds (`fastlane.respond`).

It only ever accepts. Any other case (a second answer, a closed or changed poll, a person outside the target, an
unknown token, a body it does not read exactly as the schema would, a "why", an address, a cookie, an insecure
request Django would redirect, a host Django would refuse, an error) has written nothing and goes to Django,
which answers as it always did: every refusal and every message stays Django's. PostgreSQL only (the statement is
the PL/pgSQL function `polls_answer_fast` of migration 0002, planned once per session); on SQLite the lane hands
everything to Django.

Listed by `concerto/wsgi.py` behind CONCERTO_POLL_FAST_LANE (on by default). `tests/test_poll_lane.py` compares its
answers with Django's.
"""

from __future__ import annotations

import datetime
import json
import re
import time

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone, translation

from concerto.components.polls.api import PollOut, _public
from concerto.components.polls.models import MAX_CHOICES, Answer, Poll
from concerto.core import fastlane
from concerto.core.accounts.models import ApiToken
from concerto.core.participation.models import Channel

PATH = re.compile(r"/api/v1/polls/polls/([1-9][0-9]{0,17})/answer")
MAX_BODY = 4096
MAX_ID = 2**63 - 1
KIND = "polls.answer"
# Polls whose facts a process keeps at once (a handful are open at a time).
MAX_POLLS = 256

_route = fastlane.Routes()


def _choices(payload):
    """The body's choices when it is exactly what the schema AnswerIn accepts without coercion and the answer has no
    "why" and no address, else None (Django then judges it)."""
    if type(payload) is not dict or "choices" not in payload or not set(payload) <= {"choices", "why"}:
        return None
    if payload.get("why", "") != "":
        return None
    choices = payload["choices"]
    if (type(choices) is not list or not 1 <= len(choices) <= MAX_CHOICES or len(set(choices)) != len(choices)
            or any(type(c) is not int or not 1 <= c <= MAX_ID for c in choices)):
        return None
    return choices


class _Facts:
    """What the lane keeps of one poll for a few seconds: the poll as the API renders it, and what a one-tap answer
    is checked against. The statement re-checks everything that may change (open, public, unchanged)."""

    __slots__ = ("bodies", "choice_ids", "loaded", "poll", "targets", "usable")

    def __init__(self, poll: Poll | None):
        self.loaded = time.monotonic()
        self.poll = poll
        self.usable = bool(poll is not None and not poll.target_area and not poll.verified_only
                           and not poll.component.requires_verification("answer") and poll.why != Poll.Why.REQUIRED)
        self.choice_ids = {choice.pk for choice in poll.choices.all()} if poll is not None else set()
        target = poll.target if self.usable else None
        self.targets = sorted(target.descendant_ids() | {target.pk}) if target is not None else []
        # PollOut of the poll for someone who answered, by scheme and host (its URL): only the counts change.
        self.bodies: dict[tuple[str, str], dict] = {}


_facts: dict[int, _Facts] = {}


def _poll_facts(poll_id: int) -> _Facts:
    facts = _facts.get(poll_id)
    if facts is None or time.monotonic() - facts.loaded > settings.CONCERTO_BALLOT_BOX_SECONDS:
        with fastlane.as_request(PollLane):
            facts = _Facts(_public().filter(pk=poll_id).first())
        if len(_facts) >= MAX_POLLS:  # ids that are no poll, say: the memory stays bounded
            _facts.clear()
        _facts[poll_id] = facts
    return facts


# The answer's one statement: migration 0002 (a PL/pgSQL function, planned once per session).
SQL = ("SELECT out_poll, out_user, out_chosen, out_ledger, out_total, out_counts FROM polls_answer_fast("
       "%(key)s, %(now)s, %(minute_ago)s, %(poll)s, %(stamp)s, %(targets)s::bigint[], %(channel)s, "
       "%(choices)s::bigint[], %(organisation)s, %(component)s, %(kind)s, %(answer_type)s, %(counted)s, "
       "%(multiple)s, %(all_choices)s::bigint[])")


def _answer(*, key: str, facts: _Facts, choices: list[int], now):
    """(user id, {choice id: answers}, total answers) of the answer the statement stored, or None when it stored
    nothing (maybe a poll changed since this process read it: read it again next time)."""
    poll = facts.poll
    counted = poll.results == Poll.Results.AFTER_ANSWER
    with fastlane.as_request(PollLane), connection.cursor() as cursor:
        cursor.execute(SQL, {
            "key": ApiToken.hash_key(key), "now": now, "minute_ago": now - datetime.timedelta(minutes=1),
            "poll": poll.pk, "stamp": poll.updated_at, "targets": facts.targets, "channel": Channel.API.value,
            "choices": choices, "organisation": poll.component.space.organisation_id,
            "component": poll.component_id, "kind": KIND,
            "answer_type": ContentType.objects.get_for_model(Answer).pk, "counted": counted, "multiple": poll.multiple,
            "all_choices": sorted(facts.choice_ids)})
        poll_found, user_id, chosen, ledger, total, counts = cursor.fetchone()
    if not poll_found:
        _facts.pop(poll.pk, None)
    if user_id is None:
        return None
    if chosen != len(choices) or ledger != 1:  # cannot be (one transaction): refuse to answer rather than guess
        raise RuntimeError("The poll lane's statement stored an incomplete answer")
    counts = {int(choice): n for choice, n in (json.loads(counts) if isinstance(counts, str) else counts or {})
              .items()}
    for choice in choices:  # the snapshot is the statement's, before its own answer
        counts[choice] = counts.get(choice, 0) + 1
    # One choice per answer when the poll takes one: its answers are its choices' (one scan less).
    return user_id, counts, (total + 1) if poll.multiple else sum(counts.values())


def _poll_json(request, facts: _Facts, counts: dict[int, int] | None, total: int) -> bytes:
    """The 201's body: PollOut of the poll as django-ninja renders it for someone who just answered. Validated by
    the schema once per process, scheme and host; then only its counts change."""
    body = facts.bodies.get((request.scheme, request.get_host()))
    if body is None:
        body = facts.bodies[(request.scheme, request.get_host())] = _poll_out(request, facts.poll, counts, total)
    elif counts is not None:
        body = {**body, "answers": total,
                "choices": [{**choice, "answers": counts.get(choice["id"], 0)} for choice in body["choices"]]}
    return fastlane.api_json(body, 201)


def _poll_out(request, poll: Poll, counts: dict[int, int] | None, total: int) -> dict:
    request._polls_answered = {poll.pk: True}
    if counts is None:
        request._polls_results = {poll.pk: None}
    else:
        rows = [{"choice": choice, "label": choice.label, "count": counts.get(choice.pk, 0),
                 "percent": round(100 * counts.get(choice.pk, 0) / total) if total else 0}
                for choice in poll.choices.all()]
        request._polls_results = {poll.pk: {"total": total, "choices": rows}}
    context = {"request": request, "response_status": 201}
    return PollOut.model_validate(poll, context=context).model_dump(context=context)


class PollLane:
    """The fast lane of quick poll answers through the API (concerto/core/fastlane.py)."""

    max_body = MAX_BODY
    content_types = fastlane.JSON_TYPES
    cookie_free = True

    @staticmethod
    def warm() -> None:
        _route("/api/v1/polls/polls/1/answer", "answer")

    @staticmethod
    def match(method: str, path: str) -> bool:
        return method == "POST" and PATH.fullmatch(path) is not None and connection.vendor == "postgresql"

    def answer(self, environ, body: bytes, started: float):
        """(status, headers, body) of an accepted answer, or None when the lane wrote nothing."""
        read = fastlane.token_request(environ, body, _choices)
        if read is None:
            return None
        request, key, choices = read
        facts = _poll_facts(int(PATH.fullmatch(environ["PATH_INFO"]).group(1)))
        poll = facts.poll
        if (not facts.usable or not set(choices) <= facts.choice_ids
                or (len(choices) > 1 and not poll.multiple)):
            return None
        now = timezone.now()
        stored = _answer(key=key, facts=facts, choices=choices, now=now)
        if stored is None:
            return None
        user_id, counts, total = stored
        language = translation.get_language_from_request(request)
        translation.activate(language)
        try:
            content = _poll_json(request, facts, counts if poll.results == Poll.Results.AFTER_ANSWER else None, total)
            return fastlane.respond(request, environ, status=201, content_type=fastlane.API_CONTENT_TYPE,
                                    content=content, language=language, user_id=user_id, started=started,
                                    route=_route(request.path_info, "answer"), sticky=True)
        finally:
            translation.deactivate()
