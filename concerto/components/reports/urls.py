"""Public URLs of one reports component, mounted at /<org_slug>/<space_slug>/signalements/<component_id>/:
the form, the map and list of the reports of the component's organisation (views.py)."""

from django.urls import path

from concerto.components.reports import views

urlpatterns = [
    path("", views.report_map, name="index"),
    path("liste/", views.report_list, name="list"),
    path("carte.geojson", views.report_points, name="points"),
    path("signaler/", views.report_create, name="create"),
    path("signaler/questions/", views.category_questions, name="questions"),
    path("signaler/proches/", views.nearby_reports, name="nearby"),
    path("signaler/similaires/", views.similar_reports, name="similar"),
]
