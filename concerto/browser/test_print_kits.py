"""An agent makes a print kit in a real browser, at 360 px and 1280 px, every page checked by axe; a resident
follows its short link to the space, and the kits page counts the scan."""

import pytest
from playwright.sync_api import expect

from concerto.browser.helpers import log_in
from concerto.testing import SpaceFactory, commune, persona

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [360, 1280])
def test_an_agent_makes_a_kit_whose_short_link_residents_follow(page, site, axe_check, width):
    sceaux = commune("sceaux")
    agent = persona("agent@sceaux.example.org", role="agent", organisation=sceaux, display_name="Agent de Sceaux")
    SpaceFactory(organisation=sceaux, slug="place-gare", title="La place de la Gare",
                 summary="Donnez votre avis sur la future place.")
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, site, agent.email, totp=True)
    page.goto(f"{site.url}/gestion/sceaux/")
    with page.expect_navigation():
        page.get_by_role("link", name="Kits d’impression").first.click()
    expect(page.get_by_text("Aucun kit d’impression pour l’instant.")).to_be_visible()
    axe_check(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Faire un kit").click()
    page.get_by_label("La page à faire connaître").select_option(label="Un espace · La place de la Gare")
    axe_check(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Continuer").click()
    expect(page.get_by_label("Titre")).to_have_value("La place de la Gare")
    page.get_by_label("Titre").fill("")
    with page.expect_navigation():
        page.get_by_role("button", name="Faire le kit").click()
    expect(page.get_by_text("Ce champ est obligatoire.").first).to_be_visible()
    axe_check(page)
    page.get_by_label("Titre").fill("Votre place, votre avis !")
    page.get_by_label("Tracts A6, quatre par feuille A4").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Faire le kit").click()
    expect(page.get_by_text("Le kit est prêt", exact=False)).to_be_visible()
    axe_check(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger le PDF", exact=False).click()
    with open(download.value.path(), "rb") as file:
        assert file.read(5) == b"%PDF-"
    short = page.locator("td code").inner_text()
    assert "/l/" in short
    # a resident scans the code, on their own phone
    resident = page.context.browser.new_page()
    resident.goto(site.url + short[short.index("/l/"):])
    expect(resident.get_by_role("heading", name="La place de la Gare")).to_be_visible()
    resident.close()
    page.reload()
    expect(page.locator("tbody td").nth(1)).to_have_text("1")
