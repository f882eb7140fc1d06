"""Back-office URLs of one proposals component.

Mounted at /gestion/<org_slug>/<space_slug>/propositions/<component_id>/ (namespace "proposals_backoffice").
"""

from django.urls import path

from concerto.components.proposals import backoffice_views as views

urlpatterns = [
    path("", views.proposal_list, name="index"),
    path("actions-groupees/", views.bulk_action, name="bulk"),
    path("doublons/", views.proposal_duplicates, name="duplicates"),
    path("<int:proposal_id>/repondre/", views.proposal_answer, name="answer"),
    path("categories/", views.category_list, name="categories"),
    path("categories/<int:category_id>/modifier/", views.category_edit, name="category_edit"),
    path("categories/<int:category_id>/supprimer/", views.category_delete, name="category_delete"),
    path("export.csv", views.export_csv, name="export_csv"),
    path("export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("export.json", views.export_json, name="export_json"),
]
