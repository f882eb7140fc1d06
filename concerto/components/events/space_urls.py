"""Space-wide URLs, mounted at /<org_slug>/<space_slug>/rencontres/: the space's iCalendar feed."""

from django.urls import path

from concerto.components.events import views

urlpatterns = [
    path("agenda.ics", views.space_feed, name="feed"),
]
