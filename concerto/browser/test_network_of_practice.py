"""The network of practice (issue 18) in a French Chromium at 360 px and 1280 px, checked by axe on every page: an
agent of Sceaux shares a published space as an example; an agent of Montreuil comments on it and asks the network a
question (first empty: a French error); Sceaux's agent answers. A visitor reads the example in the resource centre,
never the agents' comments."""

import pytest
from playwright.sync_api import expect

from concerto.browser.helpers import log_in
from concerto.core.participation.models import Comment
from concerto.core.resources.models import NetworkQuestion, SharedExample
from concerto.core.spaces.models import Space
from concerto.testing import SpaceFactory, commune, persona

pytestmark = pytest.mark.browser


@pytest.fixture
def network_world():
    sceaux, montreuil = commune("sceaux"), commune("montreuil")
    space = SpaceFactory(organisation=sceaux, title="Budget participatif 2025", slug="budget-2025",
                         status=Space.Status.PUBLISHED)
    return {"space": space,
            "sceaux": persona("agent@sceaux.example.org", role="agent", organisation=sceaux,
                              display_name="Julien Moreau"),
            "montreuil": persona("agent@montreuil.example.org", role="agent", organisation=montreuil,
                                 display_name="Sophie Laurent")}


def _second_page(page, width):
    """Another browser (its own cookies) at the same width, for the agent of the other commune: each signs in once
    (a second-factor code is accepted once)."""
    context = page.context.browser.new_context(viewport={"width": width, "height": 900}, locale="fr-FR")
    other = context.new_page()
    other.set_default_timeout(20_000)
    return other


@pytest.mark.parametrize("width", [360, 1280])
def test_agents_of_two_communes_share_comment_ask_and_answer(page, site, axe_check, network_world, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.set_default_timeout(20_000)
    space = network_world["space"]

    log_in(page, site, network_world["sceaux"].email, totp=True)
    page.goto(site.url + f"/gestion/sceaux/{space.slug}/")
    page.get_by_role("link", name="Partager comme exemple avec les autres communes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Partager comme exemple")
    axe_check(page)
    page.get_by_label("Ce qui a marché, ce qu’il faut éviter, les chiffres").fill(
        "Le vote papier en mairie a fait 40 % des votes. À éviter : un dépôt des idées de deux semaines seulement.")
    page.get_by_label("Type de démarche").select_option(label="Budget participatif")
    with page.expect_navigation():
        page.get_by_role("button", name="Partager comme exemple").click()
    expect(page.get_by_text("L’espace est partagé comme exemple")).to_be_visible()
    assert SharedExample.objects.filter(space=space, withdrawn_at__isnull=True).exists()
    axe_check(page)

    sceaux_page, page = page, _second_page(page, width)
    log_in(page, site, network_world["montreuil"].email, totp=True)
    page.goto(site.url + "/gestion/montreuil/")
    page.get_by_role("link", name="Réseau d’échanges entre collectivités").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Réseau d’échanges entre collectivités")
    axe_check(page)
    page.get_by_role("link", name="Budget participatif 2025").click()
    axe_check(page)
    page.get_by_label("Votre commentaire").fill("Merci ! Combien de bureaux de vote papier aviez-vous ?")
    with page.expect_navigation():
        page.get_by_role("button", name="Publier mon commentaire").click()
    expect(page.get_by_text("Combien de bureaux de vote papier")).to_be_visible()
    axe_check(page)

    page.get_by_role("link", name="Retour au réseau d’échanges").click()
    page.get_by_role("link", name="Poser une question au réseau").click()
    axe_check(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Envoyer ma question").click()
    expect(page.get_by_text("Écrivez votre question.").first).to_be_visible()
    assert not NetworkQuestion.objects.exists()
    axe_check(page)
    page.get_by_label("Votre question").fill("Comment faire voter les moins de 25 ans ?")
    page.get_by_label("Précisions").fill("À Montreuil, ils ont fait 3 % des votes l’an dernier.")
    with page.expect_navigation():
        page.get_by_role("button", name="Envoyer ma question").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Comment faire voter les moins de 25 ans ?")
    axe_check(page)

    montreuil_page, page = page, sceaux_page
    page.goto(site.url + "/gestion/sceaux/reseau/")
    page.get_by_role("link", name="Comment faire voter les moins de 25 ans ?").click()
    page.get_by_label("Votre commentaire").fill("Par les lycées et une messagerie : 12 % des votes chez nous.")
    with page.expect_navigation():
        page.get_by_role("button", name="Publier mon commentaire").click()
    expect(page.get_by_text("12 % des votes chez nous")).to_be_visible()
    axe_check(page)
    assert Comment.objects.count() == 2

    montreuil_page.context.close()
    page.context.clear_cookies()
    page.goto(site.url + "/metropole/ressources/")
    expect(page.get_by_role("heading", name="Exemples des communes")).to_be_visible()
    expect(page.get_by_text("Le vote papier en mairie a fait 40 % des votes.")).to_be_visible()
    expect(page.get_by_text("Combien de bureaux de vote papier")).to_have_count(0)
    axe_check(page)
