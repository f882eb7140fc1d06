"""Counting in the task worker: the back-office asks for a count, the worker runs it.

Counting a large budget with the Method of Equal Shares can take longer than a web request may last, so
`result_count_request` starts a kernel background job (`concerto.core.jobs`, kind "budgets.count") and the
worker runs `result_count_job`: it counts with `results.result_compute` (the count is stored privately, as
before; publishing is unchanged) and writes the job's progress as it goes; the results page shows it with a
<progress> bar that htmx asks again every two seconds.

Two clicks start one count: at most one job per budget is waiting or running (the kernel's constraint on a
job's subject), and a second request returns the job under way. A job whose worker died (no progress for
the kernel's CONCERTO_JOB_STALE_AFTER) is marked failed by the periodic check, or at the next request, so
that the budget can be counted again. Jobs are not cancellable: a count takes seconds.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from concerto.components.budgets import results
from concerto.components.budgets.models import Budget, Result
from concerto.core.jobs.models import Job
from concerto.core.jobs.services import JobError, job_start, subject_of

KIND = "budgets.count"
# Progress: 0-5 % reading the ballots, 5-95 % the engine (the share of the budget its outcome spends as the
# completion goes), 100 % stored. The kernel writes it at most once a second.
READ, ENGINE = 5, 90


def latest_job(budget: Budget) -> Job | None:
    return Job.objects.filter(kind=KIND, subject=subject_of(budget)).first()


def job_result(job: Job | None) -> Result | None:
    """The Result a finished count job stored."""
    if job is None or not job.data.get("result"):
        return None
    return Result.objects.filter(pk=job.data["result"]).first()


def result_count_request(*, actor, budget: Budget) -> Job:
    """Queue a count of BUDGET for the worker, or return the one already waiting or running."""
    refusal = results.compute_refusal(budget=budget)
    if refusal:
        raise results.ResultError(refusal)
    return job_start(kind=KIND, organisation=budget.organisation, user=actor, target=budget,
                     func="concerto.components.budgets.count_jobs.result_count_job", permission="spaces.manage_space",
                     title=_("Count of “%(name)s”") % {"name": budget.name}, budget_id=budget.pk)


class _Progress:
    """The engine's progress, written to the job: never backwards."""

    def __init__(self, job: Job):
        self.job, self.percent = job, 0

    def __call__(self, fraction: float) -> None:
        self.set(READ + int(ENGINE * min(max(fraction, 0.0), 1.0)))

    def set(self, percent: int) -> None:
        if percent > self.percent:
            self.percent = percent
            self.job.progress(percent, 100, _("Counting the ballots…"))


def result_count_job(job: Job, *, budget_id: int) -> str:
    """Run one queued count (the worker); a refusal of the engine is the failure shown to the agent."""
    budget = Budget.objects.select_related("component__space__organisation").get(pk=budget_id)
    progress = _Progress(job)
    progress.set(1)
    try:
        result = results.result_compute(actor=job.started_by, budget=budget, progress=progress,
                                        read=lambda: progress.set(READ))
    except results.ResultError as error:
        raise JobError(error.message) from None
    job.data["result"] = result.pk
    return _("The ballots are counted. Check the outcome below, then publish it.")
