from django.urls import path, re_path

from concerto.core.opendata import views

app_name = "opendata"

urlpatterns = [
    path("", views.index, name="index"),
    re_path(r"^catalogue\.(?P<fmt>jsonld|ttl)$", views.catalogue_view, name="catalogue"),
    path("<slug:scope>/", views.index, name="scope"),
    path("<slug:scope>/<slug:name>/", views.dataset, name="dataset"),
    path("<slug:scope>/<slug:name>/datapackage.json", views.datapackage, name="datapackage"),
    re_path(r"^(?P<scope>[-\w]+)/(?P<name>[-\w]+)\.(?P<fmt>csv|json|geojson)$", views.download, name="download"),
]
