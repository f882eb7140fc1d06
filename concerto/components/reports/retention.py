"""How long reports keep the email addresses of people without an account, and unused Open311 API keys
(the manifest's `retention`)."""

from django.db.models import Q

from concerto.components.reports.models import Open311Key, Report, ReportSupport
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


def open311_keys_purge(cutoff, *, dry_run) -> int:
    """Delete the Open311 keys not used since CUTOFF (never used: made before CUTOFF), revoked or not; the
    reports sent with them stay (their key becomes empty). A commune makes a new key when it needs one."""
    unused = Q(last_used_at__lt=cutoff) | Q(last_used_at__isnull=True, created_at__lt=cutoff)
    return batched_purge(Open311Key.objects.filter(unused), dry_run=dry_run)
