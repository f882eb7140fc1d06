"""The outsider (agent of Montreuil, 2FA session or API token) gets nothing non-public of Sceaux's news,
comments, moderation or residents; uploaded images are stored under the extension of their real format."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from concerto.components.news.models import Post
from concerto.components.news.tests.conftest import image_bytes
from concerto.core.accounts.models import ApiToken
from concerto.core.audit.models import AuditEntry
from concerto.core.participation import services as participation
from concerto.core.participation.models import Comment, Follow, ModerationReport, Notification
from concerto.core.spaces.models import Space
from concerto.testing import ComponentFactory, SpaceFactory

pytestmark = pytest.mark.django_db


def target(obj) -> tuple[int, int]:
    return ContentType.objects.get_for_model(obj).pk, obj.pk


@pytest.fixture
def sceaux_private(sceaux, agent, resident, moderator, news, published_post, draft_post):
    """Everything of Sceaux the public does not see."""
    draft_space = SpaceFactory(organisation=sceaux, slug="brouillon", status=Space.Status.DRAFT,
                               published_at=None)
    hidden_component = ComponentFactory(space=news.space, kind="news", published=False)
    from concerto.components.news import services as news_services

    post_of_hidden_component = news_services.post_create(author=agent, component=hidden_component,
                                                         title="Composant caché", body="…", publish=True)
    hidden_comment = participation.comment_create(author=resident, target=published_post, body="Masqué")
    participation.moderation_hide(moderator=moderator, content=hidden_comment, reason="Insulte")
    reported = participation.comment_create(author=resident, target=published_post, body="Signalé")
    participation.moderation_report(reporter=resident, content=reported, reason="spam")
    [notification] = participation.notification_send(recipients=[resident], verb="news", title="Pour Camille",
                                                     url=published_post.get_absolute_url())
    token, _key = ApiToken.issue(user=resident, name="Outil de Camille")
    return {
        "draft_space": draft_space, "hidden_component": hidden_component, "draft_post": draft_post,
        "post_of_hidden_component": post_of_hidden_component, "hidden_comment": hidden_comment,
        "reported": reported, "notification": notification, "token": token,
    }


def snapshot():
    return {
        "posts": list(Post.objects.values_list("pk", "title", "status")),
        "comments": list(Comment.objects.values_list("pk", "body", "hidden_at")),
        "reports": list(ModerationReport.objects.values_list("pk", "status")),
        "follows": Follow.objects.count(),
        "notifications": list(Notification.objects.values_list("pk", "read_at")),
        "tokens": list(ApiToken.objects.values_list("pk", flat=True)),
        "spaces": list(Space.objects.values_list("pk", "status")),
        "audit": AuditEntry.objects.filter(organisation__slug="sceaux").count(),
    }


def test_outsider_with_two_factor_session_sees_and_changes_nothing_private_of_sceaux(
        staff_client, outsider, news, sceaux_private):
    client = staff_client(outsider)
    private = sceaux_private
    space = news.space
    before = snapshot()
    not_found = [
        # Drafts and unpublished things on the public site.
        reverse("space_detail", args=["sceaux", private["draft_space"].slug]),
        private["draft_post"].get_absolute_url(),
        private["post_of_hidden_component"].get_absolute_url(),
        reverse("news:index", args=["sceaux", space.slug, private["hidden_component"].pk]),
        reverse("news:feed", args=["sceaux", space.slug, private["hidden_component"].pk]),
        # Another person's notification.
        reverse("accounts:notification_open", args=[private["notification"].pk]),
    ]
    for url in not_found:
        assert client.get(url).status_code == 404, url
    forbidden = [
        reverse("participation_backoffice:queue", args=["sceaux"]),
        reverse("participation_backoffice:hidden", args=["sceaux"]),
        reverse("backoffice:audit", args=["sceaux"]),
        reverse("backoffice:roles", args=["sceaux"]),
        reverse("backoffice:settings", args=["sceaux"]),
        reverse("news_backoffice:index", args=["sceaux", space.slug, news.pk]),
    ]
    for url in forbidden:
        assert client.get(url).status_code == 403, url
    for name in ("hide", "restore", "dismiss"):
        for content in (private["reported"], private["hidden_comment"]):
            url = reverse(f"participation_backoffice:{name}", args=["sceaux", *target(content)])
            assert client.post(url, {"reason": "x"}).status_code == 403, url
    posts = [
        (reverse("participation:follow", args=target(private["draft_space"])), {}),
        (reverse("participation:comment", args=target(private["draft_post"])), {"body": "Vu !"}),
        (reverse("participation:comment", args=target(private["post_of_hidden_component"])), {"body": "Vu"}),
        (reverse("participation:report", args=target(private["hidden_comment"])), {"reason": "spam"}),
        (reverse("accounts:token_revoke", args=[private["token"].pk]), {}),
    ]
    for url, data in posts:
        response = client.post(url, data)
        assert response.status_code in (302, 404), url
        if response.status_code == 302:  # the token page: "this token does not exist"
            assert response.url == reverse("accounts:tokens"), url
    # Their own pages show nothing of the resident's.
    assert "Pour Camille" not in client.get(reverse("accounts:notifications")).content.decode()
    assert "Outil de Camille" not in client.get(reverse("accounts:tokens")).content.decode()
    export = client.post(reverse("accounts:data_export")).content.decode()
    assert "resident@example.org" not in export and "Outil de Camille" not in export
    assert "Pour Camille" not in export and "Masqué" not in export
    assert snapshot() == before


def test_outsider_with_an_api_token_reads_no_draft_of_sceaux(client, outsider, news, sceaux_private):
    _token, key = ApiToken.issue(user=outsider, name="Outil de Montreuil")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    private = sceaux_private
    for post in (private["draft_post"], private["post_of_hidden_component"]):
        assert client.get(f"/api/v1/news/posts/{post.pk}", **headers).status_code == 404
    listed = client.get("/api/v1/news/posts", {"organisation": "sceaux", "limit": 100}, **headers).json()
    titles = {item["title"] for item in listed["items"]}
    assert "Résultats à venir" not in titles and "Composant caché" not in titles
    assert client.get(f"/api/v1/spaces/{private['draft_space'].pk}", **headers).status_code == 404
    drafts = client.get("/api/v1/spaces", {"organisation": "sceaux", "status": "draft"}, **headers).json()
    assert drafts["count"] == 0
    me = client.get("/api/v1/me", **headers).json()
    assert [role["organisation"] for role in me["roles"]] == ["montreuil"]


def test_a_moderator_reason_that_cannot_be_kept_does_not_hide_silently(staff_client, moderator,
                                                                       sceaux_private):
    reported = sceaux_private["reported"]
    client = staff_client(moderator)
    url = reverse("participation_backoffice:hide", args=["sceaux", *target(reported)])
    response = client.post(url, {"reason": "Insulte\x00"}, follow=True)
    assert "Le caractère nul n’est pas autorisé." in response.content.decode()
    reported.refresh_from_db()
    assert reported.hidden_at is None


@pytest.mark.parametrize("name", ["photo.pdf", "photo.jfif", "PHOTO.JPEG"])
def test_a_news_image_is_stored_with_the_extension_of_its_real_format(staff_client, agent, news, name):
    upload = SimpleUploadedFile(name, image_bytes("PNG"), content_type="application/pdf")
    response = staff_client(agent).post(
        reverse("news_backoffice:create", args=["sceaux", news.space.slug, news.pk]),
        {"title": "Avec image", "body": "Texte.", "image": upload, "image_alt": "Un carré rouge",
         "action": "publish"})
    assert response.status_code == 302
    post = Post.objects.get(title="Avec image")
    assert post.image.name.startswith("news/photo") and post.image.name.endswith(".png")
