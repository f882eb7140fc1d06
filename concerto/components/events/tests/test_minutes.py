"""Minutes after the event: refused before it ends, attendees prefilled from check-ins, files checked by
their content, publication tells the people registered and the followers; the outsider reaches nothing."""

import io
import itertools
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from concerto.components.events import minutes as services
from concerto.components.events.models import Event, Minutes, MinutesAttachment, Registration
from concerto.core.audit.models import AuditEntry
from concerto.core.participation.models import Notification
from concerto.core.participation.services import follow_add
from concerto.testing import ComponentFactory, SpaceFactory, StepFactory, UserFactory

pytestmark = pytest.mark.django_db

_codes = itertools.count(1)


# Helpers shared by the other test files of the minutes helper (plain functions, not fixtures). -------------

def make_space(organisation, slug="quartier-gare"):
    space = SpaceFactory(organisation=organisation, slug=slug, title="Aménagement du quartier de la gare")
    StepFactory(space=space, title="Concertation")
    return space


def make_events(space, published=True):
    return ComponentFactory(space=space, kind="events", title="Rencontres", published=published)


def make_event(component, *, days=-2, hours=2, title="Réunion publique", format=Event.Format.IN_PERSON,
               audiences=(), contributions_component=None, published=True, **fields):
    """An event starting DAYS from now (negative: in the past) and lasting HOURS."""
    starts = timezone.now() + timedelta(days=days)
    return Event.objects.create(
        component=component, title=title, format=format, starts_at=starts, ends_at=starts + timedelta(hours=hours),
        place_name="Salle des fêtes", commune=component.space.organisation, audiences=list(audiences),
        contributions_component=contributions_component, published=published, **fields)


def register(event, *, user=None, name="", attendance=Registration.Attendance.IN_PERSON, checked_in=False,
             walk_in=False, birth_year=None, status=Registration.Status.CONFIRMED):
    return Registration.objects.create(
        event=event, user=user, name=name or ("Sur place" if walk_in else ""), attendance=attendance,
        code=f"T{next(_codes):07d}", walk_in=walk_in, birth_year=birth_year, status=status,
        checked_in_at=event.starts_at + timedelta(minutes=5) if checked_in else None)


def bo_url(event, name="minutes"):
    space = event.component.space
    return reverse(f"events_backoffice:{name}", args=[space.organisation.slug, space.slug, event.component_id,
                                                      event.pk])


def public_minutes_url(event):
    space = event.component.space
    return reverse("events:minutes", kwargs={"org_slug": space.organisation.slug, "space_slug": space.slug,
                                             "component_id": event.component_id, "event_id": event.pk})


def png_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), (30, 160, 60)).save(buffer, "PNG")
    return buffer.getvalue()


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


# Fixtures ------------------------------------------------------------------------------------------------

@pytest.fixture
def events(sceaux):
    return make_events(make_space(sceaux))


@pytest.fixture
def past_event(events):
    return make_event(events, format=Event.Format.HYBRID)


# Writing the minutes -------------------------------------------------------------------------------------

def test_minutes_are_refused_before_the_event_ends_with_a_clear_message(staff_client, agent, events):
    ongoing = make_event(events, days=0, hours=3)  # started now, ends in three hours
    client = staff_client(agent)
    page = client.get(bo_url(ongoing)).content.decode()
    assert "La rencontre n’est pas encore terminée" in page
    response = client.post(bo_url(ongoing), {"action": "save", "text": "Compte rendu", "attendees_in_person": "3",
                                              "attendees_online": "0"})
    assert response.status_code == 400
    assert "La rencontre n’est pas encore terminée" in response.content.decode()
    assert not Minutes.objects.exists()
    with pytest.raises(services.MinutesError):
        services.minutes_save(actor=agent, event=ongoing, text="x", attendees_in_person=1, attendees_online=0)


def test_attendees_are_prefilled_from_check_ins_walk_ins_included(staff_client, agent, past_event, resident):
    register(past_event, user=resident, checked_in=True)
    register(past_event, checked_in=True, walk_in=True)
    register(past_event, checked_in=True, walk_in=True)
    register(past_event, attendance=Registration.Attendance.ONLINE, checked_in=True)
    register(past_event)  # registered, never came
    register(past_event, checked_in=True, status=Registration.Status.CANCELLED)
    assert services.checked_in_counts(past_event) == {"in_person": 3, "online": 1, "walk_ins": 2}
    page = staff_client(agent).get(bo_url(past_event)).content.decode()
    assert 'name="attendees_in_person" value="3"' in page
    assert 'name="attendees_online" value="1"' in page
    assert "3 dans la salle (dont 2 venus sans inscription), 1 en ligne" in page


def test_the_agent_writes_and_publishes_the_minutes_and_registered_people_and_followers_are_told(
        staff_client, agent, past_event, resident, client, django_capture_on_commit_callbacks):
    follower = UserFactory(email="suiveuse@example.org")
    follow_add(user=follower, target=past_event)
    register(past_event, user=resident, checked_in=True)
    cancelled = UserFactory(email="annule@example.org")
    register(past_event, user=cancelled, status=Registration.Status.CANCELLED)
    staff = staff_client(agent)
    response = staff.post(bo_url(past_event), {
        "action": "save", "text": "Les habitants demandent <b>plus d'arbres</b>.<script>alert(1)</script>",
        "attendees_in_person": "42", "attendees_online": "7"})
    assert response.status_code == 302
    minutes = Minutes.objects.get(event=past_event)
    assert minutes.attendees_in_person == 42 and "<script>" not in minutes.text and minutes.published_at is None
    staff.logout()
    assert client.get(public_minutes_url(past_event)).status_code == 404  # not published yet
    staff = staff_client(agent)
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(bo_url(past_event), {"action": "publish"})
    assert response.status_code == 302
    assert sorted(message.to[0] for message in mail.outbox) == ["resident@example.org", "suiveuse@example.org"]
    notification = Notification.objects.get(recipient=resident)
    assert "compte rendu" in notification.title.lower() and notification.url == public_minutes_url(past_event)
    assert AuditEntry.objects.filter(action="events.minutes_published").count() == 1
    # Unpublished to fix a typo and published again: nobody is told twice.
    staff.post(bo_url(past_event), {"action": "unpublish"})
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(bo_url(past_event), {"action": "publish"})
    assert len(mail.outbox) == 2
    staff.logout()
    page = client.get(public_minutes_url(past_event)).content.decode()
    assert "plus d'arbres" in page or "plus d&#x27;arbres" in page
    assert "42" in page and "dans la salle" in page and "7" in page and "en ligne" in page


def test_unpublished_minutes_disappear_from_the_public_page(staff_client, agent, past_event, client):
    minutes = services.minutes_save(actor=agent, event=past_event, text="Texte", attendees_in_person=3,
                                    attendees_online=0)
    services.minutes_publish(actor=agent, minutes=minutes)
    assert client.get(public_minutes_url(past_event)).status_code == 200
    response = staff_client(agent).post(bo_url(past_event), {"action": "unpublish"})
    assert response.status_code == 302
    client.logout()
    assert client.get(public_minutes_url(past_event)).status_code == 404


def test_minutes_of_an_unpublished_event_are_not_public(agent, events, client):
    hidden = make_event(events, published=False)
    minutes = services.minutes_save(actor=agent, event=hidden, text="Texte", attendees_in_person=3,
                                    attendees_online=0)
    services.minutes_publish(actor=agent, minutes=minutes)
    assert client.get(public_minutes_url(hidden)).status_code == 404


def test_bad_counts_and_empty_text_are_form_errors_in_french(staff_client, agent, past_event):
    response = staff_client(agent).post(bo_url(past_event), {"action": "save", "text": " ",
                                                             "attendees_in_person": "-3", "attendees_online": "abc"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Rédigez le compte rendu" in page and "Saisissez un nombre entier." in page
    assert not Minutes.objects.exists()


# Files -------------------------------------------------------------------------------------------------

def _attach(client, event, name, content, title="Diaporama", content_type="application/pdf"):
    return client.post(bo_url(event), {"action": "attach", "file-title": title,
                                       "file-file": SimpleUploadedFile(name, content, content_type=content_type)})


def test_pdf_and_images_are_attached_and_listed_on_the_public_page(staff_client, agent, past_event, client):
    minutes = services.minutes_save(actor=agent, event=past_event, text="Texte", attendees_in_person=3,
                                    attendees_online=0)
    staff = staff_client(agent)
    assert _attach(staff, past_event, "diaporama.PDF", PDF).status_code == 302
    assert _attach(staff, past_event, "mur.png", png_bytes(), title="Photo du mur de post-it",
                   content_type="image/png").status_code == 302
    names = sorted(a.file.name.rsplit("/", 1)[-1] for a in minutes.attachments.all())
    assert names[0].endswith(".pdf") and names[1].endswith(".png")
    services.minutes_publish(actor=agent, minutes=minutes)
    staff.logout()
    page = client.get(public_minutes_url(past_event)).content.decode()
    assert "Diaporama" in page and "Photo du mur de post-it" in page


def test_a_fake_pdf_or_an_html_file_is_refused_and_the_minutes_are_kept(staff_client, agent, past_event):
    services.minutes_save(actor=agent, event=past_event, text="Texte gardé", attendees_in_person=3,
                          attendees_online=0)
    staff = staff_client(agent)
    response = _attach(staff, past_event, "rapport.pdf", b"<html><script>alert(1)</script></html>")
    assert response.status_code == 400
    assert "ni un PDF ni une image" in response.content.decode()
    response = _attach(staff, past_event, "photo.png", b"\x89PNG\r\n\x1a\n not really")
    assert response.status_code == 400
    assert not MinutesAttachment.objects.exists()
    assert Minutes.objects.get(event=past_event).text == "<p>Texte gardé</p>"


def test_an_oversized_file_is_refused_with_the_limit(staff_client, agent, past_event, settings):
    settings.CONCERTO_MAX_ATTACHMENT_BYTES = 1000
    services.minutes_save(actor=agent, event=past_event, text="Texte", attendees_in_person=3, attendees_online=0)
    response = _attach(staff_client(agent), past_event, "gros.pdf", PDF + b"0" * 2000)
    assert response.status_code == 400
    assert "Le fichier est trop volumineux" in response.content.decode()
    assert not MinutesAttachment.objects.exists()


def test_attaching_before_saving_the_minutes_is_explained(staff_client, agent, past_event):
    response = _attach(staff_client(agent), past_event, "a.pdf", PDF)
    assert response.status_code == 400
    assert "Enregistrez le compte rendu avant de joindre des fichiers." in response.content.decode()


def test_an_attachment_can_be_removed(staff_client, agent, past_event):
    minutes = services.minutes_save(actor=agent, event=past_event, text="Texte", attendees_in_person=3,
                                    attendees_online=0)
    staff = staff_client(agent)
    _attach(staff, past_event, "a.pdf", PDF)
    attachment = minutes.attachments.get()
    response = staff.post(bo_url(past_event), {"action": "remove", "attachment": str(attachment.pk)})
    assert response.status_code == 302 and not minutes.attachments.exists()


# Access and junk -----------------------------------------------------------------------------------------

def test_the_outsider_reaches_neither_the_minutes_nor_the_contributions_nor_the_figures(
        staff_client, outsider, resident, past_event, client):
    staff = staff_client(outsider)
    space = past_event.component.space
    figures = reverse("events_backoffice:figures", args=[space.organisation.slug, space.slug,
                                                         past_event.component_id])
    for url in (bo_url(past_event), bo_url(past_event, "contributions"), figures):
        assert staff.get(url).status_code == 403
    for url in (bo_url(past_event), bo_url(past_event, "contributions")):
        assert staff.post(url, {"action": "publish", "title": "Intrus", "text": "Intrus"}).status_code == 403
    # Through their own commune's URL, Sceaux's component is not found.
    other = reverse("events_backoffice:minutes", args=["montreuil", space.slug, past_event.component_id,
                                                       past_event.pk])
    assert staff.get(other).status_code == 404
    staff.logout()
    client.force_login(resident)
    assert client.get(bo_url(past_event)).status_code in (302, 403)
    assert not Minutes.objects.exists()


def test_junk_never_gives_a_500(staff_client, agent, past_event, events):
    staff = staff_client(agent)
    assert staff.post(bo_url(past_event), {"action": "rm -rf"}).status_code == 400
    assert staff.post(bo_url(past_event), {"action": "publish"}).status_code == 400
    assert staff.post(bo_url(past_event), {"action": "remove", "attachment": "x\x00"}).status_code == 404
    assert staff.post(bo_url(past_event), {"action": "save", "text": "a\x00b", "attendees_in_person": "9" * 30,
                                           "attendees_online": "1"}).status_code == 400
    space = events.space
    missing = reverse("events_backoffice:minutes", args=["sceaux", space.slug, events.pk, 999999])
    assert staff.get(missing).status_code == 404
    assert staff.get(public_minutes_url(past_event) + "?x=%00").status_code == 404


def test_the_event_page_include_links_to_published_minutes_only(agent, past_event):
    from django.template.loader import render_to_string

    assert "compte-rendu" not in render_to_string("events/minutes/_link.html", {"event": past_event})
    minutes = services.minutes_save(actor=agent, event=past_event, text="Texte", attendees_in_person=1,
                                    attendees_online=0)
    past_event.refresh_from_db()
    assert "compte-rendu" not in render_to_string("events/minutes/_link.html", {"event": past_event})
    services.minutes_publish(actor=agent, minutes=minutes)
    past_event.refresh_from_db()
    html = render_to_string("events/minutes/_link.html", {"event": past_event})
    assert public_minutes_url(past_event) in html and "Lire le compte rendu de la rencontre" in html
