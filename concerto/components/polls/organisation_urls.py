"""An organisation's open quick polls, mounted at /<org_slug>/sondages/ (namespace "polls_organisation")."""

from django.urls import path

from concerto.components.polls import views

urlpatterns = [
    path("", views.organisation_index, name="index"),
]
