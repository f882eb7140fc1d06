"""Public URLs of one news component, mounted at /<org_slug>/<space_slug>/actualites/<component_id>/."""

from django.urls import path

from concerto.components.news import feeds, views

urlpatterns = [
    path("", views.post_list, name="index"),
    path("flux.atom", feeds.ComponentFeed(), name="feed"),
    path("<int:post_id>/", views.post_detail, name="detail"),
]
