"""Write actions on news posts. The back-office pages and the API call these same functions."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from concerto.components.news.models import Post
from concerto.core.audit.services import audit_record
from concerto.core.participation.feed import feed_publish, feed_withdraw
from concerto.core.participation.services import followers_of, notification_send
from concerto.core.ratelimit import send_limited
from concerto.core.spaces.signals import item_published
from concerto.core.uploads import uploaded_image_clean

EDITABLE_FIELDS = ("title", "summary", "body", "image", "image_alt")


@send_limited("post")
@transaction.atomic
def post_create(*, author, component, title: str, body: str, summary: str = "", image=None,
                image_alt: str = "", topics=(), publish: bool = False) -> Post:
    """Write a draft post in COMPONENT (a news component), and publish it at once if PUBLISH."""
    if component.kind != "news":
        raise ValueError("A news post belongs to a news component")
    image = uploaded_image_clean(image)
    post = Post.objects.create(
        component=component, author=author if author is not None and author.is_authenticated else None,
        title=title.strip(), body=body.strip(), summary=summary.strip(), image=image or "",
        image_alt=image_alt.strip(),
    )
    post.topics.set(topics)
    audit_record(actor=author, action="news.post_created", target=post, organisation=post.organisation)
    if publish:
        post_publish(actor=author, post=post)
    return post


@transaction.atomic
def post_update(*, actor, post: Post, topics=None, **changes) -> Post:
    """Change some of EDITABLE_FIELDS of POST. `image=False` removes the image; TOPICS None keeps them."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"post_update() cannot change {', '.join(sorted(unknown))}")
    changed = []
    for name, value in changes.items():
        if name == "image":
            value = uploaded_image_clean(value)
            if value is False:
                value = ""
            elif value is None:
                continue
        elif isinstance(value, str):
            value = value.strip()
        if getattr(post, name) != value:
            setattr(post, name, value)
            changed.append(name)
    if topics is not None and {topic.pk for topic in topics} != set(post.topics.values_list("pk", flat=True)):
        post.topics.set(topics)
        changed.append("topics")
    if changed:
        post.save()
        audit_record(actor=actor, action="news.post_updated", target=post, organisation=post.organisation,
                     data={"fields": changed})
        if post.is_published:
            _feed_record(post)
    return post


@transaction.atomic
def post_publish(*, actor, post: Post) -> Post:
    """Publish POST. The first time a public post is published, the followers of its space and of its
    organisation get a notification (the emails leave after commit, through the task queue)."""
    if post.is_published:
        return post
    first_time = post.published_at is None
    post.status = Post.Status.PUBLISHED
    post.published_at = post.published_at or timezone.now()
    post.save(update_fields=["status", "published_at", "updated_at"])
    audit_record(actor=actor, action="news.post_published", target=post, organisation=post.organisation)
    _feed_record(post)
    if first_time and post.is_public:
        _notify_followers(actor=actor, post=post)
        item_published.send(sender=Post, item=post, summary=post.excerpt)
    return post


@transaction.atomic
def post_unpublish(*, actor, post: Post) -> Post:
    """Take POST back to draft; it disappears from the public pages, feeds and the API."""
    if not post.is_published:
        return post
    post.status = Post.Status.DRAFT
    post.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="news.post_unpublished", target=post, organisation=post.organisation)
    feed_withdraw(item=post)
    return post


@transaction.atomic
def post_delete(*, actor, post: Post) -> None:
    organisation = post.organisation
    # The audit entry names the post before it goes; its id stays in the entry.
    audit_record(actor=actor, action="news.post_deleted", target=post, organisation=organisation,
                 data={"title": post.title})
    if post.image:
        transaction.on_commit(lambda storage=post.image.storage, name=post.image.name: storage.delete(name))
    feed_withdraw(item=post)
    post.delete()


def _feed_record(post: Post) -> None:
    """POST in the feeds (again after an edit: title, summary, topics); the feed hides it while its space or
    component is not public."""
    feed_publish(item=post, kind="news.published", title=post.title, summary=post.excerpt,
                 url=post.get_absolute_url(), organisation=post.organisation, space=post.space,
                 published_at=post.published_at)


def _notify_followers(*, actor, post: Post) -> None:
    space = post.space
    recipients = followers_of(space, space.organisation)
    if actor is not None and actor.is_authenticated:
        recipients = recipients.exclude(pk=actor.pk)
    # Stored text: written in the site's language, whatever the language of the agent's session.
    with translation.override(settings.LANGUAGE_CODE):
        title = _("News from %(space)s: %(title)s") % {"space": space.title, "title": post.title}
        body = post.excerpt
    notification_send(recipients=list(recipients), verb="news.published", title=title, body=body,
                      url=post.get_absolute_url())
