"""The intake writer (intake.py) and its batch statement (migration 0005): several ballots in one transaction,
each with the outcome it would have alone, a refused or failing one never failing the others, and concurrent
requests through the lane sharing commits. PostgreSQL only."""

import json
import threading

import pytest
from django.db import connection
from django.utils import timezone

from concerto.components.budgets import ballots, intake
from concerto.components.budgets.intake import BallotLane
from concerto.components.budgets.models import Ballot
from concerto.components.budgets.tests.test_ballots_setup import verified_voter, vote_setup
from concerto.components.budgets.tests.test_intake_lane import Spy, call, path
from concerto.core.accounts.models import ApiToken
from concerto.core.fastlane import FastLanes
from concerto.core.participation.models import Contribution
from concerto.testing import UserFactory, commune, needs_postgresql


@pytest.fixture
def vote(db):
    needs_postgresql()
    component, budget, projects = vote_setup()
    yield component, budget, projects
    intake.writer_stop()


def element(budget_id, key, choices):
    box = ballots.ballot_box(budget_id)
    found = ballots.intake_element(budget=box, choices={project.pk: 1 for project in choices}, now=timezone.now())
    assert found is not None
    return {**found, "k": ApiToken.hash_key(key)}


def batch(elements):
    with connection.cursor() as cursor:
        cursor.execute("SELECT out_index, out_user, out_created, out_outcome "
                       "FROM budgets_ballot_intake(%s::jsonb, 'api', 'budgets.ballot')", [json.dumps(elements)])
        return {index: (user, created, outcome) for index, user, created, outcome in cursor.fetchall()}


@pytest.mark.django_db(transaction=True)
def test_one_batch_gives_each_ballot_its_own_outcome_and_a_failure_fails_no_other(vote):
    _component, budget, projects = vote
    voters = [verified_voter(n) for n in range(3)]
    keys = [ApiToken.issue(user=voter, name="lot")[1] for voter in voters]
    unverified = UserFactory(email="sans.verification@example.org", residence=commune("sceaux"))
    unverified_key = ApiToken.issue(user=unverified, name="lot")[1]
    first = element(budget.pk, keys[0], [projects[0]])
    stale = {**element(budget.pk, keys[1], [projects[1]]), "s": "an old ballot box"}
    broken = {**element(budget.pk, keys[2], [projects[2]]), "b": "not a number"}
    changed = element(budget.pk, keys[0], [projects[3]])  # voter 0 again, later: replaces their first
    outcomes = batch([first, element(budget.pk, "cct_nobody", [projects[0]]),
                      element(budget.pk, unverified_key, [projects[0]]), stale,
                      element(budget.pk, keys[1], [projects[1]]), broken, changed])
    assert outcomes == {
        0: (voters[0].pk, True, "ok"),
        1: (None, False, "token"),
        2: (unverified.pk, False, "refused"),
        3: (voters[1].pk, False, "stale"),
        4: (voters[1].pk, True, "ok"),
        5: (None, False, "error"),
        6: (voters[0].pk, False, "ok"),
    }
    kept = {ballot.voter_id: sorted(ballot.choices.values_list("project_id", flat=True))
            for ballot in Ballot.objects.all()}
    assert kept == {voters[0].pk: [projects[3].pk], voters[1].pk: [projects[1].pk]}
    assert Contribution.objects.filter(kind="budgets.ballot").count() == 2
    # The failed ballot's savepoint took its token stamp with it; the others' stamps are committed.
    assert ApiToken.objects.get(user=voters[2]).last_used_at is None
    assert ApiToken.objects.get(user=voters[1]).last_used_at is not None


@pytest.mark.django_db(transaction=True)
def test_concurrent_ballots_through_the_lane_share_commits_and_all_land(vote):
    _component, budget, projects = vote
    count = 16
    voters = [verified_voter(n) for n in range(count)]
    keys = [ApiToken.issue(user=voter, name="lot")[1] for voter in voters]
    connection.close()
    spy = Spy()
    lane = FastLanes(spy, [BallotLane()])
    start = threading.Barrier(count)
    statuses = [None] * count

    def vote_as(n):
        try:
            start.wait()
            statuses[n] = call(lane, path(budget), {"choices": [projects[n % 4].pk]}, key=keys[n])[0]
        finally:
            connection.close()

    threads = [threading.Thread(target=vote_as, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [201] * count
    assert not spy.bodies  # none handed to Django
    writer = intake.writer()
    assert writer.ballots == count
    assert writer.batches < count  # at least one commit served several ballots
    assert Ballot.objects.filter(budget=budget).count() == count
    assert Contribution.objects.filter(kind="budgets.ballot").count() == count
