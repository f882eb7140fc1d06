"""The person's feed in a real browser, on a 360 px phone: what they follow shows, new items are marked, the
filter works, and the page passes axe."""

from django.urls import reverse
from playwright.sync_api import expect

from concerto.browser.helpers import log_in
from concerto.browser.test_accessibility import check, news_space
from concerto.core.participation import services as participation
from concerto.testing import commune, persona


def test_a_resident_reads_their_feed_on_a_phone(page, site, axe_check):
    data = news_space()
    resident = persona("resident@example.org", display_name="Camille Martin", residence=commune("sceaux"))
    participation.follow_add(user=resident, target=commune("sceaux"))
    log_in(page, site, resident.email)
    page.goto(site.url + "/")
    page.get_by_role("link", name="Mon fil").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon fil")
    card = page.locator(".feed-list .card").first
    expect(card.get_by_role("link", name=data["post"].title)).to_be_visible()
    expect(card.get_by_text("Nouveau")).to_be_visible()
    check(page, axe_check, "feed")
    assert page.locator('link[rel=alternate][type="application/atom+xml"]').count() == 1
    page.select_option("#feed-type", "events")
    with page.expect_navigation():
        page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_text("Rien de nouveau")).to_be_visible()
    check(page, axe_check, "feed-filtered-empty")
    page.goto(site.url + reverse("feed"))
    expect(page.locator(".feed-list .card").first.get_by_text("Nouveau")).to_have_count(0)
