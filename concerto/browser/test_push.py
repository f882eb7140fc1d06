"""Web push in Chromium on a 360 px phone: the pages of a signed-in resident register the service worker /sw.js
for the whole site, and the notification settings page (the one place listing every kind × channel) offers to
turn push on for this device, and passes axe. Subscribing for real needs the browser vendor's push service,
which the tests cannot reach: the server side of a subscription is tested in core/participation/tests/test_push.py."""

from django.urls import reverse
from playwright.sync_api import expect

from concerto.browser.helpers import log_in
from concerto.browser.test_accessibility import check
from concerto.testing import commune, persona


def test_a_resident_finds_push_on_the_settings_page_and_the_service_worker_is_registered(
        page, site, axe_check, settings):
    settings.CONCERTO_VAPID_PRIVATE_KEY = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA"
    resident = persona("resident@example.org", display_name="Camille Martin", residence=commune("sceaux"))
    log_in(page, site, resident.email)
    page.goto(site.url + reverse("accounts:notification_settings"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Réglages des notifications")
    expect(page.get_by_role("button", name="Activer les notifications sur cet appareil")).to_be_visible()
    scope = page.evaluate("navigator.serviceWorker.ready.then(function (r) { return r.scope; })")
    assert scope == site.url + "/"
    assert page.evaluate("navigator.serviceWorker.getRegistration().then(function (r) {"
                         " return r.active.scriptURL; })") == site.url + "/sw.js"
    push = page.get_by_role("group", name="Réponses à mes commentaires").get_by_label(
        "Notifications push sur mes appareils")
    expect(push).not_to_be_checked()
    push.check()
    page.get_by_role("button", name="Enregistrer mes choix").click()
    expect(page.get_by_text("Vos choix sont enregistrés.")).to_be_visible()
    expect(page.get_by_role("group", name="Réponses à mes commentaires").get_by_label(
        "Notifications push sur mes appareils")).to_be_checked()
    check(page, axe_check, "notification-settings-push")
