"""Back-office URLs of one questions component (namespace "questions_backoffice"), mounted at
/gestion/<org_slug>/<space_slug>/elus/<component_id>/."""

from django.urls import path

from concerto.components.questions import backoffice_views as views

urlpatterns = [
    path("", views.question_list, name="index"),
    path("chiffres/", views.question_figures, name="figures"),
    path("profils/", views.profile_list, name="profiles"),
    path("profils/nouveau/", views.profile_edit, name="profile_create"),
    path("profils/<int:profile_id>/", views.profile_edit, name="profile_edit"),
    path("<int:question_id>/", views.question_detail, name="detail"),
    path("<int:question_id>/attribuer/", views.question_assign, name="assign"),
    path("<int:question_id>/echeance/", views.question_deadline, name="deadline"),
    path("<int:question_id>/repondre/", views.question_answer, name="answer"),
]
