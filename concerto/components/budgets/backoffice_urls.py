"""Back-office URLs of one budgets component.

Mounted at /gestion/<org_slug>/<space_slug>/budget-participatif/<component_id>/ (namespace "budgets_backoffice").
"""

from django.urls import path

from concerto.components.budgets import backoffice_paper_views, backoffice_results_views, backoffice_views

urlpatterns = [
    # Budgets, categories, review of projects, ballot list, follow-up (backoffice_views.py).
    path("", backoffice_views.project_list, name="index"),
    path("enveloppes/", backoffice_views.budget_list, name="budgets"),
    path("enveloppes/<int:budget_id>/modifier/", backoffice_views.budget_edit, name="budget_edit"),
    path("enveloppes/<int:budget_id>/bulletin/", backoffice_views.ballot_list, name="ballot_list"),
    path("categories/", backoffice_views.category_list, name="categories"),
    path("categories/<int:category_id>/modifier/", backoffice_views.category_edit, name="category_edit"),
    path("categories/<int:category_id>/supprimer/", backoffice_views.category_delete, name="category_delete"),
    path("idees/", backoffice_views.ideas_convert, name="ideas"),
    path("doublons/", backoffice_views.project_duplicates, name="duplicates"),
    path("projets/<int:project_id>/", backoffice_views.project_review, name="review"),
    path("projets/<int:project_id>/fusionner/", backoffice_views.project_merge, name="merge"),
    path("projets/<int:project_id>/suivi/", backoffice_views.project_followup, name="followup"),
    path("export.csv", backoffice_views.export_csv, name="export_csv"),
    path("export.xlsx", backoffice_views.export_xlsx, name="export_xlsx"),
    # Paper ballots, double entry (backoffice_paper_views.py).
    path("papier/<int:budget_id>/", backoffice_paper_views.paper_entry, name="paper"),
    path("papier/<int:budget_id>/a-verifier/", backoffice_paper_views.paper_mismatches, name="paper_mismatches"),
    # Results: count, publish, pabulib import (backoffice_results_views.py).
    path("resultats/<int:budget_id>/", backoffice_results_views.result_detail, name="results"),
    path("import-pabulib/", backoffice_results_views.pabulib_import, name="import"),
]
