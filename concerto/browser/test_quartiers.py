"""Quartiers in a real browser, at 360 px and 1280 px, checked by axe: an agent adds a QPV quartier by pasting its
GeoJSON (the no-JavaScript way, with the map above it), a resident says it is their quartier on the profile, and
the representativeness panel shows the priority areas against the rest of the commune."""

import json

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from concerto.browser.helpers import log_in
from concerto.core.insights.population import population_import
from concerto.core.participation.services import contribution_record
from concerto.core.territory.models import Quartier
from concerto.testing import ComponentFactory, SpaceFactory, UserFactory, commune, persona

pytestmark = pytest.mark.browser

HEADER = b"insee_code,pop_0_14,pop_15_29,pop_30_44,pop_45_59,pop_60_74,pop_75_plus\n"
BLAGIS = {"type": "Polygon", "coordinates": [[[2.29, 48.775], [2.30, 48.775], [2.30, 48.785], [2.29, 48.785],
                                              [2.29, 48.775]]]}


@pytest.mark.parametrize("width", [360, 1280])
def test_an_agent_adds_a_quartier_a_resident_picks_it_and_the_panel_shows_the_qpv(page, browser, site, axe_check,
                                                                                 width):
    sceaux = commune("sceaux")
    population_import(HEADER + b"92071,100,200,300,200,100,100\n", source="Insee test", year=2020)
    agent = persona("agent@sceaux.example.org", role="agent", organisation=sceaux, display_name="Agent")
    resident = persona("habitante@example.org", display_name="Camille")
    space = SpaceFactory(organisation=sceaux, slug="plu", title="Révision du PLU")
    ideas = ComponentFactory(space=space, kind="proposals", title="Idées")
    page.set_viewport_size({"width": width, "height": 900})

    log_in(page, site, agent.email, totp=True)
    page.goto(site.url + "/gestion/sceaux/")
    page.get_by_role("navigation", name="Menu de l'espace de gestion").get_by_role("link", name="Quartiers").click()
    expect(page.get_by_text("Aucun quartier pour l’instant.")).to_be_visible()
    page.get_by_role("link", name="Ajouter un quartier").click()
    expect(page.locator("[data-area-widget][data-map-ready]")).to_have_count(1)  # the map to draw on
    axe_check(page)
    # drawing: three clicks on the map make a polygon in the GeoJSON field; « Effacer le contour » empties it
    canvas = page.locator(".area-widget__map")
    for x, y in ((60, 60), (200, 70), (120, 180)):
        canvas.click(position={"x": x, "y": y})
    expect(page.get_by_role("status").filter(has_text="Contour dessiné avec 3 points.")).to_be_visible()
    drawn = json.loads(page.get_by_label("Contour (polygone GeoJSON)").input_value())
    assert drawn["type"] == "Polygon" and len(drawn["coordinates"][0]) == 4
    page.get_by_role("button", name="Effacer le contour").click()
    expect(page.get_by_label("Contour (polygone GeoJSON)")).to_have_value("")
    page.get_by_label("Nom du quartier").fill("Les Blagis")
    page.get_by_label("Quartier prioritaire de la politique de la ville (QPV)").check()
    page.get_by_label("Contour (polygone GeoJSON)").fill("{pas du json")
    page.locator("#id_population").fill("250")
    page.get_by_label("Source de la population").fill("INSEE, recensement 2021")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".field-error", has_text="Ce texte n’est pas du GeoJSON.")).to_be_visible()
    axe_check(page)
    page.get_by_label("Contour (polygone GeoJSON)").fill(json.dumps(BLAGIS))
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Le quartier est ajouté.")).to_be_visible()
    expect(page.get_by_role("table", name="Quartiers de la commune")).to_contain_text("Les Blagis")
    axe_check(page)
    blagis = Quartier.objects.get(organisation=sceaux)
    assert blagis.priority_area and blagis.polygon == BLAGIS and blagis.population == 250

    # the resident, in a browser of their own (the agent stays signed in: a second-factor code is used once)
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="fr-FR")
    own = context.new_page()
    log_in(own, site, resident.email)
    own.goto(site.url + "/compte/profil/")
    own.get_by_label("J’accepte que Concerto garde les réponses ci-dessous pour mesurer qui participe").check()
    own.get_by_label("Commune où vous habitez").select_option(label="Sceaux")
    own.get_by_label("Votre quartier").select_option(label="Les Blagis")
    own.get_by_role("button", name="Enregistrer mon profil").click()
    expect(own.get_by_text("Votre profil est enregistré.")).to_be_visible()
    expect(own.get_by_label("Votre quartier")).to_have_value(str(blagis.pk))
    axe_check(own)
    context.close()
    resident.refresh_from_db()
    assert resident.quartier == blagis

    # the resident and four neighbours take part, and fifteen people of the rest of the commune
    now = timezone.now()
    centre = Quartier.objects.create(organisation=sceaux, name="Centre", population=750, population_source="Test")
    people = [resident] + [UserFactory(residence=sceaux, quartier=blagis, demographics_consent_at=now)
                           for _n in range(4)]
    people += [UserFactory(residence=sceaux, quartier=centre, demographics_consent_at=now) for _n in range(15)]
    for person in people:
        contribution_record(kind="test.item", target=ideas, component=ideas, author=person)
    page.goto(site.url + "/gestion/sceaux/plu/participation/")
    table = page.get_by_role("table", name="Participants et habitants par quartier")
    expect(table).to_be_visible()
    qpv = table.get_by_role("row", name="Quartiers prioritaires (QPV)", exact=False).first
    expect(qpv).to_contain_text("25\u00a0%")  # 5 of the 20 who gave a quartier; 250 of the 1,000 inhabitants
    expect(table.get_by_role("row").filter(has_text="Reste de la commune")).to_contain_text("75\u00a0%")
    axe_check(page)


def test_a_resident_finds_their_quartier_from_their_address_on_a_phone(page, site, axe_check, geocoder):
    sceaux = commune("sceaux")
    blagis = Quartier.objects.create(organisation=sceaux, name="Les Blagis", priority_area=True, polygon=BLAGIS)
    resident = persona("habitante@example.org", display_name="Camille")
    page.set_viewport_size({"width": 360, "height": 800})
    log_in(page, site, resident.email)
    page.goto(site.url + "/compte/profil/")
    page.get_by_role("button", name="Trouver mon quartier", exact=True).click()
    expect(page.locator(".field-error", has_text="Indiquez votre adresse")).to_be_visible()
    axe_check(page)
    page.get_by_label("Votre adresse").fill("12 rue Houdan Sceaux")
    page.get_by_role("button", name="Trouver mon quartier", exact=True).click()
    expect(page.get_by_text("est dans le quartier Les Blagis (Sceaux)")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Oui, j’habite le quartier Les Blagis").click()
    expect(page.get_by_text("Votre quartier est enregistré\u00a0: Les Blagis.")).to_be_visible()
    expect(page.get_by_label("Votre quartier")).to_have_value(str(blagis.pk))
    axe_check(page)
    resident.refresh_from_db()
    assert resident.quartier == blagis and resident.residence == sceaux
