"""The elected officials' dashboard: figures on a small set checked by hand, the page, the CSV, the map data."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from concerto.components.reports import dashboard
from concerto.components.reports.models import Report, Service
from concerto.components.reports.tests.test_workflow import make_category, make_report
from concerto.testing import ComponentFactory, SpaceFactory

pytestmark = pytest.mark.django_db
JAN = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
FEB = datetime(2026, 2, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def component(sceaux):
    return ComponentFactory(space=SpaceFactory(organisation=sceaux, slug="ma-ville"), kind="reports")


@pytest.fixture
def data(sceaux, montreuil):
    """Voirie: 3 resolved in 1, 2 and 10 days (January); Éclairage: 1 open (February), 1 congratulation."""
    service = Service.objects.create(organisation=sceaux, name="Voirie")
    roads = make_category(sceaux, code="voirie", name="Voirie", service=service)
    lights = make_category(sceaux, code="eclairage", name="Éclairage")

    def report(category, created, days=None, **fields):
        item = make_report(category, service=category.service, **fields)
        Report.objects.filter(pk=item.pk).update(
            created_at=created, status="resolved" if days is not None else item.status,
            resolved_at=created + timedelta(days=days) if days is not None else None)
        return item

    report(roads, JAN, 1)
    report(roads, JAN, 2)
    report(roads, JAN, 10, latitude=48.80, longitude=2.30)
    report(lights, FEB)
    report(roads, FEB, kind="congratulation")
    make_report(make_category(montreuil, code="voirie"), description="Ailleurs")  # never counted
    return sceaux


def test_figures_on_a_small_set(data):
    board = dashboard.build(dashboard.Filters(organisation_ids={data.pk}))
    assert board.total == 5
    assert board.periods == ["2026-01", "2026-02"]
    # Columns follow Report.Kind: malfunction, congratulation, proposal.
    assert [(row["period"], row["counts"]) for row in board.by_kind] == [("2026-01", [3, 0, 0]),
                                                                        ("2026-02", [1, 1, 0])]
    assert [(row["category"], row["counts"]) for row in board.by_category] == [("Voirie", [3, 1]),
                                                                              ("Éclairage", [0, 1])]
    assert board.resolution == [{"category": "Voirie", "count": 3, "median": 2.0, "p90": 10.0}]
    assert board.hot_spots[0]["count"] == 4 and board.hot_spots[1]["count"] == 1
    assert board.congratulations == [{"service": "Voirie", "count": 1}]


def test_period_and_week_filters(data):
    february = dashboard.build(dashboard.Filters(organisation_ids={data.pk}, start=FEB.date(), by="week"))
    assert february.total == 2 and february.periods == ["2026-S07"]
    assert february.period_names == ["semaine du 9 février 2026"]  # in words on the page, not "2026-S07"


def test_percentiles_by_nearest_rank():
    assert dashboard.percentile(list(range(1, 11)), 0.9) == 9
    assert dashboard.median([1, 2, 10]) == 2 and dashboard.median([1, 3]) == 2
    assert dashboard.percentile([], 0.9) is None


def _url(component, name="dashboard"):
    space = component.space
    return reverse(f"reports_backoffice:{name}", args=[space.organisation.slug, space.slug, component.pk])


def test_the_elected_official_reads_every_chart_with_its_table(staff_client, elected, component, data):
    html = staff_client(elected).get(_url(component)).content.decode()
    assert "5 signalements dans cette sélection." in html
    assert "Signalements reçus par période et par type" in html and "Délais de résolution" in html
    assert "<td>3</td><td>2.0</td><td>10.0</td>" in html.replace(",", ".")
    assert "Félicitations reçues par service" in html and "limites des quartiers" in html
    # Months in words, as a council reads them; the CSV keeps the sortable "2026-01".
    assert '<th scope="row">janvier 2026</th>' in html and '<th scope="col">février 2026</th>' in html
    assert "2026-01" not in html
    assert "leaflet/leaflet.js" in html


def test_the_csv_holds_the_same_figures(staff_client, elected, component, data):
    response = staff_client(elected).get(_url(component, "dashboard_csv"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode().lstrip("\ufeff"))))
    assert rows[0] == ["section", "label", "period", "value"]
    assert ["resolution_p90_days", "Voirie", "", "10.0"] in rows
    assert ["volume_by_category", "Voirie", "2026-01", "3"] in rows
    assert ["congratulations", "Voirie", "", "1"] in rows


def test_the_map_data_is_a_grid_of_counts(staff_client, agent, component, data):
    geojson = staff_client(agent).get(_url(component), {"format": "geojson"}).json()
    # One feature per ~100 m cell, at its centre, with its count and its box: no exact address shows.
    assert sorted(f["properties"]["count"] for f in geojson["features"]) == [1, 4]
    assert geojson["max"] == 4
    densest = geojson["features"][0]
    assert densest["properties"]["title"] == "4 signalements dans ce carré d’environ 100 m"
    west, south, east, north = densest["properties"]["bbox"]
    longitude, latitude = densest["geometry"]["coordinates"]
    assert west < longitude < east and south < latitude < north
    assert 80 < (north - south) * 111_000 < 120  # about 100 m


def test_junk_filters_never_break_the_dashboard(staff_client, agent, component, data):
    client = staff_client(agent)
    for junk in ({"since": "hier"}, {"until": "2026-02-30"}, {"by": "year"}, {"commune": "\x00"}):
        assert client.get(_url(component), junk).status_code == 200
        assert client.get(_url(component, "dashboard_csv"), junk).status_code == 200


def test_hot_spots_name_places_never_coordinates_and_never_wait_for_the_address_service(
        staff_client, elected, component, data, geocoder, django_capture_on_commit_callbacks):
    client = staff_client(elected)
    with django_capture_on_commit_callbacks() as callbacks:
        first = client.get(_url(component), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    # Nothing cached yet: the commune's name, and the page asked the service nothing.
    assert '<th scope="row">Sceaux</th><td>4</td>' in first
    assert "48.77" not in first and "Centre (latitude" not in first
    assert not [path for path in geocoder.requests if "/reverse" in path] and callbacks

    for callback in callbacks:
        callback()  # the worker's lookups (immediate task backend)
    second = client.get(_url(component), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '<th scope="row">À proximité de 122 Rue Houdan 92330 Sceaux</th><td>4</td>' in second
    # No address near the other cell: its commune's name stays.
    assert '<th scope="row">Sceaux</th><td>1</td>' in second
