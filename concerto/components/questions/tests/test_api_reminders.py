"""The API (list, detail, ask, support) and the reminders to the assignee before the deadline."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from concerto.components.questions import services
from concerto.components.questions.models import Question
from concerto.core import periodic
from concerto.core.participation.models import Notification
from concerto.testing import UserFactory

pytestmark = pytest.mark.django_db


def test_the_api_lists_public_questions_paged_with_items(client, committed, asked):
    body = client.get("/api/v1/questions/questions").json()
    assert body["count"] == 1 and body["items"][0]["title"] == committed.title
    item = body["items"][0]
    assert item["supports"] == 2 and item["due_at"] and item["late"] is False and item["answer"] is None
    assert item["addressee"] == "Claire Dubois" and item["url"].startswith("http")
    assert client.get(f"/api/v1/questions/questions/{committed.pk}").json()["id"] == committed.pk


def test_the_api_hides_pending_questions(client, asked):
    assert client.get(f"/api/v1/questions/questions/{asked.pk}").status_code == 404
    assert client.get("/api/v1/questions/questions").json()["count"] == 0


def test_the_api_shows_the_answer_once_published(client, committed, agent):
    services.question_answer(actor=agent, question=committed, text="Réponse.")
    body = client.get("/api/v1/questions/questions?answered=true").json()
    assert body["items"][0]["answer"]["text"] == "Réponse." and body["items"][0]["answer"]["by"] == "Agent de Sceaux"


def test_the_api_asks_and_supports_with_a_session_and_refuses_a_second_support(client, questions, published, profile):
    supporter = UserFactory(email="api@example.org")
    assert client.post("/api/v1/questions/questions", {"component_id": questions.pk, "title": "Q ?"},
                       content_type="application/json").status_code == 401
    client.force_login(supporter)
    asked = client.post("/api/v1/questions/questions",
                        {"component_id": questions.pk, "title": "Et la piscine ?", "addressee_id": profile.pk},
                        content_type="application/json")
    assert asked.status_code == 201 and asked.json()["status"] == "pending"
    assert Question.objects.get(pk=asked.json()["id"]).channel == "api"
    first = client.post(f"/api/v1/questions/questions/{published.pk}/support")
    assert first.status_code == 201 and first.json()["supports"] == 1
    second = client.post(f"/api/v1/questions/questions/{published.pk}/support")
    assert second.status_code == 409 and "déjà" in second.json()["detail"]
    bad = client.post("/api/v1/questions/questions", {"component_id": questions.pk, "title": ""},
                      content_type="application/json")
    assert bad.status_code == 422


def test_the_openapi_document_lists_the_questions_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/questions/questions", "/api/v1/questions/questions/{question_id}",
            "/api/v1/questions/questions/{question_id}/support"} <= set(paths)


def test_the_api_asks_with_a_token(client, questions):
    from concerto.core.accounts.services import api_token_create

    _token, key = api_token_create(user=UserFactory(email="jeton@example.org"), name="appli")
    response = client.post("/api/v1/questions/questions", {"component_id": questions.pk, "title": "Par jeton ?"},
                           content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 201


def test_the_assignee_is_reminded_once_before_the_deadline_through_the_task_queue(committed, agent, elected,
                                                                                 django_capture_on_commit_callbacks):
    services.question_assign(actor=agent, question=committed, assignee=elected)
    now = timezone.now()
    assert services.reminders_send(now) == 0  # 30 days ahead, the reminder is at 7 days
    later = committed.due_at - timedelta(days=6)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reminders_send(later) == 1
    assert services.reminders_send(later) == 0
    assert services.reminders_send(later + timedelta(days=1)) == 0
    assert Notification.objects.filter(recipient=elected, verb="questions.reminder").count() == 1
    assert len([m for m in mail.outbox if elected.email in m.to]) == 1


def test_no_reminder_for_an_answered_question_or_without_assignee(committed, agent):
    later = committed.due_at - timedelta(days=1)
    assert services.reminders_send(later) == 0
    services.question_answer(actor=agent, question=committed, text="Fait.")
    assert services.reminders_send(later) == 0


def test_the_reminder_job_is_in_the_registry():
    from concerto.core import registry

    assert [job.name for job in registry.get("questions").periodic] == ["questions.reminders"]
    assert "questions.reminders" in {job.name for job in periodic.jobs()}
