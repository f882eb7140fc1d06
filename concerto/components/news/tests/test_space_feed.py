"""The Atom feed of a whole space gathers the public news of all its news components."""

import xml.etree.ElementTree as ET

import pytest

from concerto.components.news import services
from concerto.core.spaces.models import Space
from concerto.testing import ComponentFactory, SpaceFactory

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def test_space_feed_lists_public_posts_of_every_news_component_and_no_draft(client, agent, sceaux):
    space = SpaceFactory(organisation=sceaux, slug="budget")
    news = ComponentFactory(space=space, title="Actualités")
    press = ComponentFactory(space=space, title="Communiqués")
    services.post_create(author=agent, component=news, title="Le vote est ouvert", body="Votez.", publish=True)
    services.post_create(author=agent, component=press, title="Résultats", body="Les lauréats.", publish=True)
    services.post_create(author=agent, component=news, title="Brouillon secret", body="…")

    response = client.get("/sceaux/budget/actualites/flux.atom")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    titles = {entry.find(f"{ATOM}title").text for entry in ET.fromstring(response.content).iter(f"{ATOM}entry")}
    assert titles == {"Le vote est ouvert", "Résultats"}
    page = client.get("/sceaux/budget/").content.decode()
    assert 'type="application/atom+xml"' in page and 'href="/sceaux/budget/actualites/flux.atom"' in page


def test_space_feed_of_a_draft_space_is_a_404(client, sceaux):
    SpaceFactory(organisation=sceaux, slug="brouillon", status=Space.Status.DRAFT, published_at=None)
    assert client.get("/sceaux/brouillon/actualites/flux.atom").status_code == 404
