"""What residents, agents and the outsider see of the news on the public site and in the feeds."""

import xml.etree.ElementTree as ET

import pytest

from concerto.components.news import services
from concerto.core.spaces.models import Space
from concerto.testing import ComponentFactory, SpaceFactory, commune, login_with_mfa

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def test_resident_reads_the_published_news_but_not_the_drafts(client, news, published_post, draft_post):
    html = client.get(news.get_absolute_url()).content.decode()
    assert "Les ateliers commencent" in html
    assert "Résultats à venir" not in html
    response = client.get(published_post.get_absolute_url())
    assert response.status_code == 200
    assert "Rendez-vous samedi à la mairie." in response.content.decode()


def test_a_draft_is_a_404_for_the_public_and_for_the_outsider(client, outsider, draft_post):
    assert client.get(draft_post.get_absolute_url()).status_code == 404
    client.force_login(outsider)
    assert client.get(draft_post.get_absolute_url()).status_code == 404


def test_the_agent_previews_a_draft(client, agent, draft_post):
    login_with_mfa(client, agent)
    response = client.get(draft_post.get_absolute_url())
    assert response.status_code == 200
    assert "Brouillon" in response.content.decode()


def test_news_of_an_unpublished_component_or_space_are_hidden_from_the_outsider(
        client, outsider, agent, news, published_post):
    news.published = False
    news.save()
    client.force_login(outsider)
    assert client.get(news.get_absolute_url()).status_code == 404
    assert client.get(published_post.get_absolute_url()).status_code == 404
    login_with_mfa(client, agent)
    assert client.get(news.get_absolute_url()).status_code == 200
    news.published = True
    news.save()
    Space.objects.filter(pk=news.space_id).update(status=Space.Status.DRAFT)
    client.force_login(outsider)
    assert client.get(news.get_absolute_url()).status_code == 404


def test_a_component_is_only_reachable_under_its_own_commune(client, news, published_post):
    url = news.get_absolute_url().replace("/sceaux/", "/montreuil/")
    assert client.get(url).status_code == 404


def test_the_list_is_paginated_by_the_component_setting(client, agent, news):
    news.settings = {"posts_per_page": 2, "comments_enabled": True}
    news.save()
    for number in range(3):
        services.post_create(author=agent, component=news, title=f"Actualité {number}", body="Texte",
                             publish=True)
    first = client.get(news.get_absolute_url()).content.decode()
    assert "Actualité 2" in first and "Actualité 1" in first and "Actualité 0" not in first
    assert "Page 1 sur 2" in first
    assert 'href="?page=2" rel="next">Actualités plus anciennes</a>' in first
    second = client.get(news.get_absolute_url() + "?page=2").content.decode()
    assert "Actualité 0" in second
    assert 'href="?page=1" rel="prev">Actualités plus récentes</a>' in second
    assert client.get(news.get_absolute_url() + "?page=abc").status_code == 200


def test_pages_announce_their_atom_feed(client, news, published_post):
    for url in (news.get_absolute_url(), published_post.get_absolute_url(), "/sceaux/actualites/"):
        html = client.get(url).content.decode()
        assert '<link rel="alternate" type="application/atom+xml"' in html


def test_organisation_news_page_lists_public_posts_of_its_spaces(client, published_post, draft_post):
    html = client.get("/sceaux/actualites/").content.decode()
    assert "Les ateliers commencent" in html
    assert "Résultats à venir" not in html
    assert "Les ateliers commencent" not in client.get("/montreuil/actualites/").content.decode()


def test_territory_and_metropole_news_pages_include_their_communes(client, published_post):
    assert "Les ateliers commencent" in client.get("/vallee-sud-grand-paris/actualites/").content.decode()
    assert "Les ateliers commencent" not in client.get("/est-ensemble/actualites/").content.decode()


def _entries(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    return [entry.find(f"{ATOM}title").text for entry in root.findall(f"{ATOM}entry")]


def test_atom_feeds_are_valid_xml_with_the_published_posts_only(client, news, published_post, draft_post):
    assert _entries(client.get(news.get_absolute_url() + "flux.atom")) == ["Les ateliers commencent"]
    assert _entries(client.get("/sceaux/actualites/flux.atom")) == ["Les ateliers commencent"]
    assert _entries(client.get("/montreuil/actualites/flux.atom")) == []


def test_feed_entries_link_to_the_posts(client, news, published_post):
    root = ET.fromstring(client.get("/sceaux/actualites/flux.atom").content)
    link = root.find(f"{ATOM}entry/{ATOM}link").get("href")
    assert link == "http://testserver" + published_post.get_absolute_url()


def test_the_feed_of_an_unpublished_component_is_a_404_even_for_its_agent(client, agent, news,
                                                                          published_post):
    news.published = False
    news.save()
    client.force_login(agent)
    assert client.get(news.get_absolute_url() + "flux.atom").status_code == 404
    assert _entries(client.get("/sceaux/actualites/flux.atom")) == []


def test_a_montreuil_post_does_not_leak_into_sceaux_feed(client, outsider):
    space = SpaceFactory(organisation=commune("montreuil"), slug="budget-montreuil")
    component = ComponentFactory(space=space, kind="news")
    services.post_create(author=outsider, component=component, title="Fête de quartier à Montreuil",
                         body="Texte", publish=True)
    assert _entries(client.get("/sceaux/actualites/flux.atom")) == []
    assert _entries(client.get("/montreuil/actualites/flux.atom")) == ["Fête de quartier à Montreuil"]
