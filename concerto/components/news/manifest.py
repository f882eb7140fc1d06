"""The news component: what it tells the registry (URLs, settings, exports, figures, personal data)."""

from django.db.models import Count
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from concerto.core.registry import Action, ComponentManifest, NotificationKind, Setting, register


def _public_posts(component):
    from concerto.components.news.models import Post

    return Post.objects.public().filter(component=component)


def export_posts(component) -> list[dict]:
    """Open data: the public posts of COMPONENT (nothing about their authors)."""
    posts = _public_posts(component).annotate(
        comment_count=Count("comments", distinct=True)
    ).order_by("published_at", "pk")
    return [
        {
            "id": post.pk,
            "title": post.title,
            "summary": post.summary,
            "body": post.body,
            "published_at": post.published_at.isoformat() if post.published_at else None,
            "url": post.get_absolute_url(),
            "comments": post.comment_count,
        }
        for post in posts
    ]


def statistics(component) -> dict:
    from concerto.core.participation.models import Comment

    post_ids = list(_public_posts(component).values_list("pk", flat=True))
    comments = Comment.objects.visible().filter(
        target_type__app_label="news", target_type__model="post", target_id__in=post_ids
    ).count()
    return {"posts": len(post_ids), "comments": comments}


def summary(component, request) -> str:
    posts = _public_posts(component)
    count = posts.count()
    if not count:
        return gettext("No news yet.")
    latest = posts.first()
    text = ngettext("%(count)s news post.", "%(count)s news posts.", count) % {"count": count}
    return format_html("{} {}", text, gettext("Latest: “%(title)s”.") % {"title": latest.title})


def personal_data(user) -> dict:
    from concerto.components.news.models import Post

    return {
        "news_posts": [
            {"title": post.title, "status": post.status, "created_at": post.created_at.isoformat(),
             "space": post.component.space.title}
            for post in Post.objects.filter(author=user).select_related("component__space")
        ]
    }


def erase_personal_data(user) -> None:
    """Posts are the collectivité's publications: they stay, without their author."""
    from concerto.components.news.models import Post

    Post.objects.filter(author=user).update(author=None)



# The component's audit actions in words, for the audit log page (concerto/core/audit/labels.py).
AUDIT_LABELS = {
    "news.post_created": _("News item created"),
    "news.post_deleted": _("News item deleted"),
    "news.post_published": _("News item published"),
    "news.post_unpublished": _("News item unpublished"),
    "news.post_updated": _("News item changed"),
}

manifest = register(ComponentManifest(
    name="news",
    url_segment="actualites",
    label=_("News"),
    description=_("News posts from the collectivité about the space, which residents can follow "
                  "and comment."),
    public_urls="concerto.components.news.urls",
    backoffice_urls="concerto.components.news.backoffice_urls",
    organisation_urls="concerto.components.news.organisation_urls",
    space_urls="concerto.components.news.space_urls",
    api_router="concerto.components.news.api.router",
    actions=(Action("comment", _("Comment on a news post")),),
    settings=(
        Setting("comments_enabled", bool, True, label=_("Residents can comment on the news"),
                help_text=_("Signed-in people can write a comment under each news post.")),
        Setting("posts_per_page", int, 10, label=_("News posts per page"),
                help_text=_("Between 1 and 50."), min_value=1, max_value=50),
    ),
    step_settings=(
        Setting("comments_open", bool, True, label=_("Comments are open during this step"),
                help_text=_("Untick to close the comments during this step; existing comments stay "
                            "visible.")),
    ),
    exports={"posts": export_posts},
    statistics=statistics,
    summary=summary,
    personal_data=personal_data,
    erase_personal_data=erase_personal_data,
    notifications=(
        NotificationKind("news.published", _("News of the spaces and organisations I follow")),
    ),
    audit_labels=AUDIT_LABELS,
))
