"""Template tags for the participation includes (follow button, comments) of every component."""

from collections import Counter

from django import template
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils.translation import npgettext

from concerto.core.accounts.verification import action_refusal
from concerto.core.french import day_and_hour
from concerto.core.participation.behalf import FIELD as BEHALF_FIELD
from concerto.core.participation.behalf import behalf_field_add, behalf_names
from concerto.core.participation.forms import CommentForm
from concerto.core.participation.models import Comment
from concerto.core.participation.rules import comments_allowed
from concerto.core.participation.services import is_following, organisation_of
from concerto.core.spaces.models import Space
from concerto.core.territory.models import Organisation

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
        # An organisation or a space is followed for its news; anything else for what happens to it.
        "for_news": isinstance(target, Organisation | Space),
    }


def stance_tally(comments) -> str:
    """"3 pour · 1 contre · 2 neutres" for the visible COMMENTS that took a stance; "" if none did."""
    counts = Counter(comment.stance for comment in comments if comment.stance and not comment.is_hidden)
    parts = []
    for stance in Comment.Stance.values:
        count = counts[stance]
        if not count:
            continue
        # Written out one by one so that makemessages finds each plural.
        if stance == Comment.Stance.FOR:
            text = npgettext("stance tally", "%(count)s for", "%(count)s for", count)
        elif stance == Comment.Stance.AGAINST:
            text = npgettext("stance tally", "%(count)s against", "%(count)s against", count)
        else:
            text = npgettext("stance tally", "%(count)s neutral", "%(count)s neutral", count)
        parts.append(text % {"count": count})
    return " · ".join(parts)


@register.simple_tag(takes_context=True)
def comment_thread(context, target):
    """The comments on TARGET, threaded one level, with their votes, and what the user may do.

    The number of queries does not grow with the comments: one query reads every comment and reply with
    its author and vote counts (and the user's own vote), and the tree is built here. Hidden comments
    stay in the list (shown as hidden) so that their replies keep their place. The reply forms are
    written out in the template rather than rendered as Django forms: with hundreds of comments, form
    rendering was most of the page's time.
    """
    user = context["request"].user
    content_type = ContentType.objects.get_for_model(target)
    comments = list(Comment.objects.on(target).with_votes(user).select_related("author").order_by("created_at", "pk"))
    open_ = comments_allowed(target)
    can_comment = user.has_perm("participation.comment", target)
    # Comments reserved to verified residents: the others read why, and where to verify.
    component = getattr(target, "component", None)
    refusal = None
    if open_ and component is not None:
        refusal = action_refusal(user=user, component=component, action="comment",
                                 next_url=context["request"].get_full_path())
        can_comment = can_comment and refusal is None
    stances = Comment.stances_offered(target)
    behalf_names(comments)  # « — au nom de <actor> » after the names, in one query
    form = behalf_field_add(CommentForm(stances=stances, auto_id="id_comment_%s"), user, organisation_of(target))

    top_level, replies = [], {}
    for comment in comments:
        comment.votable = (open_ and user.is_authenticated and not comment.is_hidden
                           and comment.author_id != user.pk)
        # Formatted once here: the date shows in the comment and labels its reply form.
        comment.when = day_and_hour(comment.created_at, "j F Y")
        if comment.parent_id is None:
            top_level.append(comment)
        else:
            replies.setdefault(comment.parent_id, []).append(comment)
    for comment in top_level:
        comment.thread_replies = replies.get(comment.pk, [])
        comment.may_reply = can_comment and not comment.is_hidden
    return {
        "content_type_id": content_type.pk,
        "object_id": target.pk,
        "comment_url": reverse("participation:comment", args=[content_type.pk, target.pk]),
        "comment_content_type_id": ContentType.objects.get_for_model(Comment).pk,
        "comments": top_level,
        "count": len(comments),
        "stances": stances,
        "tally": stance_tally(top_level) if stances else "",
        "open": open_,
        "can_comment": can_comment,
        "refusal": refusal,
        "form": form,
        "behalf_choices": list(form.fields[BEHALF_FIELD].choices) if form.offers_behalf else [],
        "body_max_length": CommentForm.base_fields["body"].max_length,
    }
