"""Organisation-wide URLs, mounted at /<org_slug>/rencontres/: the agenda of an organisation and everything
below it (the Métropole's agenda is the whole Métropole's), its iCalendar feed, and a person's feed."""

from django.urls import path

from concerto.components.events import views

urlpatterns = [
    path("", views.agenda, name="agenda"),
    path("", views.agenda, name="index"),  # the name organisation pages link to
    path("agenda.ics", views.organisation_feed, name="feed"),
    path("mes-inscriptions/<str:token>.ics", views.user_feed, name="user_feed"),
]
