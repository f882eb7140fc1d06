"""The quick polls' fast lane (polls/lane.py) in front of Django: an answer it accepts gets from the lane the answer
Django gives, byte for byte and headers included, and is stored once with its choice and its ledger row; every
refused or unusual request reaches Django untouched, which answers it. The lane stores on PostgreSQL only: on
SQLite every request is Django's."""

import json
import threading

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test import override_settings

from concerto.components.budgets.tests.test_intake_lane import REQUEST_ID, Spy, call, comparable
from concerto.components.polls import lane as poll_lane
from concerto.components.polls import services
from concerto.components.polls.lane import PollLane
from concerto.components.polls.models import Answer
from concerto.components.polls.tests.conftest import choice_ids
from concerto.core.accounts.models import ApiToken
from concerto.core.fastlane import FastLanes
from concerto.core.participation.models import Contribution
from concerto.testing import needs_postgresql, persona

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def fresh_facts():
    poll_lane._facts.clear()
    yield
    poll_lane._facts.clear()


def path(poll) -> str:
    return f"/api/v1/polls/polls/{poll.pk}/answer"


def key_of(user) -> str:
    return ApiToken.issue(user=user, name="lane")[1]


def residents(sceaux, n: int):
    return [persona(f"habitant{i}@example.org", residence=sceaux) for i in range(n)]


def stored(poll) -> list[tuple]:
    """Each answer of POLL as (user, choices, channel, its ledger rows)."""
    return sorted((answer.user_id, sorted(answer.choices.values_list("pk", flat=True)), answer.channel,
                   Contribution.objects.filter(kind="polls.answer", target_id=answer.pk, author=answer.user,
                                               channel=answer.channel).count())
                  for answer in Answer.objects.filter(poll=poll))


@pytest.mark.parametrize("https", [False, True])
def test_an_accepted_answer_gets_from_the_lane_the_answer_django_gives(poll, resident, https):
    needs_postgresql()
    key = key_of(resident)
    body = {"choices": choice_ids(poll, "Non")}
    django_app = Spy()
    lane = FastLanes(django_app, [PollLane()])
    with override_settings(SECURE_HSTS_SECONDS=31536000, SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https")):
        django_app.app = WSGIHandler()  # SecurityMiddleware reads its settings when it is built
        by_django = call(django_app, path(poll), body, method="POST", key=key, https=https,
                         HTTP_ACCEPT_LANGUAGE="fr")
        # The same answer again, by the lane this time: the first one taken back, as if it had never been.
        Contribution.objects.filter(kind="polls.answer").delete()
        Answer.objects.all().delete()
        by_lane = call(lane, path(poll), body, method="POST", key=key, https=https, HTTP_ACCEPT_LANGUAGE="fr")
    assert len(django_app.bodies) == 1, "the lane handed an accepted answer to Django"
    assert by_django[0] == by_lane[0] == 201
    assert by_lane[2] == by_django[2]
    assert comparable(by_lane[1]) == comparable(by_django[1])
    assert dict(by_lane[1])["X-Request-ID"] == REQUEST_ID
    assert ("Strict-Transport-Security" in dict(by_lane[1])) is https
    shown = json.loads(by_lane[2])
    assert shown["answered"] is True and shown["answers"] == 1
    assert [choice["answers"] for choice in shown["choices"]] == [0, 1, 0]
    assert stored(poll) == [(resident.pk, choice_ids(poll, "Non"), "api", 1)]
    assert ApiToken.objects.get(user=resident).last_used_at is not None


def test_the_results_shown_after_answers_through_the_lane_are_right(client, poll, sceaux):
    needs_postgresql()
    people = residents(sceaux, 4)
    spy = Spy()
    lane = FastLanes(spy, [PollLane()])
    picks = ["Oui", "Non", "Oui", "Sans avis"]
    answers = [call(lane, path(poll), {"choices": choice_ids(poll, pick)}, method="POST", key=key_of(person))
               for person, pick in zip(people, picks, strict=True)]
    assert spy.bodies == [] and [status for status, _h, _c in answers] == [201] * 4
    assert [json.loads(content)["answers"] for _s, _h, content in answers] == [1, 2, 3, 4]
    assert [c["answers"] for c in json.loads(answers[-1][2])["choices"]] == [2, 1, 1]
    # What Django shows afterwards (the API to someone who answered, the back-office's count).
    shown = client.get(f"/api/v1/polls/polls/{poll.pk}",
                       HTTP_AUTHORIZATION=f"Bearer {key_of(people[0])}").json()
    assert shown["answers"] == 4 and [c["answers"] for c in shown["choices"]] == [2, 1, 1]
    results = services.poll_results(poll)
    assert results["total"] == 4 and [row["count"] for row in results["choices"]] == [2, 1, 1]
    assert len(stored(poll)) == 4 and all(row[2:] == ("api", 1) for row in stored(poll))


def test_concurrent_answers_of_one_account_are_stored_once(poll, resident):
    needs_postgresql()
    key = key_of(resident)
    lane = FastLanes(Spy(), [PollLane()])
    statuses, start = [], threading.Barrier(6)

    def answer(pick):
        try:
            start.wait()
            statuses.append(call(lane, path(poll), {"choices": choice_ids(poll, pick)}, method="POST", key=key)[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=answer, args=(pick,)) for pick in ["Oui", "Non", "Sans avis"] * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [201] + [409] * 5
    rows = stored(poll)
    assert len(rows) == 1 and rows[0][0] == resident.pk and len(rows[0][1]) == 1 and rows[0][2:] == ("api", 1)


def test_every_refused_or_unusual_answer_reaches_django_untouched(poll, why_poll, polls, agent, resident,
                                                                   montreuil, sceaux):
    answered = persona("deja@example.org", residence=sceaux)
    services.poll_answer(poll=poll, user=answered, choices=choice_ids(poll, "Oui"))
    closed = services.poll_create(actor=agent, component=polls, question="Fermé ?", choices=["A", "B"], publish=True)
    services.poll_close(actor=agent, poll=closed)
    verified = services.poll_create(actor=agent, component=polls, question="Vérifiés ?", choices=["A", "B"],
                                    verified_only=True, publish=True)
    key, yes = key_of(resident), {"choices": choice_ids(poll, "Oui")}
    stranger = persona("ailleurs@example.org", residence=montreuil)
    other_poll_choice = {"choices": choice_ids(why_poll, "Bancs")}
    cases = [
        (path(poll), yes, key_of(answered), {}, 409),
        (path(closed), {"choices": [closed.choices.first().pk]}, key, {}, 403),
        (path(verified), {"choices": [verified.choices.first().pk]}, key, {}, 403),
        (path(poll), yes, key_of(stranger), {}, 403),
        (path(poll), yes, "cct_unknown-token-0000", {}, 401),
        (path(poll), other_poll_choice, key, {}, 422),
        (path(poll), {"choices": choice_ids(poll, "Oui", "Non")}, key, {}, 422),
        (path(poll), {"choices": []}, key, {}, 422),
        (path(poll), {"choices": ["x"]}, key, {}, 422),
        (path(why_poll), {"choices": choice_ids(why_poll, "Bancs")}, key, {}, 422),
        (path(poll), {"choices": choice_ids(poll, "Oui"), "why": "Parce que"}, key, {}, 422),
        (f"/api/v1/polls/polls/{poll.pk + 1000}/answer", yes, key, {}, 404),
        (path(poll), b"{not json", key, {}, 400),
        # Shapes the lane leaves to Django even when they are fine; the last one is accepted by Django.
        (path(poll), yes, key, {"HTTP_COOKIE": "sessionid=x"}, 201),
    ]
    for url, payload, token, extra, status in cases:
        spy = Spy()
        answer = call(FastLanes(spy, [PollLane()]), url, payload, method="POST", key=token, **extra)
        sent = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        assert spy.bodies == [sent], (url, payload, extra)
        assert answer[0] == status, (url, payload, extra, answer)
    others = [({"QUERY_STRING": "x=1"}, yes, 201), ({"CONTENT_TYPE": "text/plain"}, yes, 201),
              ({"HTTP_AUTHORIZATION": "Token abc"}, yes, 403),
              ({}, {"choices": choice_ids(poll, "Non"), "latitude": 48.7}, 201),
              ({}, {"choices": [str(choice_ids(poll, "Non")[0])]}, 201)]
    for extra, payload, status in others:
        spy = Spy()
        Answer.objects.filter(user=resident).delete()
        answer = call(FastLanes(spy, [PollLane()]), path(poll), payload, method="POST", key=key, **extra)
        assert spy.bodies == [json.dumps(payload).encode()], extra
        assert answer[0] == status, (extra, answer)
    assert Answer.objects.filter(poll=closed).count() == Answer.objects.filter(poll=verified).count() == 0
    assert Answer.objects.filter(poll=poll, user=stranger).count() == 0
