from allauth.socialaccount.providers.oauth2.urls import default_urlpatterns
from django.urls import path

from concerto.core.accounts.franceconnect.logout import logout_return
from concerto.core.accounts.franceconnect.provider import FranceConnectProvider

# /compte/franceconnect/login/ and /compte/franceconnect/login/callback/ (the redirect URI to declare), and
# /compte/franceconnect/deconnexion/retour/ (the post-logout redirect URI to declare).
urlpatterns = default_urlpatterns(FranceConnectProvider) + [
    path("franceconnect/deconnexion/retour/", logout_return, name="franceconnect_logout_return"),
]
