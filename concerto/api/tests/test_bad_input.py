"""Inputs that used to give 500s through the API, and what a client sees now: a 4xx with a message in its
language, never a server error (run on PostgreSQL too: it refuses NUL characters and wide offsets)."""

import json
from urllib.parse import quote

import pytest
from django.test import Client

from concerto.api.urls import api
from concerto.components.budgets.models import Ballot
from concerto.components.budgets.tests.test_ballots_setup import verify, vote_setup
from concerto.components.news.models import Post
from concerto.core.accounts.models import ApiToken
from concerto.testing import ComponentFactory, SpaceFactory

pytestmark = pytest.mark.django_db

OFFSET = "Le décalage horaire doit être compris entre -15:59 et +15:59, par exemple +01:00."
YEARS = "Saisissez une date comprise entre les années 1900 et 2999."
NUL = "Ce texte contient un caractère NUL (\\u0000), qui n’est pas accepté."


def field_errors(response) -> list[dict]:
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["detail"] == "Les données envoyées ne sont pas valides."
    return body["errors"]


@pytest.mark.parametrize("since, message", [
    ("2026-03-14T09:30:00+16:00", OFFSET),
    ("2026-03-14T09:30:00-23:59", OFFSET),
    ("0001-01-01T00:00:00+01:00", YEARS),
    ("9999-12-31T23:59:59-01:00", YEARS),
])
def test_reports_since_beyond_the_offsets_or_years_the_database_holds_is_a_422(client, since, message):
    response = client.get("/api/v1/reports/reports", {"since": since})
    assert response.status_code == 422, response.content
    assert field_errors(response) == [{"field": "since", "location": "query", "message": message}]


def test_reports_since_with_a_real_offset_or_none_is_read(client):
    for since in ("2026-03-14T09:30:00+14:00", "2026-03-14T09:30:00-12:00", "2026-03-14T09:30:00"):
        response = client.get("/api/v1/reports/reports", {"since": since})
        assert response.status_code == 200, (since, response.content)


def test_a_malformed_since_says_which_format_to_use(client):
    response = client.get("/api/v1/reports/reports", {"since": "hier"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    assert response.json()["errors"][0]["message"] == (
        "Enter a date and time in the ISO 8601 format, such as 2026-03-14T09:30:00+01:00.")


@pytest.mark.parametrize("url, params, field, location", [
    ("/api/v1/organisations", {"q": "Sce\x00aux"}, "q", "query"),
    ("/api/v1/spaces", {"organisation": "sceaux\x00"}, "organisation", "query"),
    ("/api/v1/news/posts", {"x\x00": "1"}, "x\\u0000", "query"),
    ("/api/v1/organisations/sce\x00aux", {}, "slug", "path"),
])
def test_a_nul_character_in_the_address_is_a_422_naming_the_field(client, url, params, field, location):
    response = client.get(quote(url, safe="/"), params)
    assert response.status_code == 422, response.content
    assert field_errors(response) == [{"field": field, "location": location, "message": NUL}]


def test_a_nul_character_in_a_json_body_is_a_422_and_nothing_is_saved(client, agent, sceaux):
    news = ComponentFactory(space=SpaceFactory(organisation=sceaux), kind="news")
    _token, key = ApiToken.issue(user=agent, name="Outil")
    body = json.dumps({"component_id": news.pk, "title": "Titre", "body": "Texte\x00 caché"})
    assert "\\u0000" in body
    response = client.post("/api/v1/news/posts", body, content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 422
    assert field_errors(response) == [{"field": "body", "location": "body", "message": NUL}]
    assert not Post.objects.exists()


def test_an_escaped_backslash_before_u0000_is_plain_text(client, agent, sceaux):
    news = ComponentFactory(space=SpaceFactory(organisation=sceaux), kind="news")
    _token, key = ApiToken.issue(user=agent, name="Outil")
    body = json.dumps({"component_id": news.pk, "title": "Titre", "body": "Le code \\u0000 s'écrit ainsi."})
    response = client.post("/api/v1/news/posts", body, content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 201, response.content


@pytest.mark.parametrize("url", ["/api/v1/spaces/9223372036854775808", "/api/v1/news/posts/99999999999999999999",
                                 "/api/v1/reports/reports/-1"])
def test_ids_beyond_a_database_integer_are_a_422_not_a_500(client, url):
    response = client.get(url)
    assert response.status_code == 422
    assert field_errors(response)[0]["location"] == "path"


# The CSRF refusal of a session's vote ---------------------------------------------------------------------

def test_a_session_vote_without_the_csrf_token_is_a_json_403_with_its_documented_code(resident):
    _component, budget, projects = vote_setup()
    verify(resident)
    client = Client(enforce_csrf_checks=True)
    client.force_login(resident)
    for method in (client.put, client.post):
        response = method(f"/api/v1/budgets/budgets/{budget.pk}/ballot",
                          data=json.dumps({"choices": [projects[0].pk]}), content_type="application/json")
        assert response.status_code == 403
        assert response["Content-Type"].startswith("application/json")
        assert response.json() == {
            "detail": "La vérification CSRF a échoué\u00a0: envoyez l'en-tête X-CSRFToken avec la session, "
                      "ou utilisez un jeton d'API.",
            "code": "csrf_failed"}
    assert client.delete(f"/api/v1/budgets/budgets/{budget.pk}/ballot").json()["code"] == "csrf_failed"
    assert not Ballot.objects.exists()
    # The published schema says so: the 403 of a ballot has a `code`, and csrf_failed is one of them.
    schema = api.get_openapi_schema()
    operation = schema["paths"]["/api/v1/budgets/budgets/{budget_id}/ballot"]["put"]
    reference = operation["responses"][403]["content"]["application/json"]["schema"]["$ref"]
    documented = schema["components"]["schemas"][reference.rsplit("/", 1)[1]]
    assert "code" in documented["required"] and "csrf_failed" in documented["properties"]["code"]["description"]


# The published schema -------------------------------------------------------------------------------------

def test_results_pb_is_published_as_the_plain_text_it_is(client):
    schema = client.get("/api/v1/openapi.json").json()
    responses = schema["paths"]["/api/v1/budgets/budgets/{budget_id}/results.pb"]["get"]["responses"]
    assert responses["200"]["content"] == {"text/plain": {"schema": {"type": "string"}}}


def test_every_operation_documents_the_errors_it_can_answer(client):
    schema = client.get("/api/v1/openapi.json").json()
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            statuses = set(operation["responses"])
            assert {"400", "422"} <= statuses, (method, path)
            if operation.get("security"):
                assert {"401", "403"} <= statuses, (method, path)
            if method != "get":
                assert {"413", "429"} <= statuses, (method, path)
    assert schema["components"]["schemas"]["ValidationErrorOut"]["required"] == ["detail", "errors"]
