"""Public URLs of one questions component, mounted at /<org_slug>/<space_slug>/elus/<component_id>/."""

from django.urls import path

from concerto.components.questions import views

urlpatterns = [
    path("", views.question_list, name="index"),
    path("poser/", views.question_ask, name="ask"),
    path("similaires/", views.question_similar, name="similar"),
    path("<int:question_id>/", views.question_detail, name="detail"),
    path("<int:question_id>/soutenir/", views.question_support, name="support"),
]
