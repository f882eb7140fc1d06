"""Addresses and tiles in Chromium: the address combobox by keyboard (360 px and 1280 px, axe), the map's
address after a click, a service down, and tiles from a (fake) tile server under the Content-Security-Policy.

The geocoder is a local fake of the Base Adresse Nationale, asked by the server only: the `page` fixture
fails on any request the browser makes to another host.
"""

import pytest
from playwright.sync_api import expect

from concerto import testing
from concerto.browser.helpers import address_search, expect_address_chosen
from concerto.testing import boundaries_import

pytestmark = pytest.mark.urls("concerto.core.tests.maps_test_urls")


@pytest.fixture
def address_page(page, site, geocoder):
    boundaries_import()
    page.goto(site.url + "/essai-carte/")
    page.wait_for_selector(".point-widget[data-map-ready]")
    return page


@pytest.mark.parametrize("width", [360, 1280])
def test_an_address_is_chosen_with_the_keyboard_and_sent(address_page, axe_check, width):
    page = address_page
    page.set_viewport_size({"width": width, "height": 800})
    page.get_by_label("Titre").fill("Nid-de-poule")
    combobox, listbox = address_search(page)
    expect(page.get_by_role("status")).to_have_text(
        "3 adresses trouvées. Utilisez les flèches haut et bas pour en choisir une.")
    axe_check(page)

    # Escape closes the list without choosing; the down arrow opens it again.
    page.keyboard.press("Escape")
    expect(listbox).to_be_hidden()
    expect(combobox).to_have_value("rue houdan")
    page.keyboard.press("ArrowDown")
    expect(listbox.get_by_role("option")).to_have_count(3)

    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    second = listbox.get_by_role("option", name="1 Rue Houdan 92330 Sceaux")
    expect(second).to_have_attribute("aria-selected", "true")
    assert combobox.get_attribute("aria-activedescendant") == second.get_attribute("id")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Enter")

    expect_address_chosen(page)
    expect(combobox).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_role("status")).to_have_text("Adresse choisie\u00a0: 12 Rue Houdan 92330 Sceaux.")

    page.get_by_role("button", name="Envoyer le lieu").click()
    expect(page.locator("#place")).to_have_text("Lieu reçu : 48,77803, 2,29019")
    expect(page.locator("#address")).to_have_text("Adresse reçue : 12 Rue Houdan 92330 Sceaux")


def test_a_point_placed_by_the_device_position_gets_its_address(address_page, site):
    page = address_page
    page.context.grant_permissions(["geolocation"], origin=site.url)
    page.context.set_geolocation({"latitude": 48.7780, "longitude": 2.2900})

    page.get_by_role("button", name="Utiliser ma position").click()

    expect(page.get_by_role("combobox", name="Adresse")).to_have_value("12 Rue Houdan 92330 Sceaux")
    expect(page.get_by_label("Latitude")).to_have_value("48.77800")


def test_with_the_service_down_the_form_says_so_and_a_typed_point_is_sent(address_page, geocoder):
    page = address_page
    geocoder.mode = "down"
    page.get_by_label("Titre").fill("Banc")

    page.get_by_role("combobox", name="Adresse").fill("rue houdan")
    expect(page.get_by_role("status")).to_contain_text("Le service d’adresses ne répond pas")

    page.get_by_label("Latitude").fill("48.7787")
    page.get_by_label("Longitude").fill("2.2905")
    page.get_by_role("button", name="Envoyer le lieu").click()
    expect(page.locator("#place")).to_have_text("Lieu reçu : 48,7787, 2,2905")
    expect(page.locator("#address")).to_have_text("Adresse reçue : rue houdan")


def test_without_javascript_a_typed_address_is_located_by_the_server(browser, site, geocoder):
    boundaries_import()
    context = browser.new_context(java_script_enabled=False, locale="fr-FR", viewport={"width": 360, "height": 780})
    page = context.new_page()
    try:
        page.goto(site.url + "/essai-carte/")
        page.get_by_label("Titre").fill("Lampadaire")
        page.get_by_label("Adresse", exact=True).fill("12 rue Houdan Sceaux")
        page.get_by_role("button", name="Envoyer le lieu").click()
        expect(page.locator("#address")).to_have_text("Adresse reçue : 12 Rue Houdan 92330 Sceaux")

        page.goto(site.url + "/essai-carte/")
        page.get_by_label("Titre").fill("Château")
        page.get_by_label("Adresse", exact=True).fill("place d'armes versailles")
        page.get_by_role("button", name="Envoyer le lieu").click()
        expect(page.locator(".field-error")).to_contain_text("Cette adresse est hors de la Métropole du Grand Paris")
        expect(page.get_by_label("Adresse", exact=True)).to_have_value("place d'armes versailles")
    finally:
        context.close()


def test_without_tiles_the_map_says_that_only_outlines_are_shown(page, site):
    boundaries_import()
    page.goto(site.url + "/essai-carte/")
    page.wait_for_selector(".point-widget[data-map-ready]")

    expect(page.locator(".point-widget .map-no-tiles")).to_have_text(
        "Fond de carte désactivé\u00a0: seuls les contours des communes sont affichés.")


def test_tiles_of_the_configured_server_load_under_the_csp(browser, site, settings, csp_watch):
    boundaries_import()
    with testing.fake_tiles() as tiles:
        settings.CONCERTO_MAP_TILES_URL = tiles.url + "/wmts?TILEMATRIX={z}&TILEROW={y}&TILECOL={x}"
        settings.CONCERTO_MAP_ATTRIBUTION = "© IGN – Plan IGN"
        context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="fr-FR")
        page = context.new_page()
        try:
            page.goto(site.url + "/essai-carte/")
            page.wait_for_function("() => Array.from(document.querySelectorAll('.point-widget__map img.leaflet-tile'))"
                                   ".some((img) => img.complete && img.naturalWidth === 1)")
            expect(page.locator(".point-widget__map .leaflet-control-attribution")).to_contain_text("© IGN – Plan IGN")
            expect(page.locator(".point-widget .map-no-tiles")).to_have_count(0)
            assert any(path.startswith("/wmts?TILEMATRIX=") for path in tiles.requests)
            csp_watch.check()
        finally:
            context.close()


def test_a_resident_reports_by_searching_the_address(page, site, axe_check, geocoder):
    from concerto.browser.helpers import log_in
    from concerto.components.reports.models import Category, Report
    from concerto.testing import ComponentFactory, SpaceFactory, commune, persona

    boundaries_import()
    sceaux = commune("sceaux")
    persona("habitante@example.org", display_name="Camille Martin", residence=sceaux)
    space = SpaceFactory(organisation=sceaux, slug="ma-ville", title="Ma ville")
    component = ComponentFactory(space=space, kind="reports", title="Signaler un problème à Sceaux")
    Category.objects.create(organisation=sceaux, code="voirie", name="Voirie")
    log_in(page, site, "habitante@example.org")

    page.goto(site.url + component.get_absolute_url())
    page.get_by_role("link", name="Envoyer un signalement").click()
    page.wait_for_selector(".point-widget[data-map-ready]")
    page.get_by_text("Signaler un dysfonctionnement").click()
    combobox = page.get_by_role("combobox", name="Adresse")
    combobox.fill("12 rue houdan")
    page.get_by_role("option", name="12 Rue Houdan 92330 Sceaux").wait_for()
    axe_check(page)
    with page.expect_response(lambda response: "/signaler/questions/" in response.url):
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
    page.get_by_label("Catégorie").select_option(label="Voirie")
    page.get_by_label("Description").fill("Un nid-de-poule devant le numéro 12.")
    page.get_by_role("button", name="Envoyer mon signalement").click()

    page.wait_for_url("**/signalements/*/")
    report = Report.objects.latest("pk")
    assert report.address == "12 Rue Houdan 92330 Sceaux"
    assert (report.latitude, report.longitude) == (48.77803, 2.29019)
    expect(page.get_by_role("region", name="Lieu").get_by_text("12 Rue Houdan 92330 Sceaux")).to_be_visible()
    axe_check(page)
