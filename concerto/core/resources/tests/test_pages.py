"""The resource centre's pages and API: public reading, the agents' back-office, who writes the guides."""

import pytest

from concerto.core.resources import services
from concerto.core.resources.models import Guide, ProcessTemplate
from concerto.core.spaces.models import Space
from concerto.testing import ComponentFactory, SpaceFactory, StepFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def guide(metropole, metropole_admin):
    return services.guide_save(actor=metropole_admin, organisation=metropole, title="Mener un budget participatif",
                               summary="Les étapes.", body="<p>Fixer le cadre.</p><script>x()</script>",
                               topic="method")


@pytest.fixture
def template(sceaux, agent, guide):
    space = SpaceFactory(organisation=sceaux, slug="budget-modele", title="Budget 2026")
    StepFactory(space=space, title="Dépôt des idées", position=1)
    ComponentFactory(space=space, kind="news", title="Actualités")
    return services.template_publish(actor=agent, organisation=sceaux, space=space, name="Budget participatif",
                                     summary="Des idées au vote.", kind="budget", audience="everyone",
                                     guides=[guide])


@pytest.fixture
def withdrawn(sceaux, agent, template):
    other = ProcessTemplate.objects.get(pk=template.pk)
    other.pk, other.slug, other.name, other.published = None, "retire", "Modèle retiré Zq9", False
    other.save()
    return other


def test_the_resource_centre_is_public_and_lists_published_templates_and_guides(client, template, guide, withdrawn):
    response = client.get("/metropole/ressources/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Budget participatif" in body and "Mener un budget participatif" in body and "Zq9" not in body
    assert template.get_absolute_url() not in client.get("/metropole/ressources/?type=walk").content.decode()
    assert template.get_absolute_url() in client.get(
        "/metropole/ressources/?type=budget&public=everyone").content.decode()
    assert client.get("/metropole/ressources/?type=%00&public=zz").status_code == 200


def test_a_template_page_shows_its_steps_components_and_guides(client, template, guide, withdrawn):
    body = client.get(template.get_absolute_url()).content.decode()
    assert "Dépôt des idées" in body and "Actualités" in body and guide.get_absolute_url() in body
    assert "utiliser" not in body  # no « use this template » for people without a role
    assert client.get(withdrawn.get_absolute_url()).status_code == 404


def test_a_guide_page_shows_its_cleaned_text(client, guide, template):
    response = client.get(guide.get_absolute_url())
    assert response.status_code == 200
    assert "Fixer le cadre." in response.content.decode() and "<script>x()" not in response.content.decode()
    assert template.get_absolute_url() in response.content.decode()


def test_an_agent_is_offered_to_use_the_template_for_their_commune(client, template, outsider, staff_client):
    body = staff_client(outsider).get(template.get_absolute_url()).content.decode()
    assert f"/gestion/montreuil/ressources/modeles/{template.pk}/utiliser/" in body


def test_an_agent_creates_a_space_from_a_template_in_the_back_office(template, outsider, staff_client, montreuil):
    client = staff_client(outsider)
    url = f"/gestion/montreuil/ressources/modeles/{template.pk}/utiliser/"
    assert client.get(url).status_code == 200
    refused = client.post(url, {"title": "Budget 2027", "slug": "ressources", "start_date": ""})
    assert refused.status_code == 400
    assert "Saisissez une date" in refused.content.decode() or "obligatoire" in refused.content.decode()
    refused = client.post(url, {"title": "Budget 2027", "slug": "ressources", "start_date": "2027-01-04"})
    assert refused.status_code == 400 and "utilise déjà" in refused.content.decode()
    assert not Space.objects.filter(organisation=montreuil).exists()
    created = client.post(url, {"title": "Budget 2027", "slug": "budget-2027", "start_date": "2027-01-04"})
    assert created.status_code == 302
    space = Space.objects.get(organisation=montreuil, slug="budget-2027")
    assert space.steps.get().start_date.isoformat() == "2027-01-04" and space.components.get().kind == "news"


def test_an_agent_publishes_a_template_from_a_space_of_their_organisation(sceaux, agent, staff_client):
    space = SpaceFactory(organisation=sceaux, slug="marche", title="Marche du centre-ville")
    StepFactory(space=space, title="Marche", position=1)
    client = staff_client(agent)
    assert client.get(f"/gestion/sceaux/ressources/?espace={space.pk}").status_code == 302
    url = f"/gestion/sceaux/ressources/publier/{space.pk}/"
    assert client.post(url, {"name": "", "summary": "", "kind": "walk", "audience": "everyone"}).status_code == 400
    response = client.post(url, {"name": "Marche exploratoire", "summary": "Parcourir le quartier.", "kind": "walk",
                                 "audience": "neighbourhood", "guidance_0": "De jour et de soir."})
    template = ProcessTemplate.objects.get(name="Marche exploratoire")
    assert response.status_code == 302 and response["Location"] == template.get_absolute_url()


def test_no_agent_of_another_commune_publishes_a_private_space_or_withdraws_a_template(
        sceaux, outsider, staff_client, template):
    draft = SpaceFactory(organisation=sceaux, slug="brouillon", status=Space.Status.DRAFT)
    client = staff_client(outsider)
    assert client.get(f"/gestion/montreuil/ressources/publier/{draft.pk}/").status_code == 404
    assert client.post(f"/gestion/montreuil/ressources/publier/{draft.pk}/", {
        "name": "Vol", "summary": "Vol", "kind": "other", "audience": "everyone"}).status_code == 404
    assert client.get("/gestion/sceaux/ressources/").status_code == 403
    assert client.post(f"/gestion/montreuil/ressources/modeles/{template.pk}/retirer/").status_code == 404
    assert client.post(f"/gestion/sceaux/ressources/modeles/{template.pk}/retirer/").status_code == 403
    assert ProcessTemplate.objects.get(pk=template.pk).published
    assert ProcessTemplate.objects.count() == 1


def test_only_the_metropole_s_administrators_write_the_guides(metropole_admin, admin_sceaux, agent, elected,
                                                               staff_client):
    assert staff_client(admin_sceaux).get("/gestion/sceaux/ressources/guides/").status_code == 403
    assert staff_client(agent).post("/gestion/sceaux/ressources/guides/nouveau/", {
        "title": "Vol", "body": "x", "topic": "law"}).status_code == 403
    client = staff_client(metropole_admin)
    assert client.get("/gestion/metropole/ressources/guides/").status_code == 200
    assert client.post("/gestion/metropole/ressources/guides/nouveau/", {"title": "", "body": "", "topic": "law"}
                       ).status_code == 400
    response = client.post("/gestion/metropole/ressources/guides/nouveau/", {
        "title": "Obligations légales", "summary": "", "body": "<p>L103-2</p>", "topic": "law", "published": "on"})
    assert response.status_code == 302
    guide = Guide.objects.get(title="Obligations légales")
    assert client.post(f"/gestion/metropole/ressources/guides/{guide.pk}/", {
        "title": "Obligations légales de la participation", "body": "<p>L120-1</p>", "topic": "law"}
    ).status_code == 302
    guide.refresh_from_db()
    assert guide.body == "<p>L120-1</p>" and not guide.published


def test_the_api_lists_published_templates_in_items_and_gives_one(client, template, withdrawn, guide):
    listing = client.get("/api/v1/resources/templates").json()
    assert listing["count"] == 1 and [item["slug"] for item in listing["items"]] == [template.slug]
    item = listing["items"][0]
    assert item["kind"] == "budget" and item["organisation"] == "sceaux" and item["guides"] == [guide.slug]
    assert client.get("/api/v1/resources/templates?kind=walk").json()["count"] == 0
    assert client.get("/api/v1/resources/templates?kind=zz").status_code == 422
    detail = client.get(f"/api/v1/resources/templates/{template.slug}").json()
    assert detail["steps"][0]["title"] == "Dépôt des idées" and detail["components"][0]["kind"] == "news"
    assert client.get(f"/api/v1/resources/templates/{withdrawn.slug}").status_code == 404
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/resources/templates" in paths and "/api/v1/resources/templates/{slug}" in paths


def test_the_guides_permission_as_a_matrix(sceaux, metropole, resident):
    """Only an administrator of the Métropole writes the guides: no other role, on the Métropole or a commune."""
    from concerto import testing
    from concerto.core.accounts.models import Role
    from concerto.core.resources.permissions import MANAGE_GUIDES

    for kind in Role.Kind:
        on_metropole = testing.persona(f"{kind}-mgp@example.org", role=kind, organisation=metropole)
        on_sceaux = testing.persona(f"{kind}-sceaux@example.org", role=kind, organisation=sceaux)
        assert on_metropole.has_perm(MANAGE_GUIDES, metropole) is (kind == Role.Kind.ADMIN), kind
        assert on_metropole.has_perm(MANAGE_GUIDES, sceaux) is False, kind
        assert on_sceaux.has_perm(MANAGE_GUIDES, sceaux) is False, kind
    assert resident.has_perm(MANAGE_GUIDES, metropole) is False
