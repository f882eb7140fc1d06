"""Template tags for the participation includes (follow button, comments) of every component."""

from django import template
from django.contrib.contenttypes.models import ContentType

from concerto.core.participation.forms import CommentForm
from concerto.core.participation.models import Comment
from concerto.core.participation.rules import comments_allowed
from concerto.core.participation.services import is_following

register = template.Library()


@register.simple_tag(takes_context=True)
def follow_state(context, target):
    """What the follow button needs to know about TARGET for the current user."""
    content_type = ContentType.objects.get_for_model(target)
    user = context["request"].user
    return {
        "content_type_id": content_type.pk,
        "object_id": target.pk,
        "following": is_following(user=user, target=target),
    }


@register.simple_tag(takes_context=True)
def comment_thread(context, target):
    """The comments on TARGET (hidden ones included, shown as such) and whether the user may add one."""
    content_type = ContentType.objects.get_for_model(target)
    user = context["request"].user
    return {
        "content_type_id": content_type.pk,
        "object_id": target.pk,
        "comment_content_type_id": ContentType.objects.get_for_model(Comment).pk,
        "comments": list(Comment.objects.filter(target_type=content_type, target_id=target.pk)
                         .select_related("author")),
        "open": comments_allowed(target),
        "can_comment": user.has_perm("participation.comment", target),
        "form": CommentForm(auto_id="id_comment_%s"),
    }
