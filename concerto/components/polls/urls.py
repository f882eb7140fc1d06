"""Public URLs of one polls component, mounted at /<org_slug>/<space_slug>/sondages/<component_id>/."""

from django.urls import path

from concerto.components.polls import views

urlpatterns = [
    path("", views.poll_list, name="index"),
    path("<int:poll_id>/", views.poll_detail, name="detail"),
]
