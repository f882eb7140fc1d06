"""What the background jobs hold about a person: who started each job (its title may name a file or an
event). The person's RGPD export lists the jobs they started; their erasure keeps the jobs, without them
(the organisation's history of its work stays); a finished job is deleted, with its files, after its
retention period (`jobs`, 90 days by default: long enough to look back on a count or an import)."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from concerto.core.accounts.privacy import PersonalDataProvider, RetentionRule, batched_purge
from concerto.core.jobs.models import Job
from concerto.core.jobs.work import private_root


def _iso(value):
    return value.isoformat() if value is not None else None


def personal_data(user) -> dict:
    return {"background_jobs": [
        {"organisation": job.organisation.name, "kind": job.kind, "title": job.title, "status": job.status,
         "message": job.message, "error": job.error, "created_at": _iso(job.created_at),
         "finished_at": _iso(job.finished_at)}
        for job in Job.objects.filter(started_by=user).select_related("organisation").order_by("pk")
    ]}


def erase_personal_data(user) -> dict:
    """The jobs stay (the organisation's record of its work), without who started them; the figure goes to
    the `account.deleted` audit entry when there was any."""
    count = Job.objects.filter(started_by=user).update(started_by=None)
    return {"jobs_anonymised": count} if count else {}


def finished_before(cutoff):
    """The jobs that ended before CUTOFF (a job failed as stale may have no end time: its creation counts)."""
    ended = Q(finished_at__lt=cutoff) | Q(finished_at__isnull=True, created_at__lt=cutoff)
    return Job.objects.exclude(status__in=Job.ACTIVE).filter(ended)


def _jobs(cutoff, *, dry_run):
    jobs = finished_before(cutoff)
    if not dry_run:
        # Their files first (the produced file, if not yet expired, and an input left behind).
        for input_path, file_path in jobs.exclude(input_path="", file_path="").values_list("input_path",
                                                                                           "file_path"):
            for path in (input_path, file_path):
                if path:
                    (private_root() / path).unlink(missing_ok=True)
    return batched_purge(jobs, dry_run=dry_run)


RETENTION = (
    RetentionRule("jobs", _("Background jobs of the back-office (who started them, their outcome and files)"),
                  _("the end of the job"), 90,
                  _("Long enough to look back on a count, an import or an export; no need beyond"), _jobs),
)

PROVIDER = PersonalDataProvider(name="jobs", export=personal_data, erase=erase_personal_data, retention=RETENTION)
