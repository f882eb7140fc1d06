"""Durability of acknowledged ballots: the processes that talk to the database (gunicorn's workers) are killed
with SIGKILL in the middle of a burst of ballots sent through the API, and every ballot that was answered with
a 2xx is in the database, exactly once, with the choices of the last acknowledged request of its voter (or of
the one request after it that was cut off without an answer). PostgreSQL only (the fast path, real processes).
"""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Count

from concerto.components.budgets.models import Ballot
from concerto.components.budgets.tests.test_ballots_setup import verified_voter, vote_setup
from concerto.core.accounts.models import ApiToken
from concerto.core.participation.models import Contribution
from concerto.testing import needs_postgresql

ROOT = Path(__file__).resolve().parents[4]
VOTERS = 24
SENDERS = 6
BURST_SECONDS = 4.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _workers(master: int) -> list[int]:
    try:
        return [int(pid) for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split()]
    except OSError:
        return []


def _serve(port: int) -> subprocess.Popen:
    database = settings.DATABASES["default"]
    url = (f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/"
           f"{database['NAME']}")
    env = {**os.environ, "DATABASE_URL": url, "CONCERTO_DEBUG": "0", "CONCERTO_SECRET_KEY": "kill-test-secret-key",
           "CONCERTO_ALLOWED_HOSTS": "127.0.0.1", "CONCERTO_DB_POOL": "1:4", "PYTHONPATH": str(ROOT),
           # Through the ballot fast lane (intake.py), behind a TLS-terminating proxy as in production.
           "CONCERTO_BALLOT_FAST_LANE": "1", "CONCERTO_BEHIND_HTTPS_PROXY": "1"}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    return subprocess.Popen(
        [str(gunicorn), "concerto.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "2",
         "--worker-class", "gthread", "--threads", "4", "--log-level", "critical"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def _ready(port: int, server: subprocess.Popen, path: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, "gunicorn stopped"
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", path)
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.3)
    raise AssertionError("gunicorn did not answer")


@pytest.mark.django_db(transaction=True)
def test_killing_the_workers_mid_burst_loses_no_acknowledged_ballot():
    needs_postgresql()
    _component, budget, projects = vote_setup()
    voters = [verified_voter(n) for n in range(VOTERS)]
    keys = [ApiToken.issue(user=voter, name="rafale")[1] for voter in voters]
    # Choice sets that fit the 50,000 € budget; each voter cycles through them.
    options = [[projects[0].pk], [projects[1].pk, projects[2].pk], [projects[3].pk], [projects[0].pk, projects[2].pk]]
    path = f"/api/v1/budgets/budgets/{budget.pk}/ballot"
    connection.close()

    port = _free_port()
    server = _serve(port)
    acknowledged: dict[int, list] = {}  # voter index -> choices of its last 2xx
    cut_off: dict[int, list] = {}  # voter index -> choices of a request after it that got no answer
    statuses: list[int] = []
    stop = time.monotonic() + 60

    def send(sender: int) -> None:
        mine = range(sender, VOTERS, SENDERS)  # each voter belongs to one sender: its requests are in order
        turn = 0
        while time.monotonic() < stop:
            for index in mine:
                choices = options[(turn + index) % len(options)]
                try:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                    conn.request("PUT", path, body=json.dumps({"choices": choices}),
                                 headers={"Authorization": f"Bearer {keys[index]}",
                                          "Content-Type": "application/json", "X-Forwarded-Proto": "https"})
                    response = conn.getresponse()
                    response.read()
                    conn.close()
                except (OSError, http.client.HTTPException):  # killed while answering: maybe cast, maybe not
                    # (a reset connection, or a status line or body cut short: BadStatusLine, IncompleteRead)
                    cut_off[index] = choices
                    continue
                statuses.append(response.status)
                if 200 <= response.status < 300:
                    acknowledged[index] = choices
                    cut_off.pop(index, None)
            turn += 1

    try:
        _ready(port, server, path)
        stop = time.monotonic() + BURST_SECONDS
        senders = [threading.Thread(target=send, args=(n,)) for n in range(SENDERS)]
        for thread in senders:
            thread.start()
        killed = 0
        for pause in (1.0, 1.5):  # twice: the first workers, then the ones gunicorn started instead
            time.sleep(pause)
            for pid in _workers(server.pid):
                os.kill(pid, signal.SIGKILL)
                killed += 1
        for thread in senders:
            thread.join()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    assert killed >= 2
    assert statuses.count(201) >= VOTERS // 2, statuses  # the burst really cast ballots
    assert set(statuses) <= {200, 201}, set(statuses)
    assert acknowledged
    ballots = {ballot.voter_id: ballot for ballot in Ballot.objects.filter(budget=budget).prefetch_related("choices")}
    assert not Ballot.objects.values("voter_key").annotate(n=Count("pk")).filter(n__gt=1).exists()
    for index, choices in acknowledged.items():
        ballot = ballots.get(voters[index].pk)
        assert ballot is not None, f"voter {index}: an acknowledged ballot is lost"
        kept = sorted(choice.project_id for choice in ballot.choices.all())
        assert kept in (sorted(choices), sorted(cut_off.get(index, choices))), (index, kept, choices)
    assert Contribution.objects.filter(kind="budgets.ballot").count() == len(ballots)
