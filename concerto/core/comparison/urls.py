from django.urls import path

from concerto.core.comparison import views

app_name = "comparison"

urlpatterns = [
    path("", views.page, name="page"),
    path("comparaison.csv", views.download, name="csv"),
]
