"""The public pages: `site_urlpatterns` at /suivi/ (the whole Métropole), `organisation_urlpatterns` at
/<commune>/suivi/, `space_urlpatterns` at /<commune>/<space>/suivi/, `account_urlpatterns` under /compte/."""

from django.urls import path

from concerto.core.accountability import views

site_urlpatterns = ([
    path("", views.metropole_tracker, name="metropole"),
    path("actions.geojson", views.actions_geojson, name="actions_geojson"),
], "accountability_site")

organisation_urlpatterns = ([
    path("", views.organisation_tracker, name="organisation"),
    path("actions.geojson", views.actions_geojson, name="actions_geojson"),
    path("decisions/<int:decision_id>/", views.decision_detail, name="decision"),
    path("<slug:space_slug>/", views.space_tracker, name="space"),
], "accountability")

account_urlpatterns = ([
    path("", views.my_contributions, name="mine"),
], "accountability_account")
