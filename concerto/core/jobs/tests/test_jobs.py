"""Background jobs: started from a request, run by the worker, followed on a page with a progress bar."""

import html
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from concerto.core import periodic
from concerto.core.accounts import verification
from concerto.core.audit.models import AuditEntry
from concerto.core.jobs import services, work
from concerto.core.jobs.models import Job
from concerto.core.jobs.services import JobError, job_start

pytestmark = pytest.mark.django_db

CENSUS = "nom;prénom;date de naissance\n" + "".join(f"Martin{n};Camille;14/07/1985\n" for n in range(4500))


def text(response) -> str:
    return html.unescape(response.content.decode())


def detail(job, org="sceaux") -> str:
    return reverse("jobs:detail", args=[org, job.pk])


@pytest.fixture
def database_queue(settings):
    """Tasks wait in the database for `run_task_worker`, as in production."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


# Job functions for these tests (a job names its function by its dotted path).
def steps_job(job, *, steps: int) -> str:
    seen = []
    for done in range(1, steps + 1):
        job.progress(done, steps, "Étape de test")
        seen.append(Job.objects.get(pk=job.pk).done)
    job.data["seen"] = seen
    return f"{steps} étapes faites."


def broken_job(job) -> str:
    raise RuntimeError("disk full at /var/lib/secret")


def refused_job(job) -> str:
    raise JobError("le fichier ne nomme personne.")


def invalid_job(job) -> str:
    raise ValidationError(["Ligne 2 : le nom est vide.", "Ligne 3 : le prénom est vide."])


def start(func: str, organisation, user, **args) -> Job:
    return job_start(kind="tests.job", organisation=organisation, user=user, func=f"{__name__}.{func}",
                     permission="accounts.verify_residents", title="Tâche d’essai", **args)


def test_a_census_upload_runs_in_the_worker_and_its_page_follows_it(database_queue, run_task_worker, staff_client,
                                                                    agent, sceaux):
    client = staff_client(agent)
    response = client.post(reverse("backoffice:verification_census", args=["sceaux"]),
                           {"file": SimpleUploadedFile("liste.csv", CENSUS.encode())})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == detail(job)
    assert not verification.setup_for(organisation=sceaux).has_census and DBTaskResult.objects.count() == 1
    page = text(client.get(detail(job)))
    assert "Liste des habitants de Sceaux" in page and "En attente du processus de tâches…" in page
    assert '<progress id="job-progress-bar" max="100" value="0">' in page
    assert f'hx-get="{detail(job)}" hx-trigger="every 2s" hx-swap="outerHTML"' in page
    assert f'<a href="{detail(job)}">Actualiser</a>' in page  # without JavaScript

    run_task_worker()
    assert verification.setup_for(organisation=sceaux).census_size == 4500
    fragment = text(client.get(detail(job), headers={"HX-Request": "true"}))
    assert fragment.startswith('<div id="job-status" class="job-status">')  # no more polling
    assert "La liste des habitants est remplacée\u00a0: 4500 personnes (4500 lignes, 0 doublons)" in fragment
    assert "<progress" not in fragment and reverse("backoffice:verification_overview", args=["sceaux"]) in fragment
    job.refresh_from_db()
    assert (job.status, job.percent, job.started_by, job.input_path) == (Job.Status.DONE, 100, agent, "")
    assert job.started_at and job.finished_at and job.step == "Enregistrement de la liste…"
    assert not list((work.private_root() / "jobs" / "in").iterdir())  # the uploaded list is not kept
    listing = text(client.get(reverse("jobs:list", args=["sceaux"])))
    assert "Liste des habitants de Sceaux" in listing and "Terminée" in listing and "agent@sceaux" in listing
    assert AuditEntry.objects.filter(action="accounts.census_requested").exists()


def test_a_census_file_with_a_bad_header_is_refused_in_the_request(staff_client, agent, sceaux):
    response = staff_client(agent).post(reverse("backoffice:verification_census", args=["sceaux"]),
                                        {"file": SimpleUploadedFile("liste.csv", b"a;b\n1;2\n")})
    assert response.status_code == 400 and "aucune colonne pour" in text(response)
    assert not Job.objects.exists()


def test_progress_is_written_at_most_once_a_second_and_when_complete(database_queue, run_task_worker, agent,
                                                                    sceaux, settings):
    settings.CONCERTO_JOB_PROGRESS_EVERY = 3600
    job = start("steps_job", sceaux, agent, steps=5)
    run_task_worker()
    job.refresh_from_db()
    # The first call writes (a new label), the next three wait for the clock, the last one completes.
    assert job.data["seen"] == [1, 1, 1, 1, 5] and (job.done, job.total, job.percent) == (5, 5, 100)
    assert job.message == "5 étapes faites." and job.step == "Étape de test"
    settings.CONCERTO_JOB_PROGRESS_EVERY = 0
    again = start("steps_job", sceaux, agent, steps=3)
    run_task_worker()
    again.refresh_from_db()
    assert again.data["seen"] == [1, 2, 3]


def test_the_progress_bar_shows_the_stored_progress(staff_client, agent, sceaux, database_queue):
    job = start("steps_job", sceaux, agent, steps=3)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, done=1, total=4, step="Lecture de la liste…")
    fragment = text(staff_client(agent).get(detail(job), headers={"HX-Request": "true"}))
    assert "Lecture de la liste…" in fragment and '<progress id="job-progress-bar" max="100" value="25">' in fragment
    assert "1 sur 4" in fragment and "<html" not in fragment



def test_the_job_pages_write_times_as_french_sites_do(staff_client, agent, sceaux):
    """« 14 h 30 », as on residents' pages, not « 14:30 »; the column says « Statut » as every other list."""
    job = start("steps_job", sceaux, agent, steps=1)
    Job.objects.filter(pk=job.pk).update(created_at=datetime(2026, 12, 7, 13, 30, tzinfo=UTC))  # 14:30 in Paris
    listing = text(staff_client(agent).get(reverse("jobs:list", args=["sceaux"])))
    assert "07/12/2026, 14\u00a0h\u00a030" in listing and "14:30" not in listing
    assert '<th scope="col">Statut</th>' in listing
    page = text(staff_client(agent).get(detail(job)))
    assert "Lancée le 7 décembre 2026, 14\u00a0h\u00a030" in page and "14:30" not in page

@pytest.mark.parametrize(("func", "shown"), [
    ("broken_job", "Échec\u00a0: une erreur du serveur l’a arrêté. Réessayez\u00a0; s’il échoue encore, prévenez "
                   "les administrateurs de la plateforme."),
    ("refused_job", "Échec\u00a0: le fichier ne nomme personne."),
    ("invalid_job", "Échec\u00a0: Ligne 2 : le nom est vide.<br>Ligne 3 : le prénom est vide."),
])
def test_a_failed_job_says_why_in_french_never_with_a_traceback(staff_client, agent, sceaux, func, shown):
    job = start(func, sceaux, agent)  # tests run tasks at once
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.finished_at is not None
    page = text(staff_client(agent).get(detail(job)))
    assert shown in page and "disk full" not in page and "Traceback" not in page
    assert AuditEntry.objects.filter(action="tests.job_failed", actor=agent).exists()


def test_another_communes_agent_sees_no_job_and_no_file(staff_client, agent, outsider, moderator, sceaux):
    job = start("steps_job", sceaux, agent, steps=1)
    client = staff_client(outsider)
    assert client.get(detail(job, "montreuil")).status_code == 404
    assert client.get(reverse("jobs:download", args=["montreuil", job.pk])).status_code == 404
    assert "Tâche d’essai" not in text(client.get(reverse("jobs:list", args=["montreuil"])))
    assert client.get(detail(job)).status_code == 403  # Sceaux's back-office is closed to them
    # A role of Sceaux without the job's permission does not see it either.
    client = staff_client(moderator)
    assert client.get(detail(job)).status_code == 404
    assert "Tâche d’essai" not in text(client.get(reverse("jobs:list", args=["sceaux"])))


def file_job(job) -> str:
    with job.file_open("liste.csv", "text/csv") as output:
        output.write(b"nom;total\nSceaux;3\n")
    return "Fichier prêt."


def test_the_produced_file_is_downloaded_by_the_team_then_purged(staff_client, agent, sceaux, settings):
    job = start("file_job", sceaux, agent)
    job.refresh_from_db()
    client = staff_client(agent)
    page = text(client.get(detail(job)))
    download = reverse("jobs:download", args=["sceaux", job.pk])
    assert f'href="{download}">Télécharger liste.csv</a>' in page and "Disponible jusqu’au" in page
    assert str(settings.MEDIA_ROOT) not in str(work.file_path(job))  # not served by the proxy's /media/
    response = client.get(download)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"nom;total\nSceaux;3\n"
    assert response["Content-Disposition"] == 'attachment; filename="liste.csv"'
    assert response["Cache-Control"] == "private, no-store"
    assert services.files_purge(timezone.now()) == 0  # not expired yet
    assert services.files_purge(timezone.now() + timedelta(days=8)) == 1
    assert client.get(download).status_code == 404
    assert "Le fichier a été supprimé" in text(client.get(detail(job)))


def test_a_job_whose_worker_died_is_marked_failed_by_the_periodic_check(database_queue, staff_client, agent,
                                                                        sceaux):
    job = start("steps_job", sceaux, agent, steps=2)
    fresh = start("steps_job", sceaux, agent, steps=2)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, updated_at=timezone.now() - timedelta(minutes=20))
    check = next(j for j in periodic.jobs() if j.name == "jobs.stale")
    # (periodic.run would recycle the connection, closing the test transaction on PostgreSQL.)
    assert check.run(timezone.now()) == 1
    job.refresh_from_db()
    fresh.refresh_from_db()
    assert job.status == Job.Status.FAILED and fresh.status == Job.Status.QUEUED
    page = text(staff_client(agent).get(detail(job)))
    assert "Échec\u00a0: il a été interrompu (le processus de tâches s’est arrêté). Relancez-le." in page
    assert "hx-trigger" not in page
    assert check.run(timezone.now()) == 0


def test_one_job_of_a_kind_per_subject(database_queue, agent, sceaux):
    first = start("steps_job", sceaux, agent, steps=1, subject="tests:1")
    assert start("steps_job", sceaux, agent, steps=1, subject="tests:1").pk == first.pk
    assert start("steps_job", sceaux, agent, steps=1, subject="tests:2").pk != first.pk


def test_a_second_census_upload_while_one_runs_is_not_silently_dropped(database_queue, staff_client, agent, sceaux):
    client = staff_client(agent)
    census_url = reverse("backoffice:verification_census", args=["sceaux"])
    client.post(census_url, {"file": SimpleUploadedFile("liste.csv", CENSUS.encode())})
    page = text(client.post(census_url, {"file": SimpleUploadedFile("autre.csv", CENSUS.encode())}, follow=True))
    assert "Un dépôt est déjà en cours\u00a0: votre fichier n’a pas été pris." in page
    assert Job.objects.count() == 1 and DBTaskResult.objects.count() == 1
