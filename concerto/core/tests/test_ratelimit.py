"""Send limits: past the limit a person gets a 429 page saying to wait, nothing is saved; forms sent back
with errors do not count; another person is not affected; the address comes from trusted proxies only."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import RequestFactory
from django.urls import reverse

from concerto.core import ratelimit
from concerto.core.participation.models import Comment
from concerto.testing import ComponentFactory, SpaceFactory, persona

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(sceaux, agent):
    from concerto.components.news.services import post_create

    component = ComponentFactory(space=SpaceFactory(organisation=sceaux, slug="jardin"), kind="news")
    return post_create(author=agent, component=component, title="Atelier", body="Samedi.", publish=True)


def _comment_url(post):
    return reverse("participation:comment", args=[ContentType.objects.get_for_model(post).pk, post.pk])


def test_a_person_past_the_limit_is_asked_to_wait_and_nothing_is_saved(client, rate_limits, post, resident):
    rate_limits.CONCERTO_RATE_LIMITS = {"comment": (2, 600)}
    client.force_login(resident)
    for n in range(2):
        assert client.post(_comment_url(post), {"body": f"Avis {n}"}).status_code == 302
    refused = client.post(_comment_url(post), {"body": "Encore un avis"})
    assert refused.status_code == 429 and refused["Retry-After"] == "600"
    page = refused.content.decode()
    assert "Vous avez beaucoup envoyé en peu de temps" in page and "au plus 2 en 10 minutes" in page
    assert Comment.objects.count() == 2
    # Someone else still comments.
    client.force_login(persona("voisine@example.org"))
    assert client.post(_comment_url(post), {"body": "Mon avis"}).status_code == 302


def test_a_form_sent_back_with_errors_does_not_count(client, rate_limits, post, resident):
    rate_limits.CONCERTO_RATE_LIMITS = {"comment": (1, 600)}
    client.force_login(resident)
    for _ in range(3):
        assert client.post(_comment_url(post), {"body": ""}).status_code == 400
    assert client.post(_comment_url(post), {"body": "Enfin un avis"}).status_code == 302


def test_limits_can_be_turned_off(client, rate_limits, post, resident):
    rate_limits.CONCERTO_RATE_LIMITS = {"comment": (1, 600)}
    rate_limits.CONCERTO_RATE_LIMITS_ENABLED = False
    client.force_login(resident)
    for n in range(3):
        assert client.post(_comment_url(post), {"body": f"Avis {n}"}).status_code == 302


def test_the_address_is_read_from_trusted_proxies_only(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    assert ratelimit.client_address(request) == "10.0.0.1"  # no proxy declared: the header is the client's word
    settings.CONCERTO_TRUSTED_PROXIES = 1
    assert ratelimit.client_address(request) == "203.0.113.9"  # what our one proxy saw, not what the client wrote
    settings.CONCERTO_TRUSTED_PROXIES = 3  # more proxies than hops: fall back to the connection's address
    assert ratelimit.client_address(request) == "10.0.0.1"


def test_people_without_an_account_share_a_wider_limit_per_address(rate_limits):
    rate_limits.CONCERTO_RATE_LIMITS = {"report": (2, 3600)}
    for _ in range(2):
        ratelimit.count("report", "user:1")
        ratelimit.count("report", "address:203.0.113.9")
    assert ratelimit.refusal("report", "user:1") is not None
    assert ratelimit.refusal("report", "address:203.0.113.9") is None  # 2 of 10 for a shared address


# Every place people send from (proposals, supports, projects, answers, registrations, reports, "me too") has
# its own test next to its component's pages (test_past_the_send_limit...): the limit is checked by the
# service, so such a test posts valid data and sees the 429 page.
