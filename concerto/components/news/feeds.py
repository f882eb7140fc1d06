"""Atom feeds of public news: per news component, per space, per organisation (with those below it)."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from concerto.components.news.models import Post
from concerto.core.spaces.lookup import public_component_for, space_for

FEED_LENGTH = 30


class _NewsFeed(Feed):
    feed_type = Atom1Feed
    language = settings.LANGUAGE_CODE

    def item_title(self, post):
        return post.title

    def item_description(self, post):
        return post.excerpt

    def item_link(self, post):
        return post.get_absolute_url()

    def item_pubdate(self, post):
        return post.published_at

    def item_updateddate(self, post):
        return post.updated_at

    def item_author_name(self, post):
        return post.component.space.organisation.name


class ComponentFeed(_NewsFeed):
    def get_object(self, request, org_slug, space_slug, component_id):
        # Feeds are public: a manager's preview of unpublished news has no feed.
        component, _can_manage = public_component_for(
            request, "news", space_slug=space_slug, component_id=component_id, preview=None)
        return component

    def title(self, component):
        return _("%(component)s · %(space)s") % {"component": component.title, "space": component.space.title}

    def subtitle(self, component):
        return _("News of %(space)s, from %(organisation)s") % {
            "space": component.space.title, "organisation": component.space.organisation.name}

    def link(self, component):
        return component.get_absolute_url()

    def feed_url(self, component):
        return reverse("news:feed", kwargs={"org_slug": component.space.organisation.slug,
                                            "space_slug": component.space.slug, "component_id": component.pk})

    def items(self, component):
        return (Post.objects.public().filter(component=component)
                .select_related("component__space__organisation")[:FEED_LENGTH])


class OrganisationFeed(_NewsFeed):
    def get_object(self, request, org_slug):
        return request.organisation

    def title(self, organisation):
        return _("News · %(organisation)s") % {"organisation": organisation.name}

    def subtitle(self, organisation):
        return _("The news of every participation space of %(organisation)s.") % {
            "organisation": organisation.name}

    def link(self, organisation):
        return reverse("news_organisation:index", kwargs={"org_slug": organisation.slug})

    def feed_url(self, organisation):
        return reverse("news_organisation:feed", kwargs={"org_slug": organisation.slug})

    def items(self, organisation):
        return (Post.objects.public().of_organisations(organisation.descendant_ids())
                .select_related("component__space__organisation")[:FEED_LENGTH])


class SpaceFeed(_NewsFeed):
    """Every public news post of one published space, whatever the news component."""

    def get_object(self, request, org_slug, space_slug):
        return space_for(request, space_slug, published_only=True)

    def title(self, space):
        return _("News · %(space)s") % {"space": space.title}

    def subtitle(self, space):
        return _("News of %(space)s, from %(organisation)s") % {
            "space": space.title, "organisation": space.organisation.name}

    def link(self, space):
        return space.get_absolute_url()

    def feed_url(self, space):
        return reverse("news_space:feed", kwargs={"org_slug": space.organisation.slug, "space_slug": space.slug})

    def items(self, space):
        return (Post.objects.public().filter(component__space=space)
                .select_related("component__space__organisation")[:FEED_LENGTH])
