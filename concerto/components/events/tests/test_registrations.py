"""Registering to an event: places and waitlist, promotion, double registration, closed or cancelled
events, questions, attendance, the confirmation email with its .ics, reminders, the ticket and its QR code,
and the online link that only registered people see."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from concerto.components.events import services
from concerto.components.events.models import Event, Registration
from concerto.components.events.tests.test_events import make_component, make_event
from concerto.core.participation.models import Notification
from concerto.testing import StepFactory, UserFactory, at_once, needs_postgresql

pytestmark = pytest.mark.django_db


def url(name: str, event) -> str:
    space = event.component.space
    return reverse(f"events:{name}", kwargs={"org_slug": space.organisation.slug, "space_slug": space.slug,
                                             "component_id": event.component_id, "event_id": event.pk})


def test_registrations_beyond_the_capacity_go_to_the_waitlist_never_over():
    event = make_event(capacity=2)
    statuses = [services.registration_create(user=UserFactory(), event=event).status for _i in range(4)]
    assert statuses == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert services.places_left(event) == 0


def test_cancelling_frees_the_place_for_the_first_on_the_waitlist_who_is_told(
        resident, django_capture_on_commit_callbacks):
    event = make_event(capacity=1)
    first = services.registration_create(user=UserFactory(), event=event)
    waiting = services.registration_create(user=resident, event=event)
    last = services.registration_create(user=UserFactory(), event=event)

    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(actor=first.user, registration=first)

    waiting.refresh_from_db()
    last.refresh_from_db()
    assert waiting.status == "confirmed" and waiting.promoted_at is not None
    assert last.status == "waitlisted"
    assert Notification.objects.filter(recipient=resident, verb="events.promoted").exists()
    assert [m.to for m in mail.outbox] == [[resident.email]]
    assert "Une place s’est libérée" in mail.outbox[0].subject
    assert mail.outbox[0].attachments[0][0] == "evenement.ics"


def test_a_second_registration_is_refused_with_a_clear_message(client, resident):
    event = make_event()
    services.registration_create(user=resident, event=event)
    with pytest.raises(services.EventError, match="déjà inscrit"):
        services.registration_create(user=resident, event=event)

    client.force_login(resident)
    response = client.post(url("register", event), follow=True)
    assert "Vous êtes déjà inscrit" in response.content.decode()
    assert Registration.objects.filter(event=event, user=resident).count() == 1


def test_after_cancelling_a_person_can_register_again(resident):
    event = make_event()
    registration = services.registration_create(user=resident, event=event)
    services.registration_cancel(actor=resident, registration=registration)
    again = services.registration_create(user=resident, event=event)
    assert again.status == "confirmed" and again.code != registration.code


def test_registration_is_refused_when_the_step_closes_it(client, resident):
    component = make_component(step_settings={})
    step = StepFactory(space=component.space)
    component.step_settings = {str(step.pk): {"registrations_open": False}}
    component.save()
    event = make_event(component)

    client.force_login(resident)
    response = client.post(url("register", event))

    assert response.status_code == 403
    assert "Les inscriptions sont fermées" in response.content.decode()
    assert not Registration.objects.exists()


def test_a_cancelled_or_past_event_takes_no_registration(resident):
    event = make_event()
    services.event_cancel(actor=None, event=event, reason="Grève")
    with pytest.raises(services.EventError, match="annulé"):
        services.registration_create(user=resident, event=event)
    past = make_event(starts_in=-timedelta(days=2))
    with pytest.raises(services.EventError, match="terminé"):
        services.registration_create(user=resident, event=past)


def test_required_questions_must_be_answered(client, resident):
    event = make_event()
    question = services.question_add(actor=None, event=event, label="Besoin d’une garde d’enfants ?",
                                     required=True)
    client.force_login(resident)

    refused = client.post(url("register", event), {f"question_{question.pk}": "  "})
    assert refused.status_code == 400 and "Répondez à cette question" in refused.content.decode()
    assert not Registration.objects.exists()

    client.post(url("register", event), {f"question_{question.pk}": "Oui, un enfant"})
    assert Registration.objects.get().answers == {str(question.pk): "Oui, un enfant"}


def test_hybrid_events_ask_how_people_attend_and_online_places_do_not_count():
    event = make_event(capacity=1, format=Event.Format.HYBRID, online_url="https://visio.example.org/parc")
    with pytest.raises(Exception, match="dans la salle ou si vous suivez en ligne"):
        services.registration_create(user=UserFactory(), event=event)
    room = services.registration_create(user=UserFactory(), event=event, attendance="in_person")
    online = services.registration_create(user=UserFactory(), event=event, attendance="online")
    full = services.registration_create(user=UserFactory(), event=event, attendance="in_person")
    assert (room.status, online.status, full.status) == ("confirmed", "confirmed", "waitlisted")


def test_registration_keeps_residence_and_birth_year_only_with_consent(sceaux):
    event = make_event()
    consenting = UserFactory(residence=sceaux, birth_year=1990, demographics_consent_at=timezone.now())
    silent = UserFactory(residence=sceaux, birth_year=1985)
    yes = services.registration_create(user=consenting, event=event)
    no = services.registration_create(user=silent, event=event)
    assert (yes.residence, yes.birth_year) == (sceaux, 1990)
    assert (no.residence, no.birth_year) == (None, None)


def test_resident_registers_from_the_page_and_gets_an_email_with_the_event(
        client, resident, django_capture_on_commit_callbacks):
    event = make_event(capacity=12)
    client.force_login(resident)

    page = client.get(event.get_absolute_url()).content.decode()
    assert "12 places restantes" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("register", event))

    assert response.status_code == 302 and response["Location"] == url("ticket", event)
    registration = Registration.objects.get(user=resident)
    message = mail.outbox[-1]
    assert message.to == [resident.email] and event.title in message.subject
    assert registration.code in message.body
    name, content, mimetype = message.attachments[0]
    assert name == "evenement.ics" and mimetype.startswith("text/calendar")
    assert "SUMMARY:Réunion publique sur le parc" in (content if isinstance(content, str) else content.decode())
    assert "11 places restantes" in client.get(event.get_absolute_url()).content.decode()


def test_a_full_event_says_so_and_offers_the_waitlist(client, resident):
    event = make_event(capacity=1)
    services.registration_create(user=UserFactory(), event=event)
    client.force_login(resident)
    page = client.get(event.get_absolute_url()).content.decode()
    assert "Complet — liste d’attente" in page and "Rejoindre la liste d’attente" in page
    client.post(url("register", event))
    ticket = client.get(url("ticket", event)).content.decode()
    assert "liste d’attente, en position 1" in ticket


def test_the_ticket_shows_the_qr_code_and_the_code_and_cancels(client, resident):
    event = make_event()
    registration = services.registration_create(user=resident, event=event)
    client.force_login(resident)

    page = client.get(url("ticket", event)).content.decode()
    qr = client.get(url("ticket_qr", event))

    assert services.registration_code_display(registration.code) in page
    assert url("ticket_qr", event) in page and "mes-inscriptions/" in page
    assert qr.status_code == 200 and qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content
    assert client.post(url("cancel", event)).status_code == 302
    registration.refresh_from_db()
    assert registration.status == "cancelled"
    assert client.get(url("ticket", event)).status_code == 404


def test_nobody_else_gets_a_persons_ticket_or_qr_code(client, resident):
    event = make_event()
    services.registration_create(user=resident, event=event)
    client.force_login(UserFactory())
    assert client.get(url("ticket", event)).status_code == 404
    assert client.get(url("ticket_qr", event)).status_code == 404
    client.logout()
    assert client.get(url("ticket_qr", event)).status_code == 404


def test_the_online_link_is_shown_to_registered_people_only(client, resident):
    link = "https://visio.example.org/secret-room"
    event = make_event(format=Event.Format.ONLINE, online_url=link, place_name="", address="")
    component_page = event.component.get_absolute_url()

    assert link not in client.get(event.get_absolute_url()).content.decode()
    assert link not in client.get(component_page).content.decode()
    assert link not in client.get(url("ics", event)).content.decode()
    client.force_login(resident)
    assert link not in client.get(event.get_absolute_url()).content.decode()

    services.registration_create(user=resident, event=event)

    assert link in client.get(url("ticket", event)).content.decode()
    assert link in client.get(url("ics", event)).content.decode().replace("\r\n ", "")
    assert link not in client.get(event.get_absolute_url()).content.decode()


def test_the_waitlisted_person_does_not_get_the_online_link(client, resident):
    link = "https://visio.example.org/secret-room"
    event = make_event(capacity=1, format=Event.Format.ONLINE, online_url=link, place_name="")
    services.registration_create(user=UserFactory(), event=event)
    services.registration_create(user=resident, event=event)
    client.force_login(resident)
    assert link not in client.get(url("ticket", event)).content.decode()


def test_anonymous_visitors_are_asked_to_sign_in_to_register(client):
    event = make_event()
    assert "Se connecter pour s’inscrire" in client.get(event.get_absolute_url()).content.decode()
    response = client.post(url("register", event))
    assert response.status_code == 302 and "login" in response["Location"]


def test_unpublished_events_and_junk_ids_are_404_never_500(client, resident):
    draft = make_event(published=False)
    client.force_login(resident)
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.post(url("register", draft)).status_code == 404
    base = draft.component.get_absolute_url()
    assert client.get(f"{base}99999999/").status_code == 404
    assert client.get(f"{base}abc/").status_code == 404
    assert client.get(f"{base}?page=zzz&commune=xx&du=demain&quand=<script>").status_code == 200
    assert client.get(f"{base}carte.geojson?evenement=1e99").status_code == 200


def test_reminders_go_once_the_day_before(resident, django_capture_on_commit_callbacks):
    tomorrow = make_event(starts_in=timedelta(hours=20))
    later = make_event(starts_in=timedelta(days=5))
    services.registration_create(user=resident, event=tomorrow)
    services.registration_create(user=resident, event=later)

    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_event_reminders", stdout=StringIO())
        call_command("send_event_reminders", stdout=StringIO())

    assert [m.subject for m in mail.outbox] == ["Demain\u00a0: Réunion publique sur le parc"]
    assert Registration.objects.get(event=tomorrow).reminded_at is not None
    assert Registration.objects.get(event=later).reminded_at is None


def test_the_periodic_runner_sends_the_reminders_of_the_day_before_once(resident, django_capture_on_commit_callbacks,
                                                                       monkeypatch):
    # The runner recycles database connections between jobs, which would end the test's transaction.
    monkeypatch.setattr("concerto.core.periodic.close_old_connections", lambda: None)
    tomorrow = make_event(starts_in=timedelta(hours=20))
    services.registration_create(user=resident, event=tomorrow)
    mail.outbox.clear()

    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_periodic", "--once", stdout=out)
        call_command("run_periodic", "--once", stdout=out)

    assert [m.subject for m in mail.outbox] == ["Demain\u00a0: Réunion publique sur le parc"]
    assert "events.reminders: 1 done" in out.getvalue() and "events.reminders: 0 done" in out.getvalue()


def test_personal_data_and_erasure_keep_the_counts(resident):
    event = make_event()
    services.registration_create(user=resident, event=event)
    data = services.personal_data(resident)
    assert data["event_registrations"][0]["event"] == event.title
    services.erase_personal_data(resident)
    registration = Registration.objects.get(event=event)
    assert registration.user is None and registration.status == "confirmed"


@pytest.mark.django_db(transaction=True)
def test_parallel_registrations_never_exceed_the_capacity():
    """Ten people take the last three places at the same time (PostgreSQL: real row locks)."""
    needs_postgresql()
    event = make_event(capacity=3)
    users = [UserFactory() for _i in range(10)]

    outcomes = at_once(lambda user: services.registration_create(
        user=user, event=Event.objects.select_related("component__space").get(pk=event.pk)), users)

    assert [outcome for outcome in outcomes if isinstance(outcome, Exception)] == []
    assert Registration.objects.filter(event=event, status="confirmed").count() == 3
    assert Registration.objects.filter(event=event, status="waitlisted").count() == 7


def test_past_the_send_limit_a_registration_gets_the_429_page_and_no_place(client, rate_limits, resident):
    rate_limits.CONCERTO_RATE_LIMITS = {"registration": (0, 3600)}
    event = make_event()
    client.force_login(resident)
    response = client.post(url("register", event))
    assert response.status_code == 429 and "Vous avez beaucoup envoyé" in response.content.decode()
    assert not Registration.objects.exists()


def test_a_person_who_turned_off_emails_of_promotions_is_told_on_the_site_only(
        resident, django_capture_on_commit_callbacks):
    from concerto.core.participation.notifications import notification_preference_set

    event = make_event(capacity=1)
    first = services.registration_create(user=UserFactory(), event=event)
    services.registration_create(user=resident, event=event)
    notification_preference_set(user=resident, verb="events.promoted", channel="email", enabled=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(actor=first.user, registration=first)
    assert Notification.objects.filter(recipient=resident, verb="events.promoted").exists()
    assert mail.outbox == []
