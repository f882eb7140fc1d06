"""A message to the commune's news subscribers, on a phone: a resident subscribes in the web chat, an agent of
Sceaux writes a message, sees who it reaches, previews and sends it; the resident reads it at the next visit.
axe on the back-office pages at 360 px."""

from playwright.sync_api import expect

from concerto.browser.helpers import log_in
from concerto.channels.models import Broadcast, ChatSubscription
from concerto.testing import commune, persona


def test_an_agent_previews_and_sends_a_message_to_subscribers_at_360_px(browser, page, site, axe_check):
    sceaux = commune("sceaux")
    agent = persona("agent@sceaux.example.org", role="agent", organisation=sceaux)
    resident = browser.new_context(viewport={"width": 360, "height": 780}, locale="fr-FR").new_page()
    resident.goto(site.url + "/canaux/web/?commune=sceaux")
    resident.get_by_role("button", name="Recevoir les actualités").first.click()
    expect(resident.get_by_text("Écrivez STOP à tout moment pour tout arrêter.").last).to_be_visible()
    resident.get_by_role("button", name="Oui, je m’abonne").click()
    resident.get_by_role("button", name="Tous les thèmes").click()
    expect(resident.get_by_text("C’est fait").last).to_be_visible()
    assert ChatSubscription.objects.filter(all_topics=True).count() == 1

    page.set_viewport_size({"width": 360, "height": 780})
    log_in(page, site, agent.email, totp=True)
    page.goto(site.url + "/gestion/sceaux/canaux/diffusions/")
    expect(page.get_by_role("heading", name="Messages aux abonnés")).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="Écrire aux personnes abonnées").click()
    page.get_by_role("button", name="Aperçu").click()
    expect(page.get_by_text("Écrivez le message avant de le prévisualiser.").first).to_be_visible()
    axe_check(page)
    page.get_by_label("Message").fill("La fête de la ville a lieu samedi au jardin de la Ménagerie.")
    page.get_by_role("button", name="Aperçu").click()
    expect(page.get_by_role("button", name="Envoyer à 1 personne")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Envoyer à 1 personne").click()
    expect(page.get_by_text("Le message est en cours d’envoi").first).to_be_visible()
    axe_check(page)
    assert Broadcast.objects.get().sent == 1

    resident.reload()
    expect(resident.get_by_text("La fête de la ville a lieu samedi").first).to_be_visible()
    resident.context.close()
