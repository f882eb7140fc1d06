"""Report a problem from a chat, with a photo and a place: Messenger (the photo downloaded from the attachment URL
by the worker), Telegram (getFile, then the file), the web chat (a file field) and SMS (no photo). The report is
the web form's: same service, same checks, channel "chatbot"; the stored photo has no EXIF left."""

import io
import json
import re

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from concerto.channels.models import ChatChannel, Platform
from concerto.channels.testing import event, signature
from concerto.channels.tests.chat import replies
from concerto.channels.tests.conftest import PAGE, SECRET
from concerto.channels.tests.fakes import FakeBotApi, FakeOvhSms
from concerto.components.reports.models import Category, Report
from concerto.components.reports.tests.conftest import MONTREUIL_POINT, SCEAUX_POINT, places  # noqa: F401
from concerto.core.participation.models import Contribution
from concerto.testing import ComponentFactory, SpaceFactory

GPS_EXIF = 0x8825


@pytest.fixture
def reporting(places, sceaux):  # noqa: F811 (the reports' fixture, imported)
    space = SpaceFactory(organisation=sceaux, slug="ma-ville", title="Ma ville")
    component = ComponentFactory(space=space, kind="reports", title="Signaler un problème")
    Category.objects.create(organisation=sceaux, code="eclairage", name="Éclairage public")
    Category.objects.create(organisation=sceaux, code="voirie", name="Voirie")
    return component


def jpeg_with_exif(size=(64, 48)) -> bytes:
    """A real JPEG carrying EXIF: the camera's make and a GPS position."""
    exif = Image.Exif()
    exif[0x010F] = "Phone maker"
    exif.get_ifd(GPS_EXIF).update({1: "N", 2: (48.0, 46.0, 28.0), 3: "E", 4: (2.0, 17.0, 56.0)})
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 180, 20)).save(buffer, "JPEG", exif=exif)
    assert Image.open(io.BytesIO(buffer.getvalue())).getexif()
    return buffer.getvalue()


def clean(texts) -> str:
    return "\n".join(texts).replace("\xa0", " ").replace("\u202f", " ")


# Messenger ---------------------------------------------------------------------------------------------------

def payload_of(graph, start: str) -> str:
    return next(payload for title, payload in replies(graph).items() if start in title)


def start_report(person, graph, reporting):
    person.say(text="Bonjour")
    person.say(payload=f"item:reports:{reporting.pk}")
    person.say(payload=payload_of(graph, "Éclairage"))
    person.say(text="Le lampadaire devant l'école est éteint depuis trois jours.")


@pytest.mark.django_db
def test_a_whole_report_from_messenger_with_a_photo_and_a_location(client, person, graph, page, reporting):
    start_report(person, graph, reporting)
    assert "Envoyez une photo" in clean(graph.texts()[-1:])
    person.send_photo(graph, jpeg_with_exif())
    assert "Où est-ce ?" in clean(graph.texts()[-1:])
    person.share_location(*SCEAUX_POINT)
    person.say(text="lea@example.org")  # no linked account: an email to follow the report
    summary = clean(graph.texts()[-1:])
    assert "Éclairage public" in summary and "avec une photo" in summary
    person.say(payload=payload_of(graph, "Envoyer"))

    report = Report.objects.get()
    assert report.channel == "chatbot" and report.email == "lea@example.org"
    assert report.organisation.slug == "sceaux" and report.component == reporting
    assert (report.latitude, report.longitude) == pytest.approx(SCEAUX_POINT)
    assert Contribution.objects.get(kind="reports.report").channel == "chatbot"
    photo = report.photos.get()
    with photo.image.open() as stored:
        image = Image.open(stored)
        assert image.format == "JPEG" and not image.getexif()
    assert not default_storage.listdir("reports/chat")[1]  # the waiting photo is gone
    assert f"n° {report.pk}" in clean(graph.texts()) or f"no {report.pk}" in clean(graph.texts())
    link = next(body["message"] for body in reversed(graph.sent) if "attachment" in body["message"])
    assert link["attachment"]["payload"]["buttons"][0]["url"].endswith(report.get_absolute_url())
    # Visible on its own page, like a report from the web form.
    page_html = client.get(report.get_absolute_url()).content.decode()
    assert "Le lampadaire devant l" in page_html


def _map_points(client, component) -> dict:
    from django.urls import reverse

    space = component.space
    return client.get(reverse("reports:points", args=[space.organisation.slug, space.slug, component.pk])).json()


@pytest.mark.django_db
def test_the_chat_report_is_on_the_map(client, person, graph, page, reporting):
    start_report(person, graph, reporting)
    person.say(payload=payload_of(graph, "Passer"))
    person.share_location(*SCEAUX_POINT)
    person.say(text="lea@example.org")
    person.say(payload=payload_of(graph, "Envoyer"))
    report = Report.objects.get()
    assert not report.photos.exists()
    ids = [str(feature.get("id") or feature["properties"].get("id")) for feature in _map_points(client, reporting)
           ["features"]]
    assert str(report.pk) in ids or any(str(report.pk) in json.dumps(f) for f in _map_points(client, reporting)
                                        ["features"])


@pytest.mark.django_db
@pytest.mark.parametrize("content,status,words", [
    (b"%PDF-1.4 not a picture", 200, "n'est pas une image"),
    (jpeg_with_exif() + b"\0" * (10 * 1024 * 1024), 200, "trop lourde"),
    (b"", 503, "pas pu recevoir votre photo"),
])
def test_a_bad_photo_gets_a_clear_message_and_nothing_typed_is_lost(person, graph, page, reporting, content, status,
                                                                    words):
    start_report(person, graph, reporting)
    person.send_photo(graph, content, status=status)
    said = clean(graph.texts()[-2:])
    assert words in said.replace("’", "'"), said
    assert "Envoyez une photo" in said or "passez" in said.lower()
    person.send_photo(graph, jpeg_with_exif())  # a good one now: the description typed before is kept
    person.share_location(*SCEAUX_POINT)
    person.say(text="lea@example.org")
    person.say(payload=payload_of(graph, "Envoyer"))
    report = Report.objects.get()
    assert report.description.startswith("Le lampadaire devant") and report.photos.count() == 1


@pytest.mark.django_db
def test_a_point_in_another_commune_gets_the_web_form_message(client, person, graph, page, reporting):
    start_report(person, graph, reporting)
    person.say(payload=payload_of(graph, "Passer"))
    person.share_location(*MONTREUIL_POINT)
    assert "hors de Sceaux" in clean(graph.texts()[-2:])
    assert not Report.objects.exists()
    person.share_location(*SCEAUX_POINT)
    assert "adresse e-mail" in clean(graph.texts()[-1:])


@pytest.mark.django_db
def test_a_typed_address_is_found_by_the_geocoder(person, graph, page, reporting, geocoder):
    start_report(person, graph, reporting)
    person.say(payload=payload_of(graph, "Passer"))
    person.say(text="12 rue Houdan Sceaux")
    person.say(text="lea@example.org")
    assert "12 Rue Houdan 92330 Sceaux" in clean(graph.texts()[-1:])
    person.say(payload=payload_of(graph, "Envoyer"))
    report = Report.objects.get()
    assert report.address == "12 Rue Houdan 92330 Sceaux"
    assert (report.latitude, report.longitude) == pytest.approx((48.77803, 2.29019))


@pytest.mark.django_db
def test_the_webhook_answers_at_once_and_the_worker_downloads_the_photo(client, person, graph, page, reporting,
                                                                       django_capture_on_commit_callbacks):
    start_report(person, graph, reporting)
    graph.files["/cdn/photo.jpg"] = (200, jpeg_with_exif())
    body = event("webhook_message_attachment.json", page=PAGE, psid=person.psid, mid="photo-1",
                 attachment_url=graph.file_url("/cdn/photo.jpg"))
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.generic("POST", "/canaux/messenger/webhook/", body, content_type="application/json",
                                  headers={"X-Hub-Signature-256": signature(body, SECRET)})
    assert response.status_code == 200 and len(queued) == 1  # the download task, for after the commit
    assert not default_storage.exists("reports/chat") or not default_storage.listdir("reports/chat")[1]
    sent = len(graph.sent)
    with django_capture_on_commit_callbacks(execute=True):
        queued[0]()  # the worker: downloads, checks, answers (its own send queued after its commit)
    assert "Où est-ce ?" in clean(graph.texts()[sent:])
    person.send_photo(graph, jpeg_with_exif(), mid="photo-1")  # Meta delivers it again: recorded once
    assert len(default_storage.listdir("reports/chat")[1]) == 1


# Telegram ----------------------------------------------------------------------------------------------------

TOKEN = "8000000001:AAtest-token"


@pytest.mark.django_db
def test_a_report_from_telegram_with_getfile(client, settings, sceaux, reporting, django_capture_on_commit_callbacks):
    _capture = django_capture_on_commit_callbacks
    from concerto.channels.tests.test_telegram import SECRET as TG_SECRET
    from concerto.channels.tests.test_telegram import sample

    settings.CONCERTO_TELEGRAM_RETRY_SECONDS = 0
    channel = ChatChannel(organisation=sceaux, platform=Platform.TELEGRAM, external_id="concerto_sceaux_bot")
    channel.set_token(TOKEN)
    channel.set_webhook_secret(TG_SECRET)
    channel.save()
    ids = iter(range(700000000, 799999999))

    def update(**message):
        data = sample("update_message_text.json")
        data["update_id"] = next(ids)
        data["message"].pop("text", None)
        data["message"].update(message)
        with _capture(execute=True):
            response = client.generic("POST", f"/canaux/telegram/{channel.pk}/webhook/", json.dumps(data).encode(),
                                      content_type="application/json",
                                      headers={"X-Telegram-Bot-Api-Secret-Token": TG_SECRET})
        assert response.status_code == 200

    def press(data):
        query = sample("update_callback_query.json")
        query["update_id"], query["callback_query"]["data"] = next(ids), data
        with _capture(execute=True):
            client.generic("POST", f"/canaux/telegram/{channel.pk}/webhook/", json.dumps(query).encode(),
                           content_type="application/json", headers={"X-Telegram-Bot-Api-Secret-Token": TG_SECRET})

    with FakeBotApi() as api:
        settings.CONCERTO_TELEGRAM_API_URL = api.url
        photo = sample("update_message_photo.json")["message"]
        api.files[f"/file/bot{TOKEN}/photos/{photo['photo'][-1]['file_id']}.jpg"] = (200, jpeg_with_exif())
        update(text="Bonjour")
        press(f"item:reports:{reporting.pk}")
        press(next(b["callback_data"] for b in api.last_buttons() if b["text"].startswith("1.")))
        update(text="Lampadaire éteint")
        update(photo=photo["photo"], caption=photo["caption"])
        assert api.sent("getFile")[0]["file_id"] == photo["photo"][-1]["file_id"]  # the largest size
        location_asks = [m for m in api.sent() if (m.get("reply_markup") or {}).get("keyboard")]
        assert location_asks[-1]["reply_markup"]["keyboard"][0][0]["request_location"] is True
        update(location={"latitude": SCEAUX_POINT[0], "longitude": SCEAUX_POINT[1]})
        update(text="ines@example.org")
        press("r:send")
    report = Report.objects.get()
    assert report.channel == "chatbot" and report.description == "Lampadaire éteint"
    with report.photos.get().image.open() as stored:
        assert not Image.open(stored).getexif()


# Web chat and SMS --------------------------------------------------------------------------------------------

def _web(client, **data):
    html = client.get("/canaux/web/").content.decode()
    data["nonce"] = re.search(r'name="nonce" value="([^"]+)"', html)[1]
    assert client.post("/canaux/web/", data).status_code == 302
    return client.get("/canaux/web/").content.decode().replace("\xa0", " ").replace("\u202f", " ")


@pytest.mark.django_db
def test_a_report_from_the_web_chat_with_a_file_and_typed_coordinates(client, reporting):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.get("/canaux/web/", {"commune": "sceaux"})
    _web(client, payload=f"item:reports:{reporting.pk}")
    html = _web(client, payload=str(Category.objects.get(code="voirie").pk).join(["r:c:", ""]))
    html = _web(client, text="Nid de poule")
    assert 'type="file"' in html and 'enctype="multipart/form-data"' in html
    html = _web(client, photo=SimpleUploadedFile("IMG_1.jpg", jpeg_with_exif(), content_type="image/jpeg"))
    assert 'type="file"' not in html
    html = _web(client, text=f"{SCEAUX_POINT[0]}, {SCEAUX_POINT[1]}")
    _web(client, text="paul@example.org")
    _web(client, payload="r:send")
    report = Report.objects.get()
    assert report.channel == "chatbot" and report.description == "Nid de poule" and report.photos.count() == 1


@pytest.mark.django_db
def test_sms_says_no_photo_and_offers_to_skip(client, settings, sceaux, reporting, django_capture_on_commit_callbacks):
    _capture = django_capture_on_commit_callbacks
    settings.CONCERTO_SMS_RETRY_SECONDS = 0
    settings.CONCERTO_SMS_OVH_SERVICE = "sms-ab12345-1"
    settings.CONCERTO_SMS_OVH_APPLICATION_KEY = "app-key"
    settings.CONCERTO_SMS_OVH_APPLICATION_SECRET = "app-secret"
    settings.CONCERTO_SMS_OVH_CONSUMER_KEY = "consumer-key"
    channel = ChatChannel(organisation=sceaux, platform=Platform.SMS, external_id="+33700000001")
    channel.set_webhook_secret("sms-secret-0123456789")
    channel.save()
    with FakeOvhSms() as ovh:
        settings.CONCERTO_SMS_API_URL = ovh.url + "/1.0"
        number = iter(range(1, 1000))

        def sms(text):
            with _capture(execute=True):
                client.post(f"/canaux/sms/{channel.pk}/entrant/?cle=sms-secret-0123456789",
                            {"from": "0612345678", "text": text, "id": str(next(number))})

        sms("Bonjour")
        menu = ovh.texts()[-1]
        sms(re.search(r"(\d+)\. Signaler", menu)[1])
        sms("1")
        sms("Trottoir abîmé")
        assert "par SMS" in ovh.texts()[-1].replace("\xa0", " ") or "texto" in ovh.texts()[-1]
        sms("1")  # skip the photo
        assert "Où est-ce" in ovh.texts()[-1]
    assert not Report.objects.exists()



@pytest.mark.django_db
def test_a_photo_of_an_abandoned_conversation_is_deleted_after_a_day(person, graph, page, reporting):
    from datetime import timedelta

    from django.utils import timezone

    from concerto.components.reports.chat import pending_photos_purge

    start_report(person, graph, reporting)
    person.send_photo(graph, jpeg_with_exif())
    [waiting] = default_storage.listdir("reports/chat")[1]
    assert pending_photos_purge(timezone.now()) == 0
    assert pending_photos_purge(timezone.now() + timedelta(hours=25)) == 1
    assert not default_storage.exists(f"reports/chat/{waiting}")
