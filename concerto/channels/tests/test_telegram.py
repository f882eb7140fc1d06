"""Telegram: the webhook's checks and whole conversations through a local fake Bot API, with the real samples in
../shared/data/telegram/."""

import json
from pathlib import Path

import pytest

from concerto.channels import telegram
from concerto.channels.models import ChatChannel, Message, Participant, Platform
from concerto.components.consultations.models import Answer, Response
from concerto.core.registry import ChatStep

SAMPLES = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "telegram"
SECRET = "tg-secret-sceaux_0123"
TOKEN = "8000000001:AAtest-token"
CHAT = 7012345678


@pytest.fixture(autouse=True)
def _on_commit(django_capture_on_commit_callbacks):
    global _capture
    _capture = django_capture_on_commit_callbacks


@pytest.fixture
def bot(sceaux):
    channel = ChatChannel(organisation=sceaux, platform=Platform.TELEGRAM, external_id="concerto_sceaux_bot")
    channel.set_token(TOKEN)
    channel.set_webhook_secret(SECRET)
    channel.save()
    return channel


def sample(name: str) -> dict:
    return json.loads((SAMPLES / name).read_text())


def post(client, channel, update: dict, *, secret: str | None = SECRET):
    headers = {} if secret is None else {"X-Telegram-Bot-Api-Secret-Token": secret}
    body = update if isinstance(update, bytes) else json.dumps(update).encode()
    with _capture(execute=True):
        return client.generic("POST", f"/canaux/telegram/{channel.pk}/webhook/", body,
                              content_type="application/json", headers=headers)


_ids = iter(range(900000000, 999999999))


def say(client, channel, text: str):
    update = sample("update_message_text.json")
    update["update_id"] = next(_ids)
    update["message"]["text"] = text
    assert post(client, channel, update).status_code == 200


def press(client, channel, data: str):
    update = sample("update_callback_query.json")
    update["update_id"] = next(_ids)
    update["callback_query"]["data"] = data
    assert post(client, channel, update).status_code == 200


# Refusals ----------------------------------------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("secret", [None, "", "wrong", SECRET + "x"])
def test_a_wrong_or_missing_secret_token_is_refused_and_nothing_recorded(client, api, bot, secret):
    response = post(client, bot, sample("update_message_text.json"), secret=secret)
    assert response.status_code == 403
    assert not Participant.objects.exists() and not Message.objects.exists()
    assert api.calls == []


@pytest.mark.django_db
def test_another_communes_channel_or_platform_is_refused(client, api, bot, sceaux):
    other = ChatChannel.objects.create(organisation=sceaux, platform=Platform.MESSENGER, external_id="1")
    response = post(client, other, sample("update_message_text.json"))
    assert response.status_code == 403
    assert not Message.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"update_id": "x"}',
                                  b'{"update_id": 1, "message": {"chat": {"type": "private"}, "text": "a"}}',
                                  b'{"update_id": 1, "message": {"from": {"id": 1}, "chat": {"type": "private"},'
                                  b' "text": 5}}'])
def test_a_malformed_update_is_a_400(client, api, bot, body):
    assert post(client, bot, body).status_code == 400
    assert not Message.objects.exists()


@pytest.mark.django_db
def test_an_edit_is_acknowledged_and_not_recorded(client, api, bot):
    assert post(client, bot, sample("update_edited_message_ignored.json")).status_code == 200
    assert not Participant.objects.exists() and api.calls == []


# Conversations -----------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_start_greets_and_offers_the_open_consultation_as_an_inline_button(client, api, bot, chat_consultation):
    assert post(client, bot, sample("update_message_start_command.json")).status_code == 200
    paths = {path for path, _body, _headers in api.calls}
    assert paths == {f"/bot{TOKEN}/sendMessage"}
    assert all(body["chat_id"] == str(CHAT) for body in api.sent())
    assert "Bonjour" in api.texts()[0]
    assert {"text": "1. Le parc de demain",
            "callback_data": f"item:consultations:{chat_consultation.component.pk}"} in api.last_buttons()
    participant = Participant.objects.get()
    assert str(CHAT) not in participant.key_hash and participant.address == str(CHAT)
    assert participant.organisation.slug == "sceaux"


@pytest.mark.django_db
def test_a_consultation_is_answered_to_the_end_with_buttons_text_and_counted(client, api, bot, chat_consultation):
    q = chat_consultation
    post(client, bot, sample("update_message_start_command.json"))
    press(client, bot, f"item:consultations:{q.component.pk}")
    assert api.sent("answerCallbackQuery")[-1] == {"callback_query_id": "4382bfdwdsb323b2d9"}
    assert "Comment venez-vous au parc" in api.texts()[-1]
    foot = q.transport.options.get(label="À pied")
    assert {"text": "À pied", "callback_data": f"o:{foot.pk}"} in api.last_buttons()
    press(client, bot, f"o:{foot.pk}")
    assert "Que faites-vous" in api.texts()[-1]
    press(client, bot, "skip")
    assert [button["text"] for button in api.last_buttons()][:5] == ["1", "2", "3", "4", "5"]
    press(client, bot, "n:5")
    say(client, bot, "Plus de fontaines")
    assert any("réponses sont enregistrées" in text for text in api.texts()[-4:])
    link = next(body for body in reversed(api.sent()) if "url" in body.get("reply_markup", {}).get(
        "inline_keyboard", [[{}]])[0][0])
    url = link["reply_markup"]["inline_keyboard"][0][0]["url"]
    assert url.endswith(f"/{q.component.pk}/resultats/")
    response = Response.objects.get(component=q.component)
    assert response.channel == "chatbot" and response.status == Response.Status.SUBMITTED
    assert Answer.objects.get(response=response, question=q.satisfaction).number == 5
    page_html = client.get(url.split("testserver")[-1]).content.decode()
    assert "Assistant conversationnel" in page_html and "Plus de fontaines" in page_html


@pytest.mark.django_db
def test_the_same_update_delivered_twice_is_recorded_and_answered_once(client, api, bot, chat_consultation):
    post(client, bot, sample("update_message_text.json"))
    calls = len(api.calls)
    assert post(client, bot, sample("update_message_text.json")).status_code == 200
    assert Message.objects.filter(direction="in").count() == 1
    assert len(api.calls) == calls


@pytest.mark.django_db
def test_a_location_is_passed_as_latitude_and_longitude(client, api, bot, chat_consultation):
    post(client, bot, sample("update_message_text.json"))
    post(client, bot, sample("update_message_location.json"))
    assert Message.objects.filter(direction="in").last().text == "48.778,2.2907"


@pytest.mark.django_db
@pytest.mark.parametrize("word", ["STOP", "arrêt", "Désabonner", "/stop"])
def test_stop_gets_one_confirmation_then_silence_and_start_comes_back(client, api, bot, chat_consultation, word):
    post(client, bot, sample("update_message_text.json"))
    say(client, bot, word)
    assert "plus aucun message" in api.texts()[-1]
    calls = len(api.calls)
    say(client, bot, "Bonjour ?")
    say(client, bot, "STOP")
    assert len(api.calls) == calls
    assert Participant.objects.get().stopped_at is not None
    before = len(api.texts())
    say(client, bot, "/start")
    assert Participant.objects.get().stopped_at is None
    assert any("Bonjour" in text for text in api.texts()[before:])  # greeted again, then the menu


@pytest.mark.django_db
def test_a_5xx_is_retried_and_a_429_waits(client, api, bot, chat_consultation, caplog):
    api.failures = 2
    post(client, bot, sample("update_message_text.json"))
    assert "Bonjour" in api.texts()[0]  # sent at the third attempt
    assert "attempt 2 of 5" in caplog.text
    assert telegram._wait(type("A", (), {"json": lambda self: sample("error_response_429.json")})()) == 5


@pytest.mark.django_db
def test_a_bot_always_down_is_given_up_and_the_message_still_recorded(client, api, bot, chat_consultation, caplog):
    api.failures = 100
    post(client, bot, sample("update_message_text.json"))
    assert api.calls == [] and "given up after 5 attempts" in caplog.text
    assert Message.objects.filter(direction="in").count() == 1


@pytest.mark.django_db
def test_a_blocked_bot_stops_the_participant(client, api, bot, chat_consultation):
    api.refuse = True
    post(client, bot, sample("update_message_text.json"))
    assert Participant.objects.get().stopped_at is not None
    api.refuse = False
    say(client, bot, "Bonjour")
    assert api.calls == []  # stopped: silence


def test_long_texts_are_split_under_4096_characters_and_buttons_go_on_the_last_piece():
    text = ("Une phrase assez longue pour remplir le message. " * 200).strip()
    messages = telegram.messages_for([ChatStep("question", text, (("Oui", "yes"),))])
    assert len(messages) == 3 and all(len(m["body"]["text"]) <= 4096 for m in messages)
    assert " ".join(m["body"]["text"] for m in messages) == text
    assert "reply_markup" not in messages[0]["body"]
    assert messages[-1]["body"]["reply_markup"] == {"inline_keyboard": [[{"text": "Oui", "callback_data": "yes"}]]}


def test_callback_data_over_64_bytes_is_never_sent():
    [message] = telegram.messages_for([ChatStep("question", "?", (("A", "a" * 65), ("B", "é" * 32)))])
    assert message["body"]["reply_markup"] == {"inline_keyboard": [[{"text": "B", "callback_data": "é" * 32}]]}


def test_a_location_request_offers_the_share_location_keyboard():
    messages = telegram.messages_for([ChatStep("location", "Où ?", (("Passer", "skip"),))])
    assert messages[-1]["body"]["reply_markup"]["keyboard"][0][0]["request_location"] is True


@pytest.mark.django_db
def test_connecting_a_bot_sets_its_webhook_with_a_secret_the_webhook_then_accepts(client, api, sceaux,
                                                                                chat_consultation):
    from io import StringIO

    from django.core.management import call_command

    from concerto.core.audit.models import AuditEntry

    out = StringIO()
    call_command("transport_connect", "telegram", "sceaux", TOKEN, stdout=out)
    channel = ChatChannel.objects.get(platform=Platform.TELEGRAM)
    assert channel.external_id == "concerto_sceaux_bot" and channel.token == TOKEN
    [hook] = api.sent("setWebhook")
    assert hook["url"].endswith(f"/canaux/telegram/{channel.pk}/webhook/")
    assert hook["secret_token"] == channel.webhook_secret and len(hook["secret_token"]) >= 32
    assert TOKEN not in channel.token_encrypted
    assert AuditEntry.objects.filter(action="channels.connected").exists()
    assert post(client, channel, sample("update_message_text.json"), secret=hook["secret_token"]).status_code == 200
    assert "Bonjour" in api.texts()[0]


@pytest.mark.django_db
def test_a_photo_caption_is_read_as_text(client, api, bot, chat_consultation):
    post(client, bot, sample("update_message_photo.json"))
    assert Message.objects.get(direction="in").text == "Lampadaire cassé rue Houdan"
    assert "Bonjour" in api.texts()[0]
