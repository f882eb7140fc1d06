"""A newcomer signs up from the home page, on the demo, without help: « Créer un compte » is in the header and in
the home page's call to action; the confirmation e-mail, which the demo does not send anywhere, is read in the
demo's inbox (/demo/courriels/), and its link confirms the account. At 360 px and 1280 px, with axe."""

import re

import pytest
from playwright.sync_api import expect

from concerto.core.accounts.models import User
from concerto.demo import mailbox

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [360, 1280])
def test_a_newcomer_creates_an_account_from_the_home_page_and_confirms_it_in_the_demo_inbox(
        page, site, axe_check, settings, tmp_path, width):
    settings.DEBUG = True  # the demo (`make run`)
    settings.EMAIL_BACKEND = mailbox.BACKEND
    settings.CONCERTO_DEMO_MAIL_DIR = str(tmp_path)
    settings.SITE_URL = site.url
    email = f"nouvelle{width}@example.org"
    page.set_viewport_size({"width": width, "height": 900})

    page.goto(site.url + "/")
    header_link = page.get_by_role("banner").get_by_role("link", name="Créer un compte")
    expect(header_link).to_be_visible()
    join = page.get_by_role("region", name="Première visite\u00a0?")
    expect(join.get_by_role("link", name="J’ai déjà un compte\u00a0: me connecter")).to_be_visible()
    axe_check(page)
    # By keyboard: the call to action is a link that Enter follows.
    join.get_by_role("link", name="Créer un compte").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/compte/signup/"), page.url
    axe_check(page)

    page.locator("input[name=email]").fill(email)
    page.get_by_label("Nom public ou pseudonyme").fill(f"Lou des Blagis {width}")
    page.locator("input[name=password1]").fill("un mot de passe solide")
    page.locator("input[name=password2]").fill("un mot de passe solide")
    page.get_by_role("button", name="Créer mon compte").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Consultez votre messagerie")
    axe_check(page)

    page.get_by_role("link", name="Le lire dans la boîte de réception de démonstration").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Boîte de réception de démonstration")
    axe_check(page)
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_role("button", name="Afficher les courriels").click()
    expect(page.get_by_role("heading", level=2, name=f"Courriels envoyés à {email}")).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name=re.compile(r"confirm-email")).first.click()
    page.get_by_role("button", name="Confirmer mon adresse e-mail").click()
    page.wait_for_load_state("load")
    assert User.objects.get(email=email).emailaddress_set.get().verified
    expect(page.get_by_role("banner").get_by_role("link", name="Mon compte")).to_be_visible()
    axe_check(page)


def test_signed_in_the_header_offers_no_sign_up(page, site):
    from concerto.browser.helpers import log_in
    from concerto.testing import persona

    persona("habitante@example.org", display_name="Camille Martin")
    log_in(page, site, "habitante@example.org")
    page.goto(site.url + "/")
    expect(page.get_by_role("link", name="Créer un compte")).to_have_count(0)
