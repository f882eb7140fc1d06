"""The FranceConnect provider: allauth's OpenID Connect provider with FranceConnect's parameters."""

from __future__ import annotations

import secrets

from allauth.account.models import EmailAddress
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider, _pick_data
from django.urls import reverse

from concerto.core.accounts.franceconnect.views import NONCE_SESSION_KEY, FranceConnectAdapter

PROVIDER_ID = "franceconnect"
# Everything the resident verification needs, and the e-mail address to find or create the account.
SCOPES = ["openid", "given_name", "family_name", "birthdate", "birthplace", "birthcountry", "gender",
          "preferred_username", "email"]
# eIDAS "low" (substantial and high are for sensitive services): what FranceConnect grants to communes.
ACR = "eidas1"


class FranceConnectProvider(OpenIDConnectProvider):
    id = PROVIDER_ID
    name = "FranceConnect"
    oauth2_adapter_class = FranceConnectAdapter
    supports_token_authentication = False

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.name = "FranceConnect"

    def get_login_url(self, request, **kwargs):
        return super(OpenIDConnectProvider, self).get_login_url(request, **kwargs)

    def get_callback_url(self):
        return reverse(f"{self.id}_callback")

    def get_oauth2_adapter(self, request):
        return self.oauth2_adapter_class(request)

    def get_default_scope(self):
        return list(SCOPES)

    # What a visitor's URL carries never changes what is asked of FranceConnect.
    def get_scope_from_request(self, request):
        return self.get_scope()

    def get_auth_params_from_request(self, request, action):
        return self.get_auth_params()

    def get_auth_params(self):
        return {"acr_values": ACR, **super().get_auth_params()}

    def redirect(self, request, process, next_url=None, data=None, **kwargs):
        # allauth sends no nonce; FranceConnect requires one and puts it back in the id_token, where the
        # callback checks it (a replayed or injected id_token carries another one).
        nonce = secrets.token_urlsafe(32)
        request.session[NONCE_SESSION_KEY] = nonce
        auth_params = kwargs.pop("auth_params", None) or self.get_auth_params()
        auth_params["nonce"] = nonce
        return super().redirect(request, process, next_url=next_url, data=data, auth_params=auth_params,
                                **kwargs)

    def sociallogin_from_response(self, request, response):
        login = super().sociallogin_from_response(request, response)
        # allauth would keep the whole userinfo on the account (names, birth date and place): only the
        # pseudonymous `sub` is kept; the identity lives in the session just long enough to verify.
        login.account.extra_data = {"sub": login.account.uid}
        return login

    def extract_common_fields(self, data):
        fields = super().extract_common_fields(data)
        fields.pop("username", None)  # accounts have no user name; the public name is the person's choice
        return fields

    def extract_email_addresses(self, data):
        # FranceConnect's identity providers (tax office, health insurance...) only give addresses they
        # have confirmed, but the claim `email_verified` is not sent: the address counts as verified for
        # signing up, never for taking over an existing account (see adapter.FranceConnectAccountAdapter).
        email = _pick_data(data).get("email")
        return [EmailAddress(email=email.lower(), verified=True, primary=True)] if email else []


provider_classes = [FranceConnectProvider]
