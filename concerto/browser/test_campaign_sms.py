"""An SMS campaign in a real browser at 360 px, checked by axe: the agent picks « SMS » and the preview counts only
the people who asked for invitations by text message and whose number is linked to their account."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from concerto.browser.helpers import log_in
from concerto.channels import secrets
from concerto.channels.models import ChatChannel, Participant, Platform
from concerto.core.mobilisation import campaigns
from concerto.testing import commune, persona

pytestmark = pytest.mark.browser


def test_an_agent_writes_an_sms_campaign_and_sees_who_it_reaches(page, site, axe_check):
    sceaux = commune("sceaux")
    persona("agent@sceaux.example.org", role="agent", organisation=sceaux)
    line = ChatChannel.objects.create(organisation=sceaux, platform=Platform.SMS, external_id="+33700000001")
    for n, (name, asked) in enumerate((("lea", True), ("omar", True), ("muet", False))):
        person = persona(f"{name}@example.org", residence=sceaux)
        if asked:
            campaigns.campaign_optin(user=person, channel="sms")
        if name != "omar":  # Omar asked, but linked no number
            number = f"+3361111111{n}"
            Participant.objects.create(platform=Platform.SMS, key_hash=secrets.lookup_hash("sms", number),
                                       address_encrypted=secrets.encrypt(number), channel=line, user=person,
                                       linked_at=timezone.now())
    page.set_viewport_size({"width": 360, "height": 900})
    log_in(page, site, "agent@sceaux.example.org", totp=True)
    page.goto(f"{site.url}/gestion/sceaux/campagnes/nouvelle/")
    page.get_by_label("SMS", exact=True).check()
    page.get_by_label("Objet").fill("Budget participatif")
    page.get_by_label("Texte").fill("Il reste une semaine pour voter.")
    page.get_by_label("Page vers laquelle mène le message").fill("/sceaux/")
    axe_check(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer et prévisualiser").click()
    expect(page.get_by_role("heading", name="Elle atteint 1 personne")).to_be_visible()
    expect(page.get_by_text("1 personne a accepté de recevoir les invitations à participer sur ce canal (SMS)",
                            exact=False)).to_be_visible()
    expect(page.get_by_role("button", name="Envoyer maintenant à 1 personne")).to_be_visible()
    axe_check(page)
