"""FranceConnect, the State's identity federation, as an allauth provider built on its OpenID Connect one.

What allauth's `openid_connect` provider does not do and FranceConnect needs is added here (see views.py):
a `nonce` checked against the id_token, `acr_values=eidas1` and the `acr` checked, the userinfo answered as
a signed JWT (FranceConnect v2), the end-session logout with `id_token_hint`, and the identity kept in the
session for the resident verification (concerto.core.accounts.verification.franceconnect).
"""
