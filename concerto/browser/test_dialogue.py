"""The commune's dialogue figures in a real browser at 360 px, checked by axe: an elected official of Sceaux opens
them from the participation overview, reads the followers' months as a table, and downloads the CSV."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from concerto.browser.helpers import log_in
from concerto.core.participation import digests
from concerto.core.participation.models import Follow, PushSubscription
from concerto.core.participation.services import follow_add
from concerto.testing import UserFactory, commune, persona

pytestmark = pytest.mark.browser


def test_an_elected_official_reads_the_dialogue_figures_at_360_px(page, site, axe_check):
    sceaux = commune("sceaux")
    elected = persona("elu@sceaux.example.org", role="elected", organisation=sceaux, display_name="Élue de Sceaux")
    for n in range(3):
        person = UserFactory(email=f"suit{n}@example.org", residence=sceaux)
        follow_add(user=person, target=sceaux)
        Follow.objects.filter(user=person).update(created_at=timezone.now() - datetime.timedelta(days=40 * n))
    PushSubscription.objects.create(user=person, endpoint="https://push.example.org/1", p256dh="k", auth="a")
    digests.digest_sent_count(organisation_ids=[sceaux.pk], day=timezone.localdate())
    page.set_viewport_size({"width": 360, "height": 800})
    log_in(page, site, elected.email, totp=True)
    page.goto(site.url + "/gestion/sceaux/participation/")
    with page.expect_navigation():
        page.locator(".button-row").get_by_role("link", name="Chiffres du dialogue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dialogue avec les habitants de Sceaux")
    expect(page.get_by_role("heading", name="Abonnés à la fin de chaque mois")).to_be_visible()
    assert page.locator("svg.chart").count() >= 3
    page.get_by_text("Voir les chiffres dans un tableau").first.click()
    table = page.get_by_role("table", name="Abonnés à la fin de chaque mois")
    expect(table).to_be_visible()
    expect(table.locator("tr").last).to_contain_text("3")
    axe_check(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger les chiffres (CSV)").click()
    content = open(download.value.path(), encoding="utf-8-sig").read()
    assert "Comment les abonnés sont prévenus,Avec les notifications push sur un appareil,1" in content
