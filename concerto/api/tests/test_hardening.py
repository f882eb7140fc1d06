"""What the API answers to requests Django itself refuses: a JSON 4xx, never a 500."""

import json

import pytest

from concerto.core.accounts.models import ApiToken
from concerto.core.spaces.models import Component
from concerto.testing import ComponentFactory, SpaceFactory

pytestmark = pytest.mark.django_db


def test_a_body_over_the_size_limit_is_a_413_in_french(client, settings, agent, sceaux):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    news = ComponentFactory(space=SpaceFactory(organisation=sceaux), kind="news")
    _token, key = ApiToken.issue(user=agent, name="Outil")
    body = json.dumps({"component_id": news.pk, "title": "Trop long", "body": "a" * (2 * 1024 * 1024)})
    response = client.post("/api/v1/news/posts", body, content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 413
    assert response.json() == {"detail": "La demande est trop volumineuse. Envoyez au plus 1 Mo."}
    assert not Component.objects.get(pk=news.pk).news_posts.exists()
