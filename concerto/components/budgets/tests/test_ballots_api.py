"""Voting through the API: the same service and messages as the web page, as JSON with 4xx statuses."""

import json

import pytest

from concerto.components.budgets.models import Ballot
from concerto.components.budgets.tests.test_ballots_setup import close_vote, verify, vote_setup
from concerto.core.accounts.models import ApiToken


@pytest.fixture
def knapsack(db):
    return vote_setup()


@pytest.fixture
def token(resident):
    _token, key = ApiToken.issue(user=resident, name="Mon application")
    return key


def url(budget) -> str:
    return f"/api/v1/budgets/budgets/{budget.pk}/ballot"


def put(client, budget, key, body):
    return client.put(url(budget), data=json.dumps(body), content_type="application/json",
                      HTTP_AUTHORIZATION=f"Bearer {key}")


def test_a_verified_resident_casts_changes_and_reads_their_ballot_with_a_token(knapsack, resident, token, client):
    _component, budget, projects = knapsack
    verify(resident)
    first = put(client, budget, token, {"choices": [projects[0].pk, projects[1].pk]})
    assert first.status_code == 201, first.content
    assert first.json()["channel"] == "api"
    assert [c["project"] for c in first.json()["choices"]] == sorted([projects[0].pk, projects[1].pk])
    second = client.post(url(budget), data=json.dumps({"choices": [projects[3].pk]}),
                         content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert second.status_code == 200
    mine = client.get(url(budget), HTTP_AUTHORIZATION=f"Bearer {token}")
    assert mine.json()["choices"] == [{"project": projects[3].pk, "points": 1}]
    assert Ballot.objects.count() == 1


def test_refusals_are_json_with_the_same_french_messages(knapsack, resident, token, client):
    component, budget, projects = knapsack
    unverified = put(client, budget, token, {"choices": [projects[0].pk]})
    assert unverified.status_code == 403 and unverified.json()["code"] == "unverified"
    assert unverified.json()["detail"].startswith("Seuls les habitants vérifiés de Sceaux peuvent voter.")
    verify(resident)
    over = put(client, budget, token, {"choices": [p.pk for p in projects]})
    assert over.status_code == 422 and over.json()["code"] == "over_budget"
    assert "plus que le budget de 50\u202f000\u00a0€" in over.json()["detail"]
    unknown = put(client, budget, token, {"choices": [987654]})
    assert unknown.status_code == 422 and unknown.json()["detail"] == "Le projet n° 987654 n’existe pas."
    empty = put(client, budget, token, {"choices": []})
    assert empty.json()["detail"] == "Votre bulletin est vide\u00a0: choisissez au moins un projet."
    garbage = put(client, budget, token, {"choices": "tout"})
    assert garbage.status_code == 422 and "detail" in garbage.json()
    bad_keys = put(client, budget, token, {"choices": {"abc": 1}})
    assert bad_keys.status_code == 422 and bad_keys.json()["code"] == "invalid"
    close_vote(component)
    closed = put(client, budget, token, {"choices": [projects[0].pk]})
    assert closed.status_code == 403 and closed.json()["detail"].startswith("Le vote est fermé.")
    assert not Ballot.objects.exists()


def test_without_a_token_or_session_the_api_asks_to_authenticate(knapsack, client):
    _component, budget, projects = knapsack
    response = client.put(url(budget), data=json.dumps({"choices": [projects[0].pk]}),
                          content_type="application/json")
    assert response.status_code == 401
    assert client.get(url(budget)).status_code == 401


def test_reading_a_ballot_one_has_not_cast_is_a_404(knapsack, token, client):
    _component, budget, _projects = knapsack
    response = client.get(url(budget), HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 404 and response.json()["detail"] == "Vous n’avez pas voté dans ce budget."
    assert client.get("/api/v1/budgets/budgets/999999/ballot",
                      HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 404


def test_a_voter_withdraws_their_ballot_through_the_api(knapsack, resident, token, client):
    _component, budget, projects = knapsack
    verify(resident)
    put(client, budget, token, {"choices": [projects[0].pk]})
    response = client.delete(url(budget), HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 204 and not Ballot.objects.exists()


def test_a_session_needs_the_csrf_token_to_vote(knapsack, resident):
    from django.test import Client

    _component, budget, projects = knapsack
    verify(resident)
    client = Client(enforce_csrf_checks=True)
    client.force_login(resident)
    response = client.put(url(budget), data=json.dumps({"choices": [projects[0].pk]}),
                          content_type="application/json")
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]
    assert not Ballot.objects.exists()


def test_casting_a_ballot_through_the_api_takes_a_dozen_queries(knapsack, resident, token, client,
                                                                 django_assert_max_num_queries):
    """The intake path stays lean: token, budget and steps, verification, projects, the ballot row (one
    INSERT ... ON CONFLICT), its choices and the ledger; no counter row is updated."""
    _component, budget, projects = knapsack
    verify(resident)
    put(client, budget, token, {"choices": [projects[2].pk]})  # content types and such are cached after this
    Ballot.objects.all().delete()
    with django_assert_max_num_queries(13):
        assert put(client, budget, token, {"choices": [projects[0].pk]}).status_code == 201
    with django_assert_max_num_queries(13):
        assert put(client, budget, token, {"choices": [projects[1].pk]}).status_code == 200
