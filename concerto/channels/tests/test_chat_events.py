"""Events from a chat: the next events, nearest first when the person shares where they are; registering through
the web form's service (account needed, capacity and waitlist); the ticket's QR code as an image the fake
Messenger receives, served at a signed address only; cancelling."""


import pytest
from django.conf import settings as django_settings
from django.core import signing
from django.utils import timezone

from concerto.channels.models import Participant
from concerto.channels.tests.chat import replies
from concerto.components.events import services
from concerto.components.events.chat import qr_token
from concerto.components.events.models import Event, Registration
from concerto.components.events.tests.test_events import make_event
from concerto.components.reports.tests.conftest import places  # noqa: F401
from concerto.testing import ComponentFactory, SpaceFactory, UserFactory

NEAR = (48.7830, 2.2900)  # by the later event; Sceaux is a small square around (48.7745, 2.2990) here


@pytest.fixture
def agenda(sceaux, places):  # noqa: F811 (the reports' fixture, imported)
    space = SpaceFactory(organisation=sceaux, slug="agenda", title="Agenda")
    component = ComponentFactory(space=space, kind="events", title="Rencontres de Sceaux")
    soon = make_event(component, title="Atelier vélo", point=(48.7700, 2.2950))
    later = make_event(component, title="Balade urbaine", starts_in=timezone.timedelta(days=6),
                       point=NEAR)
    return component, soon, later


def texts(graph) -> str:
    return "\n".join(graph.texts())


def register_first(person, graph, component, user) -> None:
    """USER, whose chat is linked to their account, registers to the first of the next events of COMPONENT."""
    person.say(text="Bonjour")
    Participant.objects.filter(pk=Participant.objects.get().pk).update(user=user)
    person.say(payload=f"item:events:{component.pk}")
    person.say(payload="ev:all")
    person.say(payload=replies(graph)["S’inscrire : 1"])


def images(graph) -> list[str]:
    return [body["message"]["attachment"]["payload"]["url"] for body in graph.sent
            if body["message"].get("attachment", {}).get("type") == "image"]


def local(url: str) -> str:
    return url[len(django_settings.SITE_URL.rstrip("/")):]


@pytest.mark.django_db
def test_the_nearest_event_first_then_registration_with_the_ticket_qr_image(client, person, graph, page, agenda):
    component, soon, later = agenda
    user = UserFactory(display_name="Inès")
    person.say(text="Bonjour")
    Participant.objects.filter(pk=Participant.objects.get().pk).update(user=user)
    person.say(payload=f"item:events:{component.pk}")
    assert "Partagez votre position" in texts(graph)
    person.share_location(*NEAR)
    listing = texts(graph)
    assert listing.index("1. Balade urbaine") < listing.index("2. Atelier vélo")  # the nearest first
    assert "km de vous" in listing
    person.say(payload=replies(graph)["S’inscrire : 1"])

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
    # Another registration's id with this signature is a forged address.
    own_token = local(qr).rsplit("/", 2)[-2]
    forged = signing.b64_encode(str(other.pk).encode()).decode() + own_token[own_token.index(":"):]
    assert forged != own_token
    assert client.get(local(qr).replace(own_token, forged)).status_code == 404
    assert client.get(local(qr).replace(own_token, qr_token(other))).status_code == 200

    # Back to the event: already registered, and cancelling frees the place.
    person.say(payload=f"item:events:{component.pk}")
    person.say(payload="ev:all")
    person.say(payload=replies(graph)["S’inscrire : 2"])
    assert "déjà inscrit" in texts(graph)
    [cancel] = [payload for title, payload in replies(graph).items() if title.startswith("Annuler mon inscr")]
    person.say(payload=cancel)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED
    assert "Votre inscription est annulée" in texts(graph)
    assert client.get(local(qr)).status_code == 404


@pytest.mark.django_db
def test_a_full_event_says_so_and_puts_on_the_waitlist(client, person, graph, page, sceaux):
    space = SpaceFactory(organisation=sceaux, slug="agenda", title="Agenda")
    component = ComponentFactory(space=space, kind="events", title="Rencontres de Sceaux")
    full = make_event(component, title="Conseil de quartier", capacity=1)
    services.registration_create(user=UserFactory(), event=full)
    user = UserFactory()
    register_first(person, graph, component, user)
    assert "La rencontre est complète" in texts(graph) or "complet" in texts(graph)
    assert Registration.objects.get(user=user).status == Registration.Status.WAITLISTED
    assert images(graph) == []  # no check-in code for a waitlisted person


@pytest.mark.django_db
def test_an_unlinked_chat_is_told_to_use_an_account_and_nothing_is_registered(client, person, graph, page, agenda):
    component, soon, later = agenda
    person.say(text="Bonjour")
    person.say(payload=f"item:events:{component.pk}")
    person.say(text="n'importe où")  # no address service in tests: the next events
    person.say(payload=replies(graph)["S’inscrire : 1"])
    assert "il faut un compte Concerto" in texts(graph)
    assert not Registration.objects.exists()


@pytest.mark.django_db
def test_a_closed_registration_gives_the_web_form_reason(client, person, graph, page, agenda):
    component, soon, later = agenda
    Event.objects.filter(pk=soon.pk).update(registration_enabled=False)
    user = UserFactory()
    register_first(person, graph, component, user)
    assert "Pas besoin de s’inscrire" in texts(graph) or "inscription" in texts(graph).lower()
    assert not Registration.objects.exists()
