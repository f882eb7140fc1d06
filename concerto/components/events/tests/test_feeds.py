"""iCalendar: the text of the .ics (escaped, folded, UTC, stable UID), the feeds per space, organisation
and person, the organisation's agenda and the public list of a component."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from concerto.components.events import ics, services
from concerto.components.events.models import Event
from concerto.components.events.tests.test_events import make_component, make_event
from concerto.testing import UserFactory, commune

pytestmark = pytest.mark.django_db


def parse(document: bytes) -> list[dict]:
    """The VEVENTs of DOCUMENT as dicts of property name -> unescaped value (a small reader, for tests)."""
    text = document.decode()
    assert text.endswith("\r\n")
    lines = text.replace("\r\n ", "").split("\r\n")
    assert all(len(raw.encode()) <= 75 for raw in text.split("\r\n"))
    events, current = [], None
    for line in lines:
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            events.append(current)
            current = None
        elif current is not None and ":" in line:
            name, value = line.split(":", 1)
            value = (value.replace("\\n", "\n").replace("\\,", ",").replace("\\;", ";")
                     .replace("\\\\", "\\"))
            current[name.split(";")[0]] = value
    return events


def test_ics_escapes_folds_and_uses_utc():
    start = datetime(2030, 3, 14, 17, 30, tzinfo=UTC)
    event = make_event(title="Débat ; budget, écoles\\collèges", starts_in=timedelta(days=1),
                       description="<p>" + "Une longue description accentuée. " * 10 + "</p>")
    Event.objects.filter(pk=event.pk).update(starts_at=start, ends_at=start + timedelta(hours=2))
    event.refresh_from_db()

    document = ics.calendar([event], name="Agenda")
    (parsed,) = parse(document)

    assert parsed["SUMMARY"] == "Débat ; budget, écoles\\collèges"
    assert parsed["DTSTART"] == "20300314T173000Z" and parsed["DTEND"] == "20300314T193000Z"
    assert parsed["UID"] == ics.event_uid(event) and parsed["UID"].startswith(f"event-{event.pk}@")
    assert parsed["DESCRIPTION"].startswith("Une longue description accentuée.")
    assert parsed["LOCATION"] == "Salle des fêtes, 1 rue Houdan"
    assert b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" in document


def test_the_uid_stays_the_same_when_the_event_changes():
    event = make_event()
    before = parse(ics.calendar([event]))[0]["UID"]
    event = services.event_update(actor=None, event=event, title="Nouveau titre")
    after = parse(ics.calendar([event]))[0]
    assert after["UID"] == before and after["SUMMARY"] == "Nouveau titre"


def test_a_cancelled_event_is_marked_cancelled_in_the_feed():
    event = make_event()
    event = services.event_cancel(actor=None, event=event, reason="Pluie")
    assert parse(ics.calendar([event]))[0]["STATUS"] == "CANCELLED"


def test_space_feed_lists_the_public_events_of_the_space(client):
    component = make_component()
    shown = make_event(component, title="Atelier public")
    make_event(component, title="Brouillon", published=False)
    space = component.space

    response = client.get(reverse("events_space:feed", args=[space.organisation.slug, space.slug]))

    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    assert [e["SUMMARY"] for e in parse(response.content)] == [shown.title]


def test_the_metropole_feed_and_agenda_cover_every_commune_below(client, metropole):
    sceaux = make_event(make_component(commune("sceaux")), title="À Sceaux", kind="walk")
    montreuil = make_event(make_component(commune("montreuil")), title="À Montreuil", audiences=["families"])

    feed = client.get(reverse("events_organisation:feed", args=[metropole.slug]))
    assert {e["SUMMARY"] for e in parse(feed.content)} == {sceaux.title, montreuil.title}
    only_sceaux = client.get(reverse("events_organisation:feed", args=["sceaux"]))
    assert [e["SUMMARY"] for e in parse(only_sceaux.content)] == [sceaux.title]

    agenda = reverse("events_organisation:agenda", args=[metropole.slug])
    page = client.get(agenda).content.decode()
    assert "À Sceaux" in page and "À Montreuil" in page
    walks = client.get(agenda, {"type": "walk"}).content.decode()
    assert "À Sceaux" in walks and "À Montreuil" not in walks
    families = client.get(agenda, {"public": "families"}).content.decode()
    assert "À Montreuil" in families and "À Sceaux" not in families
    by_commune = client.get(agenda, {"commune": str(commune("montreuil").pk)}).content.decode()
    assert "À Montreuil" in by_commune and "À Sceaux" not in by_commune
    assert client.get(agenda, {"commune": "junk", "type": "x", "du": "31/02"}).status_code == 200


def test_the_agenda_separates_upcoming_and_past_and_filters_by_date(client):
    component = make_component()
    make_event(component, title="Passée", starts_in=-timedelta(days=3))
    make_event(component, title="Bientôt", starts_in=timedelta(days=2))
    make_event(component, title="Plus tard", starts_in=timedelta(days=40))
    agenda = reverse("events_organisation:agenda", args=["sceaux"])

    upcoming = client.get(agenda).content.decode()
    assert "Bientôt" in upcoming and "Plus tard" in upcoming and "Passée" not in upcoming
    past = client.get(agenda, {"quand": "passes"}).content.decode()
    assert "Passée" in past and "Bientôt" not in past
    later = client.get(agenda, {"du": (timezone.localdate() + timedelta(days=20)).isoformat()}).content.decode()
    assert "Plus tard" in later and "Bientôt" not in later


def test_the_component_list_has_upcoming_and_past_tabs_and_a_map(client):
    component = make_component()
    make_event(component, title="Passée", starts_in=-timedelta(days=3))
    make_event(component, title="Bientôt", point=(48.7786, 2.2906))

    page = client.get(component.get_absolute_url()).content.decode()
    assert "Bientôt" in page and "Passée" not in page and "data-map-points" in page
    past = client.get(component.get_absolute_url(), {"quand": "passes"}).content.decode()
    assert "Passée" in past and "Bientôt" not in past
    points = client.get(component.get_absolute_url() + "carte.geojson").json()
    assert [f["properties"]["title"] for f in points["features"]] == ["Bientôt"]


def test_the_personal_feed_lists_my_registrations_with_the_online_link(client, resident):
    link = "https://visio.example.org/salle"
    online = make_event(format=Event.Format.ONLINE, online_url=link, title="En ligne", place_name="")
    make_event(title="Pas inscrit")
    services.registration_create(user=resident, event=online)
    token = services.feed_token_for(user=resident)

    response = client.get(reverse("events_organisation:user_feed", args=["sceaux", token]))

    (parsed,) = parse(response.content)
    assert parsed["SUMMARY"] == "En ligne" and link in parsed["DESCRIPTION"]
    assert client.get(reverse("events_organisation:user_feed", args=["sceaux", "wrong-token"])).status_code == 404
    services.feed_token_for(user=resident, renew=True)
    assert client.get(reverse("events_organisation:user_feed", args=["sceaux", token])).status_code == 404


def test_another_persons_token_shows_only_their_registrations(client, resident):
    event = make_event()
    services.registration_create(user=resident, event=event)
    someone = UserFactory()
    token = services.feed_token_for(user=someone)
    response = client.get(reverse("events_organisation:user_feed", args=["sceaux", token]))
    assert parse(response.content) == []


def test_the_agenda_and_the_list_cost_the_same_queries_for_3_or_30_events(client, django_assert_max_num_queries):
    component = make_component()
    for number in range(3):
        make_event(component, title=f"Rencontre {number}", capacity=10)
    agenda = reverse("events_organisation:agenda", args=["sceaux"])
    with django_assert_max_num_queries(20) as few:
        client.get(agenda)
    with django_assert_max_num_queries(20):
        client.get(component.get_absolute_url())
    for number in range(27):
        make_event(component, title=f"Autre rencontre {number}", capacity=10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert "Autre rencontre 26" in client.get(agenda).content.decode()
