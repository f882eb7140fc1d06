from django.urls import path

from concerto.core.backoffice import views

app_name = "backoffice"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("<slug:org_slug>/", views.organisation, name="organisation"),
    path("<slug:org_slug>/equipe/", views.roles, name="roles"),
    path("<slug:org_slug>/journal/", views.audit, name="audit"),
    path("<slug:org_slug>/<slug:space_slug>/", views.space, name="space"),
]
