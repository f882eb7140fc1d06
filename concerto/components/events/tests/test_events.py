"""Back-office of events: creating, editing, publishing and cancelling an event, its questions, its
registrations and their export; who may do it; bad input never a 500. Also the builders the other event
test files use."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from concerto.components.events import services
from concerto.components.events.models import Event, Registration
from concerto.core.audit.models import AuditEntry
from concerto.core.participation.models import Notification
from concerto.testing import ComponentFactory, SpaceFactory, UserFactory, commune

pytestmark = pytest.mark.django_db


def make_component(organisation=None, **fields):
    space = SpaceFactory(organisation=organisation or commune("sceaux"))
    return ComponentFactory(space=space, kind="events", title="Rencontres", **fields)


def make_event(component=None, *, capacity=None, published=True, starts_in=None, **fields) -> Event:
    """A published in-person event of COMPONENT starting in STARTS_IN (3 days by default)."""
    component = component or make_component()
    start = timezone.now() + (starts_in if starts_in is not None else timezone.timedelta(days=3))
    values = {"title": "Réunion publique sur le parc", "kind": Event.Kind.PUBLIC_MEETING,
              "format": Event.Format.IN_PERSON, "starts_at": start, "ends_at": start + timezone.timedelta(hours=2),
              "place_name": "Salle des fêtes", "address": "1 rue Houdan", "capacity": capacity, **fields}
    event = services.event_create(actor=None, component=component, **values)
    if published:
        services.event_publish(actor=None, event=event)
        event.refresh_from_db()
    return event


def bo_url(name: str, component, event=None) -> str:
    space = component.space
    kwargs = {"org_slug": space.organisation.slug, "space_slug": space.slug, "component_id": component.pk}
    if event is not None:
        kwargs["event_id"] = event.pk
    return reverse(f"events_backoffice:{name}", kwargs=kwargs)


def event_post(**overrides) -> dict:
    data = {"action": "save", "title": "Atelier vélo", "kind": "workshop", "format": "in_person",
            "description": "<p>Venez réparer votre vélo.</p>", "starts_at": "2030-05-04T10:00",
            "ends_at": "2030-05-04T12:00", "place_name": "Maison des associations", "address": "2 rue Voltaire",
            "location_latitude": "", "location_longitude": "", "step_free_access": "on", "sign_language": "on",
            "accessibility_notes": "Entrée par la cour.", "online_url": "", "languages": ["fr", "en"],
            "audiences": ["families", "young_adults"], "organiser": "Ville de Sceaux",
            "registration_enabled": "on", "capacity": "12", "contributions_component": ""}
    data.update(overrides)
    return data


def test_agent_creates_an_event_with_every_field(staff_client, agent):
    component = make_component()
    proposals = ComponentFactory(space=component.space, kind="proposals", title="Idées")
    client = staff_client(agent)

    response = client.post(bo_url("create", component), event_post(contributions_component=str(proposals.pk)))

    event = Event.objects.get(component=component)
    assert response.status_code == 302 and response["Location"] == bo_url("edit", component, event)
    assert (event.title, event.kind, event.format, event.capacity) == ("Atelier vélo", "workshop", "in_person", 12)
    assert event.step_free_access and event.sign_language and not event.induction_loop
    assert event.languages == ["fr", "en"] and event.audiences == ["families", "young_adults"]
    assert event.contributions_component == proposals and event.commune == commune("sceaux")
    assert not event.published
    assert AuditEntry.objects.filter(action="events.event_created", target_id=str(event.pk), actor=agent).exists()


def test_an_event_that_ends_before_it_starts_is_refused_with_a_clear_error(staff_client, agent):
    component = make_component()
    response = staff_client(agent).post(bo_url("create", component), event_post(ends_at="2030-05-04T09:00"))
    assert response.status_code == 400
    assert "L’événement doit se terminer après son début" in response.content.decode()
    assert not Event.objects.exists()


def test_an_online_event_needs_its_link(staff_client, agent):
    component = make_component()
    response = staff_client(agent).post(bo_url("create", component), event_post(format="online"))
    assert response.status_code == 400
    assert "lien de sa réunion en ligne" in response.content.decode()


def test_junk_in_the_event_form_is_a_form_error_not_a_500(staff_client, agent):
    component = make_component()
    client = staff_client(agent)
    response = client.post(bo_url("create", component), event_post(
        starts_at="hier", capacity="-3", kind="party", languages=["xx"], audiences=["martians"],
        contributions_component="999999", location_latitude="abc", location_longitude="2.3"))
    assert response.status_code == 400
    assert not Event.objects.exists()
    assert client.get(bo_url("index", component).replace(str(component.pk), "999999")).status_code == 404


def test_the_contributions_component_must_be_of_the_same_space(staff_client, agent):
    component = make_component()
    elsewhere = ComponentFactory(kind="proposals", space=SpaceFactory())
    response = staff_client(agent).post(bo_url("create", component),
                                        event_post(contributions_component=str(elsewhere.pk)))
    assert response.status_code == 400


def test_only_components_that_declare_a_room_entry_take_an_events_contributions(staff_client, agent):
    # Proposals and questionnaires declare what they take from a room (their manifest's RoomEntry); news does not.
    component = make_component()
    news = ComponentFactory(kind="news", space=component.space, title="Les actualités")
    ideas = ComponentFactory(kind="proposals", space=component.space, title="Les idées")
    page = staff_client(agent).get(bo_url("create", component)).content.decode()
    assert "Les idées" in page and "Les actualités" not in page
    response = staff_client(agent).post(bo_url("create", component), event_post(contributions_component=str(news.pk)))
    assert response.status_code == 400 and not Event.objects.exists()
    assert staff_client(agent).post(bo_url("create", component),
                                    event_post(contributions_component=str(ideas.pk))).status_code == 302


def test_agent_edits_publishes_and_adds_a_required_question(staff_client, agent):
    event = make_event(published=False)
    component = event.component
    client = staff_client(agent)

    assert client.post(bo_url("edit", component, event), event_post(title="Atelier vélo du samedi")).status_code == 302
    assert client.post(bo_url("edit", component, event), {"action": "publish"}).status_code == 302
    client.post(bo_url("edit", component, event), {"action": "question_add", "label": "Votre vélo ?",
                                                   "required": "on"})

    event.refresh_from_db()
    assert event.title == "Atelier vélo du samedi" and event.published
    question = event.questions.get()
    assert question.required and question.label == "Votre vélo ?"
    page = client.get(bo_url("edit", component, event)).content.decode()
    assert "Votre vélo ?" in page
    client.post(bo_url("edit", component, event), {"action": "question_remove", "question": str(question.pk)})
    assert not event.questions.exists()
    junk = client.post(bo_url("edit", component, event), {"action": "question_remove", "question": "junk"})
    assert junk.status_code == 302


def test_raising_the_capacity_promotes_the_waitlist(resident):
    event = make_event(capacity=1)
    services.registration_create(user=UserFactory(), event=event)
    waiting = services.registration_create(user=resident, event=event)
    assert waiting.status == Registration.Status.WAITLISTED

    services.event_update(actor=None, event=event, capacity=2)

    waiting.refresh_from_db()
    assert waiting.status == Registration.Status.CONFIRMED and waiting.promoted_at is not None


def test_cancelling_an_event_needs_a_reason_and_tells_the_people_registered(
        staff_client, agent, resident, django_capture_on_commit_callbacks):
    event = make_event()
    services.registration_create(user=resident, event=event)
    client = staff_client(agent)

    assert client.post(bo_url("cancel", event.component, event), {"reason": ""}).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(bo_url("cancel", event.component, event), {"reason": "Salle inondée"})

    assert response.status_code == 302
    event.refresh_from_db()
    assert event.cancelled_at is not None and event.cancellation_reason == "Salle inondée"
    notification = Notification.objects.get(recipient=resident, verb="events.cancelled")
    assert "Salle inondée" in notification.body
    assert [m.to for m in mail.outbox] == [[resident.email]] and "Salle inondée" in mail.outbox[0].body
    assert "Salle inondée" in client.get(event.get_absolute_url()).content.decode()


def test_registration_list_shows_confirmed_waitlist_in_order_cancelled_and_answers(staff_client, agent):
    event = make_event(capacity=1)
    question = services.question_add(actor=None, event=event, label="Allergies ?")
    first, second, third = UserFactory(display_name="Alice A"), UserFactory(display_name="Bruno B"), \
        UserFactory(display_name="Chloé C")
    services.registration_create(user=first, event=event, answers={str(question.pk): "Arachides"})
    services.registration_create(user=second, event=event)
    services.registration_create(user=third, event=event)

    page = staff_client(agent).get(bo_url("registrations", event.component, event)).content.decode()

    assert "Arachides" in page
    assert page.index("Alice A") < page.index("Bruno B") < page.index("Chloé C")
    assert "Liste d’attente, dans l’ordre (2)" in page


def test_the_csv_export_neutralises_formulas(staff_client, agent):
    event = make_event()
    question = services.question_add(actor=None, event=event, label="Commentaire")
    services.registration_create(user=UserFactory(display_name="=HYPERLINK(\"x\")"), event=event,
                                 answers={str(question.pk): "+33 6 12"})

    response = staff_client(agent).get(bo_url("registrations_csv", event.component, event))

    body = b"".join(response.streaming_content).decode()
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "'=HYPERLINK" in body and "'+33 6 12" in body
    assert "Commentaire" in body.splitlines()[0]


def test_a_big_registrations_export_is_written_by_a_job(staff_client, agent, settings):
    from concerto.core.jobs.models import Job

    settings.CONCERTO_EXPORT_JOB_ROWS = 0
    event = make_event()
    question = services.question_add(actor=None, event=event, label="Commentaire")
    services.registration_create(user=UserFactory(display_name="=HYPERLINK(\"x\")"), event=event,
                                 answers={str(question.pk): "+33 6 12"})
    client = staff_client(agent)
    response = client.get(bo_url("registrations_csv", event.component, event))
    job = Job.objects.get(kind="exports.export")
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=["sceaux", job.pk])
    body = b"".join(client.get(reverse("jobs:download", args=["sceaux", job.pk])).streaming_content).decode()
    lines = body.splitlines()
    assert lines[0].startswith("\ufeffNom,Adresse e-mail,Statut,") and "Commentaire" in lines[0]  # in the worker
    assert "'=HYPERLINK" in body and "'+33 6 12" in body and len(lines) == 2


@pytest.mark.parametrize("name", ["index", "create", "edit", "cancel", "registrations", "registrations_csv"])
def test_outsider_and_resident_cannot_reach_the_back_office(client, staff_client, outsider, resident, name):
    event = make_event()
    target = bo_url(name, event.component, None if name in ("index", "create") else event)
    assert staff_client(outsider).get(target).status_code in (403, 404)
    assert staff_client(outsider).post(target, event_post()).status_code in (403, 404, 405)
    client.force_login(resident)
    response = client.get(target)
    # A resident has no role: a 403, or first the two-factor set-up that staff pages demand.
    assert response.status_code in (403, 404) or "/2fa/" in response["Location"]


def test_outsider_cannot_cancel_an_event_of_another_commune(staff_client, outsider):
    event = make_event()
    staff_client(outsider).post(bo_url("cancel", event.component, event), {"reason": "Pour voir"})
    event.refresh_from_db()
    assert event.cancelled_at is None


def test_anonymous_people_are_sent_to_sign_in(client):
    event = make_event()
    response = client.get(bo_url("edit", event.component, event))
    assert response.status_code == 302 and "login" in response["Location"]


def test_agent_cancels_a_registration_and_the_waitlist_moves_up(staff_client, agent, resident):
    event = make_event(capacity=1)
    first = services.registration_create(user=UserFactory(), event=event)
    waiting = services.registration_create(user=resident, event=event)
    client = staff_client(agent)

    response = client.post(bo_url("registrations", event.component, event), {"registration": str(first.pk)})

    assert response.status_code == 302
    first.refresh_from_db()
    waiting.refresh_from_db()
    assert (first.status, waiting.status) == ("cancelled", "confirmed")
    assert AuditEntry.objects.filter(action="events.registration_cancelled", actor=agent).exists()
    assert client.post(bo_url("registrations", event.component, event), {"registration": "x1"}).status_code == 302


def test_outsider_cannot_cancel_a_registration(staff_client, outsider, resident):
    event = make_event()
    registration = services.registration_create(user=resident, event=event)
    response = staff_client(outsider).post(bo_url("registrations", event.component, event),
                                           {"registration": str(registration.pk)})
    assert response.status_code in (403, 404)
    registration.refresh_from_db()
    assert registration.status == "confirmed"


def test_registration_list_of_a_past_meeting_shows_its_walk_ins_without_an_account(staff_client, agent):
    """Walk-ins added at the door have no account: the page shows the name typed, or "Sur place" without one."""
    from concerto.components.events import room

    event = make_event()
    # Registered before it started (registration closes when the event starts), then the meeting began.
    services.registration_create(user=UserFactory(display_name="Alice A"), event=event)
    Event.objects.filter(pk=event.pk).update(starts_at=timezone.now() - timezone.timedelta(hours=1))
    event.refresh_from_db()
    room.walk_in_add(agent=agent, event=event, name="Lou")
    room.walk_in_add(agent=agent, event=event, name="")

    response = staff_client(agent).get(bo_url("registrations", event.component, event))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Alice A" in page and "Lou" in page
    assert "Annuler<span class=\"visually-hidden\"> l’inscription de Lou</span>" in page
    assert "Annuler<span class=\"visually-hidden\"> l’inscription de Sur place</span>" in page
