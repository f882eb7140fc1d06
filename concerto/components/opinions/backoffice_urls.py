"""Back-office URLs of one opinions component.

Mounted at /gestion/<org_slug>/<space_slug>/debats/<component_id>/ (namespace "opinions_backoffice").
"""

from django.urls import path

from concerto.components.opinions import backoffice_views as views

urlpatterns = [
    path("", views.conversation_list, name="index"),
    path("nouveau/", views.conversation_create, name="create"),
    path("<int:conversation_id>/", views.conversation_results, name="results"),
    path("<int:conversation_id>/modifier/", views.conversation_edit, name="edit"),
    path("<int:conversation_id>/publier/", views.conversation_publish, name="publish"),
    path("<int:conversation_id>/moderation/", views.statement_queue, name="queue"),
    path("<int:conversation_id>/recalculer/", views.groups_recompute, name="recompute"),
    path("<int:conversation_id>/propositions.csv", views.statements_csv, name="statements_csv"),
    path("<int:conversation_id>/polis.zip", views.polis_export, name="polis_zip"),
]
