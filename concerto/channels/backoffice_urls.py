"""The chat's back-office pages, mounted at /gestion/<org>/canaux/ (concerto/urls.py, beside moderation and
the background jobs; "canaux" is kept out of space slugs by spaces.services.BACKOFFICE_WORDS)."""

from django.urls import path

from concerto.channels import backoffice_views as views
from concerto.channels import broadcast_views

app_name = "channels_backoffice"
urlpatterns = [
    path("", views.channels, name="channels"),
    path("nouveau/<str:platform>/", views.channel_create, name="channel_create"),
    path("<int:channel_id>/", views.channel_edit, name="channel_edit"),
    path("<int:channel_id>/tester/", views.channel_check, name="channel_check"),
    path("<int:channel_id>/desactiver/", views.channel_deactivate, name="channel_deactivate"),
    path("chiffres/", views.figures, name="figures"),
    path("chiffres/canaux.csv", views.figures_csv, name="figures_csv"),
    path("agents/", views.tickets, name="tickets"),
    path("agents/<int:ticket_id>/", views.ticket, name="ticket"),
    path("agents/<int:ticket_id>/fermer/", views.ticket_close, name="ticket_close"),
    path("diffusions/", broadcast_views.broadcast_list, name="broadcasts"),
    path("diffusions/nouvelle/", broadcast_views.broadcast_create, name="broadcast_create"),
]
