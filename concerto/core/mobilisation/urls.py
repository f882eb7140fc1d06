"""The public page of a space's published plan, mounted at /<org>/<space>/concertation/; `account_urlpatterns`: the
person's actors (« Mes organisations »), under /compte/organisations/."""

from django.urls import path

from concerto.core.mobilisation import views

app_name = "mobilisation"
urlpatterns = [path("", views.plan, name="plan")]

account_urlpatterns = ([
    path("", views.memberships, name="memberships"),
    path("<int:member_id>/confirmer/", views.membership_confirm, name="membership_confirm"),
    path("<int:member_id>/quitter/", views.membership_leave, name="membership_leave"),
], "mobilisation_account")
