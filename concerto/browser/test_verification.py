"""Resident verification on a phone: a resident verifies against the census list and comes back to where they
were; an agent uses the back-office pages. axe on every page, in their error states too."""

import datetime
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from concerto.browser.helpers import log_in
from concerto.core.accounts import verification
from concerto.testing import commune, persona

pytestmark = pytest.mark.browser


def test_a_resident_verifies_with_the_census_list_and_goes_back(page, site, axe_check):  # noqa: F811
    sceaux = commune("sceaux")
    agent = persona("agent@sceaux.example.org", role="agent", organisation=sceaux)
    persona("habitante@example.org", display_name="Camille Martin", residence=sceaux)
    verification.census_upload(agent=agent, organisation=sceaux,
                               data="nom;prénom;date de naissance\nMartin;Camille;14/07/1985\n".encode())
    verification.setup_update(agent=agent, organisation=sceaux, sms_enabled=True, post_enabled=True)

    log_in(page, site, "habitante@example.org")
    page.goto(site.url + reverse("accounts:verification") + "?next=/sceaux/")
    expect(page.get_by_role("heading", level=1, name="Vérifier ma résidence")).to_be_visible()
    axe_check(page)
    page.get_by_label("Votre commune").select_option(label="Sceaux")
    page.get_by_role("button", name="Continuer").click()
    page.wait_for_url(re.compile(r".*/compte/residence/sceaux/\?next=.*"))
    axe_check(page)

    page.get_by_role("link", name="Avec un code envoyé par SMS").click()
    page.wait_for_url(re.compile(r".*/code/\?par=sms.*"))
    axe_check(page)
    page.go_back()
    page.get_by_role("link", name="Avec mon nom et ma date de naissance").click()
    page.wait_for_url(re.compile(r".*/residence/sceaux/liste/.*"))
    page.get_by_label("Nom de famille", exact=True).fill("Martin")
    page.get_by_label("Prénom", exact=True).fill("Camille")
    page.get_by_label("Date de naissance", exact=True).fill("15/07/1985")
    page.get_by_role("button", name="Vérifier ma résidence").click()
    expect(page.get_by_role("heading", name="Il y a un problème")).to_be_visible()
    axe_check(page)
    page.get_by_label("Date de naissance", exact=True).fill("14/07/1985")
    page.get_by_role("button", name="Vérifier ma résidence").click()
    page.wait_for_url(site.url + "/sceaux/")
    expect(page.get_by_text("Votre résidence à Sceaux est maintenant vérifiée.")).to_be_visible()
    page.goto(site.url + reverse("accounts:verification_code_enter", args=["sceaux"]))
    axe_check(page)


def test_an_agent_uses_the_verification_back_office(page, site, axe_check):  # noqa: F811
    sceaux = commune("sceaux")
    persona("agent@sceaux.example.org", role="agent", organisation=sceaux)
    resident = persona("habitante@example.org", display_name="Camille Martin", residence=sceaux)
    verification.setup_update(agent=None, organisation=sceaux, sms_enabled=False, post_enabled=True)
    verification.code_request_post(user=resident, organisation=sceaux, last_name="Dupont", first_name="Alex",
                                   birth_date=datetime.date(1990, 1, 2), postal_address="3 rue Houdan\n92330 Sceaux")

    log_in(page, site, "agent@sceaux.example.org", totp=True)
    page.goto(site.url + reverse("backoffice:verification_desk", args=["sceaux"]))
    page.get_by_label("Adresse e-mail du compte de l’habitant").fill("habitante@example.org")
    page.get_by_role("button", name="Vérifier cet habitant").click()
    expect(page.get_by_role("heading", name="Il y a un problème")).to_be_visible()
    axe_check(page)
    page.get_by_label("Nom de famille", exact=True).fill("Martin")
    page.get_by_label("Prénom", exact=True).fill("Camille")
    page.get_by_label("Date de naissance", exact=True).fill("14/07/1985")
    page.get_by_label(re.compile("J’ai vérifié une pièce d’identité")).check()
    page.get_by_role("button", name="Vérifier cet habitant").click()
    expect(page.get_by_text("est maintenant vérifiée")).to_be_visible()

    page.goto(site.url + reverse("backoffice:verification_overview", args=["sceaux"]))
    expect(page.get_by_role("cell", name="habitante@example.org", exact=True)).to_be_visible()
    axe_check(page)
    page.goto(site.url + reverse("backoffice:verification_census", args=["sceaux"]))
    axe_check(page)
    page.goto(site.url + reverse("backoffice:verification_letters", args=["sceaux"]))
    expect(page.get_by_role("cell", name="Alex DUPONT", exact=True)).to_be_visible()
    axe_check(page)
