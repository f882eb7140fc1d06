"""Leaving FranceConnect when leaving Concerto: its end-session endpoint, with the id_token as a hint."""

from __future__ import annotations

import logging
import secrets
from urllib.parse import urlencode

import requests
from allauth.socialaccount.models import SocialApp
from django.conf import settings
from django.urls import reverse

from concerto.core.accounts.franceconnect.views import ID_TOKEN_SESSION_KEY, FranceConnectAdapter

logger = logging.getLogger(__name__)


def end_session_url(request) -> str:
    """FranceConnect's logout address for this session, or "" (not signed in through it, or it is down:
    the person is then signed out of Concerto only, which is what they asked first)."""
    id_token = request.session.get(ID_TOKEN_SESSION_KEY)
    if not id_token:
        return ""
    try:
        config = FranceConnectAdapter(request).openid_config
    except (requests.RequestException, ValueError, SocialApp.DoesNotExist) as error:
        logger.warning("FranceConnect logout skipped: %s", error)
        return ""
    endpoint = config.get("end_session_endpoint")
    if not endpoint:
        return ""
    back = request.build_absolute_uri(reverse(settings.ACCOUNT_LOGOUT_REDIRECT_URL))
    query = {"id_token_hint": id_token, "state": secrets.token_urlsafe(16), "post_logout_redirect_uri": back}
    return f"{endpoint}?{urlencode(query)}"


__all__ = ["end_session_url"]
