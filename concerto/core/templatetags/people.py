"""How a person is named on a page: `{% load people %}{{ comment.author|public_name }}`.

The one way every template prints who wrote, proposed, reported or keyed something: the person's public name
(never their email address), or « Participant anonyme » when the account was deleted (author set to None).
"""

from django import template

from concerto.core.accounts.models import ANONYMOUS_PUBLIC_NAME

register = template.Library()


@register.filter(name="public_name")
def public_name(user, fallback=None) -> str:
    """USER's public name; FALLBACK (default « Anonymous participant ») when there is no user any more."""
    if user is None or user == "":
        return str(fallback if fallback is not None else ANONYMOUS_PUBLIC_NAME)
    return user.public_name
