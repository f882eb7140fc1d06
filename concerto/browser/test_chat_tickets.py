"""« Parler à un agent » from the web chat to the back-office, on a phone and on a desktop: a resident asks for
an agent, an agent of Sceaux reads only what was written from then on, answers in the box, and the resident
reads the answer at the next page load; axe on every back-office page, at 360 and 1280 px."""

from playwright.sync_api import expect

from concerto.browser.helpers import log_in
from concerto.channels.models import ChatTicket
from concerto.testing import commune, persona


def test_an_agent_answers_a_person_who_asked_for_one_in_the_web_chat(browser, page, site, axe_check):
    sceaux = commune("sceaux")
    agent = persona("agent@sceaux.example.org", role="agent", organisation=sceaux)
    resident = browser.new_context(viewport={"width": 360, "height": 780}, locale="fr-FR").new_page()
    resident.goto(site.url + "/canaux/web/?commune=sceaux")
    resident.get_by_label("Votre réponse").fill("Bonjour, une question avant")
    resident.get_by_role("button", name="Envoyer").click()
    # The answer replaces the form (and its one-time id): click the new form's button, not the old one's.
    expect(resident.get_by_text("Je n’ai pas compris.")).to_be_visible()
    resident.get_by_role("button", name="Parler à un agent").first.click()
    expect(resident.get_by_text("Un agent de Sceaux vous répondra ici").last).to_be_visible()
    resident.get_by_label("Votre réponse").fill("La cantine est-elle ouverte pendant les vacances ?")
    resident.get_by_role("button", name="Envoyer").click()

    log_in(page, site, agent.email, totp=True)
    page.goto(site.url + "/gestion/sceaux/canaux/agents/")
    expect(page.get_by_role("heading", name="Conversations avec un agent")).to_be_visible()
    axe_check(page)
    ticket = ChatTicket.objects.get()
    page.get_by_role("link", name=f"Conversation nº\u00a0{ticket.pk}").click()
    expect(page.get_by_text("La cantine est-elle ouverte pendant les vacances ?")).to_be_visible()
    expect(page.get_by_text("une question avant")).to_have_count(0)
    axe_check(page)
    page.get_by_label("Votre réponse").fill("Oui, le centre de loisirs l’accueille tout l’été.")
    page.get_by_role("button", name="Envoyer la réponse").click()
    expect(page.get_by_text("Votre réponse est envoyée.")).to_be_visible()
    axe_check(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    axe_check(page)
    page.goto(site.url + "/gestion/sceaux/canaux/agents/")
    axe_check(page)
    page.goto(site.url + "/gestion/sceaux/canaux/")
    axe_check(page)
    page.goto(site.url + "/gestion/sceaux/canaux/chiffres/")
    axe_check(page)
    page.set_viewport_size({"width": 360, "height": 780})
    axe_check(page)
    page.goto(site.url + "/gestion/sceaux/canaux/")
    axe_check(page)

    resident.reload()
    expect(resident.get_by_text("Oui, le centre de loisirs l’accueille tout l’été.")).to_be_visible()
    page.goto(site.url + f"/gestion/sceaux/canaux/agents/{ticket.pk}/")
    page.get_by_role("button", name="Clore la conversation").click()
    expect(page.get_by_text("La conversation est close.")).to_be_visible()
    ticket.refresh_from_db()
    assert ticket.closed_by == agent
    resident.context.close()
