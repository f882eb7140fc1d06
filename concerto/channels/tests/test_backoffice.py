"""The chat in the back-office: connecting a commune's pages (the token encrypted, never shown again), testing a
token against a local fake Graph API, the figures, and « Parler à un agent » from the chat to the agent's reply."""

import http.server
import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from concerto import testing
from concerto.channels import privacy
from concerto.channels.models import ChatChannel, ChatTicket, Message, Participant, Platform
from concerto.channels.tests.conftest import PAGE
from concerto.channels.tests.test_messenger import PSID, say
from concerto.core.audit.models import AuditEntry
from concerto.core.participation.models import Contribution
from concerto.localserver import LocalServer

pytestmark = pytest.mark.django_db
BASE = "/gestion/sceaux/canaux/"


@pytest.fixture(autouse=True)
def _on_commit(django_capture_on_commit_callbacks):
    from concerto.channels.tests import test_messenger

    test_messenger._capture = django_capture_on_commit_callbacks


class FakeMe(LocalServer):
    """GET /me of the Graph API, started at once: answers STATUS with BODY and keeps the tokens it was asked
    about."""

    def __init__(self, status=200, body=None):
        self.status, self.body, self.tokens = status, body or {"id": PAGE, "name": "Ville de Sceaux"}, []
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                from urllib.parse import parse_qs, urlparse

                fake.tokens.append(parse_qs(urlparse(self.path).query).get("access_token", [""])[0])
                fake.reply(self, fake.status, json.dumps(fake.body).encode())

            def log_message(self, *args):
                pass

        super().__init__(Handler, "/v23.0")
        self.start()

    def close(self):
        self.stop()


def _client(user) -> Client:
    client = Client()
    testing.login_with_mfa(client, user)
    return client


def _page(client, url) -> str:
    response = client.get(url, follow=True)
    assert response.status_code == 200
    return response.content.decode()


# Connecting ----------------------------------------------------------------------------------------------

def test_an_agent_connects_a_messenger_page_and_never_sees_its_token_again(agent):
    client = _client(agent)
    assert "Aucune page n’est encore connectée." in _page(client, BASE)
    response = client.post(f"{BASE}nouveau/messenger/", {"external_id": PAGE, "token": "EAAG-secret-token"},
                           follow=True)
    page = response.content.decode()
    assert "La page est connectée." in page and "jeton enregistré" in page
    assert "EAAG-secret-token" not in page
    channel = ChatChannel.objects.get(external_id=PAGE)
    assert channel.organisation.slug == "sceaux" and channel.token == "EAAG-secret-token"
    assert "EAAG-secret-token" not in channel.token_encrypted
    edit = _page(client, f"{BASE}{channel.pk}/")
    assert "Jeton enregistré." in edit and "Remplacer le jeton" in edit and "EAAG-secret-token" not in edit
    # Saved without a token: the saved one stays; with one: replaced.
    client.post(f"{BASE}{channel.pk}/", {"external_id": PAGE, "token": ""})
    channel.refresh_from_db()
    assert channel.token == "EAAG-secret-token"
    client.post(f"{BASE}{channel.pk}/", {"external_id": PAGE, "token": "EAAG-new"})
    channel.refresh_from_db()
    assert channel.token == "EAAG-new"
    actions = list(AuditEntry.objects.filter(action__startswith="channels.").values_list("action", flat=True))
    assert "channels.connected" in actions and "channels.updated" in actions
    assert not any("EAAG" in json.dumps(entry.data) for entry in AuditEntry.objects.all())


@pytest.mark.parametrize("data, message", [
    ({"external_id": "abc", "token": "x"}, "Un identifiant de page ne contient que des chiffres"),
    ({"external_id": PAGE, "token": ""}, "Indiquez le jeton d’accès de la page."),
    ({"external_id": PAGE, "token": "two words"}, "Un jeton ne contient pas d’espace"),
])
def test_bad_input_is_refused_with_a_french_message_and_nothing_saved(agent, data, message):
    response = _client(agent).post(f"{BASE}nouveau/messenger/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ChatChannel.objects.exists()


def test_a_page_of_another_commune_cannot_be_taken_over(agent, montreuil):
    other = ChatChannel(organisation=montreuil, platform=Platform.MESSENGER, external_id=PAGE)
    other.set_token("montreuil")
    other.save()
    response = _client(agent).post(f"{BASE}nouveau/messenger/", {"external_id": PAGE, "token": "mine"})
    assert response.status_code == 400
    assert "déjà connectée à une autre organisation" in response.content.decode()
    other.refresh_from_db()
    assert other.organisation == montreuil and other.token == "montreuil"


def test_deactivating_a_page_stops_its_answers(agent, page, graph, client):
    _client(agent).post(f"{BASE}{page.pk}/desactiver/")
    page.refresh_from_db()
    assert page.active is False
    say(client, "m-1", text="Bonjour")
    assert graph.sent == [] and not Participant.objects.exists()


@pytest.mark.parametrize("status, body, expected, working", [
    (200, {"id": PAGE, "name": "Ville de Sceaux"}, "Le jeton fonctionne : Messenger reconnaît la page « Ville de "
                                                   "Sceaux »", True),
    (200, {"id": "999"}, "pour une autre page (999)", False),
    (400, {"error": {"message": "Invalid OAuth access token"}}, "Messenger a refusé le jeton", False),
    (503, {}, "Messenger a répondu par une erreur (503)", False),
])
def test_testing_a_page_checks_its_token_against_the_platform(agent, page, settings, status, body, expected,
                                                               working):
    fake = FakeMe(status, body)
    settings.CONCERTO_MESSENGER_API_URL = fake.url
    try:
        page_text = _client(agent).post(f"{BASE}{page.pk}/tester/", follow=True).content.decode()
    finally:
        fake.close()
    assert fake.tokens == ["page-token-sceaux"]
    assert expected in page_text.replace("\u202f", " ").replace("\xa0", " ")
    assert AuditEntry.objects.get(action="channels.checked").data["working"] is working


def test_a_platform_that_does_not_answer_gives_a_clear_result(agent, page, settings):
    settings.CONCERTO_MESSENGER_API_URL = "http://127.0.0.1:9/v23.0"  # nothing listens there
    page_text = _client(agent).post(f"{BASE}{page.pk}/tester/", follow=True).content.decode()
    assert "Messenger n’a pas répondu à temps" in page_text


def test_an_elected_official_reads_the_figures_only(elected, page):
    client = _client(elected)
    assert client.get(BASE).status_code == 403
    assert client.get(f"{BASE}agents/").status_code == 403
    figures = client.get(f"{BASE}chiffres/")
    main = figures.content.decode().split("<main", 1)[1].split("</main>", 1)[0]
    assert figures.status_code == 200 and "Personnes touchées par canal" in main
    assert 'method="post"' not in main
    assert client.post(f"{BASE}{page.pk}/desactiver/").status_code == 403
    page.refresh_from_db()
    assert page.active


def test_an_agent_of_another_commune_sees_nothing(outsider, page):
    client = _client(outsider)
    for url in (BASE, f"{BASE}chiffres/", f"{BASE}agents/", f"{BASE}{page.pk}/"):
        assert client.get(url).status_code == 403, url
    # Their own commune's pages do not open Sceaux's channel either.
    assert client.get(f"/gestion/montreuil/canaux/{page.pk}/").status_code == 404


# Figures -------------------------------------------------------------------------------------------------

def test_the_figures_count_people_answers_and_drop_off_without_any_message(agent, page, graph, client,
                                                                           chat_consultation):
    say(client, "a-1", text="Bonjour")
    say(client, "a-2", payload=f"item:consultations:{chat_consultation.component.pk}")
    say(client, "a-3", payload=f"o:{chat_consultation.transport.options.first().pk}")
    say(client, "a-4", payload="skip")
    say(client, "a-5", payload="n:4")
    say(client, "a-6", text="Plus de bancs")
    assert Contribution.objects.filter(channel="chatbot").count() == 1
    # A second person stops after the first question.
    say(client, "b-1", text="Bonjour", psid="2")
    say(client, "b-2", payload=f"item:consultations:{chat_consultation.component.pk}", psid="2")
    say(client, "b-3", payload=f"o:{chat_consultation.transport.options.first().pk}", psid="2")
    page_text = _page(_client(agent), f"{BASE}chiffres/")
    assert "<strong>2</strong> personnes touchées" in page_text
    assert "<strong>1</strong> réponse enregistrée par la discussion" in page_text
    assert "Le parc de demain" in page_text
    assert "<svg" in page_text
    rows = page_text.split("Abandon par question")[1]
    assert "<svg" in rows and 'aria-hidden="true"' in rows  # the bars, beside the table that says the same
    # Each question by its title, in order: the first reached and answered by both; the optional second reached
    # by both (the one who finished skipped it, the other stands there); the third by the one who finished.
    assert '<th scope="row">Comment venez-vous au parc ?</th><td>2</td><td>2</td>' in rows.replace("\u202f", " ")
    assert '<th scope="row">Que faites-vous au parc ?</th><td>2</td><td>0</td>' in rows.replace("\u202f", " ")
    assert '<th scope="row">Êtes-vous satisfait ?</th><td>1</td><td>1</td>' in rows.replace("\u202f", " ")
    assert "Plus de bancs" not in page_text and "Bonjour" not in page_text
    # The same figures as a CSV, through the kernel's exports.
    csv = _client(agent).get(f"{BASE}chiffres/canaux.csv")
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    lines = csv.content.decode("utf-8-sig").replace("\xa0", " ").replace("\u202f", " ").splitlines()
    assert lines[0] == "Indicateur,Élément,Détail,Valeur"
    assert "Abandon : Le parc de demain,Comment venez-vous au parc ?,Atteint,2" in lines
    assert "Abandon : Le parc de demain,Que faites-vous au parc ?,Répondu,0" in lines
    assert "Personnes touchées par plateforme et tranche d’âge,Messenger,non renseigné,2" in lines
    assert "Réponses à chaque questionnaire par canal,Le parc de demain,Assistant conversationnel,1" in lines


# Talking to an agent -------------------------------------------------------------------------------------

def test_talking_to_an_agent_opens_a_ticket_the_agent_answers_through_messenger(agent, page, graph, client):
    say(client, "t-1", text="Bonjour, j'ai une question privée")
    assert "Parler à un agent" in [reply["title"] for reply in graph.last_quick_replies()]
    say(client, "t-2", payload="agent")
    assert "Un agent de Sceaux vous répondra ici" in graph.texts()[-1]
    sent_before = len(graph.sent)
    say(client, "t-3", text="Ma rue n'est pas éclairée")
    assert len(graph.sent) == sent_before  # the assistant stays silent: an agent answers
    ticket = ChatTicket.objects.get()
    staff = _client(agent)
    listing = _page(staff, f"{BASE}agents/")
    assert f"Conversation nº {ticket.pk}" in listing.replace("\xa0", " ") or f"{BASE}agents/{ticket.pk}/" in listing
    thread = _page(staff, f"{BASE}agents/{ticket.pk}/")
    assert "Ma rue n" in thread and "une question privée" not in thread  # nothing from before the ticket
    from concerto.channels.tests import test_messenger

    with test_messenger._capture(execute=True):
        response = staff.post(f"{BASE}agents/{ticket.pk}/", {"text": "Nous envoyons une équipe demain."})
    assert response.status_code == 302
    assert graph.sent[-1]["recipient"]["id"] == PSID
    assert graph.sent[-1]["message"]["text"] == "Nous envoyons une équipe demain."
    empty = staff.post(f"{BASE}agents/{ticket.pk}/", {"text": "  "})
    assert empty.status_code == 400 and "Écrivez votre réponse avant de l’envoyer." in empty.content.decode()
    staff.post(f"{BASE}agents/{ticket.pk}/fermer/")
    ticket.refresh_from_db()
    assert ticket.closed_at is not None and ticket.closed_by == agent
    # Closed: the assistant answers again, and the agent's thread stops at the closing.
    say(client, "t-4", text="Merci")
    assert len(graph.sent) > sent_before + 1
    assert "Merci" not in _page(staff, f"{BASE}agents/{ticket.pk}/")
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"channels.ticket_opened", "channels.ticket_replied", "channels.ticket_closed"} <= actions


def test_in_the_web_chat_the_answer_shows_at_the_next_page_load(agent, sceaux, client):
    client.get("/canaux/web/?commune=sceaux")
    client.post("/canaux/web/", {"payload": "agent", "nonce": "n1"})
    client.post("/canaux/web/", {"text": "Une question sur la cantine", "nonce": "n2"})
    ticket = ChatTicket.objects.get()
    assert ticket.participant.platform == Platform.WEB
    _client(agent).post(f"{BASE}agents/{ticket.pk}/", {"text": "La cantine rouvre lundi."})
    assert "La cantine rouvre lundi." in client.get("/canaux/web/").content.decode()


def test_tickets_follow_the_messages_retention(sceaux):
    participant = Participant.objects.create(platform=Platform.WEB, key_hash="k", organisation=sceaux)
    old = ChatTicket.objects.create(participant=participant, organisation=sceaux)
    recent = ChatTicket.objects.create(participant=participant, organisation=sceaux)
    Message.objects.create(participant=participant, direction="in", text="ancien")
    long_ago = timezone.now() - timedelta(days=120)
    ChatTicket.objects.filter(pk=old.pk).update(closed_at=long_ago, last_activity_at=long_ago)
    Message.objects.update(created_at=long_ago)
    privacy.messages_purge(timezone.now() - timedelta(days=90))
    assert list(ChatTicket.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not Message.objects.exists()


@pytest.mark.parametrize("change, expected", [
    ({"stopped_at": timezone.now()}, "La personne a écrit STOP"),
    ({"last_inbound_at": timezone.now() - timedelta(hours=25)}, "dans les 24 heures"),
])
def test_an_answer_that_cannot_reach_the_person_is_refused_and_kept_in_the_box(agent, page, graph, client, change,
                                                                                expected):
    say(client, "r-1", text="Bonjour")
    say(client, "r-2", payload="agent")
    ticket = ChatTicket.objects.get()
    Participant.objects.filter(pk=ticket.participant_id).update(**change)
    sent = len(graph.sent)
    response = _client(agent).post(f"{BASE}agents/{ticket.pk}/", {"text": "Réponse tardive"})
    assert response.status_code == 400
    body = response.content.decode()
    assert expected in body.replace("\xa0", " ") and "Réponse tardive" in body
    assert len(graph.sent) == sent and not Message.objects.filter(text="Réponse tardive").exists()


def test_people_reached_by_age_band_come_from_the_linked_account_or_are_not_given(agent, sceaux, montreuil):
    from concerto.channels.figures import figures_for
    from concerto.testing import UserFactory

    today = timezone.localdate()
    young = UserFactory(birth_year=today.year - 20)
    Participant.objects.create(platform=Platform.TELEGRAM, key_hash="a", organisation=sceaux, user=young)
    Participant.objects.create(platform=Platform.TELEGRAM, key_hash="b", organisation=sceaux)
    Participant.objects.create(platform=Platform.SMS, key_hash="c", organisation=sceaux)
    Participant.objects.create(platform=Platform.SMS, key_hash="d", organisation=montreuil)  # not Sceaux's
    table = figures_for(organisation=sceaux).tables[0]
    assert table.columns == ["18 à 29 ans", "non renseigné", "Total"]
    assert dict(table.rows) == {"SMS": [0, 1, 1], "Telegram": [1, 1, 2]}
    page = _page(_client(agent), f"{BASE}chiffres/")
    assert "Personnes touchées par plateforme et tranche d’âge" in page and "non renseigné" in page
