"""`{% allowed_url "events_backoffice:figures" org space component as url %}`: the URL, or "" when the user
of the request may not open it, so a page links only what opens for its reader:

    {% allowed_url "news_backoffice:create" organisation.slug space.slug component.pk as create_url %}
    {% if create_url %}<a href="{{ create_url }}">…</a>{% endif %}

The permission is the one the view declares (`backoffice_view`), read by `permissions.may_open`: a page
and its links cannot disagree.
"""

from django import template
from django.urls import NoReverseMatch, reverse

from concerto.core.accounts.permissions import may_open

register = template.Library()


@register.simple_tag(takes_context=True)
def allowed_url(context, name, *args, **kwargs) -> str:
    request = context.get("request")
    try:
        url = reverse(name, args=args or None, kwargs=kwargs or None)
    except NoReverseMatch:
        return ""
    return url if request is not None and may_open(request.user, url) else ""
