"""The news of one space (all its news components), mounted at /<org_slug>/<space_slug>/actualites/."""

from django.urls import path

from concerto.components.news import feeds

urlpatterns = [
    path("flux.atom", feeds.SpaceFeed(), name="feed"),
]
