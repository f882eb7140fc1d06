from django.urls import path

from concerto.core.accountability import backoffice_views as views

app_name = "accountability_backoffice"
urlpatterns = [
    path("", views.decision_list, name="decisions"),
    path("nouvelle/", views.decision_create, name="decision_create"),
    path("chiffres/", views.figures, name="figures"),
    path("chiffres.csv", views.figures_csv, name="figures_csv"),
    path("<int:decision_id>/", views.decision_detail, name="decision"),
    path("<int:decision_id>/modifier/", views.decision_edit, name="decision_edit"),
    path("<int:decision_id>/supprimer/", views.decision_delete, name="decision_delete"),
    path("<int:decision_id>/contributions/", views.decision_links, name="decision_links"),
    path("<int:decision_id>/contributions/<int:link_id>/retirer/", views.link_remove, name="link_remove"),
    path("<int:decision_id>/actions/nouvelle/", views.action_create, name="action_create"),
    path("actions/<int:action_id>/", views.action_edit, name="action"),
    path("actions/<int:action_id>/avancement/", views.action_progress, name="action_progress"),
    path("actions/<int:action_id>/photos/", views.action_photo, name="action_photo"),
    path("actions/<int:action_id>/supprimer/", views.action_delete, name="action_delete"),
]
