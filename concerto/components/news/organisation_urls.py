"""The news of an organisation, mounted at /<org_slug>/actualites/."""

from django.urls import path

from concerto.components.news import feeds, views

urlpatterns = [
    path("", views.organisation_news, name="index"),
    path("flux.atom", feeds.OrganisationFeed(), name="feed"),
]
