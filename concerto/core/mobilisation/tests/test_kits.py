"""Short links and print kits: what a resident scanning a poster, an agent, an elected official and another commune
see and get."""

import datetime
import re
import zlib

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from concerto.core.audit.models import AuditEntry
from concerto.core.mobilisation import kit_pdf, kits, links
from concerto.core.mobilisation.models import PrintKit, ShortLink, ShortLinkDay
from concerto.testing import ComponentFactory

pytestmark = pytest.mark.django_db


def _url(name, *args, org="sceaux"):
    return reverse(f"mobilisation_backoffice:{name}", args=[org, *args])


def _make(browser, space, **values):
    data = {"target": f"space:{space.pk}", "format": "poster_a4", "title": "Votez pour vos projets !",
            "text": "Jusqu’au 15 mars, proposez et votez.", "when": ""}
    data.update(values)
    return browser.post(_url("kit_create"), data)


@pytest.fixture
def kit(staff_client, agent, space):
    response = _make(staff_client(agent), space)
    assert response.status_code == 302, response.content.decode()[:3000]
    return PrintKit.objects.get()


def _short(kit):
    return settings.SITE_URL.rstrip("/") + f"/l/{kit.link.code}"


# Short links. --------------------------------------------------------------------------------------------------

def test_a_short_link_sends_to_its_page_counts_each_visit_and_marks_the_session(kit, client, space):
    response = client.get(f"/l/{kit.link.code}")
    assert response.status_code == 302 and response["Location"] == space.get_absolute_url()
    client.get(f"/l/{kit.link.code}")
    assert ShortLinkDay.objects.get(link=kit.link, day=timezone.localdate()).visits == 2
    assert client.session[links.SOURCE_SESSION_KEY] == {
        "kind": "kit", "id": kit.pk, "code": kit.link.code, "day": timezone.localdate().isoformat()}
    assert client.get(f"/l/{kit.link.code.upper()}").status_code == 302  # typed in capitals from the paper


def test_visits_counted_from_two_sessions_and_days_add_up(kit):
    from django.test import Client

    for _ in range(3):
        Client().get(f"/l/{kit.link.code}")
    links.short_link_count(link=kit.link, day=timezone.localdate() - datetime.timedelta(days=40))
    # two counts of the same day made as if in parallel: the second finds the first's row
    links.short_link_count(link=kit.link)
    assert kits.kits_with_visits(kit.organisation) == [(kit, 5, 4, 0, 0)]


def test_an_unknown_code_is_the_french_not_found_page(client):
    response = client.get("/l/zzzzzzzz")
    assert response.status_code == 404
    assert "introuvable" in response.content.decode().lower()
    assert not ShortLinkDay.objects.exists()


def test_a_short_link_never_leads_off_the_site(sceaux):
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)",
                   "evil.example/x", "/ok\nLocation: https://evil.example", ""):
        with pytest.raises(ValidationError):
            links.short_link_create(organisation=sceaux, target=target, source_kind="campaign")
    link = links.short_link_create(organisation=sceaux, target="/sceaux/", source_kind="campaign", source_id=7)
    assert re.fullmatch(r"[2-9a-hjkmnp-z]{8}", link.code)
    ShortLink.objects.filter(pk=link.pk).update(target="//evil.example/")  # written around the service
    assert reverse("short_link", args=[link.code]) == f"/l/{link.code}"


def test_a_link_whose_target_was_changed_to_another_site_is_not_followed(client, sceaux):
    link = links.short_link_create(organisation=sceaux, target="/sceaux/", source_kind="campaign")
    ShortLink.objects.filter(pk=link.pk).update(target="//evil.example/")
    assert client.get(f"/l/{link.code}").status_code == 404


def test_a_script_following_a_link_again_and_again_is_sent_on_but_no_longer_counted(kit, rate_limits):
    from django.test import Client

    rate_limits.CONCERTO_RATE_LIMITS = {"short_link": (2, 600)}
    script = Client()
    answers = [script.get(f"/l/{kit.link.code}").status_code for _ in range(15)]
    assert answers == [302] * 15
    assert ShortLinkDay.objects.get(link=kit.link).visits == 10  # 2 × 5 for a network address


# Print kits. ---------------------------------------------------------------------------------------------------

def test_an_agent_makes_a_kit_prefilled_from_the_space_and_sees_its_scans(staff_client, agent, space, client):
    browser = staff_client(agent)
    choose = browser.get(_url("kit_create")).content.decode()
    assert space.title in choose
    form = browser.get(_url("kit_create"), {"target": f"space:{space.pk}"}).content.decode()
    assert f'value="{space.title}"' in form  # the title prefilled from the space
    assert _make(browser, space).status_code == 302
    kit = PrintKit.objects.get()
    assert kit.link.target == space.get_absolute_url() and kit.link.source_kind == "kit"
    assert kit.link.source_id == kit.pk
    assert AuditEntry.objects.filter(action="mobilisation.kit_created").count() == 1
    client.get(f"/l/{kit.link.code}")
    page = browser.get(_url("kits")).content.decode()
    assert "Votez pour vos projets" in page and _short(kit) in page
    assert re.search(r"<td>1</td>\s*<td>1</td>", page)


def test_the_pdf_is_a_poster_with_the_short_address_and_its_qr_code(kit):
    pdf = kit_pdf.kit_pdf(kit, short_url=_short(kit), compress=False)
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert f"({_short(kit)}) Tj".encode() in pdf  # written out in full, as plain text
    assert f"/URI ({_short(kit)})".encode() in pdf  # and the code is a link in the PDF itself
    assert b"/Title (Votez pour vos projets !)" in pdf and b"/Author (Sceaux)" in pdf
    assert b"agent" not in pdf.lower()  # no trace of who made it
    # the QR code drawn is the one of the short address: read the modules back from the drawing
    matrix = kit_pdf.qr_matrix(_short(kit))
    squares = [tuple(float(n) for n in match) for match in
               re.findall(rb"([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+) re", pdf)]
    size = len(matrix)
    module = min(square[2] for square in squares)
    dark = [square for square in squares if abs(square[2] - module) < 1e-3 and abs(square[3] - module) < 1e-3]
    left, top = min(square[0] for square in dark), max(square[1] for square in dark) + module
    drawn = {(round((top - square[1]) / module) - 1, round((square[0] - left) / module)) for square in dark}
    offset = min(column for row in matrix for column, value in enumerate(row) if value)
    first_row = next(index for index, row in enumerate(matrix) if any(row))
    expected = {(row - first_row, column - offset) for row, values in enumerate(matrix)
                for column, value in enumerate(values) if value}
    assert drawn == expected and module * size >= 3 / 2.54 * 72  # at least 3 cm printed


def test_each_format_is_drawn_and_the_download_is_a_pdf(staff_client, agent, elected, space, kit):
    for name in ("poster_a3", "flyer_a5", "flyer_a6"):
        kit.format = name
        kit.save()
        assert kit_pdf.kit_pdf(kit, short_url=_short(kit)).startswith(b"%PDF-")
    for person in (agent, elected):  # officials read the kits and download them
        response = staff_client(person).get(_url("kit_pdf", kit.pk))
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF-")


def test_the_accent_colour_is_used_only_when_white_text_reads_on_it(sceaux):
    sceaux.accent_color = "#1d4ed8"
    assert kit_pdf.accent_of(sceaux) == "#1d4ed8"
    sceaux.accent_color = "#ffd700"  # too light for white text (saved before the check existed)
    assert kit_pdf.accent_of(sceaux) == kit_pdf.FALLBACK
    sceaux.accent_color = "rouge"
    assert kit_pdf.accent_of(sceaux) == kit_pdf.FALLBACK


def test_a_logo_that_cannot_be_read_is_left_out_and_a_good_one_is_drawn(kit, sceaux):
    import io

    from PIL import Image

    sceaux.logo.save("logo.png", ContentFile(b"not an image at all"), save=True)
    kit.organisation.refresh_from_db()
    assert kit_pdf.logo_of(kit.organisation) is None
    assert kit_pdf.kit_pdf(kit, short_url=_short(kit)).startswith(b"%PDF-")
    image = io.BytesIO()
    Image.new("RGB", (40, 20), "#1d4ed8").save(image, "PNG")
    sceaux.logo.save("logo.png", ContentFile(image.getvalue()), save=True)
    kit.organisation.refresh_from_db()
    assert kit_pdf.logo_of(kit.organisation) is not None
    assert b"/Subtype /Image" in kit_pdf.kit_pdf(kit, short_url=_short(kit), compress=False)


def test_french_spaces_are_printed_with_a_character_the_font_has():
    assert kit_pdf.printable("Participez\u202f!") == "Participez\u00a0!"


def test_bad_input_gets_french_errors_and_nothing_is_made(staff_client, agent, space):
    browser = staff_client(agent)
    for values, error in (({"title": ""}, "Ce champ est obligatoire"),
                          ({"text": "x" * 401}, "au plus 400 caractères"),
                          ({"target": "space:999999"}, "Sélectionnez un choix valide"),
                          ({"format": "poster_a0"}, "Sélectionnez un choix valide")):
        response = _make(browser, space, **values)
        assert response.status_code == 400 and error in response.content.decode(), values
    assert browser.get(_url("kit_create"), {"target": "nimporte"}).status_code == 400
    assert not PrintKit.objects.exists() and not ShortLink.objects.exists()


def test_kits_for_an_event_to_come_and_for_the_reports_service(staff_client, agent, space):
    from concerto.components.events.models import Event

    events = ComponentFactory(space=space, kind="events", published=True)
    starts = timezone.now() + datetime.timedelta(days=5)
    event = Event.objects.create(component=events, title="Atelier du budget", starts_at=starts, published=True,
                                 ends_at=starts + datetime.timedelta(hours=2), place_name="Salle des fêtes")
    reports = ComponentFactory(space=space, kind="reports", published=True, title="Signalements")
    targets = {target.key: target for target in kits.kit_targets(space.organisation)}
    on_event = targets[f"event:{event.get_absolute_url()}"]
    assert "Salle des fêtes" in on_event.when and str(starts.astimezone().year) in on_event.when
    assert targets[f"reports:{reports.pk}"].path == reports.get_absolute_url()
    browser = staff_client(agent)
    assert _make(browser, space, target=on_event.key, when=on_event.when, format="flyer_a6").status_code == 302
    assert PrintKit.objects.get().link.target == event.get_absolute_url()


def test_officials_read_kits_and_other_communes_reach_nothing(staff_client, elected, outsider, kit, space):
    official = staff_client(elected)
    page = official.get(_url("kits")).content.decode()
    assert kit.title.split(" !")[0] in page and "Faire un kit" not in page and "Retirer" not in page
    assert official.get(_url("kit_create")).status_code == 403
    assert official.post(_url("kit_delete", kit.pk)).status_code == 403
    others = staff_client(outsider)
    assert others.get(_url("kits")).status_code == 403
    assert others.get(_url("kit_pdf", kit.pk, org="montreuil")).status_code == 404
    assert others.post(_url("kit_delete", kit.pk, org="montreuil")).status_code == 404
    assert "Votez pour vos projets" not in others.get(_url("kits", org="montreuil")).content.decode()
    assert PrintKit.objects.filter(pk=kit.pk).exists()


def test_removing_a_kit_ends_its_short_link(staff_client, agent, kit, client):
    code = kit.link.code
    assert staff_client(agent).post(_url("kit_delete", kit.pk)).status_code == 302
    assert client.get(f"/l/{code}").status_code == 404
    assert AuditEntry.objects.filter(action="mobilisation.kit_deleted").count() == 1


def test_a_compressed_pdf_holds_the_same_page(kit):
    pdf = kit_pdf.kit_pdf(kit, short_url=_short(kit))
    import base64

    text = b""
    for header, stream in re.findall(rb"<<([^>]*?)>>\s*stream\r?\n(.*?)endstream", pdf, re.S):
        if b"/ASCII85Decode" in header:
            stream = base64.a85decode(stream.strip().removesuffix(b"~>"), adobe=False)
        if b"/FlateDecode" in header:
            text += zlib.decompress(stream)
    assert f"({_short(kit)}) Tj".encode() in text
