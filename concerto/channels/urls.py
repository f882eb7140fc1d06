from django.urls import path

from concerto.channels import messenger, sms, telegram, web

app_name = "channels"

urlpatterns = [
    path("messenger/webhook/", messenger.webhook, name="messenger_webhook"),
    path("web/", web.chat, name="web"),
    path("telegram/<int:channel_id>/webhook/", telegram.webhook, name="telegram_webhook"),
    path("sms/<int:channel_id>/entrant/", sms.inbound, name="sms_inbound"),
]
