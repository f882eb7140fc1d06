"""Back-office URLs of one news component.

Mounted at /gestion/<org_slug>/<space_slug>/actualites/<component_id>/ (namespace "news_backoffice").
"""

from django.urls import path

from concerto.components.news import backoffice_views as views

urlpatterns = [
    path("", views.post_list, name="index"),
    path("nouvelle/", views.post_create, name="create"),
    path("<int:post_id>/modifier/", views.post_edit, name="edit"),
    path("<int:post_id>/publier/", views.post_publish, name="publish"),
    path("<int:post_id>/depublier/", views.post_unpublish, name="unpublish"),
    path("<int:post_id>/supprimer/", views.post_delete, name="delete"),
]
