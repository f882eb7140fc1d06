"""The public page of a space's published plan, mounted at /<org>/<space>/concertation/."""

from django.urls import path

from concerto.core.mobilisation import views

app_name = "mobilisation"
urlpatterns = [path("", views.plan, name="plan")]
