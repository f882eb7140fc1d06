from django.urls import path

from concerto.core.backoffice import boundaries_views as views

# The namespace keeps its first name: templates and tests reverse "territory_backoffice:boundaries".
app_name = "territory_backoffice"
urlpatterns = [
    path("", views.boundaries, name="boundaries"),
]
