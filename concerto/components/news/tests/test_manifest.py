"""The news component as the registry and the other components see it."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import resolve
from django.utils import timezone, translation

from concerto.components.news.models import Post
from concerto.core import registry
from concerto.core.participation.rules import comments_allowed
from concerto.testing import StepFactory

pytestmark = pytest.mark.django_db


def test_registry_finds_the_news_manifest_at_start_up():
    manifest = registry.get("news")
    assert manifest.segment == "actualites"
    assert manifest.api_router == "concerto.components.news.api.router"
    assert [action.name for action in manifest.actions] == ["comment"]
    assert "actualites" in registry.reserved_slugs()
    assert resolve("/sceaux/budget/actualites/7/").view_name == "news:index"
    assert resolve("/sceaux/actualites/").view_name == "news_organisation:index"
    assert resolve("/gestion/sceaux/budget/actualites/7/").view_name == "news_backoffice:index"


def test_component_urls_come_from_the_manifest(news):
    assert news.get_absolute_url() == f"/sceaux/budget-2026/actualites/{news.pk}/"
    assert news.get_backoffice_url() == f"/gestion/sceaux/budget-2026/actualites/{news.pk}/"


def test_settings_default_to_the_manifest_values(news):
    assert news.setting("comments_enabled") is True
    assert news.setting("posts_per_page") == 10


@pytest.mark.parametrize("raw, field, message", [
    ({"posts_per_page": "0", "comments_enabled": "on"}, "posts_per_page", "au moins 1"),
    ({"posts_per_page": "51", "comments_enabled": "on"}, "posts_per_page", "au plus 50"),
    ({"posts_per_page": "dix", "comments_enabled": "on"}, "posts_per_page", "nombre entier"),
    ({"posts_per_page": "10", "comments_enabled": "peut-être"}, "comments_enabled", "ni oui ni non"),
])
def test_bad_settings_are_rejected_with_a_french_message(raw, field, message):
    manifest = registry.get("news")
    with translation.override("fr"), pytest.raises(ValidationError) as error:
        manifest.clean_settings(raw)
    assert message in " ".join(error.value.message_dict[field])


def test_good_settings_are_cleaned_to_their_types():
    cleaned = registry.get("news").clean_settings({"posts_per_page": "25", "comments_enabled": "on"})
    assert cleaned == {"posts_per_page": 25, "comments_enabled": True}


def test_a_step_setting_closes_the_comments_during_that_step_only(news, space, step, published_post):
    manifest = registry.get("news")
    today = timezone.localdate()
    past = StepFactory(space=space, title="Diagnostic", start_date=today - timedelta(days=30),
                       end_date=today - timedelta(days=20))
    news.step_settings = {str(past.pk): manifest.clean_step_settings({"comments_open": ""})}
    news.save()
    assert comments_allowed(Post.objects.get(pk=published_post.pk))

    news.step_settings[str(step.pk)] = manifest.clean_step_settings({"comments_open": "off"})
    news.save()
    assert news.step_setting("comments_open") is False
    assert not comments_allowed(Post.objects.get(pk=published_post.pk))


def test_the_global_setting_turns_comments_off(news, published_post):
    news.settings = {"comments_enabled": False, "posts_per_page": 10}
    news.save()
    assert not comments_allowed(Post.objects.get(pk=published_post.pk))


def test_exports_and_statistics_count_only_public_posts(news, published_post, draft_post):
    manifest = registry.get("news")
    rows = manifest.exports["posts"](news)
    assert [row["title"] for row in rows] == ["Les ateliers commencent"]
    assert "author" not in rows[0]
    assert manifest.statistics(news) == {"posts": 1, "comments": 0}
    with translation.override("fr"):
        assert "Les ateliers commencent" in manifest.summary(news, None)


def test_erasing_an_agent_keeps_the_posts_without_their_author(agent, published_post):
    manifest = registry.get("news")
    assert manifest.personal_data(agent)["news_posts"][0]["title"] == "Les ateliers commencent"
    manifest.erase_personal_data(agent)
    published_post.refresh_from_db()
    assert published_post.author is None
