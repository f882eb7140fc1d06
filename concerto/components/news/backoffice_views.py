"""Back-office of a news component: list, write, edit, publish, unpublish and delete posts.

Every view is for the managers of the organisation named in the URL, and the component must be a
news component of one of that organisation's spaces: anything else is a 404, so the agent of another
commune learns nothing.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from concerto.components.news import services
from concerto.components.news.forms import PostForm
from concerto.components.news.models import Post
from concerto.core.accounts.decorators import backoffice_view
from concerto.core.spaces.lookup import component_for, item_for
from concerto.core.spaces.models import Component

MANAGE = "spaces.manage_space"
READ = "spaces.read_space"  # elected officials read what agents work on


def _context(component: Component, **extra) -> dict:
    return {"component": component, "space": component.space, "organisation": component.space.organisation,
            **extra}


@backoffice_view(MANAGE, read=READ)
def post_list(request, org_slug, space_slug, component_id):
    component = component_for(request, "news", space_slug=space_slug, component_id=component_id)
    posts = component.news_posts.order_by("status", "-published_at", "-created_at")
    return render(request, "news/backoffice/post_list.html", _context(component, posts=posts))


@require_http_methods(["GET", "POST"])
@backoffice_view(MANAGE)
def post_create(request, org_slug, space_slug, component_id):
    component = component_for(request, "news", space_slug=space_slug, component_id=component_id)
    form = PostForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        publish = request.POST.get("action") == "publish"
        services.post_create(author=request.user, component=component, publish=publish, **form.values())
        messages.success(request, _("The news post is published.") if publish
                         else _("The news post is saved as a draft. Only the team sees it."))
        return redirect(component.get_backoffice_url())
    return render(request, "news/backoffice/post_form.html", _context(component, form=form, post=None),
                  status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@backoffice_view(MANAGE)
def post_edit(request, org_slug, space_slug, component_id, post_id):
    component = component_for(request, "news", space_slug=space_slug, component_id=component_id)
    post = item_for(component, Post, post_id)
    form = PostForm.for_post(post, request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        services.post_update(actor=request.user, post=post, **form.values())
        messages.success(request, _("Your changes are saved."))
        return redirect(component.get_backoffice_url())
    return render(request, "news/backoffice/post_form.html", _context(component, form=form, post=post),
                  status=400 if form.errors else 200)


@require_POST
@backoffice_view(MANAGE)
def post_publish(request, org_slug, space_slug, component_id, post_id):
    component = component_for(request, "news", space_slug=space_slug, component_id=component_id)
    services.post_publish(actor=request.user, post=item_for(component, Post, post_id))
    messages.success(request, _("The news post is published."))
    return redirect(component.get_backoffice_url())


@require_POST
@backoffice_view(MANAGE)
def post_unpublish(request, org_slug, space_slug, component_id, post_id):
    component = component_for(request, "news", space_slug=space_slug, component_id=component_id)
    services.post_unpublish(actor=request.user, post=item_for(component, Post, post_id))
    messages.success(request, _("The news post is back to draft. The public no longer sees it."))
    return redirect(component.get_backoffice_url())


@require_http_methods(["GET", "POST"])
@backoffice_view(MANAGE)
def post_delete(request, org_slug, space_slug, component_id, post_id):
    component = component_for(request, "news", space_slug=space_slug, component_id=component_id)
    post = item_for(component, Post, post_id)
    if request.method == "POST":
        services.post_delete(actor=request.user, post=post)
        messages.success(request, _("The news post is deleted."))
        return redirect(component.get_backoffice_url())
    return render(request, "news/backoffice/post_confirm_delete.html", _context(component, post=post))
