"""What a client of /api/v1/ gets: schema and docs, organisations, spaces, the caller's account, errors."""

import re

import pytest

from concerto import testing
from concerto.core.accounts.models import ApiToken
from concerto.core.spaces.models import Space
from concerto.testing import ComponentFactory, SpaceFactory, StepFactory

pytestmark = pytest.mark.django_db

API = "/api/v1"


def bearer(user) -> dict:
    _token, key = ApiToken.issue(user=user, name="Tests")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


@pytest.fixture
def draft(sceaux):
    return SpaceFactory(organisation=sceaux, title="Budget participatif en préparation",
                        slug="budget-en-preparation", status=Space.Status.DRAFT, published_at=None)


@pytest.fixture
def published(sceaux):
    return SpaceFactory(organisation=sceaux, title="Concertation sur le parc", slug="parc")


# ---------------------------------------------------------------- schema and docs

def test_openapi_schema_is_valid_json_and_lists_every_endpoint(client):
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Concerto API" and schema["info"]["version"] == "1"
    assert "Licence Ouverte" in schema["info"]["description"]
    paths = schema["paths"]
    for expected in ["/api/v1/organisations", "/api/v1/organisations/{slug}", "/api/v1/spaces",
                     "/api/v1/spaces/{space_id}", "/api/v1/me", "/api/v1/news/posts",
                     "/api/v1/news/posts/{post_id}"]:
        assert expected in paths, expected
    assert "post" in paths["/api/v1/news/posts"]
    assert {"TokenAuth", "SessionAuth"} <= set(schema["components"]["securitySchemes"])


def test_docs_page_loads_everything_from_the_site_itself(client):
    response = client.get(f"{API}/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    hosts = set(re.findall(r"https?://([^/\"'\s<>]+)", html))
    assert hosts <= {"testserver"}, hosts
    assert '"validatorUrl": null' in html


def test_docs_page_lists_the_endpoints_without_javascript(client):
    html = client.get(f"{API}/docs").content.decode()
    noscript = html.split("<noscript>")[1].split("</noscript>")[0]
    assert "GET /api/v1/organisations" in noscript
    assert "POST /api/v1/news/posts" in noscript


def test_docs_page_speaks_french_by_default(client):
    html = client.get(f"{API}/docs").content.decode()
    assert '<html lang="fr">' in html
    assert "<h1>Documentation de l'API Concerto</h1>" in html


# ---------------------------------------------------------------- organisations

def test_organisations_list_counts_the_metropole_its_territories_and_communes(client):
    response = client.get(f"{API}/organisations")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 143
    assert len(body["items"]) == 20


def test_organisations_list_pages_with_limit_and_offset(client):
    first = client.get(f"{API}/organisations", {"limit": 100}).json()
    second = client.get(f"{API}/organisations", {"limit": 100, "offset": 100}).json()
    assert len(first["items"]) == 100 and len(second["items"]) == 43
    slugs = [o["slug"] for o in first["items"] + second["items"]]
    assert len(set(slugs)) == 143


def test_organisations_limit_above_one_hundred_is_refused_with_a_french_message(client):
    response = client.get(f"{API}/organisations", {"limit": 101})
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "Les données envoyées ne sont pas valides."
    assert body["errors"] == [{"field": "limit", "location": "query",
                               "message": "La valeur doit être au plus 100."}]


def test_organisations_filter_by_kind(client):
    assert client.get(f"{API}/organisations", {"kind": "territory"}).json()["count"] == 12
    assert client.get(f"{API}/organisations", {"kind": "commune"}).json()["count"] == 130
    metropole = client.get(f"{API}/organisations", {"kind": "metropole"}).json()
    assert [o["slug"] for o in metropole["items"]] == ["metropole"]


def test_organisations_filter_by_parent_lists_the_communes_of_a_territory(client):
    body = client.get(f"{API}/organisations", {"parent": "vallee-sud-grand-paris", "limit": 100}).json()
    slugs = {o["slug"] for o in body["items"]}
    assert "sceaux" in slugs and "antony" in slugs and "montreuil" not in slugs
    assert body["count"] == 11


def test_organisations_search_by_name_or_postcode(client):
    by_name = client.get(f"{API}/organisations", {"q": "saint maur des fosses"}).json()
    assert by_name["items"][0]["slug"] == "saint-maur-des-fosses"
    by_postcode = client.get(f"{API}/organisations", {"q": "92330"}).json()
    assert [o["slug"] for o in by_postcode["items"]] == ["sceaux"]


def test_organisation_detail_gives_its_public_fields(client):
    response = client.get(f"{API}/organisations/sceaux")
    assert response.status_code == 200
    sceaux = response.json()
    assert sceaux["name"] == "Sceaux" and sceaux["kind"] == "commune"
    assert sceaux["insee_code"] == "92071" and sceaux["departement"] == "92"
    assert sceaux["postcodes"] == ["92330"] and sceaux["population"] > 15000
    assert sceaux["parent"] == "vallee-sud-grand-paris"
    assert sceaux["url"] == "http://testserver/sceaux/"
    assert set(sceaux) == {"slug", "name", "kind", "code", "insee_code", "siren", "departement",
                           "population", "postcodes", "parent", "url"}


def test_unknown_organisation_is_a_json_404_in_french(client):
    response = client.get(f"{API}/organisations/atlantide")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "Aucune organisation n'a l'identifiant «\u00a0atlantide\u00a0»."}


def test_errors_follow_the_language_of_the_request(client):
    response = client.get(f"{API}/organisations/atlantide", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json() == {"detail": "No organisation has the slug “atlantide”."}


def test_unknown_filter_value_is_a_422_naming_the_field(client):
    response = client.get(f"{API}/organisations", {"kind": "planete"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "kind"
    assert response.json()["errors"][0]["message"].startswith("Choisissez parmi")


def test_unknown_api_address_is_a_json_404(client):
    response = client.get(f"{API}/nulle-part")
    assert response.status_code == 404
    assert "detail" in response.json()


# ---------------------------------------------------------------- spaces

def test_public_sees_published_spaces_only(client, draft, published):
    body = client.get(f"{API}/spaces", {"organisation": "sceaux"}).json()
    assert [s["title"] for s in body["items"]] == ["Concertation sur le parc"]
    assert client.get(f"{API}/spaces/{draft.pk}").status_code == 404


def test_agent_sees_their_unpublished_space_by_session(client, agent, draft, published):
    testing.login_with_mfa(client, agent)
    body = client.get(f"{API}/spaces", {"organisation": "sceaux", "status": "draft"}).json()
    assert [s["id"] for s in body["items"]] == [draft.pk]
    detail = client.get(f"{API}/spaces/{draft.pk}")
    assert detail.status_code == 200 and detail.json()["status"] == "draft"


def test_agent_sees_their_unpublished_space_by_token(client, agent, draft):
    response = client.get(f"{API}/spaces/{draft.pk}", **bearer(agent))
    assert response.status_code == 200
    assert response.json()["title"] == "Budget participatif en préparation"


def test_metropole_admin_sees_unpublished_spaces_of_every_commune(client, metropole_admin, draft):
    assert client.get(f"{API}/spaces/{draft.pk}", **bearer(metropole_admin)).status_code == 200


@pytest.mark.parametrize("by", ["session", "token"])
def test_outsider_cannot_read_sceaux_unpublished_spaces(client, outsider, draft, published, by):
    headers = {}
    if by == "session":
        client.force_login(outsider)
    else:
        headers = bearer(outsider)
    listed = client.get(f"{API}/spaces", {"organisation": "sceaux", "status": "draft"}, **headers).json()
    assert listed == {"items": [], "count": 0}
    response = client.get(f"{API}/spaces/{draft.pk}", **headers)
    assert response.status_code == 404
    assert response.json()["detail"] == "Cet espace de participation n’existe pas ou n’est pas publié."


def test_spaces_of_a_territory_include_its_communes_only_when_asked(client, published):
    direct = client.get(f"{API}/spaces", {"organisation": "vallee-sud-grand-paris"}).json()
    assert direct["count"] == 0
    params = {"organisation": "vallee-sud-grand-paris", "descendants": "true"}
    below = client.get(f"{API}/spaces", params).json()
    assert [s["id"] for s in below["items"]] == [published.pk]
    assert below["items"][0]["organisation"] == "sceaux"


def test_space_detail_lists_steps_and_published_components(client, published):
    StepFactory(space=published, title="Dépôt des idées", position=1)
    news = ComponentFactory(space=published, kind="news", title="Actualités du parc", published=True)
    ComponentFactory(space=published, kind="news", title="Brouillon caché", published=False)
    body = client.get(f"{API}/spaces/{published.pk}").json()
    assert [s["title"] for s in body["steps"]] == ["Dépôt des idées"]
    assert body["steps"][0]["state"] == "current"
    assert body["components"] == [{
        "id": news.pk, "kind": "news", "title": "Actualités du parc",
        "url": f"http://testserver/sceaux/parc/actualites/{news.pk}/",
    }]


def test_unknown_space_and_malformed_id_are_4xx(client):
    assert client.get(f"{API}/spaces/999999").status_code == 404
    assert client.get(f"{API}/spaces/abc").status_code == 422
    assert client.get(f"{API}/spaces/99999999999999999999999").status_code == 422


def test_spaces_filter_on_unknown_organisation_is_a_404(client):
    response = client.get(f"{API}/spaces", {"organisation": "atlantide"})
    assert response.status_code == 404


# ---------------------------------------------------------------- the caller

def test_me_requires_authentication(client):
    response = client.get(f"{API}/me")
    assert response.status_code == 401
    assert response.json()["detail"] == "Authentification requise\u00a0: connectez-vous ou envoyez un jeton d'API."


def test_me_with_a_token_gives_email_name_and_roles(client, agent):
    response = client.get(f"{API}/me", **bearer(agent))
    assert response.status_code == 200
    assert response.json() == {
        "email": "agent@sceaux.example.org", "public_name": "Agent de Sceaux",
        "roles": [{"organisation": "sceaux", "organisation_name": "Sceaux", "kind": "agent"}],
    }


def test_me_with_the_session(client, resident):
    client.force_login(resident)
    assert client.get(f"{API}/me").json()["roles"] == []


def test_a_wrong_token_is_refused_even_on_public_reads(client):
    response = client.get(f"{API}/spaces", HTTP_AUTHORIZATION="Bearer cct_nope")
    assert response.status_code == 401
    assert response.json()["detail"] == "Ce jeton d'API n'est pas valide ou a été révoqué."


def test_using_a_token_records_when(client, agent):
    token, key = ApiToken.issue(user=agent, name="Tests")
    client.get(f"{API}/me", HTTP_AUTHORIZATION=f"Bearer {key}")
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_the_token_of_a_deactivated_account_no_longer_works(client, agent):
    headers = bearer(agent)
    agent.is_active = False
    agent.save()
    assert client.get(f"{API}/me", **headers).status_code == 401


def test_a_wrong_method_is_a_json_405(client):
    response = client.delete(f"{API}/organisations")
    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert response.json() == {"detail": "Cette méthode n'est pas permise ici. Méthodes permises\u00a0: GET."}
