"""`{% load franceconnect %}{% franceconnect_configured as fc %}`: whether this installation has FranceConnect."""

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def franceconnect_configured() -> bool:
    return bool(settings.SOCIALACCOUNT_PROVIDERS.get("franceconnect"))
