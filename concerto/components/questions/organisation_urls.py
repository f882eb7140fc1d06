"""The commune's elected officials, mounted at /<org_slug>/elus/ (namespace "questions_organisation")."""

from django.urls import path

from concerto.components.questions import views

urlpatterns = [
    path("", views.official_list, name="index"),
    path("<slug:profile_slug>/", views.official_detail, name="official"),
]
