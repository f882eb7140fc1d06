"""The ballot fast lane (intake.py) in front of Django: its answers to accepted ballots are Django's, byte for
byte, and every other request (every refusal, anything unusual) reaches Django untouched. PostgreSQL only: the
lane runs the fast path's one statement, which SQLite does not have."""

import io
import json
import sys
from datetime import UTC, datetime
from unittest import mock

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.test import override_settings

from concerto.components.budgets import intake
from concerto.components.budgets.intake import BallotLane
from concerto.components.budgets.models import Ballot, BallotChoice
from concerto.components.budgets.tests.test_ballots_setup import close_vote, verified_voter, vote_setup
from concerto.core import metrics
from concerto.core.accounts.models import ApiToken
from concerto.core.fastlane import FastLanes
from concerto.core.participation.models import Contribution
from concerto.testing import UserFactory, commune, needs_postgresql

NOW = datetime(2026, 12, 6, 10, 15, 30, 123456, tzinfo=UTC)
REQUEST_ID = "proxy-request-0001"
# Headers that differ between two answers to the same request whoever gives them: none but the cookie's expiry.
VOLATILE = {"Set-Cookie"}


class Spy:
    """Django's WSGI application, remembering the bodies it was handed."""

    def __init__(self):
        self.app = WSGIHandler()
        self.bodies = []

    def __call__(self, environ, start_response):
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        self.bodies.append(body)
        environ["wsgi.input"] = io.BytesIO(body)
        return self.app(environ, start_response)


def call(app, path, body=b"", *, method="PUT", key=None, https=False, **headers):
    """(status code, headers dict, body) of APP's answer to one request."""
    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode()
    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "testserver",
               "SERVER_PORT": "443" if https else "80", "SERVER_PROTOCOL": "HTTP/1.1", "HTTP_HOST": "testserver",
               "wsgi.url_scheme": "https" if https else "http", "wsgi.input": io.BytesIO(body),
               "wsgi.errors": sys.stderr, "CONTENT_LENGTH": str(len(body)), "CONTENT_TYPE": "application/json",
               "HTTP_X_REQUEST_ID": REQUEST_ID}
    if key is not None:
        environ["HTTP_AUTHORIZATION"] = f"Bearer {key}"
    environ.update(headers)
    answer = {}

    def start_response(status, response_headers, exc_info=None):
        answer["status"], answer["headers"] = int(status.split()[0]), response_headers

    chunks = app(environ, start_response)
    content = b"".join(chunks)
    if hasattr(chunks, "close"):
        chunks.close()
    return answer["status"], answer["headers"], content


def comparable(headers) -> dict:
    return {name: value for name, value in headers if name not in VOLATILE}


@pytest.fixture
def vote(db):
    needs_postgresql()
    component, budget, projects = vote_setup()
    voters = [verified_voter(n) for n in range(3)]
    keys = [ApiToken.issue(user=voter, name="lane")[1] for voter in voters]
    yield component, budget, projects, voters, keys
    intake.writer_stop()  # its connection closed before the test database goes


def path(budget) -> str:
    return f"/api/v1/budgets/budgets/{budget.pk}/ballot"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("https", [False, True])
def test_an_accepted_ballot_gets_from_the_lane_the_answer_django_gives(vote, https):
    _component, budget, projects, voters, keys = vote
    django_app = Spy()
    lane = FastLanes(django_app, [BallotLane()])
    first, second = {"choices": [projects[0].pk, projects[2].pk]}, {"choices": [projects[3].pk]}
    with override_settings(SECURE_HSTS_SECONDS=31536000, SECURE_HSTS_PRELOAD=True,
                           SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https")), \
            mock.patch("django.utils.timezone.now", return_value=NOW):
        django_app.app = WSGIHandler()  # SecurityMiddleware reads its settings when it is built
        for body, status in ((first, 201), (second, 200)):
            by_django = call(django_app, path(budget), body, key=keys[0], https=https,
                             HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.8")
            handed = len(django_app.bodies)
            by_lane = call(lane, path(budget), body, key=keys[1], https=https, HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.8")
            assert len(django_app.bodies) == handed, "the lane handed an acceptable ballot to Django"
            assert by_django[0] == by_lane[0] == status
            assert by_lane[2] == by_django[2], (by_lane[2], by_django[2])
            assert comparable(by_lane[1]) == comparable(by_django[1])
    headers = dict(by_lane[1])
    assert headers["X-Request-ID"] == REQUEST_ID and headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Language"] == "en" and headers["Content-Type"] == "application/json; charset=utf-8"
    assert ("Strict-Transport-Security" in headers) is https
    assert json.loads(by_lane[2])["choices"] == [{"project": projects[3].pk, "points": 1}]
    # The same rows as Django's: ballot, choices, ledger.
    mine, theirs = (Ballot.objects.get(voter=voters[1]), Ballot.objects.get(voter=voters[0]))
    assert (mine.channel, mine.commune_id, mine.created_at) == (theirs.channel, theirs.commune_id, theirs.created_at)
    assert list(BallotChoice.objects.filter(ballot=mine).values_list("project_id", flat=True)) == [projects[3].pk]
    assert Contribution.objects.filter(kind="budgets.ballot", target_id=mine.pk, channel="api").count() == 1
    assert Contribution.objects.filter(kind="budgets.ballot").count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_lane_counts_its_ballots_in_the_metrics(vote):
    _component, budget, projects, _voters, keys = vote
    lane = FastLanes(Spy(), [BallotLane()])

    def counted(status):
        return metrics.HTTP_REQUESTS.labels("api:ballot_put", "PUT", status)._value.get()

    before = counted("201")
    assert call(lane, path(budget), {"choices": [projects[0].pk]}, key=keys[2])[0] == 201
    assert not lane.app.bodies
    assert counted("201") == before + 1


def refusal_cases(budget, projects, keys, voters):
    """(name, request keywords): every request the lane must leave to Django."""
    one = {"choices": [projects[0].pk]}
    return [
        ("bad JSON", {"body": b'{"choices": [1,'}),
        ("not the schema", {"body": {"choix": [projects[0].pk]}}),
        ("an extra field", {"body": {"choices": [projects[0].pk], "note": "x"}}),
        ("ids as text, which the schema coerces", {"body": {"choices": [str(projects[0].pk)]}}),
        ("a boolean for an id", {"body": {"choices": [True]}}),
        ("unknown project", {"body": {"choices": [987654]}}),
        ("over budget", {"body": {"choices": [project.pk for project in projects]}}),
        ("empty ballot", {"body": {"choices": []}}),
        ("wrong token", {"body": one, "key": "cct_notatokenofanyone"}),
        ("no token", {"body": one}),
        ("a session cookie beside the token", {"body": one, "HTTP_COOKIE": "sessionid=abc"}),
        ("a query string", {"body": one, "QUERY_STRING": "x=1"}),
        ("not JSON", {"body": one, "CONTENT_TYPE": "text/plain"}),
        ("a disallowed host", {"body": one, "HTTP_HOST": "evil.example"}),
        ("another budget's path", {"body": one, "path": "/api/v1/budgets/budgets/0/ballot"}),
        ("a budget that does not exist", {"body": one, "path": "/api/v1/budgets/budgets/999999/ballot"}),
        ("reading one's ballot", {"method": "GET"}),
        ("withdrawing it", {"method": "DELETE"}),
        ("another path", {"body": one, "path": f"/api/v1/budgets/budgets/{budget.pk}/ballot/"}),
    ]


@pytest.mark.django_db(transaction=True)
@mock.patch("django.utils.timezone.now", return_value=NOW)
def test_every_request_the_lane_is_unsure_of_reaches_django_untouched(_now, vote):
    _component, budget, projects, voters, keys = vote
    django_alone = Spy()
    for name, case in refusal_cases(budget, projects, keys, voters):
        case = dict(case)
        body = case.pop("body", b"")
        target = case.pop("path", path(budget))
        method = case.pop("method", "PUT")
        key = case.pop("key", keys[0] if name != "no token" else None)
        spy = Spy()
        Ballot.objects.all().delete()
        Contribution.objects.all().delete()
        through_lane = call(FastLanes(spy, [BallotLane()]), target, body, method=method, key=key, **case)
        sent = json.dumps(body).encode() if isinstance(body, (dict, list)) else body
        assert spy.bodies == [sent], f"{name}: not handed to Django with its body"
        Ballot.objects.all().delete()
        Contribution.objects.all().delete()
        direct = call(django_alone, target, body, method=method, key=key, **case)
        assert through_lane[0] == direct[0], name
        if dict(direct[1])["Content-Type"].startswith("application/json"):  # an HTML page carries its own nonce
            assert through_lane[2] == direct[2], name


@pytest.mark.django_db(transaction=True)
def test_refusals_of_the_voter_or_the_box_are_django_s_in_french(vote):
    _component, budget, projects, _voters, _keys = vote
    unverified = UserFactory(email="sans.verification@example.org", residence=commune("sceaux"))
    key = ApiToken.issue(user=unverified, name="lane")[1]
    spy = Spy()
    lane = FastLanes(spy, [BallotLane()])
    status, _headers, content = call(lane, path(budget), {"choices": [projects[0].pk]}, key=key)
    assert len(spy.bodies) == 1 and status == 403 and json.loads(content)["code"] == "unverified"
    assert "habitants vérifiés" in json.loads(content)["detail"]
    assert not Ballot.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_vote_closed_after_the_box_was_cached_goes_to_django_which_refuses(vote):
    component, budget, projects, _voters, keys = vote
    spy = Spy()
    lane = FastLanes(spy, [BallotLane()])
    assert call(lane, path(budget), {"choices": [projects[0].pk]}, key=keys[0])[0] == 201
    assert not spy.bodies  # the box is now cached, open
    with mock.patch("concerto.components.budgets.ballots.ballot_box_forget"):  # another server closes it
        close_vote(component)
    status, _headers, content = call(lane, path(budget), {"choices": [projects[1].pk]}, key=keys[0])
    assert len(spy.bodies) == 1 and status == 403 and json.loads(content)["code"] == "closed"
    kept = Ballot.objects.get()
    assert list(kept.choices.values_list("project_id", flat=True)) == [projects[0].pk]


@pytest.mark.django_db(transaction=True)
def test_with_a_replica_the_lane_sets_the_read_after_write_cookie_as_django_does(vote):
    _component, budget, projects, _voters, keys = vote
    spy = Spy()
    with mock.patch("concerto.core.dbrouting.replica_configured", return_value=True):
        by_lane = call(FastLanes(spy, [BallotLane()]), path(budget), {"choices": [projects[0].pk]}, key=keys[0])
        by_django = call(spy, path(budget), {"choices": [projects[1].pk]}, key=keys[1])
    assert len(spy.bodies) == 1
    cookies = [dict(headers).get("Set-Cookie", "") for _status, headers, _body in (by_lane, by_django)]
    for cookie in cookies:
        assert "concerto_primary=1" in cookie and "HttpOnly" in cookie and "Max-Age=15" in cookie
    assert [c.split("expires=")[0] for c in cookies][0] == cookies[1].split("expires=")[0]
