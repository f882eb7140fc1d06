"""Job rows name who started them: they are in that person's data export, lose that person when the account
goes, and a finished job is deleted with its files once its retention period is over."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from concerto.core.accounts import privacy
from concerto.core.accounts.services import account_delete
from concerto.core.audit.models import AuditEntry
from concerto.core.jobs import work
from concerto.core.jobs.models import Job
from concerto.core.jobs.services import job_start
from concerto.core.retention import retention_purge

pytestmark = pytest.mark.django_db


def file_job(job) -> str:
    with job.file_open("liste.csv", "text/csv") as output:
        output.write(b"nom;total\nSceaux;3\n")
    return "Fichier prêt."


def start(organisation, user, title="Export d’essai") -> Job:
    job = job_start(kind="tests.job", organisation=organisation, user=user, func=f"{__name__}.file_job",
                    permission="accounts.verify_residents", title=title)
    job.refresh_from_db()
    return job


def test_finished_jobs_and_their_files_go_after_90_days_running_ones_stay(agent, sceaux):
    now = timezone.now()
    old, recent, running = start(sceaux, agent), start(sceaux, agent), start(sceaux, agent)
    assert old.status == Job.Status.DONE and work.file_path(old).exists()
    Job.objects.filter(pk=old.pk).update(finished_at=now - timedelta(days=91), created_at=now - timedelta(days=91))
    Job.objects.filter(pk=recent.pk).update(finished_at=now - timedelta(days=89))
    Job.objects.filter(pk=running.pk).update(status=Job.Status.RUNNING, finished_at=None,
                                             created_at=now - timedelta(days=200))
    # A job failed as stale without an end time counts from its creation.
    stale = start(sceaux, agent)
    Job.objects.filter(pk=stale.pk).update(status=Job.Status.FAILED, finished_at=None,
                                           created_at=now - timedelta(days=120))
    old_file = work.file_path(old)

    assert retention_purge(now=now, dry_run=True)["jobs"] == 2
    assert Job.objects.count() == 4
    assert retention_purge(now=now)["jobs"] == 2
    assert set(Job.objects.values_list("pk", flat=True)) == {recent.pk, running.pk}
    assert not old_file.exists() and work.file_path(recent).exists()
    entry = AuditEntry.objects.get(action="privacy.retention_purged")
    assert entry.data["purged"]["jobs"] == 2
    assert retention_purge(now=now)["jobs"] == 0  # safe to run twice


def test_the_period_comes_from_the_setting(agent, sceaux, settings):
    job = start(sceaux, agent)
    Job.objects.filter(pk=job.pk).update(finished_at=timezone.now() - timedelta(days=31))
    assert retention_purge()["jobs"] == 0
    settings.CONCERTO_RETENTION_DAYS = {"jobs": 30}
    assert retention_purge()["jobs"] == 1 and not Job.objects.exists()


def test_the_privacy_page_lists_the_jobs_period(client):
    rule = next(rule for rule in privacy.retention_rules() if rule.name == "jobs")
    page = client.get("/pages/donnees-personnelles/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Tâches de fond du back-office" in page and "90\u00a0jours" in page
    assert rule.days == 90


def test_the_jobs_one_started_are_in_ones_export_and_lose_one_when_the_account_goes(staff_client, agent, moderator,
                                                                                   sceaux):
    job = start(sceaux, agent, title="Import de la liste électorale")
    start(sceaux, moderator, title="Tâche d’une collègue")
    response = staff_client(agent).post(reverse("accounts:data_export"))
    data = json.loads(response.content)
    assert [(row["title"], row["status"], row["organisation"]) for row in data["background_jobs"]] == [
        ("Import de la liste électorale", "done", "Sceaux")]
    assert "Tâche d’une collègue" not in json.dumps(data, ensure_ascii=False)
    account_delete(user=agent)
    job.refresh_from_db()
    assert job.started_by is None and job.title == "Import de la liste électorale"
    assert AuditEntry.objects.get(action="account.deleted").data["jobs_anonymised"] == 1
