from allauth.socialaccount.providers.oauth2.urls import default_urlpatterns

from concerto.core.accounts.franceconnect.provider import FranceConnectProvider

# /compte/franceconnect/login/ and /compte/franceconnect/login/callback/ (the redirect URI to declare).
urlpatterns = default_urlpatterns(FranceConnectProvider)
