"""The reports manifest names its hooks by their dotted path: what they give reaches the resident's data
export, the space page and the dashboard's bars."""

import json

import pytest
from django.urls import reverse

from concerto.components.reports import services
from concerto.components.reports.dashboard import bar_widths
from concerto.components.reports.models import Category
from concerto.components.reports.tests.conftest import SCEAUX_POINT
from concerto.testing import ComponentFactory, SpaceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def component(places):
    space = SpaceFactory(organisation=places[0], slug="ma-ville", title="Ma ville")
    return ComponentFactory(space=space, kind="reports", title="Signaler un problème")


def test_a_residents_data_export_holds_the_reports_they_sent(client, component, resident, sceaux):
    category = Category.objects.create(organisation=sceaux, code="eclairage", name="Éclairage public")
    services.report_create(author=resident, component=component, category=category, kind="malfunction",
                           latitude=SCEAUX_POINT[0], longitude=SCEAUX_POINT[1],
                           description="Le lampadaire est éteint.")
    client.force_login(resident)
    response = client.post(reverse("accounts:data_export"))
    export = json.loads(b"".join(response.streaming_content) if response.streaming else response.content)
    reports = export["components"]["reports"]["reports"]
    assert [report["description"] for report in reports] == ["Le lampadaire est éteint."]


def test_the_median_bar_is_drawn_on_the_scale_of_the_longest_90th_percentile():
    rows = [{"median": 2, "p90": 10}, {"median": 5, "p90": 5}]
    bar_widths(rows, "median", longest="p90")
    bar_widths(rows, "p90", name="width90")
    assert [(row["width"], row["width90"]) for row in rows] == [(20, 100), (50, 50)]
