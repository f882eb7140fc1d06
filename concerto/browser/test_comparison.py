"""The comparison across communes in a real browser, checked by axe at 360 px and 1280 px: a resident goes from
Sceaux's page to its place (Sceaux chose to be named), sees the map coloured from the table, sorts by another
figure with the column's link, and downloads the CSV."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from concerto.core.comparison.figures import FIGURES, periods
from concerto.core.comparison.models import ComparisonRow
from concerto.core.territory.models import Organisation
from concerto.testing import boundaries_import

pytestmark = pytest.mark.browser


@pytest.fixture
def figures(site):
    boundaries_import()
    Organisation.objects.filter(slug__in=["sceaux", "montreuil", "antony"]).update(comparison_named=True)
    rows = []
    for n, organisation in enumerate(Organisation.objects.order_by("pk")):
        values = {figure.key: float((n * 7) % 40) for figure in FIGURES}
        values.update(participants=n * 10, population=organisation.population)
        rows += [ComparisonRow(organisation=organisation, period=key, figures=values, computed_at=timezone.now())
                 for key, _label in periods()]
    ComparisonRow.objects.bulk_create(rows)


@pytest.mark.parametrize("width", [360, 1280])
def test_a_resident_finds_their_commune_in_the_comparison(page, site, axe_check, figures, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.set_default_timeout(30_000)  # the page and its 130 outlines on a shared, busy machine
    page.goto(site.url + "/sceaux/")
    with page.expect_navigation():
        page.get_by_role("link", name="Où en est Sceaux par rapport aux autres communes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Comparaison entre communes")
    row = page.locator("#position")
    expect(row).to_contain_text("Sceaux")
    expect(row).to_contain_text("la commune demandée")
    # The map colours the named communes from the table's rows; the others stay outlines.
    page.wait_for_selector("[data-map-choropleth][data-map-ready]")
    assert page.locator("[data-map-choropleth] path.leaflet-interactive").count() > 130
    table = page.get_by_role("table")
    expect(table.locator("tbody tr")).to_have_count(130)
    expect(table).to_contain_text("Commune anonyme (rang")
    axe_check(page)

    with page.expect_navigation():
        table.get_by_role("link", name="Délai médian de résolution d’un signalement (jours)").click()
    expect(page.locator("th[aria-sort]")).to_contain_text("Délai médian de résolution")
    axe_check(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger le tableau (CSV)").click()
    content = open(download.value.path(), encoding="utf-8-sig").read()
    assert "Sceaux" in content and "Commune anonyme (rang" in content
