"""Maps on a phone: placing a point by click, keyboard or position, and reading a clustered points map.

The page under test (concerto/core/tests/maps_test_urls.py) has a form with a PointField and the points
map included twice. The `page` fixture fails on any request to another host: the maps make none.
"""

import re

import pytest
from playwright.sync_api import expect

from concerto.testing import boundaries_import

pytestmark = pytest.mark.urls("concerto.core.tests.maps_test_urls")


@pytest.fixture
def map_page(page, site):
    boundaries_import()  # the real outlines of the 130 communes, committed with the demo
    page.goto(site.url + "/essai-carte/")
    page.wait_for_selector(".point-widget[data-map-ready]")
    page.wait_for_selector(".point-widget__map path.leaflet-interactive")
    return page


def test_a_click_on_the_map_fills_the_inputs_and_the_place_is_accepted(map_page, axe_check):
    page = map_page
    axe_check(page)
    page.get_by_label("Titre").fill("Banc cassé")

    # The map opens on the whole Métropole: its centre is in Paris.
    page.locator(".point-widget__map").click()

    latitude = float(page.get_by_label("Latitude").input_value())
    longitude = float(page.get_by_label("Longitude").input_value())
    assert 48.8 < latitude < 48.9 and 2.3 < longitude < 2.45
    status = page.get_by_role("status").inner_text()
    assert re.match(r"Point placé à .+\s: latitude 48,\d+, longitude 2,\d+\.", status)
    # The commune under the pointer is named, as on the status line.
    tooltip = page.locator(".point-widget__map .leaflet-tooltip")
    tooltip.wait_for()
    assert f"Point placé à {tooltip.inner_text()}\u00a0:" in status
    axe_check(page)

    page.get_by_role("button", name="Envoyer le lieu").click()
    # The page shows numbers the French way.
    french = [str(number).replace(".", ",") for number in (latitude, longitude)]
    assert page.locator("#place").inner_text() == f"Lieu reçu : {french[0]}, {french[1]}"


def test_the_keyboard_places_the_point_at_the_centre_of_the_map(map_page):
    page = map_page
    page.get_by_role("application", name="Carte\u00a0: choisir le lieu").focus()
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Enter")

    assert page.get_by_label("Latitude").input_value() != ""
    assert page.get_by_label("Longitude").input_value() != ""
    expect(page.get_by_role("status")).to_contain_text("Point placé")
    # Tab goes through the zoom buttons and the attribution, then leaves the map: no focus trap.
    for _ in range(6):
        page.keyboard.press("Tab")
        if page.evaluate("!document.activeElement.closest('.point-widget__map')"):
            break
    assert page.evaluate("document.activeElement.closest('.field') !== null")
    assert page.evaluate("!document.activeElement.closest('.point-widget__map')")


def test_use_my_position_places_the_point_where_the_device_is(map_page, site):
    page = map_page
    page.context.grant_permissions(["geolocation"], origin=site.url)
    page.context.set_geolocation({"latitude": 48.7787, "longitude": 2.2905})

    page.get_by_role("button", name="Utiliser ma position").click()

    status = page.get_by_role("status")
    status.filter(has_text="Sceaux").wait_for()
    expect(status).to_have_text("Point placé à Sceaux\u00a0: latitude 48,7787, longitude 2,2905.")
    expect(page.get_by_label("Latitude")).to_have_value("48.77870")
    expect(page.get_by_label("Longitude")).to_have_value("2.29050")


def test_a_point_outside_the_metropole_is_refused_with_the_error_next_to_the_field(map_page, axe_check):
    page = map_page
    page.get_by_label("Titre").fill("Château")
    page.get_by_label("Latitude").fill("48.8049")
    page.get_by_label("Longitude").fill("2.1301")

    page.get_by_role("button", name="Envoyer le lieu").click()
    page.wait_for_selector(".point-widget[data-map-ready]")

    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.locator(".field-error")).to_contain_text("Ce lieu est hors de la Métropole du Grand Paris")
    expect(page.get_by_label("Latitude")).to_have_value("48.8049")
    axe_check(page)


def test_the_points_map_clusters_markers_whose_popups_link_to_their_page(map_page, axe_check):
    page = map_page
    maps = page.get_by_role("region", name="Carte des lieux", exact=True)
    page.wait_for_selector('.map-points[aria-label="Carte des lieux"][data-map-ready]')
    # Both copies of the include drew their map.
    # A function, not an expression: Playwright evals an expression, which the page's CSP forbids.
    page.wait_for_function("() => document.querySelectorAll("
                           "'.map-points .concerto-marker, .map-points .marker-cluster').length >= 4")
    assert page.locator(".map-points .leaflet-container").count() == 2
    axe_check(page)

    # The two places of Sceaux are one cluster at this scale; opening it shows them. All by keyboard.
    maps.get_by_role("button", name="2 lieux\u00a0: zoomer").focus()
    page.keyboard.press("Enter")
    marker = maps.get_by_role("button", name="Banc devant la mairie de Sceaux")
    marker.focus()
    page.keyboard.press("Enter")

    link = maps.get_by_role("link", name="Banc devant la mairie de Sceaux")
    expect(link).to_be_visible()
    assert link.get_attribute("href").endswith("/sceaux/")
    expect(maps.get_by_role("button", name="Fermer")).to_be_visible()
    axe_check(page)
    link.click()
    page.wait_for_url("**/sceaux/")


def test_a_configured_tile_server_is_drawn_under_the_outlines(page, site, settings):
    # A tile server of our own host: the `page` fixture would fail on a third party's.
    settings.CONCERTO_MAP_TILES_URL = "/static/concerto/favicon.svg?z={z}&x={x}&y={y}"
    settings.CONCERTO_MAP_ATTRIBUTION = "Fond de carte d’essai"

    page.goto(site.url + "/essai-carte/")

    page.wait_for_selector(".point-widget__map img.leaflet-tile")
    expect(page.locator(".point-widget__map .leaflet-control-attribution")).to_contain_text("Fond de carte d’essai")
