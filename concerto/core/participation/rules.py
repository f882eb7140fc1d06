"""Who may comment, follow and report (found by rules' autodiscovery at start-up).

Core does not know the components, so it asks the commented object through a small protocol:
the object has `is_public` (a property) and `component` (a spaces.Component). A component opts in to
comments by declaring a global setting `comments_enabled` and, if comments may close from one step
to the next, a step setting `comments_open` (see docs/adding-a-component.md).
"""

import rules
from django.utils.translation import gettext as _


def comments_allowed(target) -> bool:
    """True when TARGET is public and its component's settings let people comment now."""
    if target is None or not getattr(target, "is_public", False):
        return False
    component = getattr(target, "component", None)
    if component is None:
        return False
    try:
        manifest = component.manifest
    except LookupError:
        return False
    if "comments_enabled" not in {setting.name for setting in manifest.settings}:
        return False
    if not component.setting("comments_enabled"):
        return False
    if "comments_open" in {setting.name for setting in manifest.step_settings}:
        return bool(component.step_setting("comments_open"))
    return True


@rules.predicate
def comments_open_on(user, target) -> bool:
    return comments_allowed(target)


rules.add_perm("participation.comment", rules.is_authenticated & comments_open_on)


def comment_vote_refusal(user, comment) -> str:
    """Why USER may not vote on COMMENT now, in words for them; "" when they may."""
    if user is None or not user.is_authenticated:
        return _("Sign in to vote on comments.")
    if comment.is_hidden or not comment.is_public:
        return _("This comment cannot receive votes.")
    if comment.author_id is not None and comment.author_id == user.pk:
        return _("You cannot vote on your own comment.")
    if not comments_allowed(comment.target):
        return _("Comments are closed here: votes on comments are closed too.")
    return ""


@rules.predicate
def may_vote_on_comment(user, comment) -> bool:
    return not comment_vote_refusal(user, comment)


rules.add_perm("participation.vote_comment", may_vote_on_comment)
