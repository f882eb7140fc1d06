"""What the reports component hands to the kernel's hooks (see its manifest)."""

from concerto.components.reports.models import Report
from concerto.core.registry import FreeText


def free_texts(component):
    """Themes read the description of each report sent through the component's page: not hidden, not rejected
    nor closed as a duplicate, and not empty."""
    reports = (Report.objects.public().filter(component=component)
               .exclude(status__in=(Report.Status.REJECTED, Report.Status.DUPLICATE)).exclude(description=""))
    for report in reports.order_by("pk").iterator(chunk_size=1000):
        yield FreeText(kind="reports.report", id=report.pk, text=report.description, url=report.get_absolute_url(),
                       created_at=report.created_at)
