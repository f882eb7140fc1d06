"""Citizen reports on a phone: a resident reports a broken streetlight with a photo, sees it on the map and in
the list; an agent resolves it and the resident reads the notification. axe on every page."""

import io
import re
from pathlib import Path

import pytest
from django.urls import reverse
from PIL import Image
from playwright.sync_api import expect

from concerto.browser.helpers import log_in
from concerto.components.reports import services, workflow
from concerto.components.reports.models import Category, Report
from concerto.testing import ComponentFactory, SpaceFactory, boundaries_import, commune, persona


@pytest.fixture
def reports_setup(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    boundaries_import()
    sceaux = commune("sceaux")
    agent = persona("agent@sceaux.example.org", role="agent", organisation=sceaux)
    resident = persona("habitante@example.org", display_name="Camille Martin", residence=sceaux)
    space = SpaceFactory(organisation=sceaux, slug="ma-ville", title="Ma ville")
    component = ComponentFactory(space=space, kind="reports", title="Signaler un problème à Sceaux")
    lighting = Category.objects.create(organisation=sceaux, code="eclairage", name="Éclairage public")
    Category.objects.create(organisation=sceaux, code="proprete", name="Propreté")
    # Another streetlight, already reported about 20 m away.
    Report.objects.create(organisation=sceaux, category=lighting, latitude=48.77468, longitude=2.29900,
                          description="Lampadaire qui clignote", email="voisin@example.org",
                          token=services.new_token())
    return component, agent, resident


def photo_path(tmp_path) -> Path:
    path = tmp_path / "lampadaire.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (40, 40, 60)).save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def test_a_resident_reports_a_broken_streetlight_and_is_told_when_it_is_resolved(page, site, axe_check,
                                                                                  reports_setup, tmp_path):
    component, agent, resident = reports_setup
    log_in(page, site, "habitante@example.org")

    page.goto(site.url + component.get_absolute_url())
    axe_check(page)
    page.get_by_role("link", name="Envoyer un signalement").click()
    page.wait_for_url("**/signaler/")
    page.wait_for_selector(".point-widget[data-map-ready]")
    axe_check(page)

    page.get_by_text("Signaler un dysfonctionnement").click()
    page.get_by_label("Latitude").fill("48.7745")
    page.get_by_label("Longitude").fill("2.2990")
    # Once the point is known, the categories of its commune are loaded.
    with page.expect_response(re.compile(r".*/signaler/questions/.*")):
        page.get_by_label("Latitude").dispatch_event("change")
    page.get_by_label("Adresse", exact=True).fill("Allée du parc, près du bassin")
    page.get_by_label("Catégorie").select_option(label="Éclairage public")
    # Before sending: the open report of the same category nearby, with its "me too" button.
    nearby = page.locator("#report-nearby")
    nearby.get_by_role("heading", name="Déjà signalé à proximité ?").wait_for()
    expect(nearby.get_by_role("button", name=re.compile("Moi aussi"))).to_be_visible()
    page.get_by_label("Description").fill("Le lampadaire est éteint depuis une semaine, l’allée est noire le soir.")
    page.get_by_label("Photo 1").set_input_files(str(photo_path(tmp_path)))
    axe_check(page)
    page.get_by_role("button", name="Envoyer mon signalement").click()
    page.wait_for_url(re.compile(r".*/signalements/\d+/$"))
    report = Report.objects.latest("pk")
    expect(page.get_by_role("heading", level=1, name=re.compile("Éclairage public"))).to_be_visible()
    expect(page.get_by_text("Merci\u00a0: votre signalement est envoyé")).to_be_visible()
    assert page.locator(".report-photos img").count() == 1
    assert "Camille Martin" not in page.content()
    axe_check(page)

    # On the map page, the report is a marker and a card of the list beside it.
    page.goto(site.url + component.get_absolute_url())
    page.wait_for_selector(".leaflet-marker-icon")
    assert page.locator(".report-card").filter(has_text="Le lampadaire est éteint depuis une semaine").count() == 1
    expect(page.get_by_text("2 signalements", exact=True)).to_be_visible()

    # An agent resolves it; the resident reads the notification.
    workflow.report_transition(actor=agent, report=report, status="resolved",
                               public_text="Lampe changée le matin même.")
    page.goto(site.url + reverse("accounts:notifications"))
    expect(page.get_by_text(re.compile("Éclairage public.*résolu", re.IGNORECASE)).first).to_be_visible()
    axe_check(page)
    page.goto(site.url + report.get_absolute_url())
    expect(page.get_by_text("Lampe changée le matin même.").first).to_be_visible()
    axe_check(page)


def test_the_public_map_groups_many_reports_by_area_and_a_group_zooms_in_to_them(page, site, axe_check,
                                                                                 reports_setup):
    component, _agent, _resident = reports_setup
    lighting = Category.objects.get(code="eclairage")
    side, step = 27, 0.0005  # 729 reports on a grid across Sceaux: more than the map shows one by one
    Report.objects.bulk_create([
        Report(organisation=lighting.organisation, category=lighting, latitude=48.7700 + (n // side) * step,
               longitude=2.2780 + (n % side) * step, token=services.new_token()) for n in range(side * side)])
    total = Report.objects.count()

    def map_answer(response):
        return "/carte.geojson" in response.url and "bbox=" in response.url

    with page.expect_response(map_answer) as first:
        page.goto(site.url + component.get_absolute_url())
    body = first.value.json()
    # At the scale of the town the server sends groups, whose counts add up to every report.
    assert body["clustered"] is True
    assert sum(feature["properties"]["count"] for feature in body["features"]) == total
    groups = page.locator(".leaflet-marker-icon.marker-cluster")
    expect(groups.first).to_be_visible()
    expect(groups.first).to_have_accessible_name(re.compile(r"^\d+ lieux\s: zoomer$"))
    axe_check(page)

    # A group is a button: it zooms in on its area, and the map asks for that area again.
    zoom = int(re.search(r"zoom=(\d+)", first.value.url).group(1))
    with page.expect_response(map_answer) as second:
        groups.first.click()
    closer = int(re.search(r"zoom=(\d+)", second.value.url).group(1))
    assert closer > zoom
    reports = second.value.json()
    assert reports["clustered"] is False and 0 < len(reports["features"]) < total
    assert reports["features"][0]["properties"]["title"] == "Éclairage public · Nouveau"
    expect(page.locator(".leaflet-marker-icon").first).to_be_visible()
    axe_check(page)


def test_describing_the_problem_suggests_a_similar_open_report_with_its_distance(page, site, axe_check,
                                                                                 reports_setup):
    component, _agent, _resident = reports_setup
    log_in(page, site, "habitante@example.org")
    page.goto(site.url + reverse("reports:create", args=[component.space.organisation.slug, component.space.slug,
                                                         component.pk]))
    page.wait_for_selector(".point-widget[data-map-ready]")
    page.get_by_label("Latitude").fill("48.7745")
    page.get_by_label("Longitude").fill("2.2990")
    region = page.locator("#similar-reports")
    page.get_by_label("Description").press_sequentially("Le lampadaire clignote", delay=20)
    region.get_by_role("link", name=re.compile("Éclairage public")).wait_for()
    expect(region).to_contain_text("de votre point")
    axe_check(page)
    # The button does the same without JavaScript, and keeps what was typed.
    page.get_by_role("button", name="Chercher des signalements semblables").click()
    page.wait_for_load_state()
    expect(page.locator("#similar-reports").get_by_role("link", name=re.compile("Éclairage public"))).to_be_visible()
    expect(page.get_by_label("Description")).to_have_value("Le lampadaire clignote")
    axe_check(page)
    assert Report.objects.count() == 1
