from django.urls import path

from concerto.core.participation import backoffice_views as views

app_name = "participation_backoffice"
CONTENT = "<int:content_type_id>/<int:object_id>"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("masques/", views.hidden, name="hidden"),
    path(f"contenu/{CONTENT}/masquer/", views.hide, name="hide"),
    path(f"contenu/{CONTENT}/retablir/", views.restore, name="restore"),
    path(f"contenu/{CONTENT}/classer/", views.dismiss, name="dismiss"),
]
