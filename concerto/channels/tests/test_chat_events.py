"""Events from a chat: the next events, nearest first when the person shares where they are; registering through
the web form's service (account needed, capacity and waitlist); the ticket's QR code as an image the fake
Messenger receives, served at a signed address only; cancelling."""

import json

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from concerto.channels.models import Participant
from concerto.channels.testing import event, signature
from concerto.channels.tests.conftest import PAGE, SECRET
from concerto.components.events import services
from concerto.components.events.models import Event, Registration
from concerto.components.events.tests.test_events import make_event
from concerto.components.reports.tests.conftest import places  # noqa: F401
from concerto.testing import ComponentFactory, SpaceFactory, UserFactory

URL = "/canaux/messenger/webhook/"
PSID = "3254477777772919"
NEAR = (48.7830, 2.2900)  # by the later event; Sceaux is a small square around (48.7745, 2.2990) here


@pytest.fixture(autouse=True)
def _on_commit(django_capture_on_commit_callbacks):
    global _capture
    _capture = django_capture_on_commit_callbacks


@pytest.fixture
def agenda(sceaux, places):  # noqa: F811 (the reports' fixture, imported)
    space = SpaceFactory(organisation=sceaux, slug="agenda", title="Agenda")
    component = ComponentFactory(space=space, kind="events", title="Rencontres de Sceaux")
    soon = make_event(component, title="Atelier vélo", point=(48.7700, 2.2950))
    later = make_event(component, title="Balade urbaine", starts_in=timezone.timedelta(days=6),
                       point=NEAR)
    return component, soon, later


_mids = iter(range(1, 10000))


def post(client, body: bytes):
    with _capture(execute=True):
        response = client.generic("POST", URL, body, content_type="application/json",
                                  headers={"X-Hub-Signature-256": signature(body, SECRET)})
    assert response.status_code == 200


def say(client, *, text: str = "", payload: str | None = None):
    name = "webhook_message_quick_reply.json" if payload else "webhook_message_text.json"
    post(client, event(name, page=PAGE, psid=PSID, mid=f"e{next(_mids)}", text=text, payload=payload))


def share_location(client, latitude: float, longitude: float):
    data = json.loads(event("webhook_message_attachment.json", page=PAGE, psid=PSID, mid=f"e{next(_mids)}"))
    data["entry"][0]["messaging"][0]["message"]["attachments"] = [
        {"type": "location", "payload": {"coordinates": {"lat": latitude, "long": longitude}}}]
    post(client, json.dumps(data).encode())


def texts(graph) -> str:
    return "\n".join(graph.texts())


def replies(graph) -> dict[str, str]:
    return {reply["title"].replace("\xa0", " ").replace("\u202f", " "): reply["payload"]
            for reply in graph.last_quick_replies()}


def linked(user):
    say_first = Participant.objects.get()
    say_first.user = user
    say_first.save(update_fields=["user"])


def images(graph) -> list[str]:
    return [body["message"]["attachment"]["payload"]["url"] for body in graph.sent
            if body["message"].get("attachment", {}).get("type") == "image"]


def local(url: str) -> str:
    return url[len(django_settings.SITE_URL.rstrip("/")):]


@pytest.mark.django_db
def test_the_nearest_event_first_then_registration_with_the_ticket_qr_image(client, graph, page, agenda):
    component, soon, later = agenda
    user = UserFactory(display_name="Inès")
    say(client, text="Bonjour")
    linked(user)
    say(client, payload=f"item:events:{component.pk}")
    assert "Partagez votre position" in texts(graph)
    share_location(client, *NEAR)
    listing = texts(graph)
    assert listing.index("1. Balade urbaine") < listing.index("2. Atelier vélo")  # the nearest first
    assert "km de vous" in listing
    say(client, payload=replies(graph)["S’inscrire : 1"])

    registration = Registration.objects.get(user=user)
    assert registration.event == later and registration.status == Registration.Status.CONFIRMED
    assert "Vous êtes inscrit" in texts(graph)
    [qr] = images(graph)
    answer = client.get(local(qr))
    assert answer.status_code == 200 and answer["Content-Type"] == "image/png"
    assert answer.content.startswith(b"\x89PNG")
    ticket = next(body["message"]["attachment"]["payload"] for body in reversed(graph.sent)
                  if body["message"].get("attachment", {}).get("type") == "template"
                  and "billet" in body["message"]["attachment"]["payload"]["buttons"][0]["url"])
    assert ticket["buttons"][0]["url"].endswith(f"/{later.pk}/billet/")
    # The code is served to whoever holds the signed address, nobody else.
    assert client.get(local(qr).replace("/qr.png", "x/qr.png")).status_code == 404
    other = services.registration_create(user=UserFactory(), event=later)
    assert client.get(local(qr).replace(str(registration.pk), str(other.pk))).status_code == 404

    # Back to the event: already registered, and cancelling frees the place.
    say(client, payload=f"item:events:{component.pk}")
    say(client, payload="ev:all")
    say(client, payload=replies(graph)["S’inscrire : 2"])
    assert "déjà inscrit" in texts(graph)
    [cancel] = [payload for title, payload in replies(graph).items() if title.startswith("Annuler mon inscr")]
    say(client, payload=cancel)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED
    assert "Votre inscription est annulée" in texts(graph)
    assert client.get(local(qr)).status_code == 404


@pytest.mark.django_db
def test_a_full_event_says_so_and_puts_on_the_waitlist(client, graph, page, sceaux):
    space = SpaceFactory(organisation=sceaux, slug="agenda", title="Agenda")
    component = ComponentFactory(space=space, kind="events", title="Rencontres de Sceaux")
    full = make_event(component, title="Conseil de quartier", capacity=1)
    services.registration_create(user=UserFactory(), event=full)
    user = UserFactory()
    say(client, text="Bonjour")
    linked(user)
    say(client, payload=f"item:events:{component.pk}")
    say(client, payload="ev:all")
    say(client, payload=replies(graph)["S’inscrire : 1"])
    assert "La rencontre est complète" in texts(graph) or "complet" in texts(graph)
    assert Registration.objects.get(user=user).status == Registration.Status.WAITLISTED
    assert images(graph) == []  # no check-in code for a waitlisted person


@pytest.mark.django_db
def test_an_unlinked_chat_is_told_to_use_an_account_and_nothing_is_registered(client, graph, page, agenda):
    component, soon, later = agenda
    say(client, text="Bonjour")
    say(client, payload=f"item:events:{component.pk}")
    say(client, text="n'importe où")  # no address service in tests: the next events
    say(client, payload=replies(graph)["S’inscrire : 1"])
    assert "il faut un compte Concerto" in texts(graph)
    assert not Registration.objects.exists()


@pytest.mark.django_db
def test_a_closed_registration_gives_the_web_form_reason(client, graph, page, agenda):
    component, soon, later = agenda
    Event.objects.filter(pk=soon.pk).update(registration_enabled=False)
    user = UserFactory()
    say(client, text="Bonjour")
    linked(user)
    say(client, payload=f"item:events:{component.pk}")
    say(client, payload="ev:all")
    say(client, payload=replies(graph)["S’inscrire : 1"])
    assert "Pas besoin de s’inscrire" in texts(graph) or "inscription" in texts(graph).lower()
    assert not Registration.objects.exists()
