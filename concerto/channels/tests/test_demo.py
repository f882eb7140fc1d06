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
