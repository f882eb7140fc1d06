"""The demo: a sample event signed with the demo secret, sent to Sceaux's demo page, is answered with the menu
of what the demo opens in Sceaux."""

import pytest
from django.core.management import call_command

from concerto.channels.demo import DEMO_PAGE_ID, DEMO_PAGE_TOKEN
from concerto.channels.testing import FakeGraph, event, signature


@pytest.mark.django_db
def test_the_whole_demo_answers_a_signed_sample_on_sceaux_page(client, settings, django_capture_on_commit_callbacks):
    call_command("load_demo", verbosity=0)
    with FakeGraph() as fake:
        settings.CONCERTO_MESSENGER_API_URL = fake.url
        body = event("webhook_message_text.json", page=DEMO_PAGE_ID, psid="1254477777772919", mid="m_demo")
        with django_capture_on_commit_callbacks(execute=True):
            response = client.generic("POST", "/canaux/messenger/webhook/", body, content_type="application/json",
                                      headers={"X-Hub-Signature-256": signature(body, "demo-messenger-app-secret")})
        assert response.status_code == 200
    assert fake.paths[0] == f"/v23.0/me/messages?access_token={DEMO_PAGE_TOKEN}"
    replies = fake.last_quick_replies()
    kinds = {reply["payload"].split(":")[1] for reply in replies if reply["payload"].startswith("item:")}
    assert {"proposals", "budgets"} <= kinds  # the demo's consultation is Montreuil's
    assert all(len(reply["title"]) <= 20 for reply in replies)


@pytest.mark.django_db
def test_the_demo_answers_a_telegram_sample_and_a_text_message_on_sceaux_channels(
        client, settings, django_capture_on_commit_callbacks):
    import json

    from concerto.channels.demo import DEMO_BOT_TOKEN, DEMO_SMS_NUMBER, DEMO_SMS_SECRET, DEMO_TELEGRAM_SECRET
    from concerto.channels.models import ChatChannel, Platform
    from concerto.channels.tests.fakes import FakeBotApi, FakeOvhSms
    from concerto.channels.tests.test_telegram import SAMPLES

    call_command("load_demo", verbosity=0)
    call_command("load_demo", verbosity=0)  # once only
    assert ChatChannel.objects.filter(organisation__slug="sceaux").count() == 3
    bot = ChatChannel.objects.get(platform=Platform.TELEGRAM)
    line = ChatChannel.objects.get(platform=Platform.SMS, external_id=DEMO_SMS_NUMBER)
    with FakeBotApi() as api, FakeOvhSms() as provider:
        settings.CONCERTO_TELEGRAM_API_URL = api.url
        settings.CONCERTO_SMS_API_URL = provider.url + "/1.0"
        body = (SAMPLES / "update_message_text.json").read_text()
        with django_capture_on_commit_callbacks(execute=True):
            answer = client.generic("POST", f"/canaux/telegram/{bot.pk}/webhook/", body,
                                    content_type="application/json",
                                    headers={"X-Telegram-Bot-Api-Secret-Token": DEMO_TELEGRAM_SECRET})
            texted = client.get(f"/canaux/sms/{line.pk}/entrant/", {"cle": DEMO_SMS_SECRET, "sender": "+33612345678",
                                                                      "message": "Bonjour", "id": "demo-1"})
        assert answer.status_code == 200 and texted.status_code == 200
        assert api.calls[0][0] == f"/bot{DEMO_BOT_TOKEN}/sendMessage"
        assert str(json.loads(body)["message"]["chat"]["id"]) == str(api.sent()[0]["chat_id"])
        assert provider.calls and provider.calls[0][1]["receivers"] == ["+33612345678"]
