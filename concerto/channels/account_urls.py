from django.urls import path

from concerto.channels import account_views

app_name = "channels_account"

urlpatterns = [
    path("", account_views.chats, name="chats"),
    path("<int:participant_id>/delier/", account_views.unlink, name="unlink"),
]
