"""An elected official reads, in a real browser at 360 px and 1280 px with axe on every page, the consultation's
questionnaire (reached from the space's page), the budgets of a participatory budget and the count with its
history: no button changes anything there."""

import pytest
from playwright.sync_api import expect

from concerto.browser.helpers import log_in
from concerto.components.budgets import results
from concerto.components.budgets.tests.test_results_setup import backoffice_url, small_election
from concerto.components.consultations.tests.conftest import build_questionnaire, make_consultation
from concerto.testing import commune, persona

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [360, 1280])
def test_an_elected_official_reads_the_questionnaire_the_budgets_and_the_count(page, site, axe_check, width):
    sceaux = commune("sceaux")
    agent = persona("agent@sceaux.example.org", role="agent", organisation=sceaux)
    elected = persona("elu@sceaux.example.org", role="elected", organisation=sceaux, display_name="Élue de Sceaux")
    budget, projects = small_election()
    space = budget.component.space
    consultation = make_consultation(space, title="Votre avis sur le parc")
    build_questionnaire(consultation, agent)
    first = results.result_compute(actor=agent, budget=budget)
    results.result_publish(actor=agent, result=first)

    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, site, elected.email, totp=True)
    page.goto(site.url + f"/gestion/sceaux/{space.slug}/")
    with page.expect_navigation():
        page.get_by_role("link", name="Votre avis sur le parc").click()
    main = page.locator("main")
    expect(main.get_by_role("heading", name="Votre avis sur le parc")).to_be_visible()
    expect(main).to_contain_text("Comment venez-vous au parc ?")
    expect(main).to_contain_text("Qui peut répondre")
    expect(main.get_by_role("button")).to_have_count(0)
    expect(main.get_by_role("link", name="Ajouter une question")).to_have_count(0)
    axe_check(page)

    page.goto(site.url + backoffice_url(budget).replace(f"resultats/{budget.pk}/", ""))
    with page.expect_navigation():
        page.get_by_role("link", name="Budgets et listes soumises au vote").click()
    expect(main.get_by_role("cell", name="Toute la ville", exact=True)).to_be_visible()
    expect(main.get_by_role("button")).to_have_count(0)
    axe_check(page)
    with page.expect_navigation():
        main.get_by_role("link", name="Dépouillement et résultats").first.click()
    expect(main).to_contain_text(projects[0].title)
    expect(main.get_by_role("heading", name="Historique des dépouillements")).to_be_visible()
    expect(main.get_by_role("button")).to_have_count(0)
    axe_check(page)
