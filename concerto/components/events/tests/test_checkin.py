"""Check-in at the door: every refusal with its message, walk-ins, counters, undo, and who may do it."""


import pytest
from django.db import connection
from django.utils import timezone

from concerto.components.events import room
from concerto.components.events.models import Registration, RegistrationQuestion
from concerto.components.events.tests.test_room import make_event, register, url
from concerto.core.audit.models import AuditEntry
from concerto.testing import UserFactory, at_once

pytestmark = pytest.mark.django_db


def checkin(client, event, code, **extra):
    return client.post(url("events_backoffice:checkin", event), {"code": code, **extra})


def test_agent_checks_in_a_typed_code_and_sees_the_name_and_the_answers(staff_client, agent, resident):
    event = make_event()
    question = RegistrationQuestion.objects.create(event=event, label="Besoin d'une garde d'enfants ?")
    registration = register(event, resident, answers={str(question.pk): "Oui, deux enfants"})
    client = staff_client(agent)

    typed = registration.code[:4].lower() + " " + registration.code[4:].lower()
    response = checkin(client, event, typed)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Enregistré\u00a0: Camille Martin" in page
    assert "Besoin d&#x27;une garde d&#x27;enfants ?" in page and "Oui, deux enfants" in page
    registration.refresh_from_db()
    assert registration.checked_in_at is not None and registration.checked_in_by == agent
    assert AuditEntry.objects.filter(action="event.checked_in", target_id=str(registration.pk)).exists()


def test_an_unknown_code_is_refused(staff_client, agent):
    event = make_event()
    response = checkin(staff_client(agent), event, "ZZZZ ZZZZ")
    assert response.status_code == 400
    assert "Code inconnu" in response.content.decode()


def test_a_code_of_another_event_says_which_event_it_is_for(staff_client, agent, resident):
    event = make_event()
    other = make_event(title="Balade urbaine", starts_at=timezone.make_aware(timezone.datetime(2026, 12, 3, 18)))
    registration = register(other, resident)

    response = checkin(staff_client(agent), event, registration.code)

    assert response.status_code == 400
    assert "Ce billet est pour «\u00a0Balade urbaine\u00a0» du 3 décembre 2026." in response.content.decode()
    registration.refresh_from_db()
    assert registration.checked_in_at is None


def test_a_code_already_checked_in_says_at_what_time(staff_client, agent, resident):
    event = make_event()
    registration = register(event, resident)
    at = timezone.make_aware(timezone.datetime(2026, 11, 20, 18, 42))
    Registration.objects.filter(pk=registration.pk).update(checked_in_at=at)

    response = checkin(staff_client(agent), event, registration.code)

    assert response.status_code == 409
    assert "Déjà enregistré à 18 h 42." in response.content.decode()


def test_a_cancelled_registration_is_refused(staff_client, agent, resident):
    event = make_event()
    registration = register(event, resident, status=Registration.Status.CANCELLED)
    response = checkin(staff_client(agent), event, registration.code)
    assert response.status_code == 400
    assert "Cette inscription a été annulée." in response.content.decode()


def test_a_waitlisted_person_is_refused_then_admitted_when_a_place_is_free(staff_client, agent, resident):
    event = make_event(capacity=10)
    registration = register(event, resident, status=Registration.Status.WAITLISTED)
    client = staff_client(agent)

    refused = checkin(client, event, registration.code)
    assert refused.status_code == 409
    assert "Cette personne est sur la liste d’attente. Une place est libre" in refused.content.decode()
    assert "Faire entrer cette personne" in refused.content.decode()

    admitted = checkin(client, event, registration.code, admit="on")
    assert admitted.status_code == 200
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED and registration.checked_in_at is not None


def test_a_waitlisted_person_over_capacity_needs_the_explicit_choice(agent, resident):
    event = make_event(capacity=1)
    register(event, UserFactory())
    registration = register(event, resident, status=Registration.Status.WAITLISTED)

    with pytest.raises(room.CheckinRefused) as refused:
        room.checkin_record(agent=agent, event=event, code=registration.code, admit_waitlisted=True)
    assert refused.value.reason == "waitlisted" and not refused.value.place_free

    room.checkin_record(agent=agent, event=event, code=registration.code, admit_waitlisted=True,
                        over_capacity=True)
    assert room.checkin_counts(event)["over_capacity"] is True


def test_counters_show_checked_in_expected_and_walk_ins(staff_client, agent, resident):
    event = make_event()
    registration = register(event, resident)
    register(event, UserFactory())
    room.checkin_record(agent=agent, event=event, code=registration.code)
    room.walk_in_add(agent=agent, event=event, name="Lou")

    counts = room.checkin_counts(event)
    assert (counts["checked_in"], counts["expected"], counts["walk_ins"]) == (2, 2, 1)
    page = staff_client(agent).get(url("events_backoffice:checkin", event)).content.decode()
    assert '<strong id="count-checked-in">2</strong> enregistrés' in page
    assert '<strong id="count-expected">2</strong> attendus' in page
    assert '<strong id="count-walk-ins">1</strong> venus sans inscription' in page


def test_a_walk_in_is_added_from_the_page_and_counted_as_checked_in(staff_client, agent):
    event = make_event()
    response = staff_client(agent).post(url("events_backoffice:walk_in", event),
                                        {"name": "Lou", "attendance": "in_person"}, follow=True)
    assert "Personne ajoutée et enregistrée\u00a0: Lou." in response.content.decode()
    walk_in = event.registrations.get()
    assert walk_in.walk_in and walk_in.checked_in_at is not None and walk_in.checked_in_by == agent


def test_a_walk_in_over_capacity_is_refused_unless_the_agent_ticks_the_box(staff_client, agent):
    event = make_event(capacity=1)
    register(event, UserFactory())
    client = staff_client(agent)

    refused = client.post(url("events_backoffice:walk_in", event), {"name": "Lou", "attendance": "in_person"})
    assert refused.status_code == 400
    assert "La rencontre est complète (1 places)" in refused.content.decode()
    assert event.registrations.filter(walk_in=True).count() == 0

    client.post(url("events_backoffice:walk_in", event),
                {"name": "Lou", "attendance": "in_person", "over_capacity": "on"})
    assert event.registrations.filter(walk_in=True).count() == 1


def test_an_online_walk_in_at_a_hybrid_event_takes_no_seat(agent):
    event = make_event(capacity=1, format="hybrid")
    register(event, UserFactory())
    room.walk_in_add(agent=agent, event=event, attendance="online")
    assert event.registrations.filter(walk_in=True).count() == 1


def test_undoing_a_check_in_puts_the_person_back_as_expected(staff_client, agent, resident):
    event = make_event()
    registration = register(event, resident)
    room.checkin_record(agent=agent, event=event, code=registration.code)
    client = staff_client(agent)

    response = client.post(url("events_backoffice:checkin", event), {"undo": registration.pk}, follow=True)

    assert "Enregistrement de Camille Martin annulé." in response.content.decode()
    registration.refresh_from_db()
    assert registration.checked_in_at is None
    assert room.checkin_counts(event)["checked_in"] == 0
    again = checkin(client, event, registration.code)
    assert again.status_code == 200


def test_undoing_a_walk_in_removes_them_from_the_counts(agent):
    event = make_event()
    walk_in = room.walk_in_add(agent=agent, event=event, name="Lou")
    room.checkin_undo(agent=agent, event=event, registration=walk_in)
    counts = room.checkin_counts(event)
    assert (counts["checked_in"], counts["walk_ins"]) == (0, 0)


@pytest.mark.parametrize("data", [
    {"code": ""}, {"code": "x" * 500}, {"code": "\x00\x00"}, {"code": "ÉÉÉ"}, {"undo": "abc"}, {"undo": "999999"},
    {"code": "ABCD", "admit": "maybe"}, {},
])
def test_junk_input_never_fails_with_a_500(staff_client, agent, data):
    event = make_event()
    response = staff_client(agent).post(url("events_backoffice:checkin", event), data)
    assert response.status_code in (200, 302, 400)


@pytest.mark.parametrize("data", [{}, {"attendance": "moon"}, {"name": "x" * 1000, "attendance": "online"}])
def test_junk_walk_in_input_never_fails_with_a_500(staff_client, agent, data):
    event = make_event()
    response = staff_client(agent).post(url("events_backoffice:walk_in", event), data)
    assert response.status_code in (302, 400)


@pytest.mark.parametrize("name", ["events_backoffice:checkin", "events_backoffice:walk_in"])
def test_the_outsider_cannot_reach_the_door_of_another_commune(staff_client, outsider, name):
    event = make_event()
    client = staff_client(outsider)
    assert client.get(url(name, event)).status_code in (403, 404)
    assert client.post(url(name, event), {"name": "Intrus", "attendance": "in_person"}).status_code in (403, 404)
    assert event.registrations.count() == 0


def test_a_resident_cannot_reach_the_door(client, resident):
    event = make_event()
    client.force_login(resident)
    assert client.get(url("events_backoffice:checkin", event)).status_code in (302, 403)
    assert client.post(url("events_backoffice:walk_in", event), {"attendance": "in_person"}).status_code in (302, 403)
    assert event.registrations.count() == 0


def test_an_event_of_another_commune_under_this_communes_url_is_a_404(staff_client, agent, montreuil):
    event = make_event(montreuil)
    space = event.component.space
    wrong = f"/gestion/sceaux/{space.slug}/rencontres/{event.component_id}/{event.pk}/accueil/"
    assert staff_client(agent).get(wrong).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_check_ins_of_the_same_code_succeed_exactly_once(sceaux):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers: the race needs PostgreSQL")
    agent = UserFactory()
    event = make_event(sceaux)
    registration = register(event, UserFactory())

    def attempt(_n):
        room.checkin_record(agent=agent, event=event, code=registration.code)
        return "ok"

    outcomes = [outcome.reason if isinstance(outcome, room.CheckinRefused) else outcome
                for outcome in at_once(attempt, range(20))]

    assert outcomes.count("ok") == 1
    assert outcomes.count("already") == 19
    assert Registration.objects.get(pk=registration.pk).checked_in_at is not None


def test_the_door_page_alone_may_use_the_camera_to_read_tickets(staff_client, agent):
    event = make_event()
    client = staff_client(agent)
    door = client.get(url("events_backoffice:checkin", event))
    assert door.status_code == 200
    assert "camera=(self)" in door["Permissions-Policy"] and "microphone=()" in door["Permissions-Policy"]
    assert "camera=()" in client.get(url("events_backoffice:walk_in", event))["Permissions-Policy"]
    assert "camera=()" in client.get(event.get_absolute_url())["Permissions-Policy"]
