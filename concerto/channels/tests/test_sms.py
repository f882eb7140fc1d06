"""Text messages: the inbound callback's checks, numbered menus and STOP, through a local fake of OVHcloud's SMS
API; the same adapter as the verification codes' backend."""

import hashlib
import json

import pytest

from concerto.channels import sms
from concerto.channels.models import ChatChannel, Message, Participant, Platform
from concerto.components.consultations.models import Answer, Response
from concerto.core.registry import ChatStep
from concerto.core.sms import OvhSmsBackend

SECRET = "sms-callback-secret-0123"
PHONE = "+33612345678"


@pytest.fixture(autouse=True)
def _on_commit(django_capture_on_commit_callbacks):
    global _capture
    _capture = django_capture_on_commit_callbacks


@pytest.fixture
def line(sceaux):
    channel = ChatChannel(organisation=sceaux, platform=Platform.SMS, external_id="+33700000001")
    channel.set_webhook_secret(SECRET)
    channel.save()
    return channel


_ids = iter(range(1, 10**6))


def receive(client, channel, text: str, *, sender: str = "0612345678", key: str | None = SECRET, sms_id=None):
    """OVHcloud's callback for a received text: a GET with the fields in the query."""
    query = {"senderid": sender, "message": text, "id": str(sms_id or next(_ids))}
    if key is not None:
        query["cle"] = key
    with _capture(execute=True):
        return client.get(f"/canaux/sms/{channel.pk}/entrant/", query)


def reply(client, channel, text: str):
    assert receive(client, channel, text).status_code == 200


# Refusals ----------------------------------------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("key", [None, "", "wrong", SECRET + "x"])
def test_a_wrong_or_missing_key_is_refused_and_nothing_recorded(client, provider, line, key):
    assert receive(client, line, "Bonjour", key=key).status_code == 403
    assert not Participant.objects.exists() and not Message.objects.exists() and provider.calls == []


@pytest.mark.django_db
def test_the_key_may_come_in_a_header_and_the_fields_as_json(client, provider, line, chat_consultation):
    with _capture(execute=True):
        response = client.post(f"/canaux/sms/{line.pk}/entrant/",
                               json.dumps({"from": "+33612345678", "text": "Bonjour", "id": "x1"}),
                               content_type="application/json", headers={"X-Concerto-Secret": SECRET})
    assert response.status_code == 200
    assert Participant.objects.get().address == PHONE


@pytest.mark.django_db
@pytest.mark.parametrize("sender", ["", "abc", "12"])
def test_a_text_without_a_valid_sender_is_a_400(client, provider, line, sender):
    assert receive(client, line, "Bonjour", sender=sender).status_code == 400
    assert not Message.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("fields", [{"id": "9", "status": "delivered"},
                                    {"id": "9", "dlr": "1"},  # OVHcloud's: `id` and the state in `dlr`
                                    {"id": "9", "dlr": "2", "message": "Bonjour", "sender": "0612345678"}])
def test_a_delivery_report_is_acknowledged_and_not_recorded(client, provider, line, fields):
    with _capture(execute=True):
        response = client.get(f"/canaux/sms/{line.pk}/entrant/", {"cle": SECRET, **fields})
    assert response.status_code == 200
    assert not Participant.objects.exists() and provider.calls == []


# Conversations -----------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_answer_is_a_signed_ovh_job_with_a_numbered_menu(client, provider, line, chat_consultation):
    reply(client, line, "Bonjour")
    path, body, headers = provider.calls[-1]
    assert path == "/1.0/sms/sms-ab12345-1/jobs"
    assert body["receivers"] == [PHONE] and body["sender"] == "+33700000001" and body["noStopClause"] is True
    raw = json.dumps(body, ensure_ascii=False)
    url = provider.url + path
    expected = "$1$" + hashlib.sha1(f"app-secret+consumer-key+POST+{url}+{raw}+{headers['X-Ovh-Timestamp']}"
                                    .encode()).hexdigest()
    assert headers["X-Ovh-Signature"] == expected and headers["X-Ovh-Application"] == "app-key"
    menu = provider.texts()[-1]
    assert "1. Le parc de demain" in menu and "2. Parler à un agent" in menu and "3. Changer de commune" in menu
    assert "4. Recevoir les actualités" in menu
    assert "5. Lier mon compte" in menu and "Répondez 1, 2, 3, 4 ou 5." in menu  # an unlinked chat may link
    assert menu.count("Le parc de demain") == 1  # listed once, not twice
    assert "\u202f" not in "".join(provider.texts())  # GSM-friendly spaces


@pytest.mark.django_db
def test_a_consultation_is_answered_with_numbers_and_counted(client, provider, line, chat_consultation):
    q = chat_consultation
    reply(client, line, "Bonjour")
    reply(client, line, "1")
    assert "Comment venez-vous au parc" in provider.texts()[-1]
    assert "Répondez 1, 2 ou 3." in provider.texts()[-1]
    reply(client, line, "2")  # À vélo
    assert "Que faites-vous" in provider.texts()[-1]
    reply(client, line, "1")  # Promenade
    assert "Répondez 2, 3 ou 4." in provider.texts()[-1]  # Sport, Lecture (as listed), then "I am done"
    assert "4. J'ai fini" in provider.texts()[-1] and 'ou "J\'ai fini".' in provider.texts()[-1]
    reply(client, line, "4")
    reply(client, line, "4")
    reply(client, line, "Des bancs")
    response = Response.objects.get(component=q.component)
    assert response.channel == "chatbot" and response.status == Response.Status.SUBMITTED
    assert Answer.objects.get(response=response, question=q.transport).option.label == "À vélo"
    assert Answer.objects.get(response=response, question=q.satisfaction).number == 4
    assert any("/resultats/" in text for text in provider.texts()[-4:])


@pytest.mark.django_db
def test_the_same_text_delivered_twice_is_recorded_once(client, provider, line, chat_consultation):
    receive(client, line, "Bonjour", sms_id=77)
    calls = len(provider.calls)
    assert receive(client, line, "Bonjour", sms_id=77).status_code == 200
    assert Message.objects.filter(direction="in").count() == 1 and len(provider.calls) == calls


@pytest.mark.django_db
@pytest.mark.parametrize("word", ["STOP", "Arrêt", "DÉSABONNER"])
def test_stop_gets_one_confirmation_then_silence(client, provider, line, chat_consultation, word):
    reply(client, line, "Bonjour")
    reply(client, line, word)
    assert "plus aucun message" in provider.texts()[-1]
    calls = len(provider.calls)
    reply(client, line, "1")
    reply(client, line, "STOP")
    assert len(provider.calls) == calls
    assert Participant.objects.get().stopped_at is not None


@pytest.mark.django_db
def test_a_5xx_is_retried_then_given_up_and_logged(client, provider, line, chat_consultation, caplog):
    provider.failures = 2
    reply(client, line, "Bonjour")
    assert provider.calls and "attempt 2 of 5" in caplog.text
    provider.failures = 100
    reply(client, line, "1")
    assert "given up after 5 attempts" in caplog.text
    assert Message.objects.filter(direction="in").count() == 2


def test_texts_are_cut_at_three_segments_on_sentences():
    gsm = ("Une phrase pour remplir le texte. " * 40).strip()
    pieces = sms.messages_for([ChatStep("text", gsm)])
    assert len(pieces) > 1 and all(len(piece) <= 459 and piece.endswith(".") for piece in pieces)
    assert " ".join(pieces) == gsm
    unicode = ("Une fenêtre s’ouvre. " * 30).strip()  # ê is not in the GSM alphabet: 67 a segment
    assert all(len(piece) <= 201 for piece in sms.messages_for([ChatStep("text", unicode)]))


@pytest.mark.django_db
def test_the_adapter_is_the_verification_codes_backend(provider, settings):
    from concerto.core.accounts.verification.codes import sms_backend

    settings.CONCERTO_SMS_BACKEND = "concerto.core.sms.OvhSmsBackend"
    backend = sms_backend()
    assert isinstance(backend, OvhSmsBackend)
    backend.send(phone=PHONE, message="Votre code : 123456")
    assert provider.texts() == ["Votre code : 123456"]
    assert provider.calls[0][1]["senderForResponse"] is True  # no sender set: the provider's short number


@pytest.mark.django_db
def test_connecting_a_number_prints_the_callback_url_with_its_key(client, provider, sceaux, chat_consultation):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("transport_connect", "sms", "sceaux", "+33700000002", stdout=out)
    url = out.getvalue().strip()
    channel = ChatChannel.objects.get(platform=Platform.SMS)
    assert url.endswith(f"/canaux/sms/{channel.pk}/entrant/?cle={channel.webhook_secret}")
    from urllib.parse import parse_qsl, urlsplit

    parts = urlsplit(url)
    with _capture(execute=True):
        response = client.get(parts.path, {**dict(parse_qsl(parts.query)), "senderid": "0612345678",
                                           "message": "Bonjour", "id": "c1"})
    assert response.status_code == 200 and provider.texts()


@pytest.mark.django_db
@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"from": {"a": 1}, "text": "x"}',
                                  b'{"from": "+33612345678", "text": ["x"]}'])
def test_a_malformed_json_callback_is_a_400_never_a_500(client, provider, line, body):
    response = client.post(f"/canaux/sms/{line.pk}/entrant/?cle={SECRET}", body, content_type="application/json")
    assert response.status_code == 400
    assert not Message.objects.exists()


@pytest.mark.django_db
def test_a_form_post_callback_is_answered(client, provider, line, chat_consultation):
    with _capture(execute=True):
        response = client.post(f"/canaux/sms/{line.pk}/entrant/?cle={SECRET}",
                               {"sender": "0033612345678", "message": "Bonjour", "id": "f1"})
    assert response.status_code == 200
    assert Participant.objects.get().address == PHONE and provider.calls[-1][1]["receivers"] == [PHONE]
