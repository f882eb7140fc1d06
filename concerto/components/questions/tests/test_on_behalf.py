"""A member of an association asks an elected official « au nom de » it (core/participation/behalf.py), on the page
and through the API: the question's page, the list and the API show the actor's public name (never the person's:
questions name nobody); a non-member sending an actor's id gets a French refusal (400 on the page, 403 with
`code` `not_a_member` in the API) and nothing is saved."""

import pytest

from concerto.components.questions.models import Question
from concerto.components.questions.tests.test_pages import _url
from concerto.core.participation.models import Contribution
from concerto.core.participation.services import moderation_dismiss

pytestmark = pytest.mark.django_db

REFUSED = "Vous ne pouvez contribuer qu’au nom d’une organisation dont vous êtes membre"
API = "/api/v1/questions/questions"


def test_a_member_asks_on_behalf_of_the_association_and_it_shows_once_published(client, questions, actor_member,
                                                                                 moderator):
    client.force_login(actor_member.user)
    assert "Au nom de Les Amis du Parc" in client.get(_url("questions:ask", component=questions)).content.decode()
    response = client.post(_url("questions:ask", component=questions), {
        "title": "Quand rouvre le kiosque du parc ?", "text": "", "on_behalf_of": actor_member.actor.pk})
    assert response.status_code == 302
    question = Question.objects.get()
    assert Contribution.objects.get(kind="questions.question", target_id=question.pk).on_behalf_of == actor_member.actor
    moderation_dismiss(moderator=moderator, content=question)
    client.logout()
    assert "Au nom de Les Amis du Parc" in client.get(question.get_absolute_url()).content.decode()
    listed = client.get(_url("questions:index", component=questions)).content.decode()
    assert "Quand rouvre le kiosque du parc ?" in listed and "Au nom de Les Amis du Parc" in listed
    assert "Camille Martin" not in listed  # a question never names its author
    item = client.get(f"{API}/{question.pk}").json()
    assert item["on_behalf_of"] == {"id": actor_member.actor.pk, "name": "Les Amis du Parc"}


def test_a_non_member_forging_an_actor_id_on_the_page_gets_a_french_error_and_keeps_the_text(client, questions,
                                                                                             author, foreign_actor):
    client.force_login(author)
    assert "Vous contribuez" not in client.get(_url("questions:ask", component=questions)).content.decode()
    response = client.post(_url("questions:ask", component=questions), {
        "title": "Une question signée par d’autres ?", "text": "Mon texte gardé", "on_behalf_of": foreign_actor.pk})
    assert response.status_code == 400
    page = response.content.decode()
    assert REFUSED in page and "Mon texte gardé" in page
    assert not Question.objects.exists()


def test_the_api_asks_on_behalf_for_a_member_and_refuses_others_with_a_code(client, questions, actor_member, author,
                                                                           foreign_actor):
    client.force_login(author)
    refused = client.post(API, {"component_id": questions.pk, "title": "Au nom d’autrui ?",
                                "on_behalf_of": foreign_actor.pk}, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["code"] == "not_a_member" and REFUSED in refused.json()["detail"]
    assert not Question.objects.exists()
    client.force_login(actor_member.user)
    asked = client.post(API, {"component_id": questions.pk, "title": "Et le kiosque ?",
                              "on_behalf_of": actor_member.actor.pk}, content_type="application/json")
    assert asked.status_code == 201
    row = Contribution.objects.get(kind="questions.question", target_id=asked.json()["id"])
    assert row.on_behalf_of == actor_member.actor and row.channel == "api"
    mine = client.post(API, {"component_id": questions.pk, "title": "Et en mon nom ?"},
                       content_type="application/json")
    assert mine.status_code == 201
    assert Contribution.objects.get(kind="questions.question", target_id=mine.json()["id"]).on_behalf_of is None


def test_the_openapi_document_describes_on_behalf_of(client):
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert "not_a_member" in str(schema["QuestionIn"]["properties"]["on_behalf_of"])
    assert "on_behalf_of" in schema["OfficialQuestionOut"]["properties"]


def test_the_api_list_reads_the_actors_of_a_page_in_one_query(client, questions, actor_member, moderator):
    """The list's queries do not grow with the page: 12 questions asked on behalf cost what 2 do."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def ask(count):
        client.force_login(actor_member.user)
        for n in range(count):
            asked = client.post(API, {"component_id": questions.pk, "title": f"Question numéro {n} ?",
                                      "on_behalf_of": actor_member.actor.pk}, content_type="application/json")
            moderation_dismiss(moderator=moderator, content=Question.objects.get(pk=asked.json()["id"]))
        client.logout()

    ask(2)
    with CaptureQueriesContext(connection) as few:
        assert client.get(f"{API}?limit=100").status_code == 200
    ask(10)
    with CaptureQueriesContext(connection) as many:
        answer = client.get(f"{API}?limit=100").json()
    assert answer["count"] == 12
    assert all(item["on_behalf_of"]["name"] == "Les Amis du Parc" for item in answer["items"])
    assert len(many.captured_queries) <= len(few.captured_queries)
