"""At the door and in the room, on phones: a resident registers and gets a QR code; an agent (2FA) checks
them in by typing the code; then the live board: a question, a vote, and the projection page on a big
screen. axe on every page visited."""

import re

from django.utils import timezone
from playwright.sync_api import expect

from concerto.browser.helpers import log_in
from concerto.components.events.models import Event
from concerto.testing import ComponentFactory, SpaceFactory, commune, persona

PHONE = {"width": 360, "height": 780}


def _setup(*, board_open=False) -> Event:
    sceaux = commune("sceaux")
    persona("agent@sceaux.example.org", role="agent", organisation=sceaux, display_name="Agent de Sceaux")
    persona("habitante@example.org", display_name="Camille Martin", residence=sceaux)
    space = SpaceFactory(organisation=sceaux, slug="parc-2026", title="Réaménager le parc")
    component = ComponentFactory(space=space, kind="events", title="Rencontres")
    start = timezone.now() + timezone.timedelta(hours=1)
    return Event.objects.create(component=component, title="Réunion publique sur le parc", starts_at=start,
                                ends_at=start + timezone.timedelta(hours=2), published=True, capacity=50,
                                place_name="Salle des fêtes", address="1 rue Houdan, Sceaux",
                                live_board_open=board_open)


def _phone(browser, site, size=PHONE):
    context = browser.new_context(viewport=size, locale="fr-FR")
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(site.url)
                  or route.request.url.startswith("data:") else route.abort())
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


def test_a_resident_registers_gets_a_qr_code_and_an_agent_checks_them_in(page, site, browser, axe_check):
    event = _setup()
    space = event.component.space
    base = f"{site.url}/gestion/sceaux/{space.slug}/rencontres/{event.component_id}/{event.pk}"

    # The resident, on a 360 px phone: the event, the registration form, the ticket with its QR code.
    log_in(page, site, "habitante@example.org")
    page.goto(site.url + event.get_absolute_url())
    axe_check(page)
    page.locator("main a.button[href$='/inscription/']").click()
    page.wait_for_url("**/inscription/")
    axe_check(page)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url("**/billet/")
    qr = page.locator("img.event-ticket__qr")
    expect(qr).to_be_visible()
    assert page.evaluate("(img) => img.complete && img.naturalWidth > 0", qr.element_handle())
    code = page.locator(".event-ticket__code").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{4} [A-Z0-9]{4}", code)
    axe_check(page)

    # The agent at the door, on another phone: 2FA, then the check-in page; the code is typed.
    context, door = _phone(browser, site)
    try:
        log_in(door, site, "agent@sceaux.example.org", totp=True)
        door.wait_for_url("**/gestion/")
        door.goto(base + "/accueil/")
        axe_check(door)
        expect(door.locator("#count-checked-in")).to_have_text("0")
        expect(door.locator("#count-expected")).to_have_text("1")
        # Desktop Linux Chromium has no BarcodeDetector: no Scan button, typing works.
        expect(door.get_by_role("button", name="Scanner")).not_to_be_visible()
        field = door.get_by_label("Code du billet")
        assert field.evaluate("(el) => el === document.activeElement")  # ready to type at once
        field.fill(code.lower())
        door.get_by_role("button", name="Enregistrer", exact=True).click()
        door.wait_for_load_state()
        expect(door.get_by_role("status").filter(has_text="Enregistré : Camille Martin")).to_be_visible()
        expect(door.locator("#count-checked-in")).to_have_text("1")
        axe_check(door)

        # The same ticket again: refused, with the time.
        door.get_by_label("Code du billet").fill(code)
        door.get_by_role("button", name="Enregistrer", exact=True).click()
        door.wait_for_load_state()
        expect(door.get_by_role("alert").filter(has_text=re.compile(r"Déjà enregistré à \d+ h \d\d"))).to_be_visible()
        axe_check(door)

        # A walk-in, counted at once.
        door.get_by_text("Ajouter une personne venue sans inscription").click()
        door.get_by_label("Prénom (facultatif)").fill("Lou")
        door.get_by_role("button", name="Ajouter la personne").click()
        door.wait_for_load_state()
        expect(door.locator("#count-walk-ins")).to_have_text("1")
        expect(door.locator("#count-checked-in")).to_have_text("2")
        axe_check(door)
    finally:
        context.close()
    assert event.registrations.filter(checked_in_at__isnull=False).count() == 2


def test_a_question_on_the_live_board_gets_a_vote_and_shows_on_the_projection(page, site, browser, axe_check):
    event = _setup(board_open=True)
    board_url = site.url + event.get_absolute_url() + "direct/"

    # An anonymous participant in the room sends a question from their phone.
    page.goto(board_url)
    axe_check(page)
    page.get_by_label("Votre message").fill("Combien d'arbres seront plantés ?")
    page.get_by_role("button", name="Envoyer sur le mur").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Votre message est sur le mur.")).to_be_visible()
    expect(page.get_by_text("Envoyé par vous")).to_be_visible()  # no vote button on one's own post
    axe_check(page)

    # The resident votes for it from another phone.
    context, other = _phone(browser, site)
    try:
        log_in(other, site, "habitante@example.org")
        other.goto(board_url)
        other.get_by_role("button", name=re.compile("^Voter")).click()
        other.get_by_text("Vous avez voté").wait_for()
        assert other.locator(".board-post__votes").first.inner_text().startswith("1 vote")
        axe_check(other)
        other.get_by_label("Votre message").fill("Le parc restera-t-il ouvert la nuit ?")
        other.get_by_role("button", name="Envoyer sur le mur").click()
        other.wait_for_load_state()
    finally:
        context.close()

    # The first phone's board refreshes itself (htmx, every 5 s) and says so politely.
    page.locator(".board-post__text", has_text="Le parc restera-t-il ouvert la nuit ?").wait_for(timeout=12_000)
    expect(page.locator("#board-announce")).to_have_text("1 nouveau message sur le mur")

    context, other = _phone(browser, site)
    try:
        pass
    finally:
        context.close()

    # The projection page on the room's big screen: the question, its vote, the QR code to join.
    context, screen = _phone(browser, site, {"width": 1920, "height": 1080})
    try:
        screen.goto(board_url + "projection/")
        expect(screen.get_by_text("Combien d'arbres seront plantés ?")).to_be_visible()
        expect(screen.locator(".projection-post__votes").first).to_have_text("1 vote")
        expect(screen.get_by_role("img", name=re.compile("QR code du mur en direct"))).to_be_visible()
        font_size = screen.locator(".projection-post__text").first.evaluate(
            "(el) => parseFloat(getComputedStyle(el).fontSize)")
        assert font_size >= 40  # read from the back of the room
        axe_check(screen)
    finally:
        context.close()


# A camera and a QR code reader stand-in: the page cannot tell them from Chromium's on an Android phone.
FAKE_SCANNER = """
window.BarcodeDetector = class {
  static getSupportedFormats() { return Promise.resolve(["qr_code"]); }
  detect() { return Promise.resolve(window.__qr ? [{ rawValue: window.__qr }] : []); }
};
navigator.mediaDevices.getUserMedia = () => {
  const canvas = document.createElement("canvas");
  canvas.width = 64; canvas.height = 64;
  canvas.getContext("2d").fillRect(0, 0, 64, 64);
  return Promise.resolve(canvas.captureStream(5));
};
"""


def test_an_agent_scans_a_ticket_with_the_camera_where_the_browser_reads_qr_codes(site, browser, axe_check):
    from concerto.components.events import room
    from concerto.components.events.models import Registration
    from concerto.core.accounts.models import User

    event = _setup()
    resident = User.objects.get(email="habitante@example.org")
    registration = Registration.objects.create(event=event, user=resident, code=room.code_new())
    space = event.component.space
    context, door = _phone(browser, site)
    try:
        context.add_init_script(FAKE_SCANNER)
        log_in(door, site, "agent@sceaux.example.org", totp=True)
        door.wait_for_url("**/gestion/")
        door.goto(f"{site.url}/gestion/sceaux/{space.slug}/rencontres/{event.component_id}/{event.pk}/accueil/")
        door.get_by_role("button", name="Scanner").click()
        door.locator("video[data-scanner-video]").wait_for()
        axe_check(door)
        door.evaluate("(code) => { window.__qr = code; }", registration.code)
        door.get_by_role("status").filter(has_text="Enregistré : Camille Martin").wait_for()
        expect(door.locator("#count-checked-in")).to_have_text("1")

        # The board's moderation page, from the same phone: the organiser opens the board.
        door.goto(f"{site.url}/gestion/sceaux/{space.slug}/rencontres/{event.component_id}/{event.pk}/direct/")
        door.get_by_role("button", name="Ouvrir le mur").click()
        expect(door.get_by_text("Le mur en direct est ouvert.")).to_be_visible()
        axe_check(door)
    finally:
        context.close()
    event.refresh_from_db()
    assert event.live_board_open
