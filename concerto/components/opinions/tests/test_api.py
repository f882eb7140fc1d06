"""Opinion debates in the API: the list (paged `items`), one seeded, its accepted statements, its groups (or why
there are none), voting with a personal token (the last vote counts; a hidden statement is a 409
`hidden_statement`), submitting a statement; bad input is a 422 and a draft is a 404."""

import pytest

from concerto.components.opinions import moderation, services
from concerto.components.opinions.models import Statement, Vote
from concerto.components.opinions.tests.conftest import voters
from concerto.core.accounts.models import ApiToken

pytestmark = pytest.mark.django_db
API = "/api/v1/opinions/conversations"


def _token(user):
    _row, key = ApiToken.issue(user=user, name="Appli")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def _post(client, url, data, headers):
    return client.post(url, data, content_type="application/json", **headers)


def test_the_list_is_paged_with_items_and_hides_drafts(client, seeded, opinions, agent):
    moderation.conversation_create(actor=agent, component=opinions, question="Brouillon ?")
    body = client.get(API, {"organisation": "sceaux", "limit": 10}).json()
    assert body["count"] == 1 and body["items"][0]["question"] == "Que faire du centre-ville ?"
    assert body["items"][0]["open"] is True and body["items"][0]["audience"] == "account"
    assert client.get(API, {"open": "false"}).json()["count"] == 0
    assert client.get(f"{API}/{seeded.pk}").json()["id"] == seeded.pk


def test_statements_are_the_accepted_ones_with_their_votes(client, seeded, resident):
    Statement.objects.create(conversation=seeded, text="En attente", author=resident)
    first = seeded.statements.order_by("pk").first()
    services.vote(first, resident, 1)
    body = client.get(f"{API}/{seeded.pk}/statements", {"limit": 2}).json()
    assert body["count"] == 5 and len(body["items"]) == 2
    assert body["items"][0] == {**body["items"][0], "id": first.pk, "agree": 1, "disagree": 0, "passed": 0}
    assert "En attente" not in str(client.get(f"{API}/{seeded.pk}/statements", {"limit": 100}).json())


def test_groups_or_the_reason_there_are_none(client, seeded):
    assert client.get(f"{API}/{seeded.pk}/groups").json()["reason"] == "not computed yet"
    services.recompute_groups(seeded)
    body = client.get(f"{API}/{seeded.pk}/groups").json()
    assert body["k"] == 0 and body["reason"] and body["groups"] == []
    voters(seeded, 30)
    services.recompute_groups(seeded)
    body = client.get(f"{API}/{seeded.pk}/groups").json()
    assert body["k"] == 2 and sum(group["size"] for group in body["groups"]) == 30
    ids = set(seeded.statements.values_list("pk", flat=True))
    assert all(set(group["representative"]) <= ids for group in body["groups"])


def test_voting_with_a_token_the_last_vote_counts(client, seeded, resident):
    statement = seeded.statements.first()
    headers = _token(resident)
    first = _post(client, f"{API}/{seeded.pk}/votes", {"statement": statement.pk, "vote": 1}, headers)
    assert first.status_code == 201 and first.json()["vote"] == 1
    second = _post(client, f"{API}/{seeded.pk}/votes", {"statement": statement.pk, "vote": -1}, headers)
    assert second.status_code == 201
    assert list(Vote.objects.values_list("participant", "value")) == [(f"u{resident.pk}", -1)]


def test_a_hidden_statement_is_a_409_and_bad_votes_a_422(client, seeded, resident):
    headers = _token(resident)
    pending = Statement.objects.create(conversation=seeded, text="En attente", author=resident)
    response = _post(client, f"{API}/{seeded.pk}/votes", {"statement": pending.pk, "vote": 1}, headers)
    assert response.status_code == 409 and response.json()["code"] == "hidden_statement"
    statement = seeded.statements.first()
    for payload in ({"statement": statement.pk, "vote": 2}, {"statement": 0, "vote": 1},
                    {"statement": 2**40, "vote": 1}, {"vote": 1}):
        assert _post(client, f"{API}/{seeded.pk}/votes", payload, headers).status_code == 422, payload
    other = _post(client, f"{API}/{seeded.pk}/votes", {"statement": 999999, "vote": 1}, headers)
    assert other.status_code == 404
    assert _post(client, f"{API}/{seeded.pk}/votes", {"statement": statement.pk, "vote": 1}, {}).status_code == 401
    assert not Vote.objects.exists()


def test_a_verified_only_debate_refuses_with_a_code(client, seeded, resident):
    seeded.audience = "verified"
    seeded.save()
    response = _post(client, f"{API}/{seeded.pk}/votes", {"statement": seeded.statements.first().pk, "vote": 1},
                     _token(resident))
    assert response.status_code == 403 and response.json()["code"] == "verification_required"
    assert "vérifiés" in response.json()["detail"]


def test_submitting_a_statement(client, seeded, resident):
    headers = _token(resident)
    url = f"{API}/{seeded.pk}/statements"
    response = _post(client, url, {"text": "  Un marché  couvert. "}, headers)
    assert response.status_code == 201
    assert response.json() == {**response.json(), "text": "Un marché couvert.", "status": "pending", "shown": False}
    again = _post(client, url, {"text": "un marché couvert."}, headers)
    assert again.status_code == 422 and "déjà dans le débat" in again.json()["errors"][0]["message"]
    long = _post(client, url, {"text": "x" * 300}, headers)
    assert long.status_code == 422 and "la vôtre en a 300" in long.json()["errors"][0]["message"]
    assert _post(client, url, {"text": ""}, headers).status_code == 422
    assert _post(client, url, {"text": "a\x00b"}, headers).status_code == 422
    assert Statement.objects.filter(author=resident).count() == 1


def test_a_draft_debate_is_a_404(client, opinions, agent, resident):
    draft = moderation.conversation_create(actor=agent, component=opinions, question="Brouillon ?", seeds=["A"])
    assert client.get(f"{API}/{draft.pk}").status_code == 404
    assert client.get(f"{API}/{draft.pk}/statements").status_code == 404
    response = _post(client, f"{API}/{draft.pk}/votes", {"statement": draft.statements.get().pk, "vote": 1},
                     _token(resident))
    assert response.status_code == 404
