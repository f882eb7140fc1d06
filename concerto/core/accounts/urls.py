from django.urls import path

from concerto.core.accounts import views

app_name = "accounts"
urlpatterns = [
    path("profil/", views.profile, name="profile"),
    path("notifications/", views.notifications, name="notifications"),
]
