"""How long reports keep the email addresses of people without an account (the manifest's `retention`)."""

from concerto.components.reports.models import Report, ReportSupport
from concerto.core.accounts.privacy import batched_purge


def reporters_contacts_purge(cutoff, *, dry_run) -> int:
    """Erase the email address (and the Open311 device id) of reports closed before CUTOFF and of the
    "me too" on them; the report itself stays, public, as before."""
    closed = {"resolved_at__lt": cutoff}
    reports = batched_purge(Report.objects.filter(**closed).exclude(email="", device_id=""), dry_run=dry_run,
                            update={"email": "", "device_id": ""})
    supports = batched_purge(ReportSupport.objects.filter(report__resolved_at__lt=cutoff).exclude(email=""),
                             dry_run=dry_run, update={"email": ""})
    return reports + supports
