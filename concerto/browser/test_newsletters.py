"""Newsletters on a phone (360 px): an agent writes one with a block, previews it with the number of recipients,
sends a test to themself, then sends it; the resident finds it in the commune's public archive. axe on each page."""

from django.core import mail
from playwright.sync_api import expect

from concerto.browser.helpers import log_in
from concerto.core.participation.models import Newsletter
from concerto.core.participation.services import follow_add
from concerto.testing import SpaceFactory, commune, persona


def test_an_agent_writes_previews_tests_and_sends_a_newsletter(page, site, axe_check):
    sceaux = commune("sceaux")
    persona("agent@sceaux.example.org", role="agent", organisation=sceaux)
    space = SpaceFactory(organisation=sceaux, slug="parole", title="La parole aux habitants")
    for number in range(2):
        follow_add(user=persona(f"habitant{number}@example.org", residence=sceaux), target=sceaux)
    log_in(page, site, "agent@sceaux.example.org", totp=True)
    page.goto(site.url + "/gestion/sceaux/lettres/")
    axe_check(page)
    page.get_by_role("link", name="Écrire une lettre d’information").click()
    axe_check(page)
    page.get_by_label("Objet").fill("La lettre de Sceaux")
    page.get_by_label("Texte").fill("Bonjour à toutes et à tous.")
    page.get_by_label(space.title, exact=False).check()
    page.get_by_role("button", name="Enregistrer et prévisualiser").click()
    expect(page.get_by_text("2 personnes la recevront.")).to_be_visible()
    expect(page.get_by_role("link", name=space.title)).to_be_visible()
    axe_check(page)
    mail.outbox.clear()
    page.get_by_role("button", name="Envoyer un essai à agent@sceaux.example.org").click()
    expect(page.get_by_text("Un essai a été envoyé à agent@sceaux.example.org.")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Envoyer à 2 personnes").click()
    expect(page.get_by_text("La lettre part vers 2 personnes.")).to_be_visible()
    expect(page.get_by_text("Destinataires")).to_be_visible()
    axe_check(page)
    newsletter = Newsletter.objects.get(subject="La lettre de Sceaux")
    assert newsletter.status == Newsletter.Status.SENT
    assert sorted(message.to[0] for message in mail.outbox) == [
        "agent@sceaux.example.org", "habitant0@example.org", "habitant1@example.org"]

    page.goto(site.url + "/sceaux/")
    page.get_by_role("link", name="Lettres d’information").click()
    axe_check(page)
    page.get_by_role("link", name="La lettre de Sceaux").click()
    expect(page.get_by_text("Bonjour à toutes et à tous.")).to_be_visible()
    axe_check(page)
