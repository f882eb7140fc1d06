"""The events API: public events only, never the online link nor who registered; minutes once published."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from concerto.components.events import minutes as services
from concerto.components.events.models import Event
from concerto.components.events.tests.test_minutes import PDF, make_event, make_events, make_space, register

pytestmark = pytest.mark.django_db
API = "/api/v1/events"


@pytest.fixture
def component(sceaux):
    return make_events(make_space(sceaux))


@pytest.fixture
def hybrid(component, resident):
    event = make_event(component, days=-1, title="Débat hybride", format=Event.Format.HYBRID,
                       online_url="https://visio.example.org/secret-room")
    register(event, user=resident, checked_in=True)
    return event


def test_public_events_are_listed_without_online_link_or_registrations(client, component, hybrid, montreuil):
    make_event(component, title="Brouillon", published=False)
    make_event(make_events(make_space(montreuil, slug="ailleurs"), published=False), title="Composant caché")
    upcoming = make_event(component, days=4, title="À venir")
    response = client.get(f"{API}/events")
    assert response.status_code == 200
    body = response.json()
    assert [item["title"] for item in body["items"]] == ["Débat hybride", "À venir"] and body["count"] == 2
    text = response.content.decode()
    assert "secret-room" not in text and "resident@example.org" not in text and "online_url" not in text
    assert [item["title"] for item in client.get(f"{API}/events?when=upcoming").json()["items"]] == ["À venir"]
    assert [item["title"] for item in client.get(f"{API}/events?when=past").json()["items"]] == ["Débat hybride"]
    detail = client.get(f"{API}/events/{upcoming.pk}").json()
    assert detail["format"] == "in_person" and detail["commune"] == "sceaux" and detail["has_minutes"] is False
    filtered = client.get(f"{API}/events?organisation=sceaux&component={component.pk}").json()
    assert filtered["count"] == 2


def test_an_unpublished_event_is_a_404(client, component):
    draft = make_event(component, published=False)
    response = client.get(f"{API}/events/{draft.pk}")
    assert response.status_code == 404 and "n’existe pas" in response.json()["detail"]


def test_minutes_are_served_once_published(client, agent, hybrid):
    minutes = services.minutes_save(actor=agent, event=hybrid, text="<p>Bilan</p>", attendees_in_person=12,
                                    attendees_online=5)
    services.attachment_add(actor=agent, minutes=minutes, title="Diaporama",
                            file=SimpleUploadedFile("d.pdf", PDF, content_type="application/pdf"))
    assert client.get(f"{API}/events/{hybrid.pk}/minutes").status_code == 404
    assert client.get(f"{API}/events/{hybrid.pk}").json()["has_minutes"] is False
    services.minutes_publish(actor=agent, minutes=minutes)
    body = client.get(f"{API}/events/{hybrid.pk}/minutes").json()
    assert body["text"] == "<p>Bilan</p>" and body["attendees_in_person"] == 12 and body["attendees_online"] == 5
    assert body["attachments"][0]["title"] == "Diaporama" and body["attachments"][0]["url"].endswith(".pdf")
    assert client.get(f"{API}/events/{hybrid.pk}").json()["has_minutes"] is True


def test_junk_gets_4xx_never_500(client, component):
    for url in (f"{API}/events/0", f"{API}/events/abc", f"{API}/events/99999999999", f"{API}/events?when=soon",
                f"{API}/events?organisation=%00", f"{API}/events?organisation=inconnue", f"{API}/events?limit=1000",
                f"{API}/events/999/minutes"):
        assert 400 <= client.get(url).status_code < 500, url
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200 and f"{API}/events/{{event_id}}/minutes" in schema.json()["paths"]


def test_published_minutes_are_listed_most_recent_event_first(client, agent, component, sceaux):
    older = make_event(component, days=-9, title="Ancienne")
    newer = make_event(component, days=-2, title="Récente")
    draft = make_event(component, days=-1, title="Brouillon")
    hidden_event = make_event(component, days=-3, title="Non publiée", published=False)
    for event in (older, newer, draft, hidden_event):
        minutes = services.minutes_save(actor=agent, event=event, text=f"CR {event.title}", attendees_in_person=1,
                                        attendees_online=0)
        if event is not draft:
            services.minutes_publish(actor=agent, minutes=minutes)
    body = client.get(f"{API}/minutes?organisation=sceaux").json()
    assert body["count"] == 2 and [item["event"] for item in body["items"]] == [newer.pk, older.pk]
    assert client.get(f"{API}/minutes?limit=1&offset=1").json()["items"][0]["event"] == older.pk
    assert client.get(f"{API}/minutes?component={component.pk + 1000}").json()["count"] == 0
