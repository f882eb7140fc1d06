"""Similar questions: while a resident writes a question to the elected officials, the public questions that ask
the same thing (the kernel's engine), so that they support it instead; the same without JavaScript, and for API
clients (GET /api/v1/questions/questions/similar)."""

import pytest
from django.urls import reverse

from concerto.components.questions import services
from concerto.components.questions.models import Question
from concerto.core.participation.services import moderation_dismiss
from concerto.testing import ComponentFactory

from .conftest import supporters

pytestmark = pytest.mark.django_db

API = "/api/v1/questions/questions/similar"


def _url(component, name="similar"):
    space = component.space
    return reverse(f"questions:{name}", args=[space.organisation.slug, space.slug, component.pk])


def _ask(component, author, title, text="", moderator=None, decision=None):
    question = services.question_ask(author=author, component=component, title=title, text=text)
    if moderator is not None and decision is None:
        moderation_dismiss(moderator=moderator, content=question)
    elif decision is not None:
        services.question_moderated(moderator=moderator, question=question, decision=decision)
    question.refresh_from_db()
    return question


@pytest.fixture
def pool(questions, author, moderator):
    return _ask(questions, author, "Quand la piscine municipale rouvrira-t-elle ?",
                "Elle est fermée depuis les travaux de l'été.", moderator=moderator)


def test_a_french_paraphrase_suggests_the_public_question_with_its_supports(client, questions, pool, published):
    services.question_support(user=supporters(1)[0], question=pool)
    html = client.get(_url(questions), {"title": "Réouverture de la piscine ?",
                                        "text": "fermée pour travaux"}).content.decode()
    assert "Questions semblables déjà posées" in html
    assert f'href="{pool.get_absolute_url()}"' in html and "1 soutien" in html
    assert published.title not in html.replace("&#x27;", "'")  # the cycle lane is another matter
    assert client.get(_url(questions), {"title": "Un marché bio le dimanche ?"}).content.decode().strip() == ""


def test_pending_refused_hidden_and_other_components_questions_are_never_suggested(client, questions, author,
                                                                                   moderator, space, pool):
    pending = _ask(questions, author, "La piscine municipale rouvrira-t-elle en mai ?")
    refused = _ask(questions, author, "La piscine municipale rouvrira-t-elle un jour ?", moderator=moderator,
                   decision="hidden")
    other = ComponentFactory(space=space, kind="questions", title="Autres questions")
    elsewhere = _ask(other, author, "La piscine municipale rouvrira-t-elle bientôt ?", moderator=moderator)
    assert refused.status == Question.Status.REJECTED and pending.status == Question.Status.PENDING
    html = client.get(_url(questions), {"title": "piscine municipale rouvrira"}).content.decode()
    assert pool.get_absolute_url() in html
    for gone in (pending, refused, elsewhere):
        assert f'href="{gone.get_absolute_url()}"' not in html


def test_the_form_asks_while_typing_and_without_javascript_the_button_does(client, questions, resident, pool):
    client.force_login(resident)
    form = client.get(_url(questions, "ask")).content.decode()
    assert form.count(f'hx-get="{_url(questions)}"') == 2 and 'hx-include="#id_title, #id_text"' in form
    assert 'id="similar-questions"' in form and 'aria-live="polite"' in form
    response = client.post(_url(questions, "ask"), {"title": "La piscine va-t-elle rouvrir ?",
                                                    "text": "Mon texte gardé", "similar_check": "1"})
    html = response.content.decode()
    assert response.status_code == 200 and pool.get_absolute_url() in html and "Mon texte gardé" in html
    assert "Il y a un problème" not in html and Question.objects.count() == 1
    response = client.post(_url(questions, "ask"), {"title": "Un marché bio ?", "similar_check": "1"})
    assert "Aucune question semblable n’a été trouvée" in response.content.decode()
    # A failed sending shows them too.
    response = client.post(_url(questions, "ask"), {"title": "", "text": "piscine municipale fermée"})
    assert response.status_code == 400 and pool.get_absolute_url() in response.content.decode()


@pytest.mark.parametrize("query", [{}, {"title": "le la les"}, {"title": "piscine" * 50_000},
                                   {"title": "\x00<script>"}, {"text": "?!:;«»"}])
def test_bad_input_gives_an_empty_fragment_never_a_500(client, questions, pool, query):
    response = client.get(_url(questions), query)
    assert response.status_code == 200 and "<script>" not in response.content.decode()


def test_the_api_gives_similar_public_questions(client, questions, pool, author):
    _ask(questions, author, "La piscine municipale rouvrira-t-elle en mai ?")  # pending: never
    response = client.get(API, {"component": questions.pk, "text": "réouverture de la piscine"})
    assert response.status_code == 200
    [found] = response.json()
    assert found["id"] == pool.pk and found["title"] == pool.title and found["supports"] == 0
    assert found["url"].endswith(pool.get_absolute_url()) and 0.25 <= found["similarity"] <= 1
    assert client.get(API, {"component": questions.pk, "text": "marché bio"}).json() == []


@pytest.mark.parametrize("query, status", [
    ({}, 422), ({"component": 0, "text": "piscine"}, 422), ({"component": "abc"}, 422),
    ({"component": 2**31 + 5, "text": "piscine"}, 422), ({"component": 999_999, "text": "piscine"}, 404),
    ({"text": "x" * 6_000}, 422), ({"text": "a\x00b"}, 422), ({"text": ""}, 200),
])
def test_the_api_answers_bad_input_in_its_error_format(client, questions, pool, query, status):
    query = {"component": questions.pk, **query} if "component" not in query and query else query
    response = client.get(API, query)
    assert response.status_code == status
    body = response.json()
    assert body == [] if status == 200 else body["detail"]
