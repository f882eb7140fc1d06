"""The reports read API: public reports of a component's organisation, filters, map, no personal data."""

import secrets

import pytest
from django.utils import timezone

from concerto.components.reports.models import Category, Report
from concerto.testing import ComponentFactory, SpaceFactory

LIST = "/api/v1/reports/reports"


@pytest.fixture
def component(sceaux):
    return ComponentFactory(space=SpaceFactory(organisation=sceaux), kind="reports", title="Signalements")


@pytest.fixture
def pothole(sceaux):
    return Category.objects.create(organisation=sceaux, code="nid-de-poule", name="Nid-de-poule")


def make_report(category, **fields):
    values = {"organisation": category.organisation, "category": category, "latitude": 48.7745,
              "longitude": 2.2990, "description": "Un trou", "email": "secret@example.org", "device_id": "tel-7"}
    # An explicit token: the model's default is longer than its column (see the report to the lead).
    values.setdefault("token", secrets.token_urlsafe(16))
    values.update(fields)
    return Report.objects.create(**values)


def test_the_list_gives_the_components_public_reports_without_personal_data(client, component, pothole, montreuil):
    shown = make_report(pothole, public_answer="Réparé demain")
    make_report(pothole, hidden_at=timezone.now())
    other = Category.objects.create(organisation=montreuil, code="tags", name="Tags")
    make_report(other, latitude=48.861, longitude=2.443)
    response = client.get(LIST, {"component": component.pk})
    data = response.json()
    assert data["count"] == 1
    [item] = data["items"]
    assert item["id"] == shown.pk and item["category"] == "Nid-de-poule" and item["commune"] == "sceaux"
    assert item["public_answer"] == "Réparé demain" and item["open"] is True
    assert item["url"] == f"http://testserver/signalements/{shown.pk}/"
    body = response.content.decode()
    assert "secret@example.org" not in body and "tel-7" not in body and "token" not in body


def test_filters_by_status_kind_and_category(client, component, pothole):
    make_report(pothole)
    make_report(pothole, status=Report.Status.RESOLVED, kind=Report.Kind.PROPOSAL)

    def count(**params):
        return client.get(LIST, {"component": component.pk, **params}).json()["count"]

    assert count(status="open") == 1 and count(status="closed") == 1 and count(status="resolved") == 1
    assert count(kind="proposal") == 1 and count(category=pothole.pk) == 2 and count(category=999999) == 0


def test_detail_of_a_public_report_and_404_for_a_hidden_one(client, pothole):
    shown = make_report(pothole)
    hidden = make_report(pothole, hidden_at=timezone.now())
    assert client.get(f"/api/v1/reports/reports/{shown.pk}").json()["id"] == shown.pk
    assert client.get(f"/api/v1/reports/reports/{hidden.pk}").status_code == 404
    assert client.get("/api/v1/reports/reports/424242").status_code == 404


def test_an_unpublished_component_is_a_404(client, sceaux, pothole):
    draft = ComponentFactory(space=SpaceFactory(organisation=sceaux), kind="reports", published=False)
    assert client.get(LIST, {"component": draft.pk}).status_code == 404


def test_the_map_gives_geojson_and_refuses_a_bad_box(client, component, pothole):
    make_report(pothole)
    data = client.get("/api/v1/reports/reports/map", {"component": component.pk, "bbox": "2.28,48.76,2.32,48.79",
                                                      "zoom": 15}).json()
    assert data["type"] == "FeatureCollection" and len(data["features"]) == 1
    assert client.get("/api/v1/reports/reports/map", {"component": component.pk, "bbox": "x"}).status_code == 400
    assert client.get("/api/v1/reports/reports/map", {"component": component.pk, "bbox": "1,2,3,4",
                                                      "zoom": 99}).status_code == 422
