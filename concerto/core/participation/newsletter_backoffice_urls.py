from django.urls import path

from concerto.core.participation import newsletter_backoffice_views as views

app_name = "newsletters_backoffice"
urlpatterns = [
    path("", views.newsletters, name="list"),
    path("nouvelle/", views.newsletter_create, name="create"),
    path("<int:newsletter_id>/", views.newsletter_edit, name="edit"),
    path("<int:newsletter_id>/apercu/", views.newsletter_preview, name="preview"),
    path("<int:newsletter_id>/essai/", views.newsletter_test, name="test"),
    path("<int:newsletter_id>/envoyer/", views.newsletter_send, name="send"),
    path("<int:newsletter_id>/chiffres/", views.newsletter_figures, name="figures"),
]
