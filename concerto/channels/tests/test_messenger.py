"""Messenger: the webhook's checks, whole conversations through the Send API of a local fake Graph API."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from concerto.channels import messenger
from concerto.channels.models import Message, Participant
from concerto.channels.testing import event, sample, signature
from concerto.channels.tests.conftest import PAGE, SECRET
from concerto.components.consultations.models import Answer, Response
from concerto.core.participation.models import Contribution

URL = "/canaux/messenger/webhook/"
PSID = "1254477777772919"


@pytest.fixture(autouse=True)
def _on_commit(django_capture_on_commit_callbacks):
    """The sends are queued after the commit: run them as the commit would."""
    global _capture
    _capture = django_capture_on_commit_callbacks


def post(client, body: bytes, *, secret: str = SECRET, header: str | None = None):
    with _capture(execute=True):
        return client.generic("POST", URL, body, content_type="application/json",
                              headers={"X-Hub-Signature-256": signature(body, secret) if header is None else header})


def say(client, mid: str, *, text: str = "", payload: str | None = None, psid: str = PSID):
    response = post(client, event("webhook_message_quick_reply.json" if payload else "webhook_message_text.json",
                                  page=PAGE, psid=psid, mid=mid, text=text, payload=payload))
    assert response.status_code == 200
    return response


# Verification and refusals ---------------------------------------------------------------------------------

@pytest.mark.django_db
def test_verification_echoes_the_challenge_alone_with_the_right_token(client, graph):
    response = client.get(URL, {"hub.mode": "subscribe", "hub.verify_token": "verify-me",
                                "hub.challenge": "1158201444"})
    assert response.status_code == 200
    assert response.content == b"1158201444"


@pytest.mark.django_db
@pytest.mark.parametrize("query", [
    {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
    {"hub.mode": "unsubscribe", "hub.verify_token": "verify-me", "hub.challenge": "1"},
    {"hub.challenge": "1"},
])
def test_verification_refuses_a_wrong_token_or_mode(client, graph, query):
    response = client.get(URL, query)
    assert response.status_code == 403
    assert b"1" != response.content


@pytest.mark.django_db
def test_the_shared_hmac_vector_is_accepted(client, graph, page):
    vector = json.loads(sample("hmac_test_vector.json"))
    body = sample(vector["body_file"]).encode()
    assert len(body) == vector["body_len"]
    response = post(client, body, header=vector["X-Hub-Signature-256"])
    assert response.status_code == 200  # its page "<PAGE_ID>" is no commune's: nothing recorded
    assert not Message.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("header", ["", "sha256=" + "0" * 64, "sha1=abc", "garbage"])
def test_a_wrong_or_missing_signature_is_refused_and_nothing_recorded(client, graph, page, header):
    body = event("webhook_message_text.json", page=PAGE, psid=PSID, mid="m1")
    response = post(client, body, header=header)
    assert response.status_code == 403
    assert not Participant.objects.exists() and not Message.objects.exists()
    assert graph.sent == []


@pytest.mark.django_db
def test_a_body_signed_with_another_secret_is_refused(client, graph, page):
    response = post(client, event("webhook_message_text.json", page=PAGE, psid=PSID, mid="m1"), secret="other")
    assert response.status_code == 403
    assert not Message.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"object": "page", "entry": "x"}',
                                  b'{"object": "page", "entry": [{"messaging": [{"sender": 1}]}]}',
                                  b'{"object": "page", "entry": [{"messaging": [{"sender": {"id": "1"}, '
                                  b'"recipient": {"id": "100000000000001"}, "message": {"text": 5}}]}]}'])
def test_a_malformed_body_is_a_400(client, graph, page, body):
    assert post(client, body).status_code == 400
    assert not Message.objects.exists()


@pytest.mark.django_db
def test_reads_deliveries_and_reactions_are_acknowledged_and_not_recorded(client, graph, page):
    base = {"sender": {"id": PSID}, "recipient": {"id": PAGE}, "timestamp": 1}
    body = json.dumps({"object": "page", "entry": [{"id": PAGE, "time": 1, "messaging": [
        {**base, "read": {"watermark": 1}},
        {**base, "delivery": {"mids": ["m"], "watermark": 1}},
        {**base, "reaction": {"reaction": "love", "emoji": "❤", "action": "react", "mid": "m"}},
    ]}]}).encode()
    assert post(client, body).status_code == 200
    assert not Participant.objects.exists() and not Message.objects.exists()
    assert graph.sent == []


# Conversations ---------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_a_first_message_gets_a_greeting_and_the_open_consultation_as_a_quick_reply(client, graph, page,
                                                                                  chat_consultation):
    say(client, "m1", text="hello, world!")
    assert len(graph.sent) >= 2
    assert all(body["recipient"] == {"id": PSID} and body["messaging_type"] == "RESPONSE" for body in graph.sent)
    assert all(path.startswith("/v23.0/me/messages?access_token=page-token-sceaux") for path in graph.paths)
    assert "Bonjour" in graph.texts()[0]
    replies = graph.last_quick_replies()
    assert {"content_type": "text", "title": "1. Le parc de demain",
            "payload": f"item:consultations:{chat_consultation.component.pk}"} in replies
    # The platform id is stored only hashed and encrypted.
    participant = Participant.objects.get()
    assert PSID not in participant.key_hash and PSID not in participant.address_encrypted
    assert participant.address == PSID and participant.organisation.slug == "sceaux"


@pytest.mark.django_db
def test_a_consultation_is_answered_to_the_end_and_counted_with_the_chatbot_channel(client, graph, page,
                                                                                  chat_consultation):
    q = chat_consultation
    say(client, "m1", text="Bonjour")
    say(client, "m2", text="1", payload=f"item:consultations:{q.component.pk}")
    assert "Comment venez-vous au parc" in graph.texts()[-1]
    other = q.transport.options.get(is_other=True)
    assert [r["title"] for r in graph.last_quick_replies()] == ["À pied", "À vélo", other.label]
    say(client, "m3", text=other.label, payload=f"o:{other.pk}")
    assert "« Autre »" in graph.texts()[-1]
    say(client, "m4", text="En trottinette")
    assert "Que faites-vous" in graph.texts()[-1]
    promenade = q.activities.options.get(label="Promenade")
    say(client, "m5", text="Promenade", payload=f"o:{promenade.pk}")
    assert "Promenade" in graph.texts()[-1]  # "chosen so far"
    say(client, "m6", text="Terminé", payload="done")
    assert [r["title"] for r in graph.last_quick_replies()] == ["1", "2", "3", "4", "5"]
    say(client, "m7", text="9")  # out of the scale: asked again, in French
    assert "Choisissez une valeur de 1 à 5" in " ".join(graph.texts()[-2:])
    say(client, "m8", text="4", payload="n:4")
    assert "Une idée" in graph.texts()[-1]
    say(client, "m9", text="Des bancs à l'ombre")
    assert any("réponses sont enregistrées" in text for text in graph.texts()[-4:])
    results = next(body["message"] for body in reversed(graph.sent) if "attachment" in body["message"])
    button = results["attachment"]["payload"]["buttons"][0]
    assert button["type"] == "web_url" and button["url"].endswith(f"/{q.component.pk}/resultats/")

    response = Response.objects.get(component=q.component)
    assert response.channel == "chatbot" and response.status == Response.Status.SUBMITTED
    assert Answer.objects.get(response=response, question=q.transport).text == "En trottinette"
    assert Answer.objects.get(response=response, question=q.satisfaction).number == 4
    assert Contribution.objects.get(kind="consultations.response").channel == "chatbot"
    page_html = client.get(button["url"].split("testserver")[-1]).content.decode()
    assert "Assistant conversationnel" in page_html  # the responses by channel
    assert "Des bancs à l&#x27;ombre" in page_html


@pytest.mark.django_db
def test_a_person_who_stops_halfway_resumes_where_they_stopped(client, graph, page, chat_consultation):
    q = chat_consultation
    say(client, "m1", text="Bonjour")
    say(client, "m2", text="1", payload=f"item:consultations:{q.component.pk}")
    foot = q.transport.options.get(label="À pied")
    say(client, "m3", text="À pied", payload=f"o:{foot.pk}")
    say(client, "m4", text="menu", payload="menu")
    assert "Que souhaitez-vous faire" in graph.texts()[-1]
    say(client, "m5", text="1", payload=f"item:consultations:{q.component.pk}")
    assert "Reprenons" in graph.texts()[-2] and "Que faites-vous" in graph.texts()[-1]
    assert not Response.objects.exists()


@pytest.mark.django_db
def test_the_same_event_delivered_twice_is_recorded_and_answered_once(client, graph, page, chat_consultation):
    say(client, "m1", text="Bonjour")
    sent = len(graph.sent)
    say(client, "m1", text="Bonjour")
    assert Message.objects.filter(direction="in").count() == 1
    assert len(graph.sent) == sent


@pytest.mark.django_db
@pytest.mark.parametrize("word", ["STOP", "arrêt", "Désabonner"])
def test_stop_gets_one_confirmation_then_silence(client, graph, page, chat_consultation, word):
    say(client, "m1", text="Bonjour")
    say(client, "m2", text=word)
    assert "plus aucun message" in graph.texts()[-1]
    sent = len(graph.sent)
    say(client, "m3", text="Bonjour ?")
    say(client, "m4", text="STOP")
    assert len(graph.sent) == sent
    assert Participant.objects.get().stopped_at is not None


@pytest.mark.django_db
def test_the_platform_opt_out_stops_everything(client, graph, page, chat_consultation):
    say(client, "m1", text="Bonjour")
    body = json.dumps({"object": "page", "entry": [{"id": PAGE, "time": 1, "messaging": [
        {"sender": {"id": PSID}, "recipient": {"id": PAGE}, "timestamp": 2,
         "optin": {"type": "notification_messages", "notification_messages_status": "STOP_NOTIFICATIONS"}}]}]})
    post(client, body.encode())
    assert "plus aucun message" in graph.texts()[-1]
    sent = len(graph.sent)
    say(client, "m3", text="Bonjour")
    assert len(graph.sent) == sent


@pytest.mark.django_db
def test_a_5xx_is_retried_and_the_answer_is_still_recorded(client, graph, page, chat_consultation, caplog):
    q = chat_consultation
    say(client, "m1", text="Bonjour")
    say(client, "m2", text="1", payload=f"item:consultations:{q.component.pk}")
    graph.failures = 2
    foot = q.transport.options.get(label="À pied")
    say(client, "m3", text="À pied", payload=f"o:{foot.pk}")
    assert "Que faites-vous" in graph.texts()[-1]  # sent at the third attempt
    assert "attempt 2 of 5" in caplog.text


@pytest.mark.django_db
def test_a_platform_always_down_is_given_up_and_logged(client, graph, page, chat_consultation, caplog):
    graph.failures = 100
    say(client, "m1", text="Bonjour")
    assert graph.sent == []
    assert "given up after 5 attempts" in caplog.text
    assert Message.objects.filter(direction="in").count() == 1


@pytest.mark.django_db
def test_nothing_is_sent_outside_the_24_hour_window(graph, page):
    from concerto.channels import engine

    participant = engine.participant_get(platform="messenger", user_id=PSID, channel=page)
    Participant.objects.filter(pk=participant.pk).update(last_inbound_at=timezone.now() - timedelta(hours=25))
    assert messenger.messenger_send.call(participant.pk, [{"text": "Bonjour"}]) == 0
    assert graph.sent == []


def test_long_texts_are_split_cleanly_under_2000_characters():
    text = ("Une phrase assez longue pour remplir la page. " * 100).strip()
    pieces = messenger.split_text(text)
    assert len(pieces) == 3 and all(len(piece) <= 2000 for piece in pieces)
    assert all(piece.endswith(".") for piece in pieces)
    assert " ".join(pieces) == text


def test_quick_reply_titles_are_cut_to_20_characters():
    from concerto.core.registry import ChatStep

    [message] = messenger.messages_for([ChatStep("question", "?", (("Un très long libellé de réponse", "p"),))])
    assert message["quick_replies"][0]["title"] == "Un très long libell…"
    assert len(message["quick_replies"][0]["title"]) == 20


@pytest.mark.django_db
def test_the_demo_connects_sceaux_and_answers_a_sample_signed_with_the_demo_secret(client, settings):
    from concerto.channels.demo import DEMO_PAGE_ID, demo_load
    from concerto.channels.testing import FakeGraph

    assert settings.CONCERTO_MESSENGER_APP_SECRET == "demo-messenger-app-secret"  # DEBUG's default
    assert demo_load() == 3 and demo_load() == 0  # the page, the Telegram bot, the SMS number
    with FakeGraph() as fake:
        settings.CONCERTO_MESSENGER_API_URL = fake.url
        body = event("webhook_message_text.json", page=DEMO_PAGE_ID, psid=PSID)
        assert post(client, body, secret="demo-messenger-app-secret").status_code == 200
        assert fake.paths[0] == "/v23.0/me/messages?access_token=demo-page-token"
        assert "Bonjour" in fake.texts()[0] and fake.last_quick_replies()


@pytest.mark.django_db
def test_start_after_stop_greets_again_and_offers_the_menu(client, graph, page, chat_consultation):
    say(client, "m1", text="Bonjour")
    say(client, "m2", text="STOP")
    sent = len(graph.sent)
    say(client, "m3", text="start")
    assert len(graph.sent) > sent and "Bonjour" in graph.texts()[sent]
    assert any(reply["payload"].startswith("item:consultations:") for reply in graph.last_quick_replies())
    assert Participant.objects.get().stopped_at is None


@pytest.mark.django_db
def test_an_outsider_item_cannot_be_reached_from_sceaux_page(client, graph, page, montreuil, agent):
    from concerto.testing import ComponentFactory, SpaceFactory, StepFactory

    space = SpaceFactory(organisation=montreuil, slug="plu", title="PLU de Montreuil")
    StepFactory(space=space, title="Concertation")
    other = ComponentFactory(space=space, kind="consultations", title="Questionnaire de Montreuil",
                             settings={"participation": "anonymous", "results_visibility": "public"})
    say(client, "m1", text="Bonjour")
    say(client, "m2", text="forged", payload=f"item:consultations:{other.pk}")
    assert "Ce n’est plus ouvert." in graph.texts()[-2]
    assert not Response.objects.exists()
