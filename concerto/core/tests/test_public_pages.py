"""What a resident sees on the public pages of the kernel."""

import pytest
from django.urls import reverse

from concerto.core.spaces.models import Space
from concerto.testing import SpaceFactory, login_with_mfa

pytestmark = pytest.mark.django_db


def test_home_lists_the_twelve_territories_and_links_every_commune(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Vallée Sud-Grand Paris" in html and "Plaine Commune" in html
    assert html.count('href="/sceaux/"') == 1
    assert 'href="/saint-denis/"' in html


def test_the_interface_speaks_french_first(client):
    response = client.get("/")
    assert '<html lang="fr">' in response.content.decode()


def test_resident_finds_commune_by_postcode(client):
    response = client.get(reverse("organisation_search"), {"q": "92330"})
    assert response.status_code == 200
    assert 'href="/sceaux/"' in response.content.decode()


def test_resident_finds_commune_by_name_without_accents_or_hyphens(client):
    response = client.get(reverse("organisation_search"), {"q": "saint maur des fosses"})
    assert 'href="/saint-maur-des-fosses/"' in response.content.decode()


def test_search_for_a_commune_outside_the_metropole_says_nothing_matches(client):
    response = client.get(reverse("organisation_search"), {"q": "Versailles"})
    assert response.status_code == 200
    assert "Versailles" in response.content.decode()
    assert 'class="results"' not in response.content.decode()


def test_commune_page_lists_only_published_spaces(client, sceaux):
    SpaceFactory(organisation=sceaux, title="Budget participatif 2026 de Sceaux")
    SpaceFactory(organisation=sceaux, title="Projet secret", status=Space.Status.DRAFT, published_at=None)
    html = client.get("/sceaux/").content.decode()
    assert "Budget participatif 2026 de Sceaux" in html
    assert "Projet secret" not in html


def test_territory_page_lists_its_communes(client):
    html = client.get("/vallee-sud-grand-paris/").content.decode()
    assert 'href="/sceaux/"' in html and 'href="/antony/"' in html
    assert 'href="/montreuil/"' not in html


def test_unknown_commune_gets_a_404_in_the_site_look(client):
    response = client.get("/nulle-part/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()
    assert "skip-link" in response.content.decode()


def test_unpublished_space_is_a_404_for_the_public(client, sceaux):
    SpaceFactory(organisation=sceaux, slug="brouillon", status=Space.Status.DRAFT, published_at=None)
    assert client.get("/sceaux/brouillon/").status_code == 404


def test_unpublished_space_is_visible_to_its_agent_but_not_to_the_outsider(client, sceaux, agent, outsider):
    SpaceFactory(organisation=sceaux, slug="brouillon", title="Brouillon", status=Space.Status.DRAFT,
                 published_at=None)
    client.force_login(outsider)
    assert client.get("/sceaux/brouillon/").status_code == 404
    client.force_login(agent)
    # A password alone is not enough: staff see drafts once their session passed the second factor.
    assert client.get("/sceaux/brouillon/").status_code == 404
    login_with_mfa(client, agent)
    response = client.get("/sceaux/brouillon/")
    assert response.status_code == 200
    assert "Brouillon" in response.content.decode()


def test_space_page_shows_steps_as_a_timeline(client, sceaux):
    from concerto.testing import StepFactory

    space = SpaceFactory(organisation=sceaux, slug="plu")
    StepFactory(space=space, title="Ateliers de quartier")
    html = client.get("/sceaux/plu/").content.decode()
    assert "Ateliers de quartier" in html
    assert "is-current" in html


def test_home_lists_territories_in_their_official_order(client):
    html = client.get("/").content.decode()
    positions = [html.index(name) for name in ("Vallée Sud-Grand Paris", "Grand Paris Seine Ouest",
                                               "Grand-Orly Seine Bièvre")]  # T2, T3, T12
    assert positions == sorted(positions)
