"""The fast path of ballot_cast on PostgreSQL (ballots.py, "The fast path"; migration 0003): a ballot in one
statement from a cached ballot box, the same rows as the Python path, and never a ballot the Python path would
refuse, even when the cached ballot box is out of date (another process changed it)."""

import json
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from concerto.components.budgets import ballots
from concerto.components.budgets.ballots import BallotError, ballot_box, ballot_cast
from concerto.components.budgets.models import Ballot, Project
from concerto.components.budgets.paper import paper_entry_add
from concerto.components.budgets.tests.test_ballots_setup import verified_voter, verify, vote_setup
from concerto.core.accounts.models import ApiToken
from concerto.core.participation.models import Contribution
from concerto.core.spaces.models import Step
from concerto.testing import needs_postgresql, persona


@pytest.fixture
def box(db):
    """(component, cached ballot box, projects) on PostgreSQL."""
    needs_postgresql()
    component, budget, projects = vote_setup()
    cached = ballot_box(budget.pk)
    assert cached.ballot_box_stamp and set(cached.ballot_costs) == {p.pk for p in projects}
    return component, cached, projects


@pytest.fixture
def second_agent(sceaux):
    return persona("agent2@sceaux.example.org", role="agent", organisation=sceaux, display_name="Second agent")


def refused(**kwargs) -> str:
    with pytest.raises(BallotError) as caught:
        ballot_cast(**kwargs)
    return caught.value.code


def test_a_ballot_from_the_cached_ballot_box_is_one_statement_with_the_same_rows(box, sceaux):
    component, budget, projects = box
    voter = verified_voter(1)
    ContentType.objects.get_for_model(Ballot)  # cached for the process's life, as in a server
    with CaptureQueriesContext(connection) as queries:
        ballot = ballot_cast(voter=voter, budget=budget, choices=[projects[0].pk, projects[2].pk], channel="api")
    assert len(queries) == 1 and "budgets_ballot_cast" in queries[0]["sql"], [q["sql"][:80] for q in queries]
    assert ballot.created
    stored = Ballot.objects.get()
    assert (stored.pk, stored.voter, stored.channel, stored.commune_id, stored.voter_key) == (
        ballot.pk, voter, "api", sceaux.pk, voter.verifications.get().identity_hash)
    assert sorted(stored.choices.values_list("project_id", flat=True)) == [projects[0].pk, projects[2].pk]
    ledger = Contribution.objects.get(kind="budgets.ballot")
    assert (ledger.target_id, ledger.author, ledger.residence, ledger.organisation, ledger.component, ledger.channel) \
        == (ballot.pk, voter, sceaux, sceaux, component, "api")
    changed = ballot_cast(voter=voter, budget=budget, choices=[projects[3].pk], channel="api")
    assert changed.pk == ballot.pk and not changed.created and changed.created_at == stored.created_at
    assert list(stored.choices.values_list("project_id", flat=True)) == [projects[3].pk]
    assert Contribution.objects.filter(kind="budgets.ballot").count() == 1


def test_a_change_older_than_the_ballot_in_place_does_not_undo_it(box):
    """A request held up on its way (its server killed after sending it) reaches the database after a later
    change of the same voter: the later one stays."""
    _component, budget, projects = box
    voter = verified_voter(1)
    ballot_cast(voter=voter, budget=budget, choices=[projects[0].pk])
    Ballot.objects.update(updated_at=timezone.now() + timedelta(seconds=30))  # a later request, committed
    late = ballot_cast(voter=voter, budget=budget, choices=[projects[3].pk])
    assert late.superseded and not late.created
    assert list(Ballot.objects.get().choices.values_list("project_id", flat=True)) == [projects[0].pk]


def test_a_vote_closed_by_another_process_is_refused_though_this_one_cached_it_open(box):
    component, budget, projects = box
    # No signal reaches this process's cache: as if an agent closed the vote on another server.
    today = timezone.localdate()
    Step.objects.filter(space=component.space).update(start_date=today - timedelta(days=10),
                                                      end_date=today - timedelta(days=1))
    assert ballot_box(budget.pk) is budget  # still cached
    assert refused(voter=verified_voter(1), budget=budget, choices=[projects[0].pk]) == "closed"
    assert not Ballot.objects.exists()


def test_a_project_withdrawn_or_repriced_elsewhere_is_checked_afresh(box):
    _component, budget, projects = box
    voter = verified_voter(1)
    Project.objects.filter(pk=projects[0].pk).update(withdrawn_at=timezone.now())
    assert refused(voter=voter, budget=budget, choices=[projects[0].pk]) == "not_on_ballot"
    fresh = ballot_box(budget.pk)
    Project.objects.filter(pk=projects[1].pk).update(final_cost=45_000)  # 15,000 € when cached
    assert refused(voter=voter, budget=fresh, choices=[projects[1].pk, projects[2].pk]) == "over_budget"
    assert not Ballot.objects.exists()


def test_the_fast_path_lets_in_no_one_the_rules_keep_out(box, resident):
    _component, budget, projects = box
    assert refused(voter=resident, budget=budget, choices=[projects[0].pk]) == "unverified"
    assert refused(voter=AnonymousUser(), budget=budget, choices=[projects[0].pk]) == "sign_in"
    assert not Ballot.objects.exists()


def test_the_minimum_age_is_checked_on_the_fast_path(db, resident):
    needs_postgresql()
    _component, budget, projects = vote_setup(minimum_age=16)
    today = timezone.localdate()
    verify(resident, birth_date=date(today.year - 16, today.month, today.day) + timedelta(days=1))
    cached = ballot_box(budget.pk)
    assert refused(voter=resident, budget=cached, choices=[projects[0].pk]) == "too_young"
    old_enough = verified_voter(2, birth_date=date(today.year - 16, today.month, today.day) - timedelta(days=1))
    assert ballot_cast(voter=old_enough, budget=cached, choices=[projects[0].pk]).created


def test_a_person_who_voted_on_paper_is_refused_online_from_the_cached_box(box, resident, agent, second_agent):
    _component, budget, projects = box
    verify(resident)  # Camille Martin, born on 17 May 1990
    sheet = {"polling_station": "Mairie", "sheet_number": "A-1", "last_name": "Martin", "first_name": "Camille",
             "birth_date": date(1990, 5, 17), "choices": [projects[0].pk], "decide": False}
    paper_entry_add(agent=agent, budget=budget, **sheet)
    paper_entry_add(agent=second_agent, budget=budget, **sheet)
    assert Ballot.objects.get().channel == "paper"
    assert refused(voter=resident, budget=budget, choices=[projects[1].pk]) == "already_voted"
    assert list(Ballot.objects.get().choices.values_list("project_id", flat=True)) == [projects[0].pk]


def test_a_ballot_cast_before_verification_moves_to_the_identity_through_the_python_path(db, resident):
    needs_postgresql()
    _component, budget, projects = vote_setup(requires_verification=False)
    cached = ballot_box(budget.pk)
    first = ballot_cast(voter=resident, budget=cached, choices=[projects[0].pk])
    assert first.voter_key == f"user:{resident.pk}"
    verify(resident)
    again = ballot_cast(voter=resident, budget=cached, choices=[projects[1].pk])
    assert again.pk == first.pk and not again.created
    assert Ballot.objects.get().voter_key == resident.verifications.get().identity_hash


def test_an_api_ballot_takes_two_statements_once_the_ballot_box_is_cached(box, resident, client):
    _component, budget, projects = box
    verify(resident)
    _token, key = ApiToken.issue(user=resident, name="Mon application")
    url = f"/api/v1/budgets/budgets/{budget.pk}/ballot"
    with CaptureQueriesContext(connection) as queries:
        response = client.put(url, data=json.dumps({"choices": [projects[0].pk]}), content_type="application/json",
                              HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 201, response.content
    # The token (its "last used" stamp in the same statement), then the ballot.
    assert len(queries) == 2, [query["sql"][:80] for query in queries]
    assert ApiToken.objects.get().last_used_at is not None
    assert ballots.ballot_box(budget.pk) is budget


@pytest.mark.django_db(transaction=True)
def test_the_token_stamp_is_the_only_commit_that_does_not_wait_for_the_disk(resident):
    """The token check commits its "last used" stamp without waiting for the disk; the ballot that follows on
    the same connection commits durably, and inside a transaction nothing is relaxed at all."""
    needs_postgresql()
    from django.db import transaction

    from concerto.core.accounts.services import authenticate_api_token

    _token, key = ApiToken.issue(user=resident, name="Mon application")

    def synchronous_commit() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            return cursor.fetchone()[0]

    assert authenticate_api_token(key) == resident
    assert ApiToken.objects.get().last_used_at is not None
    assert synchronous_commit() == "on"  # the setting ended with the token's own statement
    with transaction.atomic():
        ApiToken.objects.update(last_used_at=None)
        assert authenticate_api_token(key) == resident
        assert synchronous_commit() == "on"
