"""Questions to elected officials in a 360 px French Chromium, checked by axe: ask (with a mistake first), support
until the commune commits, read the answer with who answered and when, and the official's public profile."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from concerto.browser.helpers import log_in
from concerto.components.questions import services
from concerto.components.questions.models import Question
from concerto.core.participation.services import moderation_dismiss
from concerto.testing import ComponentFactory, SpaceFactory, StepFactory, commune, persona

pytestmark = pytest.mark.browser


@pytest.fixture
def questions_world():
    sceaux = commune("sceaux")
    space = SpaceFactory(organisation=sceaux, title="Questions aux élus de Sceaux", slug="questions-aux-elus")
    StepFactory(space=space, title="Questions ouvertes")
    component = ComponentFactory(space=space, kind="questions", title="Questions aux élus",
                                 settings={"support_threshold": 1, "answer_days": 30})
    agent = persona("agent@sceaux.example.org", role="agent", organisation=sceaux, mfa=False)
    official = persona("elu@sceaux.example.org", role="elected", organisation=sceaux, display_name="Claire Dubois")
    profile = services.official_profile_save(actor=agent, organisation=sceaux, user=official, name="Claire Dubois",
                                             mandate="Adjointe au maire", delegations="Mobilités\nClimat")
    moderator = persona("moderation@sceaux.example.org", role="moderator", organisation=sceaux, mfa=False)
    return {"component": component, "agent": agent, "official": official, "profile": profile,
            "moderator": moderator, "asker": persona("habitante@example.org", display_name="Inès Durand"),
            "supporter": persona("voisin@example.org", display_name="Jean Voisin")}


def test_ask_support_and_read_the_answer_at_360_px(page, site, axe_check, questions_world, browser):
    world = questions_world
    component = world["component"]
    log_in(page, site, "habitante@example.org")
    page.goto(site.url + component.get_absolute_url())
    axe_check(page)
    page.get_by_role("link", name="Poser une question").first.click()
    page.get_by_label("À qui").select_option(label="Claire Dubois (Mobilités, Climat)")
    page.get_by_label("Précisions").fill("Les travaux sont arrêtés depuis juin.")
    with page.expect_navigation():
        page.get_by_role("button", name="Envoyer ma question").click()
    expect(page.get_by_text("Écrivez votre question.").first).to_be_visible()
    expect(page.get_by_label("Précisions")).to_have_value("Les travaux sont arrêtés depuis juin.")
    axe_check(page)
    page.get_by_label("Votre question").fill("Quand la piste cyclable sera-t-elle finie ?")
    with page.expect_navigation():
        page.get_by_role("button", name="Envoyer ma question").click()
    expect(page.get_by_text("La modération vérifie que cette question respecte la charte")).to_be_visible()
    axe_check(page)

    question = Question.objects.get()
    moderation_dismiss(moderator=world["moderator"], content=question)

    other = browser.new_context(viewport={"width": 360, "height": 780}, locale="fr-FR").new_page()
    log_in(other, site, "voisin@example.org")
    other.goto(site.url + question.get_absolute_url())
    with other.expect_navigation():
        other.get_by_role("button", name="Soutenir cette question").click()
    expect(other.get_by_text("avec votre soutien, la question a atteint son seuil")).to_be_visible()
    expect(other.get_by_text("la commune s’engage à y répondre publiquement au plus tard le")).to_be_visible()
    axe_check(other)

    question.refresh_from_db()
    services.question_assign(actor=world["agent"], question=question, assignee=world["official"])
    services.question_answer(actor=world["official"], question=question, text="Les travaux reprennent lundi.")
    page.goto(site.url + question.get_absolute_url())
    expect(page.get_by_text("Les travaux reprennent lundi.")).to_be_visible()
    expect(page.get_by_text("Réponse de Claire Dubois le")).to_be_visible()
    axe_check(page)

    page.goto(site.url + world["profile"].get_absolute_url())
    expect(page.get_by_role("heading", name="Claire Dubois", level=1)).to_be_visible()
    expect(page.get_by_text("Quand la piste cyclable sera-t-elle finie ?")).to_be_visible()
    axe_check(page)
    page.goto(site.url + reverse("questions_organisation:index", args=["sceaux"]))
    axe_check(page)


def test_typing_a_question_suggests_a_similar_public_one_and_the_check_button_works(page, site, axe_check,
                                                                                     questions_world):
    world = questions_world
    component = world["component"]
    existing = services.question_ask(author=world["supporter"], component=component,
                                     title="Quand la piscine municipale rouvrira-t-elle ?",
                                     text="Elle est fermée depuis les travaux de l'été.")
    moderation_dismiss(moderator=world["moderator"], content=existing)
    log_in(page, site, "habitante@example.org")
    page.goto(site.url + reverse("questions:ask", args=[component.space.organisation.slug, component.space.slug,
                                                        component.pk]))
    region = page.locator("#similar-questions")
    page.get_by_label("Votre question").press_sequentially("La piscine va-t-elle rouvrir ?", delay=20)
    region.get_by_role("link", name=re.compile("piscine municipale")).wait_for()
    expect(region).to_contain_text("0 soutien")
    axe_check(page)
    # The button does the same without JavaScript, and keeps what was typed.
    page.get_by_role("button", name="Chercher des questions semblables").click()
    page.wait_for_load_state()
    expect(page.locator("#similar-questions").get_by_role("link", name=re.compile("piscine municipale"))
           ).to_be_visible()
    expect(page.get_by_label("Votre question")).to_have_value("La piscine va-t-elle rouvrir ?")
    axe_check(page)
    assert Question.objects.count() == 1
