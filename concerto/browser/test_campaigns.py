"""Campaigns in a real browser, at 360 px and 1280 px, every page checked by axe: an agent writes a campaign to the
followers of Sceaux, previews it with the number reached and the opt-in basis, sends it; the two residents who
asked for invitations get the email, the follower who did not gets nothing, and one of them stops them in one
click from the email's link."""

import pytest
from django.conf import settings
from django.core import mail
from playwright.sync_api import expect

from concerto.browser.helpers import log_in
from concerto.core.mobilisation import campaigns
from concerto.core.participation.services import follow_add
from concerto.testing import commune, persona

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [360, 1280])
def test_an_agent_previews_and_sends_a_campaign_to_people_who_asked_for_it(page, site, axe_check, width):
    sceaux = commune("sceaux")
    persona("agent@sceaux.example.org", role="agent", organisation=sceaux)
    for name in ("lea", "omar", "muet"):
        person = persona(f"{name}@example.org", residence=sceaux)
        follow_add(user=person, target=sceaux)
        if name != "muet":
            campaigns.campaign_optin(user=person)
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, site, "agent@sceaux.example.org", totp=True)
    page.goto(f"{site.url}/gestion/sceaux/")
    with page.expect_navigation():
        page.get_by_role("link", name="Campagnes").first.click()
    expect(page.get_by_text("Aucune campagne pour l’instant.")).to_be_visible()
    axe_check(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Écrire une campagne").click()
    page.get_by_label("Objet").fill("Votez pour le budget participatif")
    page.get_by_label("Texte").fill("Il reste une semaine pour voter.")
    page.get_by_label("Page vers laquelle mène le message").fill("https://ailleurs.example/")
    page.get_by_label("Personnes qui suivent la commune ou ses espaces").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer et prévisualiser").click()
    expect(page.get_by_text("Un lien court ne peut mener qu’à une page de ce site.").first).to_be_visible()
    axe_check(page)
    page.get_by_label("Page vers laquelle mène le message").fill("/sceaux/")
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer et prévisualiser").click()
    expect(page.get_by_role("heading", name="Elle atteint 2 personnes")).to_be_visible()
    expect(page.get_by_text("2 personnes ont accepté de recevoir les invitations à participer par e-mail",
                            exact=False)).to_be_visible()
    axe_check(page)
    mail.outbox.clear()
    with page.expect_navigation():
        page.get_by_role("button", name="Envoyer maintenant à 2 personnes").click()
    expect(page.get_by_text("La campagne part vers 2 personnes", exact=False)).to_be_visible()
    expect(page.get_by_role("row", name="Messages envoyés 2")).to_be_visible()
    axe_check(page)
    assert sorted(message.to[0] for message in mail.outbox) == ["lea@example.org", "omar@example.org"]
    # Léa stops the invitations from her email, without signing in
    optout = mail.outbox[0].extra_headers["List-Unsubscribe"].strip("<>")
    reader = page.context.browser.new_page(locale="fr-FR")  # her own browser, not signed in
    reader.set_viewport_size({"width": width, "height": 900})
    reader.goto(site.url + optout.removeprefix(settings.SITE_URL.rstrip("/")))
    axe_check(reader)
    reader.get_by_role("button", name="Arrêter les invitations").click()
    expect(reader.get_by_text("Vous ne recevrez plus d’invitations à participer.", exact=False)).to_be_visible()
    axe_check(reader)
    reader.close()
