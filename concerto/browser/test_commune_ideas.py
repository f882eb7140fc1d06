"""The commune page and the agents' new bulk actions, in Chromium at 360 px and 1280 px, checked by axe:
Sceaux's page shows a Métropole space that covers it with what is open and until when; an agent turns two
ideas into budget projects; an agent merges two proposals that say the same thing."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from concerto.browser.helpers import log_in
from concerto.components.proposals import services as proposals
from concerto.testing import ComponentFactory, SpaceFactory, StepFactory, commune, configure, metropole, persona

WIDTHS = [360, 1280]


def _ideas_space():
    sceaux = commune("sceaux")
    agent = persona("agent@sceaux.example.org", role="agent", organisation=sceaux)
    author = persona("voisin@example.org", display_name="Alex Dupont", residence=sceaux)
    space = SpaceFactory(organisation=sceaux, slug="budget-2026", title="Budget participatif 2026")
    step = StepFactory(space=space, title="Dépôt des idées", end_date=timezone.localdate() + datetime.timedelta(20))
    ideas = ComponentFactory(space=space, kind="proposals", title="Vos idées")
    tree = proposals.proposal_create(author=author, component=ideas, title="Planter des arbres fruitiers",
                                     text="Des pommiers dans les cours d'école.")
    twin = proposals.proposal_create(author=author, component=ideas, title="Des arbres fruitiers à l'école",
                                     text="Un verger dans chaque cour.")
    budgets = configure(ComponentFactory(space=space, kind="budgets", title="Projets"), step=step,
                        submissions_open=False)
    return agent, ideas, budgets, tree, twin


@pytest.mark.parametrize("width", WIDTHS)
def test_sceaux_page_shows_the_metropole_space_that_covers_it(page, site, axe_check, width):
    page.set_viewport_size({"width": width, "height": 900})
    sceaux = commune("sceaux")
    space = SpaceFactory(organisation=metropole(), slug="plan-climat", title="Plan climat métropolitain")
    space.scope.set([sceaux])
    step = StepFactory(space=space, title="Contributions", end_date=timezone.localdate() + datetime.timedelta(9))
    configure(ComponentFactory(space=space, kind="proposals", title="Vos actions"), step=step,
              submissions_open=True)
    page.goto(site.url + sceaux.get_absolute_url())
    expect(page.get_by_role("heading", name="Démarches de la Métropole et du territoire qui concernent Sceaux")) \
        .to_be_visible()
    card = page.locator(".card", has_text="Plan climat métropolitain")
    expect(card).to_contain_text("Dépôt des idées jusqu’au")
    axe_check(page)
    card.get_by_role("link", name="Plan climat métropolitain").click()
    expect(page.get_by_role("heading", level=1, name="Plan climat métropolitain")).to_be_visible()


@pytest.mark.parametrize("width", WIDTHS)
def test_an_agent_turns_ideas_into_projects(page, site, axe_check, width):
    page.set_viewport_size({"width": width, "height": 900})
    agent, ideas, budgets, tree, twin = _ideas_space()
    log_in(page, site, agent.email, totp=True)
    space = budgets.space
    page.goto(site.url + reverse("budgets_backoffice:ideas", args=["sceaux", space.slug, budgets.pk]))
    expect(page.get_by_role("heading", level=1, name="Transformer des idées en projets")).to_be_visible()
    axe_check(page)
    page.get_by_label("Planter des arbres fruitiers").check()
    page.get_by_label("Des arbres fruitiers à l'école").check()
    page.get_by_role("button", name="Transformer les idées cochées en projets").click()
    expect(page.get_by_text("2 idée(s) devenue(s) projets")).to_be_visible()
    expect(page.get_by_text("Aucune idée à transformer en projet")).to_be_visible()
    axe_check(page)
    page.goto(site.url + tree.get_absolute_url())
    expect(page.get_by_text("Devenue le projet «\u00a0Planter des arbres fruitiers\u00a0».")).to_be_visible()
    page.get_by_role("link", name="Voir le projet").click()
    expect(page.get_by_text(re.compile("Issu de l’idée «\u00a0Planter des arbres fruitiers\u00a0»"))).to_be_visible()
    axe_check(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_an_agent_merges_two_proposals(page, site, axe_check, width):
    page.set_viewport_size({"width": width, "height": 900})
    agent, ideas, _budgets, tree, twin = _ideas_space()
    log_in(page, site, agent.email, totp=True)
    page.goto(site.url + ideas.get_backoffice_url())
    axe_check(page)
    page.get_by_label("Sélectionner «\u00a0Planter des arbres fruitiers\u00a0»").check()
    page.get_by_label("Sélectionner «\u00a0Des arbres fruitiers à l'école\u00a0»").check()
    page.get_by_label("Action").select_option(label="Fusionner")
    page.get_by_label("Fusionner dans").select_option(label="Planter des arbres fruitiers")
    page.get_by_role("button", name="Appliquer").click()
    expect(page.get_by_text(re.compile("1 proposition\\(s\\) fusionnée\\(s\\) dans"))).to_be_visible()
    expect(page.get_by_text("Fusionnée avec «\u00a0Planter des arbres fruitiers\u00a0»")).to_be_visible()
    axe_check(page)
    page.goto(site.url + twin.get_absolute_url())
    page.wait_for_url("**" + tree.get_absolute_url())
    expect(page.get_by_text(re.compile("a été fusionnée avec celle-ci"))).to_be_visible()
    axe_check(page)
