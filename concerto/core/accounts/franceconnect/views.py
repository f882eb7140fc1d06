"""FranceConnect's callback: allauth's OpenID Connect adapter, with the checks FranceConnect calls for."""

from __future__ import annotations

import logging
import time

import jwt
import requests
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from allauth.utils import build_absolute_uri
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from concerto.core.errors import error_page

logger = logging.getLogger(__name__)

NONCE_SESSION_KEY = "franceconnect_nonce"
# The id_token of the FranceConnect session (for the logout at FranceConnect) and the identity it gave.
ID_TOKEN_SESSION_KEY = "franceconnect_id_token"
IDENTITY_SESSION_KEY = "franceconnect_identity"
# eIDAS levels FranceConnect may answer for `acr_values=eidas1` (a higher one is fine).
ACCEPTED_ACR = {"eidas1", "eidas2", "eidas3"}
# The identity claims the verification uses; the rest of the userinfo is not kept in the session.
IDENTITY_CLAIMS = ("sub", "given_name", "family_name", "preferred_username", "birthdate", "birthplace",
                   "birthcountry", "gender")


class FranceConnectAdapter(OpenIDConnectOAuth2Adapter):
    def __init__(self, request) -> None:
        super().__init__(request, "franceconnect")

    def get_callback_url(self, request, app):
        return build_absolute_uri(request, reverse("franceconnect_callback"), self.redirect_uri_protocol)

    def complete_login(self, request, app, token, **kwargs):
        id_token = kwargs["response"].get("id_token")
        if not id_token:
            raise OAuth2Error("FranceConnect sent no id_token")
        claims = self._decode_id_token(app, id_token)
        expected = request.session.pop(NONCE_SESSION_KEY, None)
        if not expected or claims.get("nonce") != expected:
            raise OAuth2Error("nonce mismatch")
        if claims.get("acr") not in ACCEPTED_ACR:
            raise OAuth2Error(f"unexpected acr {claims.get('acr')!r}")
        userinfo = self._fetch_user_info(token.token)
        if userinfo.get("sub") != claims.get("sub"):
            raise OAuth2Error("userinfo and id_token name different people")
        request.session[ID_TOKEN_SESSION_KEY] = id_token
        request.session[IDENTITY_SESSION_KEY] = {
            **{claim: userinfo.get(claim, "") for claim in IDENTITY_CLAIMS}, "at": time.time()}
        return self.get_provider().sociallogin_from_response(request, {"userinfo": userinfo, "id_token": claims})

    def _decode_id_token(self, app, id_token: str) -> dict:
        # Always checked against the provider's keys (allauth skips the signature when the token came over
        # TLS: FranceConnect's own guidance is to check it).
        return self._verify_jwt(app, id_token)

    def _verify_jwt(self, app, credential: str) -> dict:
        header = jwt.get_unverified_header(credential)
        if header.get("alg", "").startswith("HS"):
            # HS256: signed with the client secret (FranceConnect v1, and test providers).
            try:
                return jwt.decode(credential, key=app.secret, algorithms=[header["alg"]], audience=app.client_id,
                                  issuer=self.openid_config["issuer"])
            except jwt.PyJWTError as error:
                raise OAuth2Error("Invalid id_token") from error
        return jwtkit.verify_and_decode(
            credential=credential, keys_url=self.openid_config["jwks_uri"], issuer=self.openid_config["issuer"],
            audience=app.client_id, lookup_kid=jwtkit.lookup_kid_jwk, verify_signature=True)

    def _fetch_user_info(self, access_token: str) -> dict:
        """FranceConnect v2 answers the userinfo as a signed JWT (application/jwt); v1 as JSON."""
        headers = {"Authorization": f"Bearer {access_token}"}
        with get_adapter().get_requests_session() as session:
            response = session.get(self.profile_url, headers=headers)
            response.raise_for_status()
        if response.headers.get("Content-Type", "").split(";")[0].strip() == "application/jwt":
            return self._verify_jwt(self.get_provider().app, response.text.strip())
        return response.json()


def unavailable(request, error=None):
    """The page when FranceConnect does not answer (down, slow, or an answer that makes no sense)."""
    logger.warning("FranceConnect unavailable: %s", error)
    return error_page(
        request, 503, _("FranceConnect is not answering"),
        _("FranceConnect is not answering at the moment. Try again in a few minutes, or sign in with your e-mail "
          "address; to verify your residence, the other ways of your commune still work."))


def _adapter_view(view_class):
    view = view_class.adapter_view(FranceConnectAdapter)

    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except SocialApp.DoesNotExist:  # FranceConnect is not configured on this installation
            raise Http404("FranceConnect is not configured") from None
        except (requests.RequestException, ValueError) as error:  # the discovery document, before the redirect
            return unavailable(request, error)

    return wrapped


oauth2_login = _adapter_view(OAuth2LoginView)
oauth2_callback = _adapter_view(OAuth2CallbackView)
