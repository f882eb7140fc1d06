"""Whole journeys in a real browser on a phone: an agent publishes, a resident reads. axe on each page."""

import re

from playwright.sync_api import expect

from concerto.browser.helpers import log_in
from concerto.testing import PASSWORD, commune, persona


def test_agent_logs_in_with_2fa_creates_and_publishes_a_space_with_news(page, site, axe_check):
    persona("agent@sceaux.example.org", role="agent", organisation=commune("sceaux"))

    log_in(page, site, "agent@sceaux.example.org", totp=True)
    page.wait_for_url("**/gestion/")
    axe_check(page)
    page.get_by_role("link", name="Sceaux").first.click()
    page.wait_for_url("**/gestion/sceaux/")
    axe_check(page)

    # Create the space: a form error first, then the real thing.
    page.get_by_role("link", name="Créer un espace").click()
    page.get_by_role("button", name="Créer l'espace").click()
    expect(page.get_by_role("alert")).to_be_visible()
    axe_check(page)
    page.get_by_label("Titre").fill("Végétalisation des cours d'école")
    page.get_by_label("Résumé").fill("Choisissons ensemble les arbres des cours d'école.")
    page.get_by_label("Description", exact=False).first.fill("Trois cours d'école seront végétalisées en 2027.")
    page.get_by_label("Date de début").fill("2026-11-01")
    page.get_by_label("Date de fin").fill("2027-06-30")
    page.get_by_role("button", name="Créer l'espace").click()
    page.wait_for_url(re.compile(r".*/gestion/sceaux/vegetalisation-des-cours-decole/$"))
    axe_check(page)

    page.get_by_role("link", name="Ajouter une étape").click()
    page.get_by_label("Titre").fill("Ateliers dans les écoles")
    page.get_by_label("Date de début").fill("2026-11-01")
    page.get_by_label("Date de fin").fill("2027-01-31")
    axe_check(page)
    page.get_by_role("button", name="Ajouter l'étape").click()

    page.get_by_role("link", name="Ajouter un composant").click()
    page.get_by_label("Actualités").check()
    page.get_by_label("Titre").fill("Actualités du projet")
    axe_check(page)
    page.get_by_role("button", name="Ajouter le composant").click()
    page.wait_for_load_state()
    axe_check(page)

    # Write and publish a news post from the component's back-office.
    space_url = site.url + "/gestion/sceaux/vegetalisation-des-cours-decole/"
    page.goto(space_url)
    page.get_by_role("link", name=re.compile("Réglages|Settings")).first.click()
    page.get_by_role("link", name=re.compile("Gérer le contenu")).click()
    axe_check(page)
    page.get_by_role("link", name="Écrire une actualité").click()
    page.get_by_label("Titre").fill("Premier atelier à l'école Les Blagis")
    page.get_by_label("Texte de l’actualité").fill("Les enfants ont choisi six arbres fruitiers.")
    axe_check(page)
    page.get_by_role("button", name="Publier l’actualité").click()
    page.wait_for_load_state()

    page.goto(space_url)
    page.get_by_role("button", name=re.compile("Publier Actualités du projet")).click()
    page.get_by_role("button", name="Publier l'espace").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Publié").first).to_be_visible()

    # The resident (a fresh, anonymous context) now finds it from the commune's page.
    resident = page.context.browser.new_context(viewport={"width": 360, "height": 780}, locale="fr-FR")
    public = resident.new_page()
    public.goto(site.url + "/sceaux/")
    public.get_by_role("link", name="Végétalisation des cours d'école").click()
    expect(public.get_by_role("heading", name="Ateliers dans les écoles")).to_be_visible()
    axe_check(public)
    public.get_by_role("link", name="Actualités du projet").click()
    axe_check(public)
    public.get_by_role("link", name="Premier atelier à l'école Les Blagis").click()
    expect(public.get_by_text("Les enfants ont choisi six arbres fruitiers.")).to_be_visible()
    axe_check(public)
    resident.close()


def test_staff_without_an_authenticator_must_set_one_up_before_the_back_office(page, site):
    persona("nouvel-agent@sceaux.example.org", role="agent", organisation=commune("sceaux"), mfa=False)
    page.goto(site.url + "/compte/login/")
    page.get_by_label("Courriel").fill("nouvel-agent@sceaux.example.org")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.goto(site.url + "/gestion/sceaux/")
    page.wait_for_url("**/2fa/totp/activate/**")
    assert "gestion" not in page.get_by_role("heading", level=1).inner_text().lower()
