"""An agent draws up a space's concertation plan in a real browser, one section at a time, at 360 px and 1280 px,
every page checked by axe; the published plan is read by a resident from the space's page."""

import pytest
from playwright.sync_api import expect

from concerto.browser.helpers import log_in
from concerto.testing import SpaceFactory, commune, persona

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [360, 1280])
def test_an_agent_writes_and_publishes_a_plan_that_residents_read(page, site, axe_check, width):
    sceaux = commune("sceaux")
    agent = persona("agent@sceaux.example.org", role="agent", organisation=sceaux, display_name="Agent de Sceaux")
    space = SpaceFactory(organisation=sceaux, slug="place-gare", title="La place de la Gare")
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, site, agent.email, totp=True)
    page.goto(f"{site.url}/gestion/sceaux/{space.slug}/")
    with page.expect_navigation():
        page.get_by_role("link", name="Plan de concertation", exact=False).click()
    axe_check(page)
    with page.expect_navigation():
        page.get_by_role("link", name="La question et ce que les habitants peuvent changer").click()
    page.get_by_label("La question posée aux habitants").fill("Comment réaménager la place de la Gare ?")
    page.get_by_label("Ce que les habitants peuvent changer").fill("Les usages, le mobilier, les plantations.")
    axe_check(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer et continuer").click()
    expect(page.get_by_role("heading", name="La décision", exact=True)).to_be_visible()
    page.get_by_label("La décision que la concertation éclaire").fill("Le programme des travaux.")
    page.get_by_label("Qui décide").fill("Le conseil municipal")
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer et continuer").click()
    page.get_by_label("15 à 29 ans").check()
    page.get_by_label("Toucher les quartiers prioritaires", exact=False).check()
    axe_check(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer et continuer").click()
    page.get_by_label("Ou son nom").fill("Association des commerçants")
    page.get_by_label("Rôle dans la concertation").fill("Relayer auprès des clients")
    page.get_by_label("Comment le joindre").fill("Réunion mensuelle")
    with page.expect_navigation():
        page.get_by_role("button", name="Ajouter").click()
    expect(page.get_by_text("Association des commerçants", exact=True)).to_be_visible()
    axe_check(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Suivant", exact=False).click()
    page.get_by_label("Date").fill("2027-01-20")
    page.get_by_label("Quoi").fill("Marche exploratoire")
    with page.expect_navigation():
        page.get_by_role("button", name="Ajouter").click()
    with page.expect_navigation():
        page.get_by_role("link", name="Suivant", exact=False).click()
    page.get_by_label("Le site de participation").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer et continuer").click()
    page.get_by_label("Comment les habitants sauront", exact=False).fill("Une réunion publique en juin.")
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer", exact=True).click()
    axe_check(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Publier le plan").click()
    expect(page.get_by_text("Le plan est publié", exact=False)).to_be_visible()
    # a resident, from the space's page
    page.context.clear_cookies()
    page.goto(f"{site.url}/sceaux/{space.slug}/")
    with page.expect_navigation():
        page.get_by_role("link", name="Comment fonctionne cette concertation", exact=False).click()
    expect(page.get_by_role("heading", name="Comment fonctionne cette concertation")).to_be_visible()
    expect(page.get_by_text("Marche exploratoire")).to_be_visible()
    expect(page.get_by_text("Réunion mensuelle")).to_have_count(0)
    axe_check(page)
