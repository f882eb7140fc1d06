"""Events on a phone: a resident finds a hybrid event, registers (answering a question and choosing the room)
and sees their QR code and check-in code; axe on the list, the event, the form and the ticket."""

from django.utils import timezone
from playwright.sync_api import expect

from concerto.browser.helpers import log_in
from concerto.components.events import services
from concerto.components.events.models import Event
from concerto.testing import ComponentFactory, SpaceFactory, commune, persona


def _setup():
    sceaux = commune("sceaux")
    persona("habitante@example.org", display_name="Camille Martin", residence=sceaux)
    space = SpaceFactory(organisation=sceaux, slug="parc-2026", title="Aménagement du parc")
    component = ComponentFactory(space=space, kind="events", title="Rencontres du parc")
    start = timezone.now() + timezone.timedelta(days=4)
    event = services.event_create(
        actor=None, component=component, title="Atelier : dessinons le parc", kind=Event.Kind.WORKSHOP,
        format=Event.Format.HYBRID, description="<p>Venez dessiner le futur parc avec nous.</p>",
        starts_at=start, ends_at=start + timezone.timedelta(hours=2), place_name="Salle des fêtes",
        address="1 rue Houdan", point=(48.7786, 2.2906), step_free_access=True, induction_loop=True,
        online_url="https://visio.example.org/parc", languages=["fr", "en"], audiences=["families"],
        organiser="Ville de Sceaux", capacity=12)
    services.question_add(actor=None, event=event, label="Besoin d’une garde d’enfants ?", required=True)
    services.event_publish(actor=None, event=event)
    return component, event


def test_a_resident_registers_on_a_phone_and_sees_their_qr_code(page, site, axe_check):
    component, event = _setup()

    log_in(page, site, "habitante@example.org")

    page.goto(site.url + component.get_absolute_url())
    expect(page.get_by_role("heading", name="Rencontres du parc")).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="Atelier : dessinons le parc").click()
    page.wait_for_url(f"**/{event.pk}/")
    expect(page.get_by_text("12 places restantes")).to_be_visible()
    expect(page.get_by_text("Accès de plain-pied").first).to_be_visible()
    axe_check(page)

    page.get_by_role("link", name="S’inscrire", exact=True).click()
    page.wait_for_url("**/inscription/")
    axe_check(page)
    page.get_by_role("button", name="Confirmer mon inscription").click()
    # The required question and the attendance are asked again, with the errors summarised.
    expect(page.get_by_text("Répondez à cette question\u00a0: elle est obligatoire.").first).to_be_visible()
    axe_check(page)
    page.get_by_label("Besoin d’une garde d’enfants ?").fill("Non merci")
    page.get_by_label("Dans la salle").check()
    page.get_by_role("button", name="Confirmer mon inscription").click()

    page.wait_for_url("**/billet/")
    expect(page.get_by_text("Vous êtes inscrit.").first).to_be_visible()
    qr = page.get_by_role("img", name="QR code de votre code d’accueil")
    expect(qr).to_be_visible()
    assert page.evaluate("img => img.naturalWidth > 0", qr.element_handle())
    registration = event.registrations.get()
    expect(page.get_by_text(services.registration_code_display(registration.code))).to_be_visible()
    expect(page.get_by_role("link", name="https://visio.example.org/parc")).to_be_visible()
    axe_check(page)


def test_an_agent_creates_and_publishes_an_event_on_accessible_pages(page, site, axe_check):
    sceaux = commune("sceaux")
    persona("agent@sceaux.example.org", role="agent", organisation=sceaux)
    space = SpaceFactory(organisation=sceaux, slug="parc-2026", title="Aménagement du parc")
    component = ComponentFactory(space=space, kind="events", title="Rencontres du parc")

    log_in(page, site, "agent@sceaux.example.org", totp=True)
    page.wait_for_url("**/gestion/")
    page.goto(site.url + component.get_backoffice_url())
    axe_check(page)
    page.get_by_role("link", name="Créer un événement").click()
    axe_check(page)
    page.get_by_label("Titre").fill("Balade dans le quartier")
    page.get_by_label("Type d’événement").select_option("walk")
    page.get_by_label("Début").fill("2030-05-04T10:00")
    page.get_by_label("Fin", exact=True).fill("2030-05-04T09:00")
    page.locator("#id_place_name").fill("Place du marché")
    page.get_by_role("button", name="Créer l’événement").click()
    expect(page.get_by_text("L’événement doit se terminer après son début").first).to_be_visible()
    axe_check(page)
    page.get_by_label("Fin", exact=True).fill("2030-05-04T12:00")
    page.get_by_role("button", name="Créer l’événement").click()
    page.get_by_role("button", name="Publier l’événement").click()
    expect(page.get_by_text("L’événement est publié.")).to_be_visible()
    axe_check(page)
    event = Event.objects.get(title="Balade dans le quartier")
    services.question_add(actor=None, event=event, label="Votre quartier ?")
    services.registration_create(user=persona("habitant@example.org", display_name="Sam Leroy"), event=event)
    page.get_by_role("link", name="Inscriptions", exact=True).click()
    expect(page.get_by_role("cell", name="Sam Leroy", exact=True)).to_be_visible()
    axe_check(page)
