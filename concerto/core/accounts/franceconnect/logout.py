"""Leaving FranceConnect when leaving Concerto: its end-session endpoint, with the id_token as a hint, and the
way back, whose `state` is checked.

The order of allauth's logout: the redirect URL is asked first (`end_session_url`, the session still holds the
id_token), then the session is flushed. The state drawn for FranceConnect is kept on the request and written
into the new, anonymous session once the old one is gone (`keep_state_after_logout`, from the account adapter's
`logout`). FranceConnect sends the browser back to `logout_return` with that state: it is taken out of the
session (good once), and a return without it, or with another one, changes nothing and says so in French.
"""

from __future__ import annotations

import logging
import secrets
from urllib.parse import urlencode

import requests
from allauth.socialaccount.models import SocialApp
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from concerto.core.accounts.franceconnect.views import ID_TOKEN_SESSION_KEY, FranceConnectAdapter
from concerto.core.errors import error_page

logger = logging.getLogger(__name__)

LOGOUT_STATE_SESSION_KEY = "franceconnect_logout_state"
_PENDING_STATE = "_concerto_franceconnect_logout_state"  # on the request, between the URL and the flush
MAX_STATE_LENGTH = 200


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
    state = secrets.token_urlsafe(24)
    setattr(request, _PENDING_STATE, state)
    back = request.build_absolute_uri(reverse("franceconnect_logout_return"))
    query = {"id_token_hint": id_token, "state": state, "post_logout_redirect_uri": back}
    return f"{endpoint}?{urlencode(query)}"


def keep_state_after_logout(request) -> None:
    """Once the signed-in session is flushed, the new one remembers the state sent to FranceConnect."""
    state = getattr(request, _PENDING_STATE, "")
    if state:
        request.session[LOGOUT_STATE_SESSION_KEY] = state


@require_safe
def logout_return(request):
    """Where FranceConnect sends the browser back after its logout. Only the state this browser was given,
    once, is accepted; otherwise nothing is done (nobody is signed out by a forged link) and the page says so."""
    expected = request.session.pop(LOGOUT_STATE_SESSION_KEY, "")
    given = request.GET.get("state", "")[:MAX_STATE_LENGTH]
    if expected and given and secrets.compare_digest(expected.encode(), given.encode()):
        messages.success(request, _("You are signed out of FranceConnect too."))
        return redirect(settings.ACCOUNT_LOGOUT_REDIRECT_URL)
    logger.info("FranceConnect logout return refused: %s state", "wrong" if given else "missing")
    return error_page(
        request, 400, _("This return from FranceConnect could not be checked"),
        _("Nothing was changed: this link does not come from a sign-out started here, or it was already used. "
          "To sign out, use “Sign out” in your account menu; on a shared computer, close the browser when you "
          "are done."))


__all__ = ["end_session_url", "keep_state_after_logout", "logout_return"]
