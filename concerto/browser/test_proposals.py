"""Proposals on a phone: a resident submits one (told about a similar proposal while typing its title, or its
description),
finds it in the list and supports another one. axe on the list, the form and the proposal's page."""

import re

from django.utils import timezone
from playwright.sync_api import expect

from concerto.browser.helpers import log_in
from concerto.components.proposals import services
from concerto.testing import ComponentFactory, SpaceFactory, StepFactory, commune, persona


def _setup():
    sceaux = commune("sceaux")
    agent = persona("agent@sceaux.example.org", role="agent", organisation=sceaux)
    persona("habitante@example.org", display_name="Camille Martin", residence=sceaux)
    author = persona("voisin@example.org", display_name="Alex Dupont", residence=sceaux)
    space = SpaceFactory(organisation=sceaux, slug="budget-2026", title="Budget participatif 2026")
    StepFactory(space=space, title="Dépôt des idées", start_date=timezone.localdate(),
                end_date=timezone.localdate() + timezone.timedelta(days=20))
    component = ComponentFactory(space=space, kind="proposals", title="Vos idées pour Sceaux")
    nature = services.category_create(actor=agent, component=component, name="Nature en ville")
    services.category_create(actor=agent, component=component, name="Mobilités")
    services.proposal_create(author=author, component=component, category=nature,
                             title="Planter des arbres fruitiers dans les écoles",
                             text="Des pommiers et des poiriers dans chaque cour.")
    services.proposal_create(author=author, component=component, title="Un composteur au square",
                             text="Pour réduire nos déchets.", point=(48.7787, 2.2905))
    return component


def test_a_resident_submits_a_proposal_sees_it_listed_and_supports_another(page, site, axe_check):
    component = _setup()
    list_url = site.url + component.get_absolute_url()

    log_in(page, site, "habitante@example.org")

    page.goto(list_url)
    expect(page.get_by_role("heading", name="Vos idées pour Sceaux")).to_be_visible()
    expect(page.get_by_text("2 propositions")).to_be_visible()
    axe_check(page)

    page.get_by_role("link", name="Déposer une proposition").click()
    page.wait_for_url("**/deposer/")
    axe_check(page)
    # While the title is typed, a similar proposal is suggested in the live region.
    page.get_by_label("Titre de votre proposition").press_sequentially("Des arbres fruitiers au square", delay=20)
    region = page.locator("#similar-proposals")
    region.get_by_role("link", name=re.compile("Planter des arbres fruitiers dans les écoles")).wait_for()
    assert region.get_attribute("aria-live") == "polite"
    expect(region).to_contain_text("Idées semblables déjà proposées")
    axe_check(page)

    page.get_by_label("Décrivez votre proposition").fill("Trois pommiers près des bancs, entretenus par le jardin "
                                                         "partagé du quartier.")
    page.get_by_label("Catégorie").select_option(label="Nature en ville")
    page.get_by_role("button", name="Publier ma proposition").click()
    page.wait_for_url(re.compile(r".*/propositions/\d+/\d+/$"))
    expect(page.get_by_role("heading", level=1, name="Des arbres fruitiers au square")).to_be_visible()
    expect(page.get_by_text("Votre proposition est publiée.")).to_be_visible()
    expect(page.get_by_text("Vous ne pouvez pas soutenir votre propre proposition.")).to_be_visible()
    axe_check(page)

    page.goto(list_url + "?tri=recent")
    cards = page.locator(".proposal-card h2")
    expect(cards.first).to_have_text("Des arbres fruitiers au square")
    expect(page.get_by_text("3 propositions")).to_be_visible()

    page.get_by_role("link", name="Un composteur au square").click()
    page.get_by_role("button", name="Soutenir cette proposition").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Merci\u00a0: vous soutenez cette proposition.")).to_be_visible()
    expect(page.get_by_text("Vous soutenez cette proposition.", exact=True)).to_be_visible()
    expect(page.locator(".proposal-support").get_by_text("1 soutien")).to_be_visible()
    axe_check(page)

    # The map view keeps the list under the map.
    page.goto(list_url + "?vue=carte")
    page.locator("[data-map-points]").wait_for()
    expect(page.get_by_role("link", name="Un composteur au square")).to_be_visible()
    axe_check(page)


def test_typing_the_description_suggests_a_similar_idea_and_the_check_button_works(page, site, axe_check):
    component = _setup()
    log_in(page, site, "habitante@example.org")
    page.goto(site.url + component.get_absolute_url() + "deposer/")
    region = page.locator("#similar-proposals")
    page.get_by_label("Décrivez votre proposition").press_sequentially("Un composteur pour nos déchets", delay=20)
    region.get_by_role("link", name=re.compile("Un composteur au square")).wait_for()
    expect(region).to_contain_text("0 soutien")
    axe_check(page)
    # The button does the same without JavaScript, and keeps what was typed.
    page.get_by_role("button", name="Chercher des idées semblables").click()
    page.wait_for_load_state()
    expect(page.locator("#similar-proposals").get_by_role("link", name=re.compile("Un composteur au square"))
           ).to_be_visible()
    expect(page.get_by_label("Décrivez votre proposition")).to_have_value("Un composteur pour nos déchets")
    axe_check(page)
