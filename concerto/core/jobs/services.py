"""Background jobs: long back-office work runs in the task worker, not in the request.

`job_start` records a Job (who, which organisation, what, who may see it) and queues `job_run` on the task
queue (django-tasks: the database backend by default, Redis in production, in-process in tests). The worker
calls the job's function(job, **args); the function reports its progress with `job.progress(done, total,
label)` (throttled writes), may read the file uploaded with the request (`job.input()`), may produce a file
(`job.file_open`, kept privately for CONCERTO_JOB_FILE_DAYS days and downloaded through a view that checks the
permission), and returns the message to show. A `JobError` or a `ValidationError` is a refusal in words for
the agent; any other exception is logged and shown as a plain "an error on the server stopped it", never a traceback.

A job whose worker died (no progress for CONCERTO_JOB_STALE_AFTER seconds) is marked failed by the periodic
check `jobs.stale`, so a page never waits forever; `jobs.files` deletes the produced files past their expiry.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django_tasks import task

from concerto.core.audit.services import audit_record
from concerto.core.jobs.models import Job
from concerto.core.jobs.work import input_write, private_root, progress_forget
from concerto.core.registry import PeriodicJob

logger = logging.getLogger("concerto.jobs")


class JobError(Exception):
    """The work cannot be done, in words for the agent (the site's language)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def stale_after() -> timedelta:
    return timedelta(seconds=getattr(settings, "CONCERTO_JOB_STALE_AFTER", 15 * 60))


def subject_of(obj) -> str:
    return f"{obj._meta.label_lower}:{obj.pk}"


def job_start(*, kind: str, organisation, user, func: str, title: str, permission: str, subject: str = "",
              target=None, upload: bytes | None = None, link: str = "", **args) -> Job:
    """Queue FUNC(job, **ARGS) for the worker and return its Job; UPLOAD (bytes checked by the request) is
    kept privately for the function to read. With SUBJECT (or TARGET, an object), a job of the same kind
    already waiting or running for it is returned instead of starting a second one (with `already_started`
    set: the caller tells the agent that this request's upload was not taken)."""
    if target is not None and not subject:
        subject = subject_of(target)
    if subject:
        jobs_abandon_stale(Job.objects.filter(kind=kind, subject=subject))
    try:
        with transaction.atomic():
            job = Job.objects.create(
                kind=kind, organisation=organisation, started_by=user if getattr(user, "is_authenticated", False)
                else None, func=func, title=title[:200], permission=permission, subject=subject, args=args,
                link=link)
            audit_record(actor=user, action=f"{kind}_requested", target=target, organisation=organisation,
                         data={"job": job.pk})
    except IntegrityError:  # one of this kind is already waiting or running for this subject
        existing = Job.objects.filter(kind=kind, subject=subject, status__in=Job.ACTIVE).first()
        if existing is None:  # pragma: no cover - it ended between the insert and this read
            raise
        existing.already_started = True  # the caller may say so: this request's upload was not taken
        return existing
    if upload is not None:
        input_write(job, upload)
    try:
        job_run.enqueue(job.pk)
    except Exception:
        logger.exception("Job %s could not be queued", job.pk)
        job_fail(Job.objects.get(pk=job.pk), _("the task queue did not answer. Try again in a moment."))
    job.refresh_from_db()
    return job


def job_fail(job: Job, message: str, *, statuses=Job.ACTIVE) -> bool:
    """Mark JOB failed with MESSAGE (for the agent); False if it had already ended."""
    failed = Job.objects.filter(pk=job.pk, status__in=statuses).update(
        status=Job.Status.FAILED, error=message, finished_at=timezone.now(), updated_at=timezone.now())
    if failed:
        audit_record(actor=job.started_by, action=f"{job.kind}_failed", target=_subject_object(job),
                     organisation=job.organisation, data={"job": job.pk, "error": message})
    return bool(failed)


def _subject_object(job: Job):
    """The object a job works on (its subject, "app.model:pk"), or None."""
    label, _sep, pk = job.subject.rpartition(":")
    try:
        return apps.get_model(label).objects.filter(pk=pk).first() if label else None
    except (LookupError, ValueError):
        return None


def jobs_abandon_stale(queryset=None, *, now: datetime | None = None) -> int:
    """Fail the jobs of QUERYSET (default: all) waiting or running with no news for CONCERTO_JOB_STALE_AFTER."""
    now = now or timezone.now()
    queryset = Job.objects.all() if queryset is None else queryset
    stale = queryset.filter(status__in=Job.ACTIVE, updated_at__lt=now - stale_after()).select_related(
        "organisation", "started_by")
    count = 0
    with translation.override(settings.LANGUAGE_CODE):
        for job in stale:
            count += job_fail(job, _("it was interrupted (the worker stopped). Start it again."))
    return count


def files_purge(now: datetime | None = None) -> int:
    """Delete the produced files past their expiry, and the uploaded inputs of jobs that ended."""
    now = now or timezone.now()
    count = 0
    for job in Job.objects.filter(expires_at__lt=now).exclude(file_path=""):
        (private_root() / job.file_path).unlink(missing_ok=True)
        Job.objects.filter(pk=job.pk).update(file_path="")
        count += 1
    for job in Job.objects.exclude(status__in=Job.ACTIVE).exclude(input_path=""):
        _input_delete(job)
        count += 1
    return count


def _input_delete(job: Job) -> None:
    if job.input_path:
        (private_root() / job.input_path).unlink(missing_ok=True)
        Job.objects.filter(pk=job.pk).update(input_path="")


@task()
def job_run(job_id: int) -> str:
    """Run one queued job (the worker): claim it, call its function, record its outcome or its failure."""
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, started_at=now, updated_at=now)
    if not claimed:
        return "skipped"  # already run, or failed as stale
    job = Job.objects.select_related("organisation", "started_by").get(pk=job_id)
    with translation.override(settings.LANGUAGE_CODE):
        try:
            message = import_string(job.func)(job, **job.args)
        except JobError as error:
            job_fail(job, error.message)
            return "failed"
        except ValidationError as error:  # the kernel's services refuse bad input this way
            job_fail(job, "\n".join(error.messages))
            return "failed"
        except Exception:
            logger.exception("Job %s (%s) failed", job.pk, job.kind)
            job_fail(job, _("an error on the server stopped it. Try again; if it fails again, tell the "
                            "platform's administrators."))
            return "failed"
        finally:
            progress_forget(job)
            _input_delete(job)
    Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(
        status=Job.Status.DONE, done=max(job.done, job.total), message=str(message or ""), data=job.data,
        link=job.link, finished_at=timezone.now(), updated_at=timezone.now())
    return "done"


def visible(jobs, user, organisation):
    """The jobs of ORGANISATION among JOBS that USER may see (each job names its permission)."""
    allowed: dict[str, bool] = {}
    for job in jobs:
        if job.organisation_id != organisation.pk:
            continue
        if job.permission not in allowed:
            allowed[job.permission] = user.has_perm(job.permission, organisation)
        if allowed[job.permission]:
            yield job


def _stale_check(now: datetime) -> int:
    return jobs_abandon_stale(now=now)


STALE_CHECK = PeriodicJob(name="jobs.stale", every=60, run=_stale_check)
FILES_PURGE = PeriodicJob(name="jobs.files", every=60 * 60, run=files_purge)
