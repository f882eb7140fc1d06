"""Back-office URLs of one events component (namespace "events_backoffice"),
mounted at /gestion/<org_slug>/<space_slug>/rencontres/<component_id>/."""

from django.urls import path

from concerto.components.events import backoffice_minutes_views, backoffice_room_views, backoffice_views

urlpatterns = [
    # Events and registrations (backoffice_views.py).
    path("", backoffice_views.event_list, name="index"),
    path("nouvelle/", backoffice_views.event_create, name="create"),
    path("<int:event_id>/", backoffice_views.event_edit, name="edit"),
    path("<int:event_id>/annuler/", backoffice_views.event_cancel, name="cancel"),
    path("<int:event_id>/inscrits/", backoffice_views.registration_list, name="registrations"),
    path("<int:event_id>/inscrits/export.csv", backoffice_views.registration_export, name="registrations_csv"),
    # At the door and in the room (backoffice_room_views.py).
    path("<int:event_id>/accueil/", backoffice_room_views.checkin, name="checkin"),
    path("<int:event_id>/accueil/sur-place/", backoffice_room_views.walk_in, name="walk_in"),
    path("<int:event_id>/direct/", backoffice_room_views.board_moderation, name="board"),
    # After the event (backoffice_minutes_views.py).
    path("<int:event_id>/compte-rendu/", backoffice_minutes_views.minutes_edit, name="minutes"),
    path("<int:event_id>/contributions/", backoffice_minutes_views.room_contributions, name="contributions"),
    path("chiffres/", backoffice_minutes_views.figures, name="figures"),
]
