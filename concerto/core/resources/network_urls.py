"""The network of practice, mounted at /gestion/<org_slug>/reseau/ (the same network from every back-office)."""

from django.urls import path

from concerto.core.resources import network_views as views

app_name = "network"
urlpatterns = [
    path("", views.home, name="home"),
    path("questions/nouvelle/", views.question_create, name="question_create"),
    path("questions/<int:question_id>/", views.question, name="question"),
    path("modeles/<int:template_id>/", views.template, name="template"),
    path("exemples/<int:example_id>/", views.example, name="example"),
    path("commentaires/<int:comment_id>/masquer/", views.comment_hide, name="comment_hide"),
]
