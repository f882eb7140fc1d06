"""A background job: long back-office work (a count, an upload to read, a big export) run by the task worker
while the page shows its progress. See `concerto.core.jobs.services` for the life of a job."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from concerto.core.jobs import work
from concerto.core.territory.models import Organisation


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for the worker")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    ACTIVE = (Status.QUEUED, Status.RUNNING)
    already_started = False  # set by job_start when it returns the job of the same subject under way

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="jobs")
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    # What it is: "budgets.count", "accounts.census", ...; its audit actions are "<kind>_requested/_failed".
    kind = models.CharField(max_length=64)
    # What it works on ("budgets.budget:12"): at most one job of a kind waits or runs per subject.
    subject = models.CharField(max_length=100, blank=True)
    title = models.CharField(max_length=200)  # in the site's language, for the list
    # Who may see it: a `rules` permission on the organisation ("accounts.verify_residents").
    permission = models.CharField(max_length=100)
    func = models.CharField(max_length=200)  # dotted path of function(job, **args)
    args = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    step = models.CharField(max_length=200, blank=True)  # the current step, in the site's language
    message = models.TextField(blank=True)  # the outcome, for the person who started it
    link = models.CharField(max_length=300, blank=True)  # where to go once it is done
    data = models.JSONField(default=dict, blank=True)  # the outcome, for the code that started it
    error = models.TextField(blank=True)  # why it failed, in the site's language (never a traceback)
    input_path = models.CharField(max_length=300, blank=True)  # the uploaded file it reads (private)
    file_path = models.CharField(max_length=300, blank=True)  # the file it produced (private)
    file_name = models.CharField(max_length=150, blank=True)
    file_type = models.CharField(max_length=100, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)  # when the produced file is deleted
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["organisation", "-created_at"]), models.Index(fields=["status", "updated_at"])]
        constraints = [
            models.UniqueConstraint(fields=["kind", "subject"], condition=Q(status__in=["queued", "running"])
                                    & ~Q(subject=""), name="jobs_one_active_per_subject"),
        ]

    def __str__(self) -> str:
        return self.title or f"Job {self.pk}"

    @property
    def active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.total:
            return 0
        return min(100, int(100 * self.done / self.total))

    def progress(self, done: int, total: int | None = None, label: str | None = None) -> None:
        """Record how far the work is (DONE of TOTAL, LABEL the current step): written at most once per
        CONCERTO_JOB_PROGRESS_EVERY seconds, and always when the label changes or the work is complete."""
        work.progress_write(self, done, total, label)

    def input(self) -> bytes:
        """The file uploaded with the request that started this job."""
        return work.input_read(self)

    def file_open(self, name: str, content_type: str):
        """A new private file for this job's outcome, downloaded as NAME; open for writing (binary)."""
        return work.file_open(self, name, content_type)
