

from concerto.components.reports.demo import demo_load
from concerto.components.reports.models import Category, Report
from concerto.core.spaces.models import Space


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
    # The history tells the same dates as the report: « Nouveau » when it was sent, « Résolu » when it was resolved.
    for report in reports:
        assert report.history.get(status="new").created_at == report.created_at
        if report.status == "resolved":
            assert report.history.get(status="resolved").created_at == report.resolved_at
