"""Who is calling the API, and what they may do.

Two ways in: the Django session of the site (writes need the CSRF token, as forms do) or a personal
token sent as `Authorization: Bearer <key>`. A token acts for its user. Component routers use
`WRITE_AUTH` on their write endpoints, `api_user()` on reads, and `require_permission()` before
calling their service.
"""

import hashlib

import rules
from django.conf import settings
from django.http import Http404
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, AuthorizationError
from ninja.security import APIKeyCookie, HttpBearer

from concerto.core.accounts.decorators import session_passed_mfa
from concerto.core.accounts.services import authenticate_api_token


def _invalid_token() -> AuthenticationError:
    return AuthenticationError(message=_("This API token is not valid or has been revoked."))


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <key>`. A wrong key is refused outright, without falling back to the session."""

    def authenticate(self, request, token):
        user = authenticate_api_token(token.strip()) if token.strip() else None
        if user is None:
            raise _invalid_token()
        request.api_token_used = True
        return user


class SessionAuth(APIKeyCookie):
    """The site's session; for unsafe methods ninja checks the CSRF token first."""

    param_name = settings.SESSION_COOKIE_NAME

    def authenticate(self, request, key):
        return request.user if request.user.is_authenticated else None


# Order matters: a request with a token never needs a CSRF token.
WRITE_AUTH = [TokenAuth(), SessionAuth()]


def bearer_key(request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _space, key = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return key.strip()


def api_user(request):
    """The user behind a read: the token's user if a token is sent, else the session's (maybe anonymous)."""
    if getattr(request, "auth", None) is not None:
        return request.auth
    key = bearer_key(request)
    if key is None:
        return request.user
    user = authenticate_api_token(key) if key else None
    if user is None:
        raise _invalid_token()
    request.api_token_used = True
    request.auth = user
    return user


def api_sender(request) -> str:
    """Who sends, for the send limits (core/ratelimit.py): the API token when one is used, else the session's
    account (or address)."""
    from concerto.core import ratelimit

    key = bearer_key(request)
    if key:
        return ratelimit.sender_of_key("token", hashlib.sha256(key.encode()).hexdigest()[:32])
    return ratelimit.sender_of(request)


def require_permission(request, permission: str, obj, *, hidden: str = "") -> None:
    """Raise a 403 unless the caller holds PERMISSION on OBJ. With HIDDEN (a "not found" message), a caller
    without the permission gets a 404 with it instead: for what is not public, so that another commune's
    caller cannot even learn that it exists.

    The check goes to the rules predicates directly, so a Django superuser's token gets no more than
    the roles its user holds. A session must have passed two-factor authentication, as for the
    back-office; tokens are created from such a session.
    """
    user = api_user(request)
    if not user.is_authenticated:
        raise AuthenticationError(message=_("Authentication is required: log in or send an API token."))
    if not getattr(request, "api_token_used", False) and not session_passed_mfa(request):
        raise AuthorizationError(message=_(
            "Confirm your identity with two-factor authentication on the site, or use an API token."
        ))
    if not rules.has_perm(permission, user, obj):
        if hidden:
            raise Http404(hidden)
        raise AuthorizationError(message=_("You do not have permission to do this in this organisation."))
