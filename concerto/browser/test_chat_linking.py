"""The page of a person's chats (/compte/discussions/) on a phone: a code to link a chat, the linked chats and
« Délier »; axe at each state; the privacy page's processors table too."""

from playwright.sync_api import expect

from concerto.browser.helpers import log_in
from concerto.channels import engine, linking
from concerto.channels.models import Participant
from concerto.testing import commune, persona


def test_the_chats_page_gives_a_code_lists_the_chats_and_unlinks_on_a_phone(page, site, axe_check):
    sceaux = commune("sceaux")
    resident = persona("resident@example.org", display_name="Camille Martin", residence=sceaux)
    chat = engine.participant_get(platform="messenger", user_id="1254477777772919")
    chat.organisation = sceaux
    chat.save()
    linking.participant_link(participant=chat, user=resident)
    log_in(page, site, resident.email)

    page.goto(site.url + "/compte/profil/")
    page.get_by_role("link", name="Mes discussions").click()
    expect(page.get_by_role("heading", name="Mes discussions", level=1)).to_be_visible()
    expect(page.get_by_text("Messenger", exact=True)).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Obtenir un code").click()
    expect(page.get_by_text("Il ne sert qu’une fois")).to_be_visible()
    code = page.locator("main [role=status] strong").inner_text()
    assert len(code.replace(" ", "")) == linking.CODE_DIGITS
    axe_check(page)
    page.get_by_role("button", name="Délier la discussion Messenger").click()
    expect(page.get_by_text("La discussion n’est plus liée à votre compte.")).to_be_visible()
    expect(page.get_by_text("Aucune discussion n’est liée à votre compte.")).to_be_visible()
    axe_check(page)
    assert Participant.objects.get(pk=chat.pk).user is None

    page.goto(site.url + "/pages/donnees-personnelles/")
    expect(page.get_by_role("heading", name="Qui d'autre reçoit des données")).to_be_visible()
    expect(page.get_by_role("rowheader", name="Meta Platforms Ireland Ltd")).to_be_visible()
    axe_check(page)
