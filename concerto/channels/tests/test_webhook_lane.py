"""The chat webhooks' fast lane (channels/lanes.py) in front of Django: an event the webhook accepts gets from the
lane the answer Django gives, headers included, and is stored once, the same way; every refusal (a wrong
signature or secret, a malformed body, a cookie, a query string) reaches Django untouched, which refuses it."""

import json

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.test import override_settings

from concerto.channels import transport
from concerto.channels.lanes import WebhookLane
from concerto.channels.models import InboundEvent
from concerto.channels.testing import event, signature
from concerto.channels.tests.conftest import PAGE, SECRET
from concerto.channels.tests.test_telegram import SECRET as TELEGRAM_SECRET
from concerto.channels.tests.test_telegram import bot, sample  # noqa: F401 (bot: a fixture)
from concerto.components.budgets.tests.test_intake_lane import REQUEST_ID, Spy, call, comparable
from concerto.core.fastlane import FastLanes

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def worker_away(monkeypatch):
    monkeypatch.setattr(transport, "wake", lambda: None)


def messenger(mid: str, psid: str = "3254477777772919") -> tuple[bytes, dict]:
    body = event("webhook_message_text.json", page=PAGE, psid=psid, mid=mid, text="Bonjour")
    return body, {"HTTP_X_HUB_SIGNATURE_256": signature(body, SECRET)}


def telegram_update(update_id: int) -> bytes:
    update = sample("update_message_text.json")
    update["update_id"] = update_id
    return json.dumps(update).encode()


@pytest.mark.parametrize("https", [False, True])
def test_an_accepted_messenger_event_gets_from_the_lane_the_answer_django_gives(graph, page, https):
    django_app = Spy()
    lane = FastLanes(django_app, [WebhookLane()])
    with override_settings(SECURE_HSTS_SECONDS=31536000, SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https")):
        django_app.app = WSGIHandler()  # SecurityMiddleware reads its settings when it is built
        body, headers = messenger("m-django")
        by_django = call(django_app, "/canaux/messenger/webhook/", body, method="POST", https=https, **headers)
        body, headers = messenger("m-lane")
        by_lane = call(lane, "/canaux/messenger/webhook/", body, method="POST", https=https, **headers)
    assert len(django_app.bodies) == 1, "the lane handed an accepted event to Django"
    assert by_django[0] == by_lane[0] == 200 and by_lane[2] == by_django[2] == b"EVENT_RECEIVED"
    assert comparable(by_lane[1]) == comparable(by_django[1])
    assert dict(by_lane[1])["X-Request-ID"] == REQUEST_ID
    assert ("Strict-Transport-Security" in dict(by_lane[1])) is https
    stored = {row.external_id: row for row in InboundEvent.objects.all()}
    assert set(stored) == {"m-django", "m-lane"} and stored["m-lane"].channel == page
    assert stored["m-lane"].event["text"] == "Bonjour"
    # Meta delivers it again: stored once.
    call(lane, "/canaux/messenger/webhook/", body, method="POST", **headers)
    assert InboundEvent.objects.filter(external_id="m-lane").count() == 1


def test_an_accepted_telegram_update_is_answered_by_the_lane_and_stored(bot):  # noqa: F811
    spy = Spy()
    lane = FastLanes(spy, [WebhookLane()])
    path = f"/canaux/telegram/{bot.pk}/webhook/"
    status, _headers, content = call(lane, path, telegram_update(910000001), method="POST",
                                     HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN=TELEGRAM_SECRET)
    assert (status, content, spy.bodies) == (200, b"OK", [])
    assert InboundEvent.objects.get().channel == bot


def test_every_refused_or_unusual_webhook_reaches_django_untouched(graph, page, bot):  # noqa: F811
    body, headers = messenger("m-1")
    telegram_path = f"/canaux/telegram/{bot.pk}/webhook/"
    cases = [
        ("/canaux/messenger/webhook/", body, {"HTTP_X_HUB_SIGNATURE_256": signature(body, "wrong")}, 403),
        ("/canaux/messenger/webhook/", body, {}, 403),
        ("/canaux/messenger/webhook/", b"{not json", {"HTTP_X_HUB_SIGNATURE_256": signature(b"{not json", SECRET)},
         400),
        (telegram_path, telegram_update(1), {"HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN": "wrong"}, 403),
        (telegram_path, b"[]", {"HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN": TELEGRAM_SECRET}, 400),
        # Shapes the lane leaves to Django even when they are fine: a cookie, a query string, a form.
        ("/canaux/messenger/webhook/", body, {**headers, "HTTP_COOKIE": "sessionid=x"}, 200),
        ("/canaux/messenger/webhook/", body, {**headers, "QUERY_STRING": "x=1"}, 200),
        ("/canaux/messenger/webhook/", body, {**headers, "CONTENT_TYPE": "text/plain"}, 200),
    ]
    for path, payload, extra, status in cases:
        spy = Spy()
        answer = call(FastLanes(spy, [WebhookLane()]), path, payload, method="POST", **extra)
        assert spy.bodies == [payload], (path, extra)
        assert answer[0] == status, (path, extra, answer)
    assert InboundEvent.objects.filter(external_id="m-1").count() == 1  # the fine ones, stored once by Django
