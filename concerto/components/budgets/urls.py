"""Public URLs of one budgets component, mounted at /<org_slug>/<space_slug>/budget-participatif/<component_id>/."""

from django.urls import path

from concerto.components.budgets import results_views, views, vote_views

urlpatterns = [
    # Projects: submission, list, map, page, follow-up (views.py).
    path("", views.project_list, name="index"),
    path("carte.geojson", views.project_points, name="points"),
    path("deposer/", views.project_create, name="create"),
    path("similaires/", views.project_similar, name="similar"),
    path("projets/<int:project_id>/", views.project_detail, name="project"),
    path("projets/<int:project_id>/modifier/", views.project_edit, name="edit"),
    path("projets/<int:project_id>/retirer/", views.project_withdraw, name="withdraw"),
    path("suivi/", views.followup_list, name="followup"),
    # Voting (vote_views.py).
    path("voter/", vote_views.vote_home, name="vote"),
    path("voter/<int:budget_id>/", vote_views.ballot_edit, name="ballot"),
    # Results and open data (results_views.py).
    path("resultats/", results_views.results_home, name="results"),
    path("resultats/<int:budget_id>/", results_views.budget_results, name="budget_results"),
    path("resultats/<int:budget_id>/bulletins.pb", results_views.pabulib_export, name="pabulib"),
]
