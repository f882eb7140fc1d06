"""Quick polls in the API: the list (paged, in /api/v1/polls/polls), one poll, and answering with a token."""

import pytest

from concerto.components.polls import services
from concerto.components.polls.models import Answer
from concerto.components.polls.tests.conftest import choice_ids
from concerto.core.accounts.models import ApiToken

pytestmark = pytest.mark.django_db


def _token(user):
    _row, key = ApiToken.issue(user=user, name="Appli")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_the_list_is_paged_with_items_and_hides_drafts(client, poll, polls, agent):
    services.poll_create(actor=agent, component=polls, question="Brouillon ?", choices=["A", "B"])
    body = client.get("/api/v1/polls/polls", {"organisation": "sceaux"}).json()
    assert body["count"] == 1 and body["items"][0]["question"] == poll.question
    assert body["items"][0]["answers"] is None and body["items"][0]["choices"][0]["label"] == "Oui"
    assert client.get("/api/v1/polls/polls", {"open": "false"}).json()["count"] == 0


def test_answering_with_a_token_records_the_api_channel_and_shows_the_results(client, poll, resident):
    response = client.post(f"/api/v1/polls/polls/{poll.pk}/answer", {"choices": choice_ids(poll, "Non")},
                           content_type="application/json", **_token(resident))
    assert response.status_code == 201
    body = response.json()
    assert body["answered"] is True and body["answers"] == 1
    assert [c["answers"] for c in body["choices"]] == [0, 1, 0]
    assert Answer.objects.get().channel == "api"


def test_a_second_answer_is_a_409_and_a_closed_poll_a_403_in_french(client, poll, resident, agent):
    headers = _token(resident)
    url = f"/api/v1/polls/polls/{poll.pk}/answer"
    client.post(url, {"choices": choice_ids(poll, "Oui")}, content_type="application/json", **headers)
    second = client.post(url, {"choices": choice_ids(poll, "Non")}, content_type="application/json", **headers)
    assert second.status_code == 409 and second.json()["code"] == "already_answered"
    services.poll_close(actor=agent, poll=poll)
    other = client.post(url, {"choices": choice_ids(poll, "Non")}, content_type="application/json",
                        **_token(agent))
    assert other.status_code == 403 and other.json() == {"detail": "Ce sondage est fermé : il ne reçoit plus de "
                                                                    "réponses.".replace(" :", "\xa0:"),
                                                         "code": "closed"}


def test_bad_answers_are_422_with_the_field_and_nothing_is_recorded(client, why_poll, resident):
    url = f"/api/v1/polls/polls/{why_poll.pk}/answer"
    response = client.post(url, {"choices": choice_ids(why_poll, "Bancs"), "why": ""},
                           content_type="application/json", **_token(resident))
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "why", "location": "body",
                                          "message": "Dites pourquoi en quelques mots."}]
    assert client.post(url, {"choices": []}, content_type="application/json", **_token(resident)).status_code == 422
    assert not Answer.objects.exists()


def test_without_a_token_the_answer_is_a_401(client, poll):
    response = client.post(f"/api/v1/polls/polls/{poll.pk}/answer", {"choices": choice_ids(poll, "Oui")},
                           content_type="application/json")
    assert response.status_code == 401 and not Answer.objects.exists()


def test_the_outsider_s_token_gets_no_draft_and_cannot_answer_for_sceaux(client, polls, agent, outsider, poll):
    draft = services.poll_create(actor=agent, component=polls, question="Brouillon ?", choices=["A", "B"])
    headers = _token(outsider)
    assert client.get(f"/api/v1/polls/polls/{draft.pk}", **headers).status_code == 404
    response = client.post(f"/api/v1/polls/polls/{poll.pk}/answer", {"choices": choice_ids(poll, "Oui")},
                           content_type="application/json", **headers)
    assert response.status_code == 403 and response.json()["code"] == "not_in_target"


def test_the_openapi_document_has_the_polls(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/polls/polls", "/api/v1/polls/polls/{poll_id}",
            "/api/v1/polls/polls/{poll_id}/answer"} <= set(paths)
