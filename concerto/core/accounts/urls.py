from django.urls import path

from concerto.core.accounts import verification_views, views

app_name = "accounts"
urlpatterns = [
    path("profil/", views.profile, name="profile"),
    path("profil/retirer-consentement/", views.demographics_withdraw, name="demographics_withdraw"),
    path("mes-donnees/", views.data_export, name="data_export"),
    path("supprimer/", views.account_delete, name="delete"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/tout-lu/", views.notifications_mark_read, name="notifications_mark_read"),
    path("notifications/reglages/", views.notification_settings, name="notification_settings"),
    path("notifications/<int:notification_id>/", views.notification_open, name="notification_open"),
    path("jetons/", views.tokens, name="tokens"),
    path("jetons/<int:token_id>/revoquer/", views.token_revoke, name="token_revoke"),
    # Resident verification ("Vérifier ma résidence"); see verification.verification_url().
    path("residence/", verification_views.choose, name="verification"),
    path("residence/<slug:org_slug>/", verification_views.start, name="verification_start"),
    path("residence/<slug:org_slug>/liste/", verification_views.census, name="verification_census"),
    path("residence/<slug:org_slug>/code/", verification_views.code_request, name="verification_code_request"),
    path("residence/<slug:org_slug>/code/saisir/", verification_views.code_enter,
         name="verification_code_enter"),
]
