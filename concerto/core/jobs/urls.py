from django.urls import path

from concerto.core.jobs import views

# Mounted at /gestion/<org>/taches/ ("taches" is kept out of space slugs: see BACKOFFICE_WORDS).
app_name = "jobs"
urlpatterns = [
    path("", views.job_list, name="list"),
    path("<int:job_id>/", views.job_detail, name="detail"),
    path("<int:job_id>/fichier/", views.job_download, name="download"),
]
