"""Browser test of the results pages: on a phone, the public results and the back-office count pass axe."""

import pytest
from playwright.sync_api import expect

from concerto.browser.helpers import log_in
from concerto.components.budgets import results
from concerto.components.budgets.models import Budget
from concerto.components.budgets.tests.test_results_setup import backoffice_url, results_url, small_election
from concerto.testing import commune, persona

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_resident_reads_the_results_on_a_phone_and_an_agent_publishes_them(page, site, axe_check):  # noqa: F811
    sceaux = commune("sceaux")
    agent = persona("agent@sceaux.example.org", role="agent", organisation=sceaux)
    budget, projects = small_election(rule=Budget.Rule.MES)
    other, _projects = small_election(component=budget.component, name="Quartier des Blagis")

    page.goto(site.url + results_url(budget))
    expect(page.locator("main")).to_contain_text("pas encore publiés")
    axe_check(page)

    log_in(page, site, agent.email, totp=True)
    page.goto(site.url + backoffice_url(budget))
    page.get_by_role("button", name="Compter les bulletins").click()
    page.wait_for_load_state()
    expect(page.locator("main")).to_contain_text("Vérifiez le résultat ci-dessous")
    axe_check(page)
    page.get_by_role("button", name="Publier ces résultats").click()
    page.wait_for_load_state()
    assert results.published_result(budget) is not None
    page.goto(site.url + backoffice_url(budget).replace(f"resultats/{budget.pk}/", "import-pabulib/"))
    axe_check(page)

    page.goto(site.url + results_url(budget))
    main = page.locator("main").inner_text()
    assert "Sélectionné au 1er tour" in main and "Recompter vous-même" in main
    assert main.index(projects[0].title) < main.index("Projets non retenus")
    axe_check(page)
    page.goto(site.url + results_url(other).removesuffix(f"{other.pk}/"))
    expect(page.locator("main")).to_contain_text("Résultats publiés")
    axe_check(page)
