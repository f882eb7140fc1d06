from django.urls import path

from concerto.core.territory import backoffice_views as views

app_name = "territory_backoffice"
urlpatterns = [
    path("", views.boundaries, name="boundaries"),
]
