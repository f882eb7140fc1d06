"""An elected official reads a space's synthesis in a real browser at 360 px and 1280 px, with axe: from the space's
participation figures to the synthesis, then its print version, which prints without menus."""

import pytest
from playwright.sync_api import expect

from concerto.browser.helpers import log_in
from concerto.core.backoffice.tests.test_synthesis import filled  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [360, 1280])
def test_an_elected_official_reads_the_synthesis_and_its_print_version(page, site, axe_check, width, filled,  # noqa: F811
                                                                      elected):
    log_in(page, site, elected.email, totp=True)
    page.set_viewport_size({"width": width, "height": 900})
    main = page.locator("main")
    # The officials' view of the space (its participation figures) leads to it, as the space's page does.
    page.goto(site.url + f"/gestion/sceaux/{filled['space'].slug}/participation/")
    expect(main.get_by_role("heading", level=1)).to_contain_text("La participation à")
    with page.expect_navigation():
        main.get_by_role("link", name="Synthèse pour les élus").click()
    expect(main.get_by_role("heading", level=1)).to_contain_text("Synthèse de")
    expect(main.get_by_role("heading", name="Qui a participé")).to_be_visible()
    expect(main.get_by_role("link", name="Planter des arbres fruitiers").first).to_be_visible()
    expect(main.get_by_role("link", name="Délibération sur les vergers scolaires")).to_be_visible()
    expect(main.get_by_role("button")).to_have_count(0)
    axe_check(page)

    with page.expect_navigation():
        main.get_by_role("link", name="Version à imprimer (A4, PDF depuis le navigateur)").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Synthèse de")
    expect(page.get_by_role("navigation")).to_have_count(0)
    axe_check(page)
    page.emulate_media(media="print")
    expect(page.get_by_role("link", name="Retour à la synthèse")).to_be_hidden()
    expect(page.get_by_role("heading", name="Décisions prises")).to_be_visible()
