"""Public news pages: a component's list and posts, an organisation's news, their Atom feeds."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from concerto.components.news.models import Post
from concerto.core.spaces.lookup import item_for, public_component_for

ORGANISATION_POSTS_PER_PAGE = 10


def post_list(request, org_slug, space_slug, component_id):
    component, can_manage = public_component_for(request, "news", space_slug=space_slug, component_id=component_id)
    posts = component.news_posts.all() if can_manage else component.news_posts.published()
    page = Paginator(posts, component.setting("posts_per_page")).get_page(request.GET.get("page"))
    return render(request, "news/post_list.html", {
        "component": component,
        "space": component.space,
        "organisation": component.space.organisation,
        "page": page,
        "can_manage": can_manage,
    })


def post_detail(request, org_slug, space_slug, component_id, post_id):
    component, can_manage = public_component_for(request, "news", space_slug=space_slug, component_id=component_id)
    post = item_for(component, Post, post_id)
    if not (post.is_published or can_manage):
        raise Http404(_("This news post does not exist or is not published."))
    return render(request, "news/post_detail.html", {
        "post": post,
        "component": component,
        "space": component.space,
        "organisation": component.space.organisation,
        "comments_enabled": component.setting("comments_enabled"),
        "can_manage": can_manage,
    })


def organisation_news(request, org_slug):
    """Public posts of every space of the organisation and of the organisations below it."""
    organisation = request.organisation
    posts = (
        Post.objects.public().of_organisations(organisation.descendant_ids())
        .select_related("component__space__organisation")
    )
    page = Paginator(posts, ORGANISATION_POSTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "news/organisation_news.html", {"organisation": organisation, "page": page})
