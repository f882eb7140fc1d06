"""The resource centre (issue 18) in a 360 px French Chromium, checked by axe: a visitor reads the templates and a
guide at /metropole/ressources/; an agent of Montreuil makes a space from a template of Sceaux, first with an
address the site keeps for itself (a French error, nothing created), then for real."""

import pytest
from playwright.sync_api import expect

from concerto.browser.helpers import log_in
from concerto.core.resources import services
from concerto.core.spaces.models import Space
from concerto.testing import ComponentFactory, SpaceFactory, StepFactory, commune, metropole, persona

pytestmark = pytest.mark.browser


@pytest.fixture
def resources_world():
    sceaux = commune("sceaux")
    admin = persona("admin@metropole.example.org", role="admin", organisation=metropole())
    guide = services.guide_save(actor=admin, organisation=metropole(), title="Mener un budget participatif",
                                summary="Les étapes, de l’enveloppe au suivi.", topic="method",
                                body="<p>Fixer le cadre, recueillir les idées, faire voter, rendre compte.</p>")
    space = SpaceFactory(organisation=sceaux, title="Budget participatif 2026", slug="budget-2026")
    StepFactory(space=space, title="Dépôt des idées", position=1)
    ComponentFactory(space=space, kind="proposals", title="Vos idées")
    template = services.template_publish(actor=admin, organisation=metropole(), space=space,
                                         name="Budget participatif", summary="Des idées des habitants au vote.",
                                         kind="budget", audience="everyone", guides=[guide],
                                         guidance=["Annoncez l’enveloppe avant d’ouvrir."])
    agent = persona("agent@montreuil.example.org", role="agent", organisation=commune("montreuil"))
    return {"template": template, "guide": guide, "agent": agent}


def test_a_visitor_reads_the_resource_centre_and_an_agent_makes_a_space_from_a_template(page, site, axe_check,
                                                                                         resources_world):
    page.goto(site.url + "/metropole/ressources/")
    expect(page.get_by_role("heading", name="Centre de ressources", level=1)).to_be_visible()
    axe_check(page)
    page.get_by_label("Type de démarche").select_option(label="Budget participatif")
    with page.expect_navigation():
        page.get_by_role("button", name="Afficher").click()
    page.get_by_role("link", name="Budget participatif", exact=True).click()
    expect(page.get_by_text("Annoncez l’enveloppe avant d’ouvrir.")).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="Mener un budget participatif").click()
    expect(page.get_by_text("Fixer le cadre, recueillir les idées")).to_be_visible()
    axe_check(page)

    log_in(page, site, resources_world["agent"].email, totp=True)
    page.goto(site.url + resources_world["template"].get_absolute_url())
    page.get_by_role("link", name="Utiliser ce modèle pour Montreuil").click()
    axe_check(page)
    page.get_by_label("Titre").fill("Budget participatif 2027 de Montreuil")
    page.get_by_label("Adresse web").fill("ressources")
    page.get_by_label("Date de début").fill("2027-01-04")
    with page.expect_navigation():
        page.get_by_role("button", name="Créer l'espace").click()
    expect(page.get_by_text("est un mot que le site utilise déjà").first).to_be_visible()
    assert not Space.objects.filter(organisation__slug="montreuil").exists()
    axe_check(page)
    page.get_by_label("Adresse web").fill("budget-2027")
    with page.expect_navigation():
        page.get_by_role("button", name="Créer l'espace").click()
    expect(page.get_by_text("L’espace est créé en brouillon")).to_be_visible()
    space = Space.objects.get(organisation__slug="montreuil", slug="budget-2027")
    assert space.steps.get().start_date.isoformat() == "2027-01-04"
    assert space.components.get().kind == "proposals"
    axe_check(page)
