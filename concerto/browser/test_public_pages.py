"""A resident on a phone: finds their commune, opens a space; every page passes axe."""

from django.utils import timezone
from playwright.sync_api import expect

from concerto.core.spaces.models import Space
from concerto.testing import SpaceFactory, StepFactory, commune


def test_resident_finds_commune_by_postcode_and_opens_a_space(page, site, axe_check):
    space = SpaceFactory(organisation=commune("sceaux"), title="Réaménagement du jardin de la Ménagerie",
                         slug="jardin-menagerie", status=Space.Status.PUBLISHED, published_at=timezone.now())
    StepFactory(space=space, title="Ateliers avec les habitants")

    page.goto(site.url + "/")
    axe_check(page)
    page.get_by_label("Votre commune").fill("92330")
    page.get_by_role("button", name="Trouver ma commune").click()
    page.get_by_role("link", name="Sceaux").first.click()
    page.wait_for_url("**/sceaux/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sceaux")
    axe_check(page)

    page.get_by_role("link", name="Réaménagement du jardin de la Ménagerie").click()
    page.wait_for_url("**/sceaux/jardin-menagerie/")
    expect(page.get_by_role("heading", name="Ateliers avec les habitants")).to_be_visible()
    axe_check(page)


def test_unknown_address_shows_the_404_page_in_the_site_look(page, site, axe_check):
    response = page.goto(site.url + "/commune-inconnue/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page introuvable")
    axe_check(page)


def test_footer_pages_are_accessible(page, site, axe_check):
    for path in ["/pages/accessibilite/", "/pages/mentions-legales/", "/pages/donnees-personnelles/",
                 "/pages/contact/", "/pages/plan-du-site/", "/communes/?q=Bobigny", "/donnees/"]:
        response = page.goto(site.url + path)
        assert response.status == 200, path
        axe_check(page)


def test_resident_switches_to_english(page, site, axe_check):
    page.goto(site.url + "/")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    expect(page.get_by_role("heading", level=1)).to_have_text("Take part in your commune's decisions")
    axe_check(page)
