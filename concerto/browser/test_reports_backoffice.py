"""The reports back-office in a real browser at 360 px: queue, report page, dashboard and keys pass axe."""

import re
import secrets

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from concerto.browser.helpers import log_in
from concerto.components.reports import workflow
from concerto.components.reports.models import Category, Report, Service
from concerto.testing import ComponentFactory, SpaceFactory, commune, persona

pytestmark = pytest.mark.browser


def test_the_agent_handles_a_report_on_accessible_pages(page, site, axe_check):  # noqa: F811
    sceaux = commune("sceaux")
    admin = persona("admin@sceaux.example.org", role="admin", organisation=sceaux, display_name="Admin Sceaux")
    component = ComponentFactory(space=SpaceFactory(organisation=sceaux, slug="ma-ville"), kind="reports",
                                 title="Signalements")
    service = Service.objects.create(organisation=sceaux, name="Voirie")
    category = Category.objects.create(organisation=sceaux, code="voirie", name="Nid de poule", service=service)
    reports = [Report.objects.create(organisation=sceaux, category=category, latitude=48.7745 + i / 1000,
                                     longitude=2.299, description=f"Trou n° {i}", email="hab@example.org",
                                     token=secrets.token_urlsafe(20)) for i in range(3)]
    workflow.report_transition(actor=admin, report=reports[0], status="resolved")
    args = [sceaux.slug, "ma-ville", component.pk]
    log_in(page, site, admin.email, totp=True)

    page.goto(site.url + reverse("reports_backoffice:index", args=args))
    expect(page.get_by_role("heading", name="Signalements à traiter")).to_be_visible()
    axe_check(page)
    page.goto(site.url + reverse("reports_backoffice:report", args=[*args, reports[1].pk]))
    page.get_by_label("Nouveau statut").select_option("rejected")
    with page.expect_navigation():
        page.get_by_role("button", name="Changer le statut").click()
    assert "Dites pourquoi le signalement est rejeté" in page.content()
    axe_check(page)
    for name in ("dashboard", "services", "categories", "api_keys"):
        page.goto(site.url + reverse(f"reports_backoffice:{name}", args=args))
        axe_check(page)


def test_the_dashboard_heat_map_colours_cells_by_their_count_with_a_legend(page, site, axe_check):
    sceaux = commune("sceaux")
    elected = persona("elu@sceaux.example.org", role="elected", organisation=sceaux)
    component = ComponentFactory(space=SpaceFactory(organisation=sceaux, slug="ma-ville"), kind="reports",
                                 title="Signalements")
    category = Category.objects.create(organisation=sceaux, code="voirie", name="Nid de poule")
    # Five reports in one spot, one elsewhere: two cells, the first in the darkest class.
    spots = [(48.7745, 2.2990)] * 5 + [(48.7800, 2.2900)]
    Report.objects.bulk_create([Report(organisation=sceaux, category=category, latitude=lat, longitude=lng,
                                       token=secrets.token_urlsafe(20)) for lat, lng in spots])
    log_in(page, site, elected.email, totp=True)
    page.goto(site.url + reverse("reports_backoffice:dashboard", args=[sceaux.slug, "ma-ville", component.pk]))
    cells = page.locator("path.heat-cell")
    expect(cells).to_have_count(2)
    colours = sorted(cells.nth(i).get_attribute("fill") for i in range(2))
    assert colours == ["#bd0026", "#ffffb2"]  # the densest cell and the lightest class
    legend = page.locator(".map-legend")
    expect(legend).to_contain_text("Signalements par carré d’environ 100 m")
    expect(legend.locator("li")).to_have_count(5)
    axe_check(page)
    cells.first.click()
    expect(page.locator(".leaflet-popup")).to_contain_text(re.compile(r"\d signalements? dans ce carré"))
