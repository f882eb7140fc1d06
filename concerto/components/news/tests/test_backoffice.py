"""The news back-office: agents write and publish; the outsider reaches nothing of Sceaux."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from concerto.components.news.models import Post
from concerto.core.audit.models import AuditEntry
from concerto.testing import ComponentFactory, SpaceFactory, commune

from .conftest import image_bytes

pytestmark = pytest.mark.django_db


def _url(news, suffix=""):
    return news.get_backoffice_url() + suffix


def test_agent_sees_the_posts_with_their_status(staff_client, agent, news, published_post, draft_post):
    html = staff_client(agent).get(_url(news)).content.decode()
    assert "Les ateliers commencent" in html and "Résultats à venir" in html
    assert "Publiée" in html or "Publié" in html
    assert "Brouillon" in html


def test_agent_writes_and_publishes_a_post_with_an_image(staff_client, agent, news):
    client = staff_client(agent)
    response = client.post(_url(news, "nouvelle/"), {
        "title": "Le jury s'est réuni", "summary": "Les projets retenus.", "body": "Voici la liste.",
        "image": SimpleUploadedFile("jury.png", image_bytes("PNG"), content_type="image/png"),
        "image_alt": "Le jury autour d'une table", "action": "publish",
    })
    assert response.status_code == 302
    post = Post.objects.get(title="Le jury s'est réuni")
    assert post.status == Post.Status.PUBLISHED and post.author == agent
    assert post.image.name.startswith("news/")
    assert AuditEntry.objects.filter(action="news.post_published", actor=agent).exists()
    html = client.get(post.get_absolute_url()).content.decode()
    assert 'alt="Le jury autour d&#x27;une table"' in html


def test_saving_a_draft_does_not_publish(staff_client, agent, news):
    staff_client(agent).post(_url(news, "nouvelle/"),
                             {"title": "Brouillon", "body": "Texte", "action": "draft"})
    assert Post.objects.get(title="Brouillon").status == Post.Status.DRAFT


def test_missing_title_is_a_form_error_in_french_and_the_text_is_kept(staff_client, agent, news):
    response = staff_client(agent).post(_url(news, "nouvelle/"), {"title": "", "body": "Mon long texte"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Donnez un titre à l’actualité." in html
    assert "Mon long texte" in html
    assert not Post.objects.exists()


@pytest.mark.parametrize("name, content, content_type", [
    ("fake.png", b"this is not an image", "image/png"),
    ("anim.gif", image_bytes("GIF"), "image/gif"),
])
def test_a_file_that_is_not_an_accepted_image_is_refused(staff_client, agent, news, name, content,
                                                         content_type):
    response = staff_client(agent).post(_url(news, "nouvelle/"), {
        "title": "Avec image", "body": "Texte", "image_alt": "Une image",
        "image": SimpleUploadedFile(name, content, content_type=content_type),
    })
    assert response.status_code == 400
    assert "JPEG, PNG ou WebP" in response.content.decode()
    assert not Post.objects.exists()


def test_an_image_over_the_size_limit_is_refused(settings, staff_client, agent, news):
    settings.CONCERTO_MAX_IMAGE_BYTES = 100
    response = staff_client(agent).post(_url(news, "nouvelle/"), {
        "title": "Avec image", "body": "Texte", "image_alt": "Une image",
        "image": SimpleUploadedFile("big.jpg", image_bytes("JPEG", (200, 200)), content_type="image/jpeg"),
    })
    assert response.status_code == 400
    assert "trop" in response.content.decode()


def test_an_image_needs_a_description(staff_client, agent, news):
    response = staff_client(agent).post(_url(news, "nouvelle/"), {
        "title": "Avec image", "body": "Texte",
        "image": SimpleUploadedFile("a.webp", image_bytes("WEBP"), content_type="image/webp"),
    })
    assert response.status_code == 400
    assert "Décrivez l" in response.content.decode()
    assert not Post.objects.exists()


def test_agent_edits_publishes_unpublishes_and_deletes(staff_client, agent, news, draft_post):
    client = staff_client(agent)
    edit = _url(news, f"{draft_post.pk}/modifier/")
    assert "Résultats à venir" in client.get(edit).content.decode()
    assert client.post(edit, {"title": "Résultats du vote", "body": "Texte relu."}).status_code == 302
    draft_post.refresh_from_db()
    assert draft_post.title == "Résultats du vote"

    assert client.get(_url(news, f"{draft_post.pk}/publier/")).status_code == 405
    client.post(_url(news, f"{draft_post.pk}/publier/"))
    draft_post.refresh_from_db()
    assert draft_post.status == Post.Status.PUBLISHED
    client.post(_url(news, f"{draft_post.pk}/depublier/"))
    draft_post.refresh_from_db()
    assert draft_post.status == Post.Status.DRAFT

    confirm = client.get(_url(news, f"{draft_post.pk}/supprimer/"))
    assert confirm.status_code == 200 and Post.objects.filter(pk=draft_post.pk).exists()
    assert "Supprimer l’actualité" in confirm.content.decode()
    client.post(_url(news, f"{draft_post.pk}/supprimer/"))
    assert not Post.objects.filter(pk=draft_post.pk).exists()


def test_anonymous_people_are_sent_to_the_login_page(client, news):
    response = client.get(_url(news))
    assert response.status_code == 302 and "/compte/" in response["Location"]


def test_outsider_cannot_reach_sceaux_news_backoffice_or_post_in_it(staff_client, outsider, news, draft_post):
    client = staff_client(outsider)
    assert client.get(_url(news)).status_code == 403
    assert client.get(_url(news, "nouvelle/")).status_code == 403
    assert client.post(_url(news, "nouvelle/"), {"title": "Intrus", "body": "x", "action": "publish"}
                       ).status_code == 403
    assert client.post(_url(news, f"{draft_post.pk}/publier/")).status_code == 403
    assert client.post(_url(news, f"{draft_post.pk}/supprimer/")).status_code == 403
    assert not Post.objects.filter(title="Intrus").exists()
    draft_post.refresh_from_db()
    assert draft_post.status == Post.Status.DRAFT


def test_outsider_cannot_reach_sceaux_news_through_montreuil_urls(staff_client, outsider, news, draft_post):
    client = staff_client(outsider)
    url = _url(news).replace("/gestion/sceaux/", "/gestion/montreuil/")
    assert client.get(url).status_code == 404
    assert client.post(url + f"{draft_post.pk}/publier/").status_code == 404
    assert client.post(url + "nouvelle/", {"title": "Intrus", "body": "x"}).status_code == 404
    draft_post.refresh_from_db()
    assert draft_post.status == Post.Status.DRAFT


def test_a_post_of_another_component_is_a_404(staff_client, agent, news):
    other_space = SpaceFactory(organisation=commune("sceaux"), slug="plu")
    other = ComponentFactory(space=other_space, kind="news")
    from concerto.components.news import services

    post = services.post_create(author=agent, component=other, title="Autre", body="x")
    assert staff_client(agent).get(_url(news, f"{post.pk}/modifier/")).status_code == 404


def test_elected_officials_read_the_news_list_but_cannot_write_news(staff_client, elected, news):
    client = staff_client(elected)
    page = client.get(_url(news))
    assert page.status_code == 200
    assert _url(news, "nouvelle/") not in page.content.decode()  # no "write a post" button
    refused = client.get(_url(news, "nouvelle/"))
    assert refused.status_code == 403
    assert "Votre rôle d’élu donne accès en lecture" in refused.content.decode()
    assert client.post(_url(news, "nouvelle/"), {"title": "Par l’élue", "body": "Texte."}).status_code == 403


def test_metropole_admin_manages_sceaux_news(staff_client, metropole_admin, news):
    assert staff_client(metropole_admin).get(_url(news)).status_code == 200
