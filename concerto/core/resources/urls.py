"""The public pages, mounted at /metropole/ressources/ (before the organisations' own addresses)."""

from django.urls import path

from concerto.core.resources import views

app_name = "resources"
urlpatterns = [
    path("", views.resource_centre, name="centre"),
    path("modeles/<slug:template_slug>/", views.template_detail, name="template"),
    path("guides/<slug:guide_slug>/", views.guide_detail, name="guide"),
]
