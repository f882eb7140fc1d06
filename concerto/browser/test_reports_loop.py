"""The report loop in a real browser, at 360 px and 1280 px, with axe: the reporter reopens a resolved report
(and is refused, in French, after the deadline); the agent's page names each text box and clicking a label
focuses its own box."""

import secrets
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from concerto.browser.helpers import log_in
from concerto.components.reports.models import Category, Report, Service
from concerto.testing import ComponentFactory, SpaceFactory, commune, persona

pytestmark = pytest.mark.browser

SIZES = [{"width": 360, "height": 780}, {"width": 1280, "height": 900}]


def setup_report(*, days_ago: int, author):
    sceaux = commune("sceaux")
    component = ComponentFactory(space=SpaceFactory(organisation=sceaux, slug="ma-ville", title="Ma ville"),
                                 kind="reports", title="Signalements")
    service = Service.objects.create(organisation=sceaux, name="Service de l’éclairage")
    category = Category.objects.create(organisation=sceaux, code="eclairage", name="Éclairage public",
                                       service=service)
    report = Report.objects.create(
        organisation=sceaux, component=component, category=category, service=service, author=author,
        latitude=48.7745, longitude=2.299, description="Lampadaire éteint", token=secrets.token_urlsafe(20),
        status="resolved", resolved_at=timezone.now() - timedelta(days=days_ago))
    report.history.create(status="new")
    report.history.create(status="resolved", public_text="Ampoule changée.")
    return sceaux, component, report


@pytest.mark.parametrize("size", SIZES, ids=["360px", "1280px"])
def test_the_reporter_reopens_a_resolved_report(page, site, axe_check, size):
    page.set_viewport_size(size)
    resident = persona("camille@example.org", display_name="Camille")
    _sceaux, _component, report = setup_report(days_ago=2, author=resident)
    log_in(page, site, resident.email)
    page.goto(site.url + report.get_absolute_url())
    expect(page.get_by_role("navigation", name="Vous êtes ici")).to_contain_text("Ma ville")
    expect(page.get_by_text("Service en charge\u00a0: Service de l’éclairage")).to_be_visible()
    expect(page.get_by_role("heading", name="Le problème n’est pas réglé\u00a0?")).to_be_visible()
    axe_check(page)
    page.get_by_label("Qu’est-ce qui ne va toujours pas").fill("Il s’éteint de nouveau chaque nuit.")
    with page.expect_navigation():
        page.get_by_role("button", name="Rouvrir le signalement").click()
    expect(page.get_by_text("Le signalement est rouvert")).to_be_visible()
    expect(page.locator(".report-history")).to_contain_text("Rouvert par la personne qui l’a envoyé")
    axe_check(page)
    report.refresh_from_db()
    assert report.status == "new"


@pytest.mark.parametrize("size", SIZES, ids=["360px", "1280px"])
def test_after_the_deadline_the_reporter_reads_why_and_nothing_changes(page, site, axe_check, size):
    page.set_viewport_size(size)
    resident = persona("camille@example.org", display_name="Camille")
    _sceaux, _component, report = setup_report(days_ago=40, author=resident)
    log_in(page, site, resident.email)
    page.goto(site.url + report.get_absolute_url())
    expect(page.get_by_text("il ne peut plus être rouvert")).to_be_visible()
    expect(page.get_by_role("button", name="Rouvrir le signalement")).to_have_count(0)
    axe_check(page)
    report.refresh_from_db()
    assert report.status == "resolved"


@pytest.mark.parametrize("size", SIZES, ids=["360px", "1280px"])
def test_the_agents_report_page_names_each_box_and_offers_allowed_statuses(page, site, axe_check, size):
    page.set_viewport_size(size)
    sceaux = commune("sceaux")
    admin = persona("admin@sceaux.example.org", role="admin", organisation=sceaux, display_name="Admin Sceaux")
    _sceaux, component, report = setup_report(days_ago=1, author=None)
    Report.objects.filter(pk=report.pk).update(status="in_progress", resolved_at=None, email="hab@example.org")
    log_in(page, site, admin.email, totp=True)
    page.goto(site.url + reverse("reports_backoffice:report", args=[sceaux.slug, "ma-ville", component.pk,
                                                                    report.pk]))
    # Clicking the label « Note interne » focuses the note's own box, not the public answer.
    page.get_by_text("Note interne", exact=True).click()
    expect(page.get_by_role("textbox", name="Note interne")).to_be_focused()
    page.get_by_text("Réponse publique", exact=True).last.click()
    expect(page.locator("#id_answer_text")).to_be_focused()
    options = page.get_by_label("Nouveau statut").locator("option")
    expect(options).to_have_text(["Résolu", "Rejeté"])
    expect(page.get_by_text("Motif (obligatoire pour rejeter)")).to_be_visible()
    axe_check(page)
