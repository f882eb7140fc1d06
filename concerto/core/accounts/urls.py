from django.urls import path

from concerto.core.accounts import verification_views, views

# The "accounts" namespace also holds the notifications pages, which are participation's
# (participation.urls.account_urlpatterns): concerto/urls.py mounts both lists under /compte/.
app_name = "accounts"
urlpatterns = [
    path("profil/", views.profile, name="profile"),
    path("profil/retirer-consentement/", views.demographics_withdraw, name="demographics_withdraw"),
    path("profil/quartier/", views.quartier_confirm, name="quartier_confirm"),
    path("profil/quartier/adresse/", views.quartier_from_address, name="quartier_from_address"),
    path("mes-donnees/", views.data_export, name="data_export"),
    path("supprimer/", views.account_delete, name="delete"),
    path("jetons/", views.tokens, name="tokens"),
    path("jetons/<int:token_id>/revoquer/", views.token_revoke, name="token_revoke"),
    # The one-time link sent to a new staff member (accounts/enrolment.py).
    path("activer-mes-roles/<str:token>/", views.role_enrolment, name="role_enrolment"),
    # Resident verification ("Vérifier ma résidence"); see verification.verification_url().
    path("residence/", verification_views.choose, name="verification"),
    path("residence/<slug:org_slug>/", verification_views.start, name="verification_start"),
    path("residence/<slug:org_slug>/liste/", verification_views.census, name="verification_census"),
    path("residence/<slug:org_slug>/code/", verification_views.code_request, name="verification_code_request"),
    path("residence/<slug:org_slug>/code/saisir/", verification_views.code_enter,
         name="verification_code_enter"),
    path("residence/<slug:org_slug>/franceconnect/", verification_views.franceconnect_start,
         name="verification_franceconnect"),
    path("residence/<slug:org_slug>/franceconnect/retour/", verification_views.franceconnect_finish,
         name="verification_franceconnect_finish"),
]
