from pathlib import Path

import pytest
from django.core.management import call_command

from concerto.components.reports.demo import demo_load
from concerto.components.reports.models import Category, Report
from concerto.core.spaces.models import Space

SHARED_GEOJSON = Path(__file__).resolve().parents[5] / "shared" / "data" / "communes" / "mgp_communes_2026.geojson"


@pytest.fixture
def boundaries(db):
    if not SHARED_GEOJSON.exists():
        pytest.skip(f"the shared reference data is absent ({SHARED_GEOJSON})")
    with open("/dev/null", "w") as quiet:
        call_command("import_boundaries", str(SHARED_GEOJSON), stdout=quiet)


def test_the_demo_gives_sceaux_a_published_reports_space_with_reports_in_every_state_once(boundaries, agent, sceaux):
    demo_load(actor=agent)
    demo_load(actor=agent)

    space = Space.objects.get(organisation=sceaux, slug="signaler")
    assert space.status == "published"
    assert space.components.get(kind="reports").published
    assert Category.objects.filter(organisation=sceaux).count() == 5
    reports = Report.objects.filter(organisation=sceaux)
    assert reports.count() == 60  # the second run added nothing
    assert {"new", "resolved"} <= set(reports.values_list("status", flat=True))
    assert all(report.service_id for report in reports)  # each routed to its category's service
