"""Test helpers shared by every app: factories, personas and logins (imported by tests only)."""

import threading
import time
from pathlib import Path

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.utils import timezone

from concerto.core.accounts.models import Role, User
from concerto.core.spaces.models import Component, Space, Step
from concerto.core.territory.models import Organisation
from concerto.demo.management.commands.load_demo import DEMO_BOUNDARIES
from concerto.localserver import LocalServer

# The reference data beside the project (`../shared/data` from the repository's root). Tests that need it skip
# where it is absent; tests that only need the communes' outlines use the committed DEMO_BOUNDARIES instead.
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"

PASSWORD = "concerto-test-password"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # base32; every staff persona uses it in tests


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    display_name = factory.Faker("name", locale="fr_FR")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        if create:
            obj.save()
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


class SpaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Space

    organisation = factory.LazyFunction(lambda: commune("sceaux"))
    title = factory.Sequence(lambda n: f"Concertation n°{n}")
    slug = factory.Sequence(lambda n: f"concertation-{n}")
    summary = "Donnez votre avis sur l'aménagement du quartier."
    description = "Une concertation pour aménager le quartier avec ses habitants."
    status = Space.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)
    start_date = factory.LazyFunction(lambda: timezone.localdate() - timezone.timedelta(days=10))
    end_date = factory.LazyFunction(lambda: timezone.localdate() + timezone.timedelta(days=50))


class StepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Step

    space = factory.SubFactory(SpaceFactory)
    title = factory.Sequence(lambda n: f"Étape {n}")
    start_date = factory.LazyFunction(lambda: timezone.localdate() - timezone.timedelta(days=5))
    end_date = factory.LazyFunction(lambda: timezone.localdate() + timezone.timedelta(days=5))


class ComponentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Component

    space = factory.SubFactory(SpaceFactory)
    kind = "news"
    title = "Actualités"
    published = True


def commune(slug: str) -> Organisation:
    return Organisation.objects.get(slug=slug)


def metropole() -> Organisation:
    return Organisation.objects.get(kind=Organisation.Kind.METROPOLE)


def persona(email: str, *, role: str | None = None, organisation: Organisation | None = None,
            mfa: bool | None = None, pending: bool = False, **fields) -> User:
    """A user with an optional role, active (as if enrolled: `pending=True` leaves it pending); staff (anyone
    with a role) get a TOTP authenticator by default."""
    user = UserFactory(email=email, **fields)
    if role:
        Role.objects.create(user=user, organisation=organisation, kind=role,
                            activated_at=None if pending else timezone.now())
    if mfa if mfa is not None else bool(role):
        TOTP.activate(user, TOTP_SECRET)
    return user


def totp_code(secret: str = TOTP_SECRET, at: float | None = None) -> str:
    return format_hotp_value(hotp_value(secret, int((at or time.time()) // 30)))


def fresh_totp_code(secret: str = TOTP_SECRET) -> str:
    """The current code, once at least 5 seconds of its 30-second window are left: a browser on a busy machine
    takes seconds to send it, and the server accepts the current window only."""
    left = 30 - time.time() % 30
    if left < 5:
        time.sleep(left + 0.2)
    return totp_code(secret)


def login_with_mfa(client, user) -> None:
    """Log CLIENT in as USER as if they had passed the password and TOTP steps."""
    client.force_login(user)
    session = client.session
    now = time.time()
    session["account_authentication_methods_user"] = str(user.pk)
    session["account_authentication_methods"] = [
        {"method": "password", "at": now, "email": user.email},
        {"method": "mfa", "at": now, "id": 0, "type": "totp"},
    ]
    session.save()


def verified_resident(user, organisation: Organisation | None = None):
    """Make USER a verified resident of ORGANISATION (Sceaux by default), as a census check would."""
    import secrets

    from concerto.core.accounts.verification import verification_grant

    return verification_grant(agent=None, user=user, organisation=organisation or commune("sceaux"),
                              method="census", identity_hash=secrets.token_hex(32))


def boundaries_import(path=DEMO_BOUNDARIES) -> None:
    """The communes' outlines (by default the committed demo file: the 130 communes), so that a point finds its
    commune."""
    from django.core.management import call_command

    with open("/dev/null", "w") as quiet:
        call_command("import_boundaries", str(path), stdout=quiet)


def configure(component, *, step=None, **values):
    """Set global settings (and, with STEP, that step's settings) of COMPONENT through its manifest, which checks
    them as the back-office's settings form does."""
    manifest = component.manifest
    if step is None:
        component.settings = manifest.clean_settings({**manifest.settings_for(component), **values})
    else:
        current = manifest.step_settings_for(component, step)
        component.step_settings = {**component.step_settings,
                                   str(step.pk): manifest.clean_step_settings({**current, **values})}
    component.save()
    return component


def image_bytes(fmt: str = "PNG", size=(20, 10), colour=(30, 160, 60)) -> bytes:
    """A small image of one colour, encoded as FMT (PNG, JPEG, GIF...): a photo to upload."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, fmt)
    return buffer.getvalue()


def needs_postgresql(reason: str = "needs a database server that runs transactions at once (PostgreSQL)"):
    """Skip the test on SQLite, which runs one writer at a time: a race needs PostgreSQL."""
    import pytest
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip(reason)


def at_once(action, arguments) -> list:
    """Run ACTION(argument) for each of ARGUMENTS at the same instant, each in its own thread and database
    connection, as simultaneous requests would. Returns, in the order they finished, what each returned or the
    exception it raised (for the test to say which refusals it expects)."""
    from django.db import connections

    arguments = list(arguments)
    barrier = threading.Barrier(len(arguments))
    outcomes = []

    def run(argument):
        try:
            barrier.wait()
            outcomes.append(action(argument))
        except Exception as error:  # noqa: BLE001 - returned for the test to judge
            outcomes.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(argument,)) for argument in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def jpeg_with_gps(size=(2400, 1200), orientation=None) -> bytes:
    """A JPEG as a phone takes it: its EXIF names the device and holds the GPS position of the shot."""
    import io

    from PIL import Image

    image = Image.new("RGB", size, (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"                 # Make
    exif[0x0110] = "Phone 12"                   # Model
    if orientation:
        exif[0x0112] = orientation
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (48.0, 46.0, 28.0)
    gps[3], gps[4] = "E", (2.0, 17.0, 56.0)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def stored_image_metadata(field_file) -> dict:
    """What a stored image still tells about where and with what it was taken (empty: nothing)."""
    from PIL import Image

    with field_file.open("rb"), Image.open(field_file) as image:
        found = {key: value for key, value in image.info.items() if key in ("exif", "xmp", "icc_profile", "comment")}
        found.update({f"exif:{key}": value for key, value in image.getexif().items()})
        return found


# ---------------------------------------------------------------------------------------------------
# Local fakes of the IGN Géoplateforme: the Base Adresse Nationale's geocoder and the Plan IGN tiles
# ---------------------------------------------------------------------------------------------------

# label, latitude, longitude: real addresses, and one outside the Métropole (Versailles).
FAKE_ADDRESSES = [
    ("12 Rue Houdan 92330 Sceaux", 48.77803, 2.29019),
    ("1 Rue Houdan 92330 Sceaux", 48.77745, 2.28890),
    ("122 Rue Houdan 92330 Sceaux", 48.77980, 2.29560),
    ("Place de l'Hôtel de Ville 75004 Paris", 48.85637, 2.35207),
    ("1 Place d'Armes 78000 Versailles", 48.80490, 2.12040),
]
# The smallest PNG: one transparent pixel.
TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


class FakeService(LocalServer):
    """An HTTP server in a thread (`with FakeService(handler) as fake: fake.url`); `fake.requests` lists the
    paths asked; `fake.mode` is "ok", "down" (answers 503) or "slow" (answers after `fake.delay` seconds)."""

    def __init__(self, answer):
        import http.server

        self.answer, self.requests, self.mode, self.delay = answer, [], "ok", 3.0
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (the standard library's name)
                fake.requests.append(self.path)
                if fake.mode == "slow":
                    time.sleep(fake.delay)
                if fake.mode == "down":
                    status, content_type, body = 503, "text/plain", b"down"
                else:
                    status, content_type, body = fake.answer(self.path)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(body)))
                    self.send_header("Access-Control-Allow-Origin", "*")
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass  # the client gave up (a timeout under test)

            def log_message(self, *args):
                pass

        super().__init__(Handler)


def _ban_answer(path: str):
    """The BAN's GeoJSON for /search?q= (words of the query all in the label) and /reverse?lat=&lon= (nearest)."""
    import json
    import math
    from urllib.parse import parse_qs, urlsplit

    parts = urlsplit(path)
    params = {key: values[0] for key, values in parse_qs(parts.query).items()}
    if parts.path.endswith("/search"):
        words = params.get("q", "").lower().replace(",", " ").split()
        rows = [row for row in FAKE_ADDRESSES if all(word in row[0].lower() for word in words)]
        rows = rows[: int(params.get("limit", 5))]
    elif parts.path.endswith("/reverse"):
        lat, lon = float(params["lat"]), float(params["lon"])
        nearest = min(FAKE_ADDRESSES, key=lambda row: math.hypot(row[1] - lat, row[2] - lon))
        rows = [nearest] if math.hypot(nearest[1] - lat, nearest[2] - lon) < 0.01 else []
    else:
        return 404, "application/json", b"{}"
    features = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
                 "properties": {"label": label, "score": 0.9, "type": "housenumber"}} for label, lat, lon in rows]
    return 200, "application/json", json.dumps({"type": "FeatureCollection", "features": features}).encode()


def fake_ban() -> FakeService:
    """A local Base Adresse Nationale (search and reverse over FAKE_ADDRESSES)."""
    return FakeService(_ban_answer)


def fake_tiles() -> FakeService:
    """A local tile server: any path answers a one-pixel PNG."""
    return FakeService(lambda path: (200, "image/png", TINY_PNG))


def export_job_followed(staff_client, user, outsider, *, csv_url: str, xlsx_url: str, heading: str, file_stem: str,
                        titles: list[str], organisation: str = "sceaux", other: str = "montreuil") -> str:
    """A big export as the team sees it. USER (signed in by the `staff_client` fixture) asks CSV_URL: a background
    job starts and the answer redirects to its page (HEADING, « L’export est prêt : N lignes. », a download link
    named after FILE_STEM); the downloaded CSV lists TITLES in order (a formula stays text); XLSX_URL's job makes
    a workbook with the same first title; OUTSIDER (staff of OTHER) neither sees the job nor downloads its file.
    Returns the CSV's text."""
    import csv
    import html
    import io

    from django.urls import reverse
    from openpyxl import load_workbook

    from concerto.core.jobs.models import Job

    client = staff_client(user)
    response = client.get(csv_url)
    job = Job.objects.get(kind="exports.export")
    assert response.status_code == 302
    assert response["Location"] == reverse("jobs:detail", args=[organisation, job.pk])
    page = html.unescape(client.get(response["Location"]).content.decode())
    assert heading in page
    assert f"L’export est prêt\u00a0: {len(titles)} lignes." in page
    download = reverse("jobs:download", args=[organisation, job.pk])
    assert f'href="{download}">Télécharger {file_stem}.csv</a>' in page
    body = b"".join(client.get(download).streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [row["title"] for row in rows] == titles
    # The XLSX too.
    client.get(xlsx_url)
    xlsx = Job.objects.filter(kind="exports.export").first()
    assert xlsx.file_name == f"{file_stem}.xlsx"
    sheet = load_workbook(io.BytesIO(b"".join(client.get(
        reverse("jobs:download", args=[organisation, xlsx.pk])).streaming_content))).active
    assert [row[1] for row in sheet.iter_rows(values_only=True)][:2] == ["title", titles[0]]
    # Another commune's agent neither sees the job nor downloads its file.
    client = staff_client(outsider)
    assert client.get(reverse("jobs:download", args=[other, job.pk])).status_code == 404
    assert client.get(download).status_code == 403
    return body


def verified_actions_reserved(client, component, *, action: str, label: str) -> str:
    """The team's CLIENT ticks « Réservé aux habitants vérifiés » for ACTION (offered as LABEL) on COMPONENT's
    settings page and saves: checks the page offered it, the form redirected and the component kept it.
    Returns the settings page's address."""
    from django.urls import reverse

    space = component.space
    url = reverse("backoffice:component", args=[space.organisation.slug, space.slug, component.pk])
    html = client.get(url).content.decode()
    assert "Réservé aux habitants vérifiés" in html and label in html
    response = client.post(url, {"title": component.title, "verified_actions": [action]})
    assert response.status_code == 302
    component.refresh_from_db()
    assert component.verified_actions == [action]
    return url
