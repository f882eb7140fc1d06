"""The back-office connects, tests and disconnects a commune's Telegram bot and SMS number (as
`manage.py transport_connect` does), against local fakes of the Bot API and of OVHcloud's SMS API: the token
is checked and never shown again, a platform that refuses or does not answer leaves nothing saved."""

from urllib.parse import parse_qsl, urlsplit

import pytest
from django.conf import settings

from concerto.channels.models import ChatChannel, Platform
from concerto.channels.tests.test_backoffice import BASE, _client
from concerto.core.audit.models import AuditEntry

pytestmark = pytest.mark.django_db
TOKEN = "8000000001:AAtest-token-sceaux"


def _text(response) -> str:
    return response.content.decode().replace("\u202f", " ").replace("\xa0", " ")


def _connect_bot(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(f"{BASE}nouveau/telegram/", {"token": TOKEN}, follow=True)


# Telegram ------------------------------------------------------------------------------------------------

def test_an_agent_connects_a_telegram_bot_whose_webhook_is_then_registered(agent, api, client,
                                                                           django_capture_on_commit_callbacks):
    staff = _client(agent)
    assert f"{BASE}nouveau/telegram/" in _text(staff.get(BASE))
    response = _connect_bot(staff, django_capture_on_commit_callbacks)
    page = _text(response)
    assert response.status_code == 200
    assert "Le robot @concerto_sceaux_bot est connecté" in page and TOKEN not in page
    channel = ChatChannel.objects.get(platform=Platform.TELEGRAM)
    assert channel.external_id == "concerto_sceaux_bot" and channel.token == TOKEN and channel.active
    [hook] = api.sent("setWebhook")
    assert hook["url"] == f"{settings.SITE_URL}/canaux/telegram/{channel.pk}/webhook/"
    assert hook["secret_token"] == channel.webhook_secret and len(hook["secret_token"]) >= 32
    assert hook["secret_token"] not in page
    # The secret Telegram was given opens the webhook.
    update = {"update_id": 1, "message": {"message_id": 1, "date": 0, "text": "/start",
                                          "from": {"id": 42, "is_bot": False, "first_name": "A"},
                                          "chat": {"id": 42, "type": "private"}}}
    answer = client.post(f"/canaux/telegram/{channel.pk}/webhook/", update, content_type="application/json",
                         headers={"X-Telegram-Bot-Api-Secret-Token": hook["secret_token"]})
    assert answer.status_code == 200
    assert not any(TOKEN in str(entry.data) for entry in AuditEntry.objects.all())
    assert AuditEntry.objects.filter(action="channels.connected").exists()


@pytest.mark.parametrize("errors, expected", [
    ({"getMe": 401}, "Telegram a refusé le jeton"),
    ({"getMe": 502}, "Telegram a répondu par une erreur (502)"),
    ({"setWebhook": 500}, "Telegram a répondu par une erreur (500)"),
])
def test_a_platform_that_refuses_leaves_nothing_saved(agent, api, errors, expected):
    api.errors = errors
    response = _client(agent).post(f"{BASE}nouveau/telegram/", {"token": TOKEN})
    assert response.status_code == 400
    assert expected in _text(response)
    assert not ChatChannel.objects.exists() and not AuditEntry.objects.filter(action="channels.connected").exists()


def test_a_telegram_that_does_not_answer_leaves_nothing_saved(agent, settings):
    settings.CONCERTO_TELEGRAM_API_URL = "http://127.0.0.1:9"  # nothing listens there
    response = _client(agent).post(f"{BASE}nouveau/telegram/", {"token": TOKEN})
    assert response.status_code == 400 and "Telegram n’a pas répondu à temps" in _text(response)
    assert not ChatChannel.objects.exists()


@pytest.mark.parametrize("token, message", [
    ("", "Indiquez le jeton du robot."),
    ("not a token", "Un jeton de robot ressemble à 123456789:AA…"),
])
def test_a_malformed_token_is_refused_before_asking_telegram(agent, api, token, message):
    response = _client(agent).post(f"{BASE}nouveau/telegram/", {"token": token})
    assert response.status_code == 400 and message in _text(response)
    assert api.calls == [] and not ChatChannel.objects.exists()


def test_testing_a_bot_checks_it_and_sends_a_test_message_through_the_worker(
        agent, api, django_capture_on_commit_callbacks):
    staff = _client(agent)
    _connect_bot(staff, django_capture_on_commit_callbacks)
    channel = ChatChannel.objects.get()
    page = _text(staff.post(f"{BASE}{channel.pk}/tester/", {"address": ""}, follow=True))
    assert "Le robot @concerto_sceaux_bot fonctionne et Telegram envoie ses messages ici" in page
    assert api.sent("getWebhookInfo")
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(f"{BASE}{channel.pk}/tester/", {"address": "7012345678"}, follow=True)
    assert "Le message d’essai est confié aux tâches de fond" in _text(response)
    [sent] = api.sent()
    assert sent["chat_id"] == "7012345678" and "Message d’essai de Sceaux" in sent["text"]
    page = _text(staff.get(f"{BASE}{channel.pk}/"))  # the worker has run: its result is on the page
    assert "Dernier message d’essai" in page and "Le message d’essai est envoyé." in page
    # A chat the bot cannot write to: said plainly.
    api.refuse = True
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(f"{BASE}{channel.pk}/tester/", {"address": "1"})
    assert "Telegram ne peut pas écrire à cette discussion" in _text(staff.get(f"{BASE}{channel.pk}/"))
    bad = staff.post(f"{BASE}{channel.pk}/tester/", {"address": "@someone"})
    assert bad.status_code == 400 and "Un identifiant de discussion ne contient que des chiffres" in _text(bad)
    assert 'value="@someone"' in bad.content.decode()


def test_a_bot_whose_webhook_was_moved_elsewhere_fails_its_test(agent, api, django_capture_on_commit_callbacks):
    staff = _client(agent)
    _connect_bot(staff, django_capture_on_commit_callbacks)
    api.webhook_url = "https://elsewhere.example/hook"
    channel = ChatChannel.objects.get()
    page = _text(staff.post(f"{BASE}{channel.pk}/tester/", follow=True))
    assert "Telegram n’envoie pas ses messages ici" in page


def test_disconnecting_a_bot_deletes_its_webhook(agent, api, django_capture_on_commit_callbacks):
    staff = _client(agent)
    _connect_bot(staff, django_capture_on_commit_callbacks)
    channel = ChatChannel.objects.get()
    page = _text(staff.post(f"{BASE}{channel.pk}/desactiver/", follow=True))
    channel.refresh_from_db()
    assert not channel.active and api.sent("deleteWebhook")
    assert "Le canal est déconnecté" in page


# SMS -----------------------------------------------------------------------------------------------------

def test_an_agent_connects_an_sms_number_and_gets_the_callback_url(agent, provider, client,
                                                                   django_capture_on_commit_callbacks):
    staff = _client(agent)
    response = staff.post(f"{BASE}nouveau/sms/", {"number": "07 00 00 00 01"}, follow=True)
    channel = ChatChannel.objects.get(platform=Platform.SMS)
    assert channel.external_id == "+33700000001"
    page = response.content.decode()
    url = f"/canaux/sms/{channel.pk}/entrant/?cle={channel.webhook_secret}"
    assert url in page and "Collez" in _text(response)
    # OVHcloud calls that address with a received text (GET, its own field names): answered by SMS.
    query = dict(parse_qsl(urlsplit(url).query))
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.get(urlsplit(url).path, {**query, "sender": "+33612345678", "message": "Bonjour",
                                                 "id": "9001"})
    assert answer.status_code == 200 and provider.calls
    assert provider.calls[-1][1]["receivers"] == ["+33612345678"]


def test_testing_an_sms_number_sends_a_text_through_the_worker(agent, provider, django_capture_on_commit_callbacks):
    staff = _client(agent)
    staff.post(f"{BASE}nouveau/sms/", {"number": "+33700000001"})
    channel = ChatChannel.objects.get()
    empty = staff.post(f"{BASE}{channel.pk}/tester/", {"address": ""})
    assert empty.status_code == 400 and "Indiquez le numéro de mobile" in _text(empty)
    wrong = staff.post(f"{BASE}{channel.pk}/tester/", {"address": "12"})
    assert wrong.status_code == 400 and "Ce n’est pas un numéro de téléphone" in _text(wrong)
    assert provider.calls == []
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(f"{BASE}{channel.pk}/tester/", {"address": "06 12 34 56 78"})
    [(path, body, _headers)] = provider.calls
    assert path == "/1.0/sms/sms-ab12345-1/jobs" and body["receivers"] == ["+33612345678"]
    assert body["sender"] == "+33700000001" and "Message d’essai de Sceaux" in body["message"]
    assert "Le message d’essai est envoyé." in _text(staff.get(f"{BASE}{channel.pk}/"))
    provider.errors = {"jobs": 503}
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(f"{BASE}{channel.pk}/tester/", {"address": "0612345678"})
    assert "La plateforme a répondu par une erreur (503)" in _text(staff.get(f"{BASE}{channel.pk}/"))


@pytest.mark.parametrize("number, message", [
    ("", "Indiquez le numéro auquel on écrit."),
    ("12", "Indiquez un numéro de téléphone"),
])
def test_a_bad_sms_number_is_refused_and_nothing_saved(agent, number, message):
    response = _client(agent).post(f"{BASE}nouveau/sms/", {"number": number})
    assert response.status_code == 400 and message in _text(response)
    assert not ChatChannel.objects.exists()


def test_a_number_of_another_commune_cannot_be_taken_over(agent, montreuil):
    ChatChannel.objects.create(organisation=montreuil, platform=Platform.SMS, external_id="+33700000001")
    response = _client(agent).post(f"{BASE}nouveau/sms/", {"number": "+33700000001"})
    assert response.status_code == 400 and "déjà connecté à une autre organisation" in _text(response)
    assert ChatChannel.objects.get().organisation == montreuil


# Permissions ---------------------------------------------------------------------------------------------

def test_an_agent_of_another_commune_connects_and_tests_nothing(outsider, elected, api, sceaux):
    channel = ChatChannel(organisation=sceaux, platform=Platform.TELEGRAM, external_id="concerto_sceaux_bot")
    channel.set_token(TOKEN)
    channel.save()
    for user in (outsider, elected):
        client = _client(user)
        assert client.post(f"{BASE}nouveau/telegram/", {"token": TOKEN}).status_code == 403
        assert client.post(f"{BASE}nouveau/sms/", {"number": "+33700000009"}).status_code == 403
        assert client.get(f"{BASE}{channel.pk}/").status_code == 403
        assert client.post(f"{BASE}{channel.pk}/tester/", {"address": "1"}).status_code == 403
        assert client.post(f"{BASE}{channel.pk}/desactiver/").status_code == 403
    # Under their own commune's address, Sceaux's bot does not exist.
    own = _client(outsider)
    assert own.get(f"/gestion/montreuil/canaux/{channel.pk}/").status_code == 404
    assert own.post(f"/gestion/montreuil/canaux/{channel.pk}/tester/", {"address": "1"}).status_code == 404
    assert api.calls == [] and ChatChannel.objects.count() == 1
    channel.refresh_from_db()
    assert channel.active


def test_without_the_platform_s_ovhcloud_account_agents_are_told_and_nothing_is_sent(agent, settings):
    settings.CONCERTO_SMS_OVH_SERVICE = ""
    staff = _client(agent)
    staff.post(f"{BASE}nouveau/sms/", {"number": "+33700000001"})
    channel = ChatChannel.objects.get()
    assert "n’est pas encore configuré" in _text(staff.get(f"{BASE}{channel.pk}/"))
    page = _text(staff.post(f"{BASE}{channel.pk}/tester/", {"address": "0612345678"}, follow=True))
    assert "Le compte SMS OVHcloud de la plateforme n’est pas configuré" in page
    assert not AuditEntry.objects.filter(action="channels.test_queued").exists()
