"""Public URLs of one consultation, mounted at /<org_slug>/<space_slug>/consultation/<component_id>/."""

from django.urls import path

from concerto.components.consultations import views

urlpatterns = [
    path("", views.questionnaire, name="index"),
    path("modifier/", views.questionnaire, {"edit": True}, name="edit"),
    path("merci/", views.confirmation, name="confirmation"),
    path("resultats/", views.results, name="results"),
    path("resultats/questions/<int:question_id>/", views.written_answers, name="written_answers"),
    path("resultats/questions/<int:question_id>/points.geojson", views.points, name="points"),
    path("donnees/reponses.csv", views.open_data_csv, name="csv"),
    path("donnees/reponses.xlsx", views.open_data_xlsx, name="xlsx"),
]
