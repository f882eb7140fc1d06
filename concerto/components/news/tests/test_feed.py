"""The person's feed (/mon-fil/) shows the news of what they follow, and its Atom address works without a session."""

import re
import xml.etree.ElementTree as ET
from urllib.parse import unquote

import pytest
from django.urls import reverse

from concerto.components.news import services
from concerto.core.participation.services import follow_add
from concerto.core.spaces.models import Space
from concerto.testing import ComponentFactory, SpaceFactory, UserFactory

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def _publish(news, agent, title, **kwargs):
    return services.post_create(author=agent, component=news, title=title, body="Texte.", summary=f"Résumé de {title}",
                                publish=True, **kwargs)


def _titles(response) -> list[str]:
    return re.findall(r'class="card__link" href="[^"]*">([^<]+)</a>', response.content.decode())


def test_a_follower_of_the_commune_sees_a_new_post_marked_new_until_the_next_visit(client, resident, agent, news,
                                                                                  sceaux):
    follow_add(user=resident, target=sceaux)
    _publish(news, agent, "Les ateliers commencent")
    client.force_login(resident)
    first = client.get("/mon-fil/")
    assert first.status_code == 200
    assert _titles(first) == ["Les ateliers commencent"]
    assert "Nouveau" in first.content.decode()
    again = client.get("/mon-fil/")
    assert _titles(again) == ["Les ateliers commencent"]
    assert "Nouveau" not in again.content.decode()


def test_followers_of_the_territory_see_the_communes_news_and_others_do_not(client, agent, news, sceaux, montreuil):
    territory_follower = UserFactory(email="territoire@example.org")
    follow_add(user=territory_follower, target=sceaux.parent)
    elsewhere = UserFactory(email="montreuil@example.org")
    follow_add(user=elsewhere, target=montreuil)
    _publish(news, agent, "Fête de quartier")
    client.force_login(territory_follower)
    assert _titles(client.get("/mon-fil/")) == ["Fête de quartier"]
    client.force_login(elsewhere)
    page = client.get("/mon-fil/")
    assert _titles(page) == []
    assert "Rien de nouveau" in page.content.decode()


def test_an_unpublished_post_leaves_the_feed_and_a_space_back_to_draft_hides_its_news(client, resident, agent, news,
                                                                                     space):
    follow_add(user=resident, target=space)
    kept = _publish(news, agent, "Gardé")
    gone = _publish(news, agent, "Retiré")
    services.post_unpublish(actor=agent, post=gone)
    client.force_login(resident)
    assert _titles(client.get("/mon-fil/")) == ["Gardé"]
    Space.objects.filter(pk=space.pk).update(status=Space.Status.DRAFT)
    assert _titles(client.get("/mon-fil/")) == []
    assert kept.pk


def test_pages_go_back_in_time_without_repeating_or_skipping(client, resident, agent, news, sceaux):
    other = ComponentFactory(space=SpaceFactory(organisation=sceaux, slug="autre"), kind="news", title="Autre")
    follow_add(user=resident, target=sceaux)
    follow_add(user=resident, target=news.space)  # followed twice over: still once in the feed
    for n in range(25):
        _publish(news if n % 2 else other, agent, f"Actualité {n:02d}")
    client.force_login(resident)
    first = client.get("/mon-fil/")
    titles = _titles(first)
    assert len(titles) == 20
    older = re.search(r'href="\?type=&amp;avant=([^"]+)"', first.content.decode())
    second = client.get("/mon-fil/", {"avant": unquote(older.group(1))})
    rest = _titles(second)
    assert len(rest) == 5
    assert sorted(titles + rest) == [f"Actualité {n:02d}" for n in range(25)]
    assert titles[0] == "Actualité 24" and rest[-1] == "Actualité 00"
    assert "&amp;avant=" not in second.content.decode()  # the last page offers no older one


def test_a_bad_cursor_or_type_reads_from_the_top(client, resident, agent, news, sceaux):
    follow_add(user=resident, target=sceaux)
    _publish(news, agent, "En tête")
    client.force_login(resident)
    for params in ({"avant": "n'importe quoi"}, {"avant": "9999-99-99_x"}, {"type": "<script>"}):
        response = client.get("/mon-fil/", params)
        assert response.status_code == 200
        assert "En tête" in _titles(response)


def test_the_type_filter_keeps_only_that_kind(client, resident, agent, news, sceaux):
    follow_add(user=resident, target=sceaux)
    _publish(news, agent, "Une actualité")
    client.force_login(resident)
    assert _titles(client.get("/mon-fil/", {"type": "news"})) == ["Une actualité"]
    assert _titles(client.get("/mon-fil/", {"type": "events"})) == []


def test_the_atom_feed_is_linked_from_the_page_parses_without_a_session_and_its_address_can_be_renewed(
        client, resident, agent, news, sceaux):
    follow_add(user=resident, target=sceaux)
    for title in ("Premier", "Deuxième", "Troisième"):
        _publish(news, agent, title)
    client.force_login(resident)
    page = client.get("/mon-fil/").content.decode()
    link = re.search(r'<link rel="alternate" type="application/atom\+xml"[^>]*href="([^"]+)"', page).group(1)
    client.logout()
    response = client.get(link)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    titles = [entry.find(f"{ATOM}title").text for entry in root.findall(f"{ATOM}entry")]
    assert titles[:3] == ["Troisième", "Deuxième", "Premier"]
    assert all(entry.find(f"{ATOM}link").get("href").startswith("http") for entry in root.findall(f"{ATOM}entry"))
    client.force_login(resident)
    client.post(reverse("feed_renew"))
    client.logout()
    assert client.get(link).status_code == 404
    assert client.get("/mon-fil/atom/pas-un-jeton/").status_code == 404


def test_the_feed_needs_an_account(client):
    response = client.get("/mon-fil/")
    assert response.status_code == 302
    assert "/compte/" in response["Location"]


def test_the_api_gives_the_feed_of_the_token_holder_only(client, resident, agent, news, sceaux):
    from concerto.core.accounts.services import api_token_create

    follow_add(user=resident, target=sceaux)
    for n in range(23):
        _publish(news, agent, f"Actualité {n:02d}")
    _token, key = api_token_create(user=resident, name="lecteur")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    first = client.get("/api/v1/me/feed", **headers).json()
    assert [item["title"] for item in first["items"]][:2] == ["Actualité 22", "Actualité 21"]
    assert len(first["items"]) == 20 and first["items"][0]["url"].startswith("http")
    assert first["items"][0]["kind"] == "news.published" and first["items"][0]["unread"] is True
    second = client.get("/api/v1/me/feed", {"before": first["next"]}, **headers).json()
    assert [item["title"] for item in second["items"]] == ["Actualité 02", "Actualité 01", "Actualité 00"]
    assert second["next"] == ""
    assert client.get("/api/v1/me/feed").status_code == 401
    stranger = UserFactory(email="autre@example.org")
    _token, other_key = api_token_create(user=stranger, name="autre")
    assert client.get("/api/v1/me/feed", HTTP_AUTHORIZATION=f"Bearer {other_key}").json()["items"] == []
    assert "/api/v1/me/feed" in client.get("/api/v1/openapi.json").json()["paths"]


def test_a_person_follows_topics_from_their_feed_and_sees_what_is_new_in_them_anywhere(client, resident, agent,
                                                                                       montreuil):
    from concerto.core.spaces.models import Topic

    mobility, culture = Topic.objects.get(slug="mobilite"), Topic.objects.get(slug="culture")
    montreuil_agent = UserFactory(email="agent@montreuil.example.org")
    elsewhere = ComponentFactory(space=SpaceFactory(organisation=montreuil, slug="velo"), kind="news", title="Vélo")
    client.force_login(resident)
    page = client.get("/mon-fil/").content.decode()
    assert f'name="topics" value="{mobility.pk}"' in page
    client.post("/mon-fil/themes/", {"topics": [str(mobility.pk), str(culture.pk), "x"]})
    _publish(elsewhere, montreuil_agent, "Une piste cyclable rue de Paris", topics=[mobility])
    _publish(elsewhere, montreuil_agent, "Sans thème suivi")
    assert _titles(client.get("/mon-fil/")) == ["Une piste cyclable rue de Paris"]
    # The topic's public page lists it too, for anyone.
    client.logout()
    topic_page = client.get(mobility.get_absolute_url())
    assert topic_page.status_code == 200
    assert _titles(topic_page) == ["Une piste cyclable rue de Paris"]
    assert client.get("/themes/pas-un-theme/").status_code == 404
    # Unticking a topic unfollows it.
    client.force_login(resident)
    client.post("/mon-fil/themes/", {"topics": [str(culture.pk)]})
    assert _titles(client.get("/mon-fil/")) == []


def test_a_post_given_a_topic_after_publication_reaches_that_topics_followers(client, resident, agent, news):
    from concerto.core.participation.services import follow_add as follow
    from concerto.core.spaces.models import Topic

    housing = Topic.objects.get(slug="logement")
    follow(user=resident, target=housing)
    post = _publish(news, agent, "Des logements rue Houdan")
    client.force_login(resident)
    assert _titles(client.get("/mon-fil/")) == []
    services.post_update(actor=agent, post=post, topics=[housing], title="Des logements neufs rue Houdan")
    assert _titles(client.get("/mon-fil/")) == ["Des logements neufs rue Houdan"]
