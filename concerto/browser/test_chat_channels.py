"""An agent of Sceaux connects a Telegram bot and an SMS number in the back-office on a phone (360 px), against
local fakes of the Bot API and of OVHcloud's SMS API, tests each through the worker and reads the figures; axe on
every page, including the forms with their errors."""

from playwright.sync_api import expect

from concerto.browser.helpers import log_in
from concerto.channels.models import ChatChannel, Platform
from concerto.channels.tests.fakes import FakeBotApi, FakeOvhSms
from concerto.testing import commune, persona

TOKEN = "8000000001:AAtest-token-sceaux"


def test_an_agent_connects_and_tests_a_telegram_bot_and_an_sms_number_on_a_phone(page, site, axe_check, settings):
    sceaux = commune("sceaux")
    agent = persona("agent@sceaux.example.org", role="agent", organisation=sceaux)
    settings.CONCERTO_SMS_OVH_SERVICE = "sms-ab12345-1"
    settings.CONCERTO_SMS_OVH_APPLICATION_KEY = "app-key"
    settings.CONCERTO_SMS_OVH_APPLICATION_SECRET = "app-secret"
    settings.CONCERTO_SMS_OVH_CONSUMER_KEY = "consumer-key"
    with FakeBotApi() as api, FakeOvhSms() as provider:
        settings.CONCERTO_TELEGRAM_API_URL = api.url
        settings.CONCERTO_SMS_API_URL = provider.url + "/1.0"
        log_in(page, site, agent.email, totp=True)
        page.goto(site.url + "/gestion/sceaux/canaux/")
        page.get_by_role("link", name="Connecter un robot Telegram").click()
        expect(page.get_by_role("heading", name="Connecter un robot Telegram")).to_be_visible()
        axe_check(page)
        page.get_by_label("Jeton du robot").fill("pas un jeton")
        page.get_by_role("button", name="Connecter", exact=True).click()
        expect(page.get_by_text("Un jeton de robot ressemble à").first).to_be_visible()
        axe_check(page)
        page.get_by_label("Jeton du robot").fill(TOKEN)
        page.get_by_role("button", name="Connecter", exact=True).click()
        expect(page.get_by_text("Le robot @concerto_sceaux_bot est connecté")).to_be_visible()
        expect(page.get_by_role("heading", name="Robot Telegram @concerto_sceaux_bot")).to_be_visible()
        assert TOKEN not in page.content()
        axe_check(page)
        page.get_by_role("button", name="Tester", exact=True).click()
        expect(page.get_by_text("Le robot @concerto_sceaux_bot fonctionne")).to_be_visible()
        page.get_by_label("Identifiant de la discussion qui reçoit le message d’essai (facultatif)").fill("7012345678")
        page.get_by_role("button", name="Tester", exact=True).click()
        expect(page.get_by_text("Le message d’essai est confié aux tâches de fond")).to_be_visible()
        page.reload()
        expect(page.get_by_text("Le message d’essai est envoyé.")).to_be_visible()
        axe_check(page)
        assert [body["chat_id"] for body in api.sent()] == ["7012345678"]

        page.goto(site.url + "/gestion/sceaux/canaux/nouveau/sms/")
        page.get_by_role("button", name="Connecter", exact=True).click()
        expect(page.get_by_text("Indiquez le numéro auquel on écrit.").first).to_be_visible()
        axe_check(page)
        page.get_by_label("Numéro ou expéditeur").fill("07 00 00 00 01")
        page.get_by_role("button", name="Connecter", exact=True).click()
        expect(page.get_by_role("heading", name="Numéro SMS +33700000001")).to_be_visible()
        line = ChatChannel.objects.get(platform=Platform.SMS)
        expect(page.get_by_role("textbox", name="Adresse de rappel")).to_have_value(
            f"{settings.SITE_URL}/canaux/sms/{line.pk}/entrant/?cle={line.webhook_secret}")
        axe_check(page)
        page.get_by_label("Numéro de mobile qui reçoit le message d’essai").fill("06 12 34 56 78")
        page.get_by_role("button", name="Tester", exact=True).click()
        # The form's answer must be on screen before reloading: a reload during the POST's navigation detaches the page.
        expect(page.get_by_text("Le message d’essai est confié aux tâches de fond")).to_be_visible()
        page.reload()
        expect(page.get_by_text("Le message d’essai est envoyé.")).to_be_visible()
        assert provider.calls[0][1]["receivers"] == ["+33612345678"]

        page.goto(site.url + "/gestion/sceaux/canaux/")
        expect(page.get_by_text("@concerto_sceaux_bot")).to_be_visible()
        axe_check(page)
        page.goto(site.url + "/gestion/sceaux/canaux/chiffres/")
        expect(page.get_by_role("heading", name="Personnes touchées par plateforme et tranche d’âge")).to_be_visible()
        axe_check(page)
