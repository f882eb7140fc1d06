from django.urls import path

from concerto.core.accounts import views

app_name = "accounts"
urlpatterns = [
    path("profil/", views.profile, name="profile"),
    path("profil/retirer-consentement/", views.demographics_withdraw, name="demographics_withdraw"),
    path("mes-donnees/", views.data_export, name="data_export"),
    path("supprimer/", views.account_delete, name="delete"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/tout-lu/", views.notifications_mark_read, name="notifications_mark_read"),
    path("notifications/<int:notification_id>/", views.notification_open, name="notification_open"),
    path("jetons/", views.tokens, name="tokens"),
    path("jetons/<int:token_id>/revoquer/", views.token_revoke, name="token_revoke"),
]
