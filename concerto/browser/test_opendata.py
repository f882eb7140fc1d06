"""The open-data portal on a phone (360 px): a reuser finds Sceaux's datasets, opens the proposals and downloads
the CSV, then the reports as GeoJSON, without an account. axe on every page."""

import csv
import io
import json

from playwright.sync_api import expect

from concerto.components.proposals import services as proposal_services
from concerto.components.reports import services as report_services
from concerto.components.reports.models import Category
from concerto.testing import ComponentFactory, SpaceFactory, StepFactory, commune, persona

POINT = (48.7745, 2.2990)


def _setup():
    sceaux = commune("sceaux")
    half = 0.01
    lat, lon = POINT
    sceaux.boundary = {"type": "Polygon", "coordinates": [[[lon - half, lat - half], [lon + half, lat - half],
                                                           [lon + half, lat + half], [lon - half, lat + half],
                                                           [lon - half, lat - half]]]}
    sceaux.save()
    resident = persona("resident@example.org", residence=sceaux)
    space = SpaceFactory(organisation=sceaux, slug="ville-ouverte", title="Ville ouverte")
    StepFactory(space=space)
    proposals = ComponentFactory(space=space, kind="proposals", title="Idées")
    proposal_services.proposal_create(author=resident, component=proposals, title="Un verger partagé",
                                      text="Des pommiers au parc.", point=POINT)
    reports = ComponentFactory(space=space, kind="reports", title="Signaler")
    category = Category.objects.create(organisation=sceaux, code="voirie", name="Voirie")
    report_services.report_create(author=resident, component=reports, category=category, kind="malfunction",
                                  latitude=POINT[0], longitude=POINT[1], description="Un nid-de-poule.")


def test_a_reuser_downloads_a_csv_and_a_geojson_from_the_portal(page, site, axe_check, settings, tmp_path):
    settings.CONCERTO_PRIVATE_ROOT = tmp_path / "private"
    _setup()
    page.goto(site.url + "/donnees/")
    expect(page.get_by_role("heading", name="Données ouvertes\u00a0: Métropole du Grand Paris")).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="Sceaux", exact=True).click()
    expect(page.get_by_role("heading", name="Données ouvertes\u00a0: Sceaux")).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="Propositions", exact=True).click()
    expect(page.get_by_role("heading", name="Propositions", exact=True)).to_be_visible()
    expect(page.get_by_text("Licence Ouverte 2.0")).to_be_visible()
    axe_check(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger (CSV)").click()
    rows = list(csv.DictReader(io.StringIO(open(download.value.path(), encoding="utf-8").read())))
    assert [row["title"] for row in rows] == ["Un verger partagé"]

    page.goto(site.url + "/donnees/sceaux/signalements/")
    axe_check(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger (GEOJSON)").click()
    collection = json.load(open(download.value.path(), encoding="utf-8"))
    assert collection["type"] == "FeatureCollection"
    assert collection["features"][0]["properties"]["description"] == "Un nid-de-poule."
    page.reload()
    expect(page.get_by_text("1 ligne", exact=False).first).to_be_visible()
    axe_check(page)
