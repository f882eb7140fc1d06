"""Back-office URLs of one polls component.

Mounted at /gestion/<org_slug>/<space_slug>/sondages/<component_id>/ (namespace "polls_backoffice").
"""

from django.urls import path

from concerto.components.polls import backoffice_views as views

urlpatterns = [
    path("", views.poll_list, name="index"),
    path("nouveau/", views.poll_create, name="create"),
    path("<int:poll_id>/", views.poll_results_page, name="results"),
    path("<int:poll_id>/modifier/", views.poll_edit, name="edit"),
    path("<int:poll_id>/publier/", views.poll_publish, name="publish"),
    path("<int:poll_id>/clore/", views.poll_close, name="close"),
    path("<int:poll_id>/reponses.csv", views.answers_csv, name="answers_csv"),
]
