"""Public URLs of one events component, mounted at /<org_slug>/<space_slug>/rencontres/<component_id>/."""

from django.urls import path

from concerto.components.events import minutes_views, room_views, views

urlpatterns = [
    # Events and registrations (views.py).
    path("", views.event_list, name="index"),
    path("carte.geojson", views.event_points, name="points"),
    path("<int:event_id>/", views.event_detail, name="detail"),
    path("<int:event_id>/inscription/", views.registration_create, name="register"),
    path("<int:event_id>/desinscription/", views.registration_cancel, name="cancel"),
    path("<int:event_id>/billet/", views.ticket, name="ticket"),
    path("<int:event_id>/billet/qr.svg", views.ticket_qr, name="ticket_qr"),
    path("<int:event_id>/billet/<str:token>/qr.png", views.ticket_qr_png, name="ticket_qr_png"),
    path("<int:event_id>/evenement.ics", views.event_ics, name="ics"),
    # The live board during the event (room_views.py).
    path("<int:event_id>/direct/", room_views.board, name="board"),
    path("<int:event_id>/direct/messages/", room_views.board_posts, name="board_posts"),
    path("<int:event_id>/direct/<int:post_id>/voter/", room_views.board_vote, name="board_vote"),
    path("<int:event_id>/direct/projection/", room_views.projection, name="projection"),
    # Minutes (minutes_views.py).
    path("<int:event_id>/compte-rendu/", minutes_views.minutes, name="minutes"),
]
