"""Back-office URLs of one consultation.

Mounted at /gestion/<org_slug>/<space_slug>/consultation/<component_id>/ (namespace "consultations_backoffice").
"""

from django.urls import path

from concerto.components.consultations import backoffice_views as views

urlpatterns = [
    path("", views.builder, name="index"),
    path("introduction/", views.intro_edit, name="intro"),
    path("sections/nouvelle/", views.section_create, name="section_create"),
    path("sections/<int:section_id>/modifier/", views.section_edit, name="section_edit"),
    path("sections/<int:section_id>/supprimer/", views.section_delete, name="section_delete"),
    path("sections/<int:section_id>/deplacer/", views.section_move, name="section_move"),
    path("sections/<int:section_id>/questions/nouvelle/", views.question_create, name="question_create"),
    path("questions/<int:question_id>/modifier/", views.question_edit, name="question_edit"),
    path("questions/<int:question_id>/supprimer/", views.question_delete, name="question_delete"),
    path("questions/<int:question_id>/deplacer/", views.question_move, name="question_move"),
    path("reponses-possibles/<int:option_id>/deplacer/", views.option_move, name="option_move"),
    path("reponses/", views.response_list, name="responses"),
    path("reponses/saisir/", views.paper_entry, name="paper_entry"),
    path("reponses/<int:response_id>/supprimer/", views.response_delete, name="response_delete"),
    path("export.csv", views.export_csv, name="export_csv"),
    path("export.xlsx", views.export_xlsx, name="export_xlsx"),
]
