"""News through the API: reading public posts, and a collectivité's agent writing one with a token."""

import json

import pytest

from concerto.components.news.models import Post
from concerto.components.news.services import post_create
from concerto.core.accounts.models import ApiToken
from concerto.core.audit.models import AuditEntry
from concerto.core.spaces.models import Space
from concerto.testing import ComponentFactory, SpaceFactory

pytestmark = pytest.mark.django_db

POSTS = "/api/v1/news/posts"


def bearer(user) -> dict:
    _token, key = ApiToken.issue(user=user, name="Tests")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def post_json(client, data, user=None, **headers):
    """POST DATA as JSON, with a fresh token of USER if given."""
    if user is not None:
        headers.update(bearer(user))
    return client.post(POSTS, data=json.dumps(data), content_type="application/json", **headers)


@pytest.fixture
def news(sceaux):
    space = SpaceFactory(organisation=sceaux, title="Rénovation du parc", slug="parc")
    return ComponentFactory(space=space, kind="news", title="Actualités du parc", published=True)


@pytest.fixture
def posts(news, agent, sceaux):
    hidden_component = ComponentFactory(space=news.space, kind="news", title="Caché", published=False)
    draft_space = SpaceFactory(organisation=sceaux, slug="brouillon", status=Space.Status.DRAFT,
                               published_at=None)
    draft_space_news = ComponentFactory(space=draft_space, kind="news", published=True)
    return {
        "public": post_create(author=agent, component=news, title="Le chantier commence", body="Lundi.",
                              publish=True),
        "draft": post_create(author=agent, component=news, title="Brouillon de l'agent", body="À relire."),
        "hidden_component": post_create(author=agent, component=hidden_component, title="Composant caché",
                                        body="…", publish=True),
        "draft_space": post_create(author=agent, component=draft_space_news, title="Espace non publié",
                                   body="…", publish=True),
    }


def test_news_list_shows_only_public_posts(client, posts):
    body = client.get(POSTS).json()
    assert [p["title"] for p in body["items"]] == ["Le chantier commence"]
    assert body["count"] == 1
    item = body["items"][0]
    assert item["organisation"] == "sceaux" and item["status"] == "published"
    assert item["url"].startswith("http://testserver/sceaux/parc/actualites/")


def test_news_list_filters_by_organisation_and_space(client, posts, news):
    assert client.get(POSTS, {"organisation": "sceaux"}).json()["count"] == 1
    assert client.get(POSTS, {"organisation": "montreuil"}).json()["count"] == 0
    assert client.get(POSTS, {"space": news.space_id}).json()["count"] == 1
    assert client.get(POSTS, {"organisation": "atlantide"}).status_code == 404


def test_news_detail_of_a_non_public_post_is_a_404_even_for_its_author(client, posts, agent):
    assert client.get(f"{POSTS}/{posts['public'].pk}").status_code == 200
    for key in ("draft", "hidden_component", "draft_space"):
        response = client.get(f"{POSTS}/{posts[key].pk}", **bearer(agent))
        assert response.status_code == 404, key
        assert response.json() == {"detail": "Cette actualité n’existe pas ou n’est pas publiée."}


def test_agent_publishes_a_post_with_a_token(client, agent, news):
    response = post_json(client, {
        "component_id": news.pk, "title": "  Réunion publique le 12 mai  ", "summary": "Venez nombreux.",
        "body": "Salle des fêtes, 19 h.", "publish": True,
    }, agent)
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["title"] == "Réunion publique le 12 mai" and created["status"] == "published"
    post = Post.objects.get(pk=created["id"])
    assert post.author == agent and post.component == news
    assert AuditEntry.objects.filter(action="news.post_published", actor=agent).exists()
    assert [p["id"] for p in client.get(POSTS).json()["items"]] == [post.pk]


def test_agent_writes_a_draft_that_stays_off_the_public_list(client, agent, news):
    response = post_json(client, {"component_id": news.pk, "title": "Brouillon", "body": "Texte."}, agent)
    assert response.status_code == 201
    assert response.json()["status"] == "draft"
    assert client.get(POSTS).json()["count"] == 0


def test_agent_writes_with_a_session_that_passed_two_factor_authentication(staff_client, agent, news):
    client = staff_client(agent)
    response = post_json(client, {"component_id": news.pk, "title": "Par la session", "body": "Texte."})
    assert response.status_code == 201


def test_session_without_two_factor_authentication_cannot_write(client, agent, news):
    client.force_login(agent)
    response = post_json(client, {"component_id": news.pk, "title": "Sans 2FA", "body": "Texte."})
    assert response.status_code == 403
    assert "double authentification" in response.json()["detail"]
    assert not Post.objects.exists()


def test_session_write_needs_the_csrf_token(agent, news):
    from django.test import Client

    from concerto import testing

    client = Client(enforce_csrf_checks=True)
    testing.login_with_mfa(client, agent)
    response = post_json(client, {"component_id": news.pk, "title": "Sans CSRF", "body": "Texte."})
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not Post.objects.exists()


def test_writing_without_authentication_is_a_401(client, news):
    response = post_json(client, {"component_id": news.pk, "title": "Anonyme", "body": "Texte."})
    assert response.status_code == 401
    assert response.json()["detail"] == "Authentification requise\u00a0: connectez-vous ou envoyez un jeton d'API."
    assert not Post.objects.exists()


@pytest.mark.parametrize("by", ["session", "token"])
def test_outsider_cannot_write_in_sceaux_news(client, staff_client, outsider, news, by):
    headers = bearer(outsider) if by == "token" else {}
    if by == "session":
        client = staff_client(outsider)
    data = {"component_id": news.pk, "title": "Intrus", "body": "Texte.", "publish": True}
    response = post_json(client, data, **headers)
    assert response.status_code == 403
    assert response.json()["detail"] == "Vous n'avez pas le droit de faire cela dans cette organisation."
    assert not Post.objects.exists()


@pytest.mark.parametrize("role_fixture", ["resident", "elected", "moderator"])
def test_people_without_a_managing_role_cannot_write(client, request, news, role_fixture):
    user = request.getfixturevalue(role_fixture)
    response = post_json(client, {"component_id": news.pk, "title": "Essai", "body": "Texte."}, user)
    assert response.status_code == 403


def test_a_superuser_token_gets_no_more_than_the_roles_of_its_user(client, news):
    from concerto import testing

    root = testing.persona("root@example.org", is_superuser=True, is_staff=True)
    response = post_json(client, {"component_id": news.pk, "title": "Root", "body": "Texte."}, root)
    assert response.status_code == 403


def test_metropole_admin_can_write_in_a_commune_news(client, metropole_admin, news):
    response = post_json(client, {"component_id": news.pk, "title": "De la Métropole", "body": "Texte."},
                         **bearer(metropole_admin))
    assert response.status_code == 201


def test_missing_title_is_a_422_naming_the_field_in_french(client, agent, news):
    response = post_json(client, {"component_id": news.pk, "body": "Texte."}, agent)
    assert response.status_code == 422
    assert response.json() == {
        "detail": "Les données envoyées ne sont pas valides.",
        "errors": [{"field": "title", "location": "body", "message": "Ce champ est obligatoire."}],
    }
    assert not Post.objects.exists()


def test_blank_title_is_a_422(client, agent, news):
    response = post_json(client, {"component_id": news.pk, "title": "   ", "body": "Texte."}, agent)
    assert response.status_code == 422
    assert response.json()["errors"][0]["message"] == "Ce champ ne peut pas être vide."


def test_body_that_is_not_json_is_a_400(client, agent):
    response = client.post(POSTS, data="{pas du json", content_type="application/json", **bearer(agent))
    assert response.status_code == 400
    assert response.json() == {"detail": "Le corps de la requête n'est pas du JSON valide."}


def test_body_that_is_a_list_is_a_422(client, agent):
    response = client.post(POSTS, data="[1, 2]", content_type="application/json", **bearer(agent))
    assert response.status_code == 422


def test_text_with_a_nul_character_is_a_422(client, agent, news):
    response = post_json(client, {"component_id": news.pk, "title": "a\x00b", "body": "Texte."}, agent)
    assert response.status_code == 422


def test_unknown_component_is_a_404(client, agent):
    response = post_json(client, {"component_id": 999999, "title": "Perdu", "body": "Texte."}, agent)
    assert response.status_code == 404
    assert response.json() == {"detail": "Aucun module d’actualités ne porte ce numéro."}


def test_a_component_of_another_kind_is_a_404(client, agent, news):
    other = ComponentFactory(space=news.space, kind="proposals", title="Idées")
    response = post_json(client, {"component_id": other.pk, "title": "Perdu", "body": "Texte."}, agent)
    assert response.status_code == 404


@pytest.mark.parametrize("by", ["session", "token"])
def test_another_communes_unpublished_component_is_not_found_rather_than_forbidden(
        client, staff_client, outsider, news, by):
    news.published = False
    news.save()
    headers = bearer(outsider) if by == "token" else {}
    if by == "session":
        client = staff_client(outsider)
    missing = post_json(client, {"component_id": 999_999, "title": "Intrus", "body": "Texte."}, **headers)
    hidden = post_json(client, {"component_id": news.pk, "title": "Intrus", "body": "Texte."}, **headers)
    # The same answer as for an id that does not exist: the draft's existence does not leak.
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    assert not Post.objects.exists()


def test_past_the_send_limit_a_token_gets_a_429_in_french_and_nothing_is_saved(client, rate_limits, agent, news):
    rate_limits.CONCERTO_RATE_LIMITS = {"post": (2, 3600)}
    headers = bearer(agent)
    for n in range(2):
        assert post_json(client, {"component_id": news.pk, "title": f"Brève {n}", "body": "Texte."},
                         **headers).status_code == 201
    refused = post_json(client, {"component_id": news.pk, "title": "Une de trop", "body": "Texte."}, **headers)
    assert refused.status_code == 429 and refused["Retry-After"] == "3600"
    assert "Vous avez beaucoup envoyé en peu de temps" in refused.json()["detail"]
    assert not Post.objects.filter(title="Une de trop").exists()
    # The limit is per token: another token of the same agent still writes.
    assert post_json(client, {"component_id": news.pk, "title": "Autre jeton", "body": "Texte."},
                     agent).status_code == 201
