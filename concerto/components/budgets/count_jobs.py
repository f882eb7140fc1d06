"""Counting in the task worker: the back-office asks for a count, the worker runs it.

Counting a large budget with the Method of Equal Shares can take longer than a web request may last, so
`result_count_request` only records a CountJob and queues `result_count_run` on the task queue (in the
same transaction: a request that fails queues nothing). The worker counts with `results.result_compute`
(the count is stored privately, as before; publishing is unchanged) and writes the job's progress as it
goes; the results page shows it with a <progress> bar that htmx asks again every two seconds.

Two clicks start one count: at most one job per budget is waiting or running (a database constraint),
and a second request returns the job under way. A job whose worker died (no progress for STALE_AFTER)
is marked failed at the next request, so that the budget can be counted again. Jobs are not cancellable:
a count takes seconds.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from concerto.components.budgets import results
from concerto.components.budgets.models import Budget, CountJob
from concerto.core.audit.services import audit_record

logger = logging.getLogger("concerto.budgets")

ACTIVE = (CountJob.Status.QUEUED, CountJob.Status.RUNNING)
STALE_AFTER = timedelta(minutes=15)
# Progress: 0-5 % reading the ballots, 5-95 % the engine (the share of the budget its outcome spends as the
# completion goes), 100 % stored. Written at most once a second.
READ, ENGINE = 5, 90
WRITE_EVERY = 1.0  # seconds


def latest_job(budget: Budget) -> CountJob | None:
    return CountJob.objects.filter(budget=budget).first()


def result_count_request(*, actor, budget: Budget) -> CountJob:
    """Queue a count of BUDGET for the worker, or return the one already waiting or running."""
    refusal = results.compute_refusal(budget=budget)
    if refusal:
        raise results.ResultError(refusal)
    _abandon_stale(budget)
    try:
        with transaction.atomic():
            job = CountJob.objects.create(budget=budget, requested_by=results.user_or_none(actor))
            audit_record(actor=actor, action="budgets.count_requested", target=budget,
                         organisation=budget.organisation, data={"job": job.pk})
            result_count_run.enqueue(job.pk)
    except IntegrityError:  # a count of this budget is already waiting or running
        job = CountJob.objects.filter(budget=budget, status__in=ACTIVE).first()
        if job is None:  # pragma: no cover - it finished between the insert and this read
            raise
    job.refresh_from_db()
    return job


def _abandon_stale(budget: Budget) -> None:
    stale = CountJob.objects.filter(budget=budget, status__in=ACTIVE, updated_at__lt=timezone.now() - STALE_AFTER)
    for job in stale:
        _fail(job, _("it was interrupted (the worker stopped). Count again."))


def _fail(job: CountJob, message: str) -> None:
    CountJob.objects.filter(pk=job.pk).update(status=CountJob.Status.FAILED, error=message, updated_at=timezone.now())
    audit_record(actor=job.requested_by, action="budgets.count_failed", target=job.budget,
                 organisation=job.budget.organisation, data={"job": job.pk, "error": message})


class _Progress:
    """The engine's progress, written to the job: never backwards, at most once a second."""

    def __init__(self, job_id: int):
        self.job_id, self.percent, self.written = job_id, 0, 0.0

    def __call__(self, fraction: float) -> None:
        self.set(READ + int(ENGINE * min(max(fraction, 0.0), 1.0)))

    def set(self, percent: int) -> None:
        if percent <= self.percent or time.monotonic() - self.written < WRITE_EVERY and percent < 100:
            return
        self.percent, self.written = percent, time.monotonic()
        CountJob.objects.filter(pk=self.job_id).update(progress=percent, updated_at=timezone.now())


@task()
def result_count_run(job_id: int) -> str:
    """Run one queued count (the worker): its Result, or its failure in words for the agent."""
    claimed = CountJob.objects.filter(pk=job_id, status=CountJob.Status.QUEUED).update(
        status=CountJob.Status.RUNNING, progress=1, updated_at=timezone.now())
    if not claimed:
        return "skipped"  # already run, or failed as stale
    job = CountJob.objects.select_related("budget", "requested_by").get(pk=job_id)
    progress = _Progress(job.pk)
    with translation.override(settings.LANGUAGE_CODE):
        try:
            result = results.result_compute(actor=job.requested_by, budget=job.budget, progress=progress,
                                            read=lambda: progress.set(READ))
        except results.ResultError as error:
            _fail(job, error.message)
            return "failed"
        except Exception:
            logger.exception("Count %s of budget %s failed", job.pk, job.budget_id)
            _fail(job, _("an error on the server stopped it. Try again; if it fails again, tell the "
                         "platform's administrators."))
            return "failed"
    CountJob.objects.filter(pk=job.pk).update(status=CountJob.Status.DONE, progress=100, result=result,
                                              updated_at=timezone.now())
    return "done"
