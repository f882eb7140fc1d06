"""Residents' side of citizen reports: the form and its bad input, "me too", notifications, public pages."""

import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from concerto.components.reports import services
from concerto.components.reports.models import (
    CategoryQuestion,
    InternalNote,
    Report,
    ReportPhoto,
    ReportSupport,
    StatusChange,
)
from concerto.core.participation.models import Notification
from concerto.testing import UserFactory

SCEAUX = ("48.7745", "2.2990")       # the Parc de Sceaux
MONTREUIL = ("48.8620", "2.4430")
OUTSIDE = ("48.4000", "2.7000")      # Seine-et-Marne, outside the Métropole


def form_url(component):
    space = component.space
    return reverse("reports:create", args=[space.organisation.slug, space.slug, component.pk])


def image_file(name="photo.jpg", fmt="JPEG", size=(40, 30), exif=None):
    buffer = io.BytesIO()
    image = Image.new("RGB", size, (200, 180, 20))
    if exif is not None:
        image.save(buffer, fmt, exif=exif)
    else:
        image.save(buffer, fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def post_data(category, point=SCEAUX, **extra):
    data = {"kind": "malfunction", "category": str(category.pk), "location_latitude": point[0],
            "location_longitude": point[1], "description": "Le lampadaire est éteint depuis une semaine.",
            "email": "habitant@example.org"}
    data.update(extra)
    return {key: value for key, value in data.items() if value is not None}


def errors_of(response) -> str:
    return response.content.decode()


# The form ---------------------------------------------------------------------------------------------

def test_a_resident_without_account_sends_a_report_with_a_photo(client, component, lighting,
                                                                django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(form_url(component), {**post_data(lighting, location_address="12 rue Houdan"),
                                                     "photo_1": image_file()})
    report = Report.objects.get()
    assert response.status_code == 302 and response["Location"] == report.get_absolute_url()
    assert report.organisation.slug == "sceaux" and report.category == lighting
    assert report.email == "habitant@example.org" and report.author is None
    assert report.photos.count() == 1 and report.history.get().status == "new"
    assert [message.to for message in mail.outbox] == [["habitant@example.org"]]
    assert report.get_absolute_url() in mail.outbox[0].body
    page = client.get(report.get_absolute_url())
    assert "Éclairage public" in page.content.decode()


def test_a_signed_in_resident_reports_and_follows_the_report(client, component, lighting, resident):
    client.force_login(resident)
    response = client.post(form_url(component), post_data(lighting, email=None))
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.author == resident and report.email == ""
    from concerto.core.participation.services import is_following
    assert is_following(user=resident, target=report)


@pytest.mark.parametrize(("change", "message"), [
    ({"location_latitude": "", "location_longitude": ""}, "Choose the place on the map"),
    ({"location_latitude": OUTSIDE[0], "location_longitude": OUTSIDE[1]},
     "This point is outside the Métropole du Grand Paris."),
    ({"category": "999999"}, "Choose one of the categories of the list."),
    ({"email": "pas-une-adresse"}, "Enter a valid email address"),
    ({"email": ""}, "Give an email address to follow your report"),
    ({"kind": "complaint"}, "Select a valid choice"),
])
def test_bad_input_is_refused_with_a_clear_message_and_nothing_saved(client, component, lighting, change,
                                                                     message, settings):
    settings.LANGUAGE_CODE = "en"
    response = client.post(form_url(component), {**post_data(lighting), **change}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert message in errors_of(response)
    assert not Report.objects.exists() and not ReportPhoto.objects.exists()


def test_a_category_of_another_commune_is_refused(client, component, lighting, montreuil_roads, metropole):
    # A Métropole-wide component takes both communes' categories; the point decides which ones fit.
    component.space.organisation = metropole
    component.space.save()
    response = client.post(reverse("reports:create", args=[metropole.slug, component.space.slug, component.pk]),
                           post_data(montreuil_roads, point=SCEAUX), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "is not one of Sceaux" in errors_of(response)
    assert not Report.objects.exists()


def test_a_point_in_another_commune_than_the_component_is_refused(client, component, lighting):
    response = client.post(form_url(component), post_data(lighting, point=MONTREUIL), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "outside Sceaux" in errors_of(response)
    assert not Report.objects.exists()


def test_fake_and_oversized_images_are_refused_and_nothing_saved(client, component, lighting, monkeypatch):
    fake = SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not an image at all", content_type="image/jpeg")
    response = client.post(form_url(component), {**post_data(lighting), "photo_1": image_file(),
                                                 "photo_2": fake}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "This file is not an image we accept" in errors_of(response)
    monkeypatch.setattr("concerto.components.reports.photos.MAX_PHOTO_BYTES", 100)
    response = client.post(form_url(component), {**post_data(lighting), "photo_1": image_file()},
                           HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "The photo is too large" in errors_of(response)
    assert not Report.objects.exists() and not ReportPhoto.objects.exists()


def test_required_and_typed_extra_questions_are_checked(client, component, lighting):
    CategoryQuestion.objects.create(category=lighting, code="poteau", label="Numéro du poteau",
                                    datatype="number", required=True)
    CategoryQuestion.objects.create(category=lighting, code="etat", label="État", datatype="singlevaluelist",
                                    options=[{"key": "eteint", "name": "Éteint"}, {"key": "clignote",
                                                                                   "name": "Clignote"}])
    response = client.post(form_url(component), post_data(lighting), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "Answer this question: Numéro du poteau" in errors_of(response)
    response = client.post(form_url(component), post_data(lighting, q_poteau="douze", q_etat="casse"),
                           HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "Enter a number" in errors_of(response) and "Select a valid choice" in errors_of(response)
    assert not Report.objects.exists()
    response = client.post(form_url(component), post_data(lighting, q_poteau="12", q_etat="clignote"))
    assert response.status_code == 302
    assert Report.objects.get().answers == {"poteau": 12, "etat": "clignote"}


def test_the_category_fragment_lists_the_categories_of_the_commune_at_the_point(client, component, lighting,
                                                                                montreuil_roads, metropole):
    component.space.organisation = metropole
    component.space.save()
    url = reverse("reports:questions", args=[metropole.slug, component.space.slug, component.pk])
    page = client.get(url, {"location_latitude": SCEAUX[0], "location_longitude": SCEAUX[1]}).content.decode()
    assert "Éclairage public" in page and "Voirie de Montreuil" not in page
    page = client.get(url).content.decode()  # no point yet: every category, with its commune
    assert "Éclairage public (Sceaux)" in page and "Voirie de Montreuil (Montreuil)" in page


# Nearby and "me too" ----------------------------------------------------------------------------------

def make_report(category, point=SCEAUX, **fields):
    values = {"organisation": category.organisation, "category": category, "latitude": float(point[0]),
              "longitude": float(point[1]), "description": "Lampadaire éteint", "email": "premier@example.org",
              "token": services.new_token()}
    values.update(fields)
    return Report.objects.create(**values)


def test_open_reports_of_the_same_category_within_50_m_are_shown_with_me_too(client, component, lighting):
    near = make_report(lighting, point=("48.77470", "2.29900"))    # about 22 m north
    make_report(lighting, point=("48.77550", "2.29900"))            # about 110 m: too far
    make_report(lighting, status="resolved")                        # closed
    url = reverse("reports:nearby", args=["sceaux", component.space.slug, component.pk])
    page = client.get(url, {"location_latitude": SCEAUX[0], "location_longitude": SCEAUX[1],
                            "category": lighting.pk}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert page.count('class="report-card"') == 1 and f"no. {near.pk}" in page.replace("n° ", "no. ")
    assert "Me too" in page


def test_me_too_counts_once_per_account_and_follows_the_report(client, component, lighting, resident):
    report = make_report(lighting)
    client.force_login(resident)
    url = reverse("reports_signalements:support", args=[report.pk])
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == report.get_absolute_url()
    client.post(url)
    report.refresh_from_db()
    assert report.support_count == 1 and ReportSupport.objects.filter(report=report).count() == 1
    from concerto.core.participation.services import is_following
    assert is_following(user=resident, target=report)


def test_me_too_without_account_needs_an_email_and_counts_once_per_email(client, component, lighting):
    report = make_report(lighting)
    url = reverse("reports_signalements:support", args=[report.pk])
    client.post(url, {"email": "pas-une-adresse"})
    client.post(url, {"email": "voisine@example.org"})
    client.post(url, {"email": "Voisine@example.org"})
    report.refresh_from_db()
    assert report.support_count == 1


# Notifications ----------------------------------------------------------------------------------------

def test_a_status_change_notifies_reporter_followers_and_email_supporters(
        component, lighting, resident, agent, django_capture_on_commit_callbacks):
    report = make_report(lighting, author=resident, email="")
    follower = UserFactory(email="suiveur@example.org")
    services.report_follow_add(user=follower, report=report)
    services.report_support_add(report=report, email="voisine@example.org")
    anonymous = make_report(lighting, point=("48.7800", "2.2950"), email="anonyme@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        report.status = "resolved"
        report.public_answer = "Le lampadaire est réparé."
        report.save()
        change = StatusChange.objects.create(report=report, status="resolved", actor=agent,
                                             public_text="Le lampadaire est réparé.")
        services.notify_report_change(report=report, change=change)
        change2 = StatusChange.objects.create(report=anonymous, status="acknowledged", actor=agent)
        services.notify_report_change(report=anonymous, change=change2)
    notified = set(Notification.objects.values_list("recipient__email", flat=True))
    assert notified == {"resident@example.org", "suiveur@example.org"}
    assert Notification.objects.filter(recipient=resident, url=report.get_absolute_url()).exists()
    addresses = {address for message in mail.outbox for address in message.to}
    assert {"voisine@example.org", "anonyme@example.org"} <= addresses
    assert "agent@sceaux.example.org" not in addresses


# Public pages -----------------------------------------------------------------------------------------

def test_the_public_page_never_shows_personal_data_nor_internal_notes(client, component, lighting, resident):
    report = make_report(lighting, author=resident, email="", public_answer="Réparation prévue lundi.")
    services.report_support_add(report=report, email="voisine@example.org")
    InternalNote.objects.create(report=report, text="Note interne : appeler le prestataire")
    page = client.get(report.get_absolute_url()).content.decode()
    assert "Réparation prévue lundi." in page and "Éclairage public" in page
    for secret in ("Camille Martin", "resident@example.org", "voisine@example.org", "Note interne"):
        assert secret not in page
    listing = client.get(reverse("reports:list", args=["sceaux", component.space.slug, component.pk])).content
    assert b"Camille Martin" not in listing and b"Lampadaire" in listing


def test_a_hidden_report_is_a_404_for_the_public(client, component, lighting):
    from django.utils import timezone
    report = make_report(lighting, hidden_at=timezone.now())
    assert client.get(report.get_absolute_url()).status_code == 404
    points = client.get(reverse("reports:points", args=["sceaux", component.space.slug, component.pk])).json()
    assert points["features"] == []


def test_the_map_points_follow_the_filters(client, component, lighting):
    make_report(lighting, kind="malfunction")
    make_report(lighting, kind="congratulation", point=("48.7800", "2.2950"))
    url = reverse("reports:points", args=["sceaux", component.space.slug, component.pk])
    assert len(client.get(url).json()["features"]) == 2
    assert len(client.get(url, {"kind": "congratulation"}).json()["features"]) == 1
    assert client.get(url, {"bbox": "nonsense"}).status_code == 400


def test_export_and_erasure_keep_no_personal_data(component, lighting, resident):
    report = make_report(lighting, author=resident, email="")
    rows = services.export_reports(component)
    assert len(rows) == 1 and "email" not in rows[0] and "author" not in rows[0]
    assert services.personal_data(resident)["reports"][0]["id"] == report.pk
    services.erase_personal_data(resident)
    report.refresh_from_db()
    assert report.author is None and report.email == ""


def test_the_map_query_with_a_bbox_clusters_through_the_fast_query(client, component, lighting):
    make_report(lighting)
    url = reverse("reports:points", args=["sceaux", component.space.slug, component.pk])
    body = client.get(url, {"bbox": "2.2,48.7,2.4,48.8", "zoom": "17", "category": "Éclairage public"}).json()
    assert len(body["features"]) == 1 and body["features"][0]["properties"]["status"] == "new"
    assert client.get(url, {"bbox": "2.2,48.7,2.4,48.8", "zoom": "17", "kind": "proposal"}).json()["features"] == []


def test_the_map_page_asks_for_the_area_it_shows_and_names_each_report(client, component, lighting):
    make_report(lighting)
    page = client.get(reverse("reports:index", args=["sceaux", component.space.slug, component.pk]))
    html = page.content.decode()
    assert "data-live" in html and "data-bounds=" in html  # the map starts on Sceaux and asks per view
    assert "à l'échelle d'une ville, la carte les regroupe par secteur" in html.replace("&#x27;", "'")
    url = reverse("reports:points", args=["sceaux", component.space.slug, component.pk])
    feature = client.get(url, {"bbox": "2.2,48.7,2.4,48.8", "zoom": "17"}).json()["features"][0]
    assert feature["properties"]["title"] == "Éclairage public · Nouveau"


def test_an_agent_resolving_through_the_workflow_notifies_the_reporter(
        component, lighting, resident, agent, django_capture_on_commit_callbacks):
    from concerto.components.reports import workflow

    report = make_report(lighting, author=resident, email="")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.report_transition(actor=agent, report=report, status="resolved", public_text="Réparé.")
    notification = Notification.objects.get(recipient=resident)
    assert "is now: resolved" in notification.title or "résolu" in notification.title
    with django_capture_on_commit_callbacks(execute=True):
        workflow.report_answer(actor=agent, report=report, text="Merci pour votre signalement.")
    assert Notification.objects.filter(recipient=resident, title__contains="Sceaux").count() == 1


def test_without_anonymous_reports_people_must_sign_in(client, component, lighting):
    manifest = component.manifest
    component.settings = manifest.clean_settings({**manifest.settings_for(component), "anonymous_reports": False})
    component.save()
    response = client.post(form_url(component), post_data(lighting))
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert not Report.objects.exists()


def test_the_form_offers_the_kinds_as_radio_cards_and_the_photo_fields(client, component, lighting):
    page = client.get(form_url(component), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert page.count('class="report-kind"') == 3 and 'type="file"' in page
    assert "Votre adresse électronique" in page  # no account: an email to follow it


def test_a_photo_hidden_by_a_moderator_is_not_shown_but_the_report_stays(client, component, lighting, resident):
    from django.utils import timezone

    client.force_login(resident)
    client.post(form_url(component), {**post_data(lighting, email=None), "photo_1": image_file(),
                                      "photo_2": image_file("second.jpg")})
    report = Report.objects.get()
    first, second = report.photos.all()
    first.hidden_at = timezone.now()
    first.save()
    page = client.get(report.get_absolute_url()).content.decode()
    assert first.image.url not in page and second.image.url in page


def test_the_outside_message_is_in_french_for_french_readers(client, component, lighting):
    response = client.post(form_url(component), post_data(lighting, location_latitude=OUTSIDE[0],
                                                           location_longitude=OUTSIDE[1]),
                           HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 400
    assert "Ce point est hors de la Métropole du Grand Paris." in response.content.decode()


def test_past_the_send_limits_reports_and_me_too_get_the_429_page_and_nothing_is_saved(
        client, rate_limits, component, lighting, resident):
    report = make_report(lighting)
    rate_limits.CONCERTO_RATE_LIMITS = {"report": (0, 3600), "report_support": (0, 3600)}
    response = client.post(form_url(component), post_data(lighting))
    assert response.status_code == 429 and "Vous avez beaucoup envoyé" in response.content.decode()
    assert Report.objects.count() == 1
    client.force_login(resident)
    response = client.post(reverse("reports_signalements:support", args=[report.pk]))
    assert response.status_code == 429 and "Vous avez beaucoup envoyé" in response.content.decode()
    assert not ReportSupport.objects.exists()


def test_a_reporter_who_turned_off_emails_of_status_changes_is_told_on_the_site_only(
        component, lighting, resident, agent, django_capture_on_commit_callbacks):
    from concerto.components.reports import workflow
    from concerto.core.participation.notifications import notification_preference_set

    report = make_report(lighting, author=resident, email="")
    notification_preference_set(user=resident, verb="reports.status_changed", channel="email", enabled=False)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.report_transition(actor=agent, report=report, status="resolved", public_text="Réparé.")
    assert Notification.objects.filter(recipient=resident, verb="reports.status_changed").exists()
    assert mail.outbox == []


def test_a_failing_email_to_an_anonymous_reporter_is_tried_again_not_lost(
        component, lighting, agent, monkeypatch, caplog, django_capture_on_commit_callbacks):
    from django.core.mail import EmailMessage

    from concerto.components.reports import workflow

    report = make_report(lighting, email="anonyme@example.org")
    send, failures = EmailMessage.send, [1]

    def flaky(self, fail_silently=False):
        if failures[0]:
            failures[0] -= 1
            raise ConnectionRefusedError("mail server down")
        return send(self, fail_silently=fail_silently)

    monkeypatch.setattr(EmailMessage, "send", flaky)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.report_transition(actor=agent, report=report, status="resolved", public_text="Réparé.")
    assert [m.to for m in mail.outbox] == [["anonyme@example.org"]]
    assert "Delivery failed" in caplog.text
