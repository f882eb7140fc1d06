"""Sign-up with a public name, and the FranceConnect choices, at 360 px and 1280 px with axe."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from concerto.browser.helpers import log_in
from concerto.core.accounts import verification
from concerto.core.accounts.models import User
from concerto.core.accounts.tests.fake_franceconnect import CLIENT_ID, CLIENT_SECRET
from concerto.settings import franceconnect_providers
from concerto.testing import commune, persona

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [360, 1280])
def test_a_newcomer_signs_up_under_a_pseudonym(page, site, axe_check, settings, width):
    # FranceConnect configured (never called here: the page only offers it).
    settings.SOCIALACCOUNT_PROVIDERS = franceconnect_providers(CLIENT_ID, CLIENT_SECRET, "http://127.0.0.1:9")
    persona("deja@example.org", display_name="Lou du Parc")
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(site.url + reverse("account_signup"))
    expect(page.get_by_role("button", name="S’identifier avec FranceConnect")).to_be_visible()
    name = page.get_by_label("Nom public ou pseudonyme")
    expect(name).to_have_attribute("autocomplete", "nickname")
    expect(page.get_by_text("Affiché sur vos contributions\u00a0; un pseudonyme convient")).to_be_visible()
    axe_check(page)
    page.locator("input[name=email]").fill(f"nouvelle{width}@example.org")
    name.fill("lou du parc")
    page.locator("input[name=password1]").fill("un mot de passe solide")
    page.locator("input[name=password2]").fill("un mot de passe solide")
    page.get_by_role("button", name="Créer mon compte").click()
    expect(page.get_by_text("Quelqu’un utilise déjà ce nom public").first).to_be_visible()
    axe_check(page)
    page.get_by_label("Nom public ou pseudonyme").fill("Lou des Blagis")
    page.locator("input[name=password1]").fill("un mot de passe solide")
    page.locator("input[name=password2]").fill("un mot de passe solide")
    page.get_by_role("button", name="Créer mon compte").click()
    page.wait_for_url(re.compile(r".*/compte/confirm-email/.*|.*/compte/.*"))
    assert User.objects.get(email=f"nouvelle{width}@example.org").public_name == "Lou des Blagis"


@pytest.mark.parametrize("width", [360, 1280])
def test_the_verification_page_offers_franceconnect_next_to_the_list(page, site, axe_check, settings, width):
    settings.SOCIALACCOUNT_PROVIDERS = franceconnect_providers(CLIENT_ID, CLIENT_SECRET, "http://127.0.0.1:9")
    sceaux = commune("sceaux")
    agent = persona("agent@sceaux.example.org", role="agent", organisation=sceaux)
    verification.census_upload(agent=agent, organisation=sceaux,
                               data="nom;prénom;date de naissance\nMartin;Camille;14/07/1985\n".encode())
    verification.setup_update(agent=agent, organisation=sceaux, franceconnect_enabled=True)
    persona("habitante@example.org", display_name="Camille Martin", residence=sceaux)
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, site, "habitante@example.org")
    page.goto(site.url + reverse("accounts:verification_start", args=["sceaux"]))
    expect(page.get_by_text("Avec FranceConnect", exact=True)).to_be_visible()
    button = page.get_by_role("button", name="S’identifier avec FranceConnect")
    expect(button).to_be_visible()
    expect(page.get_by_role("link", name="Avec mon nom et ma date de naissance")).to_be_visible()
    # FranceConnect's rules: the blue block, white text, the label on two lines, the link under it, a focus ring.
    assert button.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(0, 0, 145)"
    assert button.evaluate("b => getComputedStyle(b).color") == "rgb(255, 255, 255)"
    login, brand = button.locator(".fc-button__login"), button.locator(".fc-button__brand")
    assert brand.bounding_box()["y"] >= login.bounding_box()["y"] + login.bounding_box()["height"] - 1
    about = page.get_by_role("link", name="Qu’est-ce que FranceConnect ? (nouvelle fenêtre)")
    expect(about).to_have_attribute("href", "https://franceconnect.gouv.fr/")
    assert about.bounding_box()["y"] > button.bounding_box()["y"] + button.bounding_box()["height"]
    assert button.bounding_box()["height"] >= 44
    page.keyboard.press("Tab")
    button.focus()
    assert button.evaluate("b => getComputedStyle(b).outlineStyle") == "solid"
    axe_check(page)
