"""Decisions and actions (issue 16) in a 360 px French Chromium, checked by axe: an agent records a decision and
links it to five proposals with the search picker; the resident who wrote them reads what became of one on its page
and on « Ce que sont devenues mes contributions »."""

import datetime

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from concerto.browser.helpers import log_in
from concerto.components.proposals import services as proposal_services
from concerto.core.accountability import services
from concerto.core.accountability.models import Decision, DecisionLink
from concerto.testing import ComponentFactory, SpaceFactory, StepFactory, commune, persona

pytestmark = pytest.mark.browser


@pytest.fixture
def decisions_world():
    sceaux = commune("sceaux")
    space = SpaceFactory(organisation=sceaux, title="Des idées pour les écoles", slug="idees-ecoles")
    StepFactory(space=space, title="Dépôt des idées")
    component = ComponentFactory(space=space, kind="proposals", title="Idées pour les écoles")
    resident = persona("habitante@example.org", display_name="Inès Durand", residence=sceaux)
    proposals = [proposal_services.proposal_create(author=resident, component=component,
                                                   title=f"Cour d’école végétalisée no {number}",
                                                   text="Des arbres et des bancs dans la cour.")
                 for number in range(1, 6)]
    agent = persona("agent@sceaux.example.org", role="agent", organisation=sceaux)
    return {"space": space, "proposals": proposals, "agent": agent, "resident": resident}


def test_an_agent_links_five_proposals_and_the_resident_sees_the_trail(page, site, axe_check, decisions_world,
                                                                       browser):
    world = decisions_world
    log_in(page, site, world["agent"].email, totp=True)
    page.goto(site.url + reverse("accountability_backoffice:decisions", args=["sceaux"]))
    axe_check(page)
    page.get_by_role("link", name="Enregistrer une décision").click()
    page.get_by_label("Titre").fill("Plan de végétalisation des cours d’école")
    page.get_by_label("Décidé par").select_option(label="Conseil municipal")
    page.get_by_label("Date de la décision").fill("2026-03-12")
    page.get_by_label("Espace (facultatif)").select_option(label=world["space"].title)
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.get_by_text("La décision est enregistrée.")).to_be_visible()
    axe_check(page)

    page.get_by_role("link", name="Lier des contributions").click()
    page.get_by_role("textbox", name="Chercher des contributions").fill("cour")
    with page.expect_navigation():
        page.get_by_role("button", name="Rechercher").click()
    expect(page.get_by_role("heading", name="5 contributions trouvées")).to_be_visible()
    axe_check(page)
    for remaining in range(5, 0, -1):
        first = page.locator(".link-candidates > li").first
        first.get_by_label("Réponse").select_option(label="Retenu" if remaining > 1 else "Retenu en partie")
        first.get_by_label("Explication publique").fill("Les travaux commencent à l’été 2026.")
        with page.expect_navigation():
            first.get_by_role("button", name="Lier").click()
        expect(page.locator(".link-candidates > li")).to_have_count(remaining - 1)
    decision = Decision.objects.get()
    assert DecisionLink.objects.filter(decision=decision).count() == 5
    axe_check(page)

    services.action_create(actor=world["agent"], decision=decision, title="Planter 40 arbres", stage="done",
                           progress=100, planned_end=datetime.date(2026, 9, 30))

    resident = browser.new_context(viewport={"width": 360, "height": 780}, locale="fr-FR").new_page()
    log_in(resident, site, world["resident"].email)
    resident.goto(site.url + world["proposals"][0].get_absolute_url())
    trail = resident.get_by_role("region", name="Ce qu’est devenue cette contribution")
    expect(trail.get_by_text("Les travaux commencent à l’été 2026.")).to_be_visible()
    expect(trail.get_by_text("Planter 40 arbres")).to_be_visible()
    axe_check(resident)
    resident.goto(site.url + reverse("accountability_account:mine"))
    expect(resident.get_by_text("5 de vos 5 contributions ont reçu une réponse publique.")).to_be_visible()
    axe_check(resident)
    resident.get_by_role("link", name="Plan de végétalisation des cours d’école").first.click()
    expect(resident.get_by_role("heading", name="Plan de végétalisation des cours d’école", level=1)).to_be_visible()
    axe_check(resident)
    resident.goto(site.url + reverse("accountability:organisation", args=["sceaux"]))
    expect(resident.get_by_text("Planter 40 arbres")).to_be_visible()
    axe_check(resident)


def test_the_other_decision_pages_pass_axe_with_and_without_errors(page, site, axe_check, decisions_world):
    """The forms of decisions and actions, sent empty then with a mistake, and the trackers of the Métropole and of a
    space, at 360 px."""
    world = decisions_world
    decision = services.decision_create(actor=world["agent"], organisation=world["space"].organisation,
                                        space=world["space"], title="Cours d’école",
                                        decided_on=datetime.date(2026, 3, 12), body="municipal_council")
    action = services.action_create(actor=world["agent"], decision=decision, title="Planter 40 arbres",
                                    stage="works", progress=30, planned_end=datetime.date(2020, 6, 30),
                                    latitude=48.7745, longitude=2.2990)
    log_in(page, site, world["agent"].email, totp=True)
    page.goto(site.url + reverse("accountability_backoffice:decision_create", args=["sceaux"]))
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.get_by_text("Ce champ est obligatoire.").first).to_be_visible()
    axe_check(page)
    page.goto(site.url + reverse("accountability_backoffice:action_create", args=["sceaux", decision.pk]))
    page.get_by_label("Titre").fill("Piste cyclable")
    page.get_by_label("Étape").select_option(label="Abandonnée")
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer l’action").click()
    expect(page.get_by_text("Dites pourquoi l’action a été abandonnée").first).to_be_visible()
    axe_check(page)
    page.goto(site.url + reverse("accountability_backoffice:action", args=["sceaux", action.pk]))
    axe_check(page)
    page.goto(site.url + reverse("accountability_backoffice:decision_delete", args=["sceaux", decision.pk]))
    axe_check(page)
    page.goto(site.url + reverse("accountability_site:metropole"))
    expect(page.get_by_role("heading", name="Planter 40 arbres")).to_be_visible()
    expect(page.get_by_text("En retard").first).to_be_visible()
    axe_check(page)
    page.goto(site.url + reverse("accountability:space", args=["sceaux", world["space"].slug]))
    expect(page.get_by_role("heading", name="Planter 40 arbres")).to_be_visible()
    axe_check(page)
