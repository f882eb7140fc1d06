"""How a person is named on a page: `{% load people %}{{ comment.author|public_name }}`, or, for what they contributed,
`{{ comment|signed_name:comment.author }}` (« Nom — au nom de Association X » when they signed for an actor of the
directory, core/participation/behalf.py).

The one way every template prints who wrote, proposed, reported or keyed something: the person's public name
(never their email address), or « Participant anonyme » when the account was deleted (author set to None).
"""

from django import template
from django.utils.translation import gettext as _

from concerto.core.accounts.models import ANONYMOUS_PUBLIC_NAME
from concerto.core.participation.behalf import behalf_name

register = template.Library()


@register.filter(name="public_name")
def public_name(user, fallback=None) -> str:
    """USER's public name; FALLBACK (default « Anonymous participant ») when there is no user any more."""
    if user is None or user == "":
        return str(fallback if fallback is not None else ANONYMOUS_PUBLIC_NAME)
    return user.public_name


@register.filter(name="on_behalf")
def on_behalf(item) -> str:
    """The public name of the actor ITEM was contributed for, or "": for the pages that never name the person (a
    question, a report), through `includes/on_behalf.html`."""
    return behalf_name(item)


@register.filter(name="signed_name")
def signed_name(item, author) -> str:
    """AUTHOR's public name as the signature of ITEM (a proposal, a comment...): followed by « — au nom de <actor> »
    when it was contributed on behalf of an actor of the directory (its public name, never a contact person's)."""
    name = public_name(author)
    actor = behalf_name(item) if author not in (None, "") else ""
    return _("%(name)s — on behalf of %(actor)s") % {"name": name, "actor": actor} if actor else name
