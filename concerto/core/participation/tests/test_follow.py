"""Following an organisation or a space from its page."""

import pytest
from django.contrib.contenttypes.models import ContentType

from concerto.core.audit.models import AuditEntry
from concerto.core.participation.services import follow_add, is_following
from concerto.core.spaces.models import Space
from concerto.testing import SpaceFactory

pytestmark = pytest.mark.django_db


def _url(action, target):
    content_type = ContentType.objects.get_for_model(target)
    return f"/participation/{action}/{content_type.pk}/{target.pk}/"


def test_anonymous_visitor_is_invited_to_sign_in_to_follow(client, sceaux):
    html = client.get("/sceaux/").content.decode()
    assert "Connectez-vous pour suivre cette page" in html
    assert "/compte/" in html


def test_resident_follows_then_unfollows_a_commune(client, resident, sceaux):
    client.force_login(resident)
    assert "Suivre" in client.get("/sceaux/").content.decode()
    response = client.post(_url("suivre", sceaux), {"next": "/sceaux/"})
    assert response.status_code == 302 and response["Location"] == "/sceaux/"
    assert is_following(user=resident, target=sceaux)
    html = client.get("/sceaux/").content.decode()
    assert "Ne plus suivre" in html
    assert AuditEntry.objects.filter(action="follow.added", actor=resident).exists()
    client.post(_url("ne-plus-suivre", sceaux), {"next": "/sceaux/"})
    assert not is_following(user=resident, target=sceaux)


def test_following_a_space_from_its_page(client, resident, sceaux):
    space = SpaceFactory(organisation=sceaux, slug="plu")
    client.force_login(resident)
    client.post(_url("suivre", space), {"next": space.get_absolute_url()})
    assert is_following(user=resident, target=space)
    assert "Ne plus suivre" in client.get(space.get_absolute_url()).content.decode()


def test_following_needs_a_signed_in_person_and_a_post(client, sceaux):
    assert client.get(_url("suivre", sceaux)).status_code == 405
    response = client.post(_url("suivre", sceaux))
    assert response.status_code == 302 and "/compte/" in response["Location"]


def test_an_unpublished_space_cannot_be_followed_by_the_outsider(client, outsider, sceaux):
    space = SpaceFactory(organisation=sceaux, slug="brouillon", status=Space.Status.DRAFT, published_at=None)
    client.force_login(outsider)
    assert client.post(_url("suivre", space)).status_code == 404
    assert not is_following(user=outsider, target=space)


def test_unknown_targets_and_foreign_redirects_are_refused(client, resident, sceaux):
    client.force_login(resident)
    assert client.post("/participation/suivre/999999/1/").status_code == 404
    user_type = ContentType.objects.get_for_model(resident)
    assert client.post(f"/participation/suivre/{user_type.pk}/{resident.pk}/").status_code == 404
    response = client.post(_url("suivre", sceaux), {"next": "https://evil.example.com/"})
    assert response["Location"] == "/sceaux/"


def test_follow_is_idempotent(resident, sceaux):
    follow_add(user=resident, target=sceaux)
    follow_add(user=resident, target=sceaux)
    assert AuditEntry.objects.filter(action="follow.added").count() == 1


# Objects of components (a proposal, a news post...) can be followed while they are public.

def _render_follow(target, user) -> str:
    from django.template import Context, Template
    from django.test import RequestFactory

    request = RequestFactory().get(target.get_absolute_url())
    request.user = user
    return Template('{% include "participation/_follow.html" with target=target %}').render(
        Context({"target": target, "request": request, "user": user}))


def test_resident_follows_a_public_object_of_a_component(client, resident, post):
    client.force_login(resident)
    response = client.post(_url("suivre", post), {"next": post.get_absolute_url()})
    assert response.status_code == 302 and response["Location"] == post.get_absolute_url()
    assert is_following(user=resident, target=post)
    html = _render_follow(post, resident)
    assert "Ne plus suivre" in html and "quand il y a du nouveau" in html and "actualité" not in html
    assert f'action="{_url("ne-plus-suivre", post)}"' in html
    client.post(_url("ne-plus-suivre", post))
    assert not is_following(user=resident, target=post)
    html = _render_follow(post, resident)
    assert "Recevez une notification quand il y a du nouveau." in html


def test_the_follow_include_invites_anonymous_visitors_to_sign_in(post):
    from django.contrib.auth.models import AnonymousUser

    html = _render_follow(post, AnonymousUser())
    assert "Connectez-vous pour suivre cette page" in html
    assert "et recevoir une notification quand il y a du nouveau." in html


def test_a_draft_of_a_component_cannot_be_followed(client, outsider, resident, news, agent):
    from concerto.components.news.services import post_create

    draft = post_create(author=agent, component=news, title="Brouillon", body="…")
    for user in (outsider, resident):
        client.force_login(user)
        assert client.post(_url("suivre", draft)).status_code == 404
        assert not is_following(user=user, target=draft)


def test_a_follower_can_stop_following_what_is_no_longer_public(client, resident, agent, post):
    from concerto.components.news.services import post_unpublish

    follow_add(user=resident, target=post)
    post_unpublish(actor=agent, post=post)
    client.force_login(resident)
    assert client.post(_url("suivre", post)).status_code == 404
    assert client.post(_url("ne-plus-suivre", post)).status_code == 302
    assert not is_following(user=resident, target=post)
    # Someone who did not follow it learns nothing about it.
    assert client.post(_url("ne-plus-suivre", post)).status_code == 404


def test_objects_without_a_component_are_still_refused(client, resident, neighbour, post):
    from concerto.core.participation.services import comment_create

    comment = comment_create(author=neighbour, target=post, body="Un commentaire")
    client.force_login(resident)
    assert client.post(_url("suivre", comment)).status_code == 404
