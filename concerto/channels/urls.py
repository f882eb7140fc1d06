from django.urls import path

from concerto.channels import messenger, web

app_name = "channels"

urlpatterns = [
    path("messenger/webhook/", messenger.webhook, name="messenger_webhook"),
    path("web/", web.chat, name="web"),
]
