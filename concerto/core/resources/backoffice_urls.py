"""The agents' pages, mounted at /gestion/<org_slug>/ressources/."""

from django.urls import path

from concerto.core.resources import backoffice_views as views

app_name = "resources_backoffice"
urlpatterns = [
    path("", views.template_list, name="templates"),
    path("publier/<int:space_id>/", views.template_publish, name="template_publish"),
    path("modeles/<int:template_id>/utiliser/", views.template_use, name="template_use"),
    path("modeles/<int:template_id>/retirer/", views.template_unpublish, name="template_unpublish"),
    path("exemples/partager/<int:space_id>/", views.example_share, name="example_share"),
    path("exemples/<int:example_id>/retirer/", views.example_unshare, name="example_unshare"),
    path("guides/", views.guide_list, name="guides"),
    path("guides/nouveau/", views.guide_create, name="guide_create"),
    path("guides/<int:guide_id>/", views.guide_edit, name="guide_edit"),
]
