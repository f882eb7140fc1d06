"""Counting in the task worker: the back-office queues the count, shows its progress, then its outcome."""

import html
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from concerto.components.budgets import count_jobs, counting, results
from concerto.components.budgets.models import Budget
from concerto.components.budgets.tests.test_results_setup import backoffice_url, small_election
from concerto.core.audit.models import AuditEntry
from concerto.core.jobs.models import Job

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_queue(settings):
    """Tasks wait in the database for `run_task_worker`, as in production."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def text(response) -> str:
    return html.unescape(response.content.decode())


def test_the_count_runs_in_the_worker_and_the_page_follows_it(database_queue, run_task_worker, staff_client,
                                                              agent):
    budget, projects = small_election(rule=Budget.Rule.MES)
    client = staff_client(agent)
    page = text(client.post(backoffice_url(budget), {"action": "compute"}, follow=True))
    assert "Le dépouillement a commencé\u00a0: cette page suit son avancement." in page
    assert "Le dépouillement attend le processus de tâches." in page and '<progress id="count-progress-bar"' in page
    assert 'hx-get="?progression=1" hx-trigger="every 2s"' in page
    assert 'value="compute"' not in page  # no second count while this one runs
    assert not budget.results.exists() and DBTaskResult.objects.count() == 1

    run_task_worker()
    job = count_jobs.latest_job(budget)
    assert (job.status, job.percent) == (Job.Status.DONE, 100)
    result = count_jobs.job_result(job)
    assert results.outcome_of(result).selected == [str(projects[0].pk), str(projects[2].pk)]
    assert result.published_at is None  # stored privately, as before
    follow = client.get(backoffice_url(budget) + "?progression=1")
    assert follow.status_code == 204 and follow["HX-Refresh"] == "true"
    page = text(client.get(backoffice_url(budget)))
    assert "Publier ces résultats" in page and "<progress" not in page
    assert AuditEntry.objects.filter(action="budgets.count_requested", target_id=str(budget.pk)).exists()


def test_the_progress_bar_shows_the_stored_progress(database_queue, staff_client, agent):
    budget, _projects = small_election(rule=Budget.Rule.MES)
    job = count_jobs.result_count_request(actor=agent, budget=budget)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, done=42, total=100)
    fragment = text(staff_client(agent).get(backoffice_url(budget) + "?progression=1"))
    assert '<progress id="count-progress-bar" max="100" value="42">' in fragment
    assert "Dépouillement des bulletins…" in fragment and "42\u00a0%" in fragment


def test_the_worker_writes_the_engines_progress_as_it_goes(database_queue, run_task_worker, agent, monkeypatch,
                                                          settings):
    budget, _projects = small_election(rule=Budget.Rule.MES)
    seen = []
    count = counting.count

    def slow_count(election, rule, progress=None):
        for fraction in (0.25, 0.5):
            progress(fraction)
            seen.append(count_jobs.latest_job(budget).done)
        return count(election, rule, progress)

    monkeypatch.setattr(results.counting, "count", slow_count)
    settings.CONCERTO_JOB_PROGRESS_EVERY = 0
    count_jobs.result_count_request(actor=agent, budget=budget)
    run_task_worker()
    assert seen == [5 + 22, 5 + 45]
    assert count_jobs.latest_job(budget).percent == 100


def test_two_clicks_start_one_count(database_queue, run_task_worker, staff_client, agent):
    budget, _projects = small_election(rule=Budget.Rule.MES)
    client = staff_client(agent)
    client.post(backoffice_url(budget), {"action": "compute"})
    page = text(client.post(backoffice_url(budget), {"action": "compute"}, follow=True))
    assert "Le dépouillement a commencé" in page
    assert Job.objects.filter(kind=count_jobs.KIND).count() == 1 and DBTaskResult.objects.count() == 1
    run_task_worker()
    assert budget.results.count() == 1
    # Once it is done, counting again is a new count.
    client.post(backoffice_url(budget), {"action": "compute"})
    run_task_worker()
    assert budget.results.count() == 2 and Job.objects.filter(kind=count_jobs.KIND).count() == 2


def test_a_failed_count_is_shown_in_french(database_queue, run_task_worker, staff_client, agent, monkeypatch):
    budget, _projects = small_election(rule=Budget.Rule.MES)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(results.counting, "count", broken)
    client = staff_client(agent)
    client.post(backoffice_url(budget), {"action": "compute"})
    run_task_worker()
    job = count_jobs.latest_job(budget)
    assert job.status == Job.Status.FAILED and not budget.results.exists()
    page = text(client.get(backoffice_url(budget)))
    assert ("Le dépouillement a échoué\u00a0: une erreur du serveur l’a arrêté. Réessayez\u00a0; s’il échoue "
            "encore, prévenez les administrateurs de la plateforme.") in page
    assert "disk full" not in page
    assert 'value="compute"' in page  # it can be counted again
    assert AuditEntry.objects.filter(action="budgets.count_failed", target_id=str(budget.pk)).exists()


def test_an_engine_refusal_is_the_failure_shown(database_queue, run_task_worker, staff_client, agent, monkeypatch):
    budget, _projects = small_election(rule=Budget.Rule.MES)

    def refuse(*args, **kwargs):
        raise counting.CountingError("Un bulletin nomme un projet inconnu.")

    monkeypatch.setattr(results.counting, "count", refuse)
    client = staff_client(agent)
    client.post(backoffice_url(budget), {"action": "compute"})
    run_task_worker()
    assert "Le dépouillement a échoué\u00a0: Un bulletin nomme un projet inconnu." in text(
        client.get(backoffice_url(budget)))


def test_a_count_whose_worker_died_does_not_block_the_next(database_queue, agent):
    budget, _projects = small_election(rule=Budget.Rule.MES)
    first = count_jobs.result_count_request(actor=agent, budget=budget)
    Job.objects.filter(pk=first.pk).update(status=Job.Status.RUNNING,
                                                updated_at=timezone.now() - timedelta(minutes=20))
    second = count_jobs.result_count_request(actor=agent, budget=budget)
    assert second.pk != first.pk and second.status == Job.Status.QUEUED
    first.refresh_from_db()
    assert first.status == Job.Status.FAILED and "interrompu" in first.error


def test_a_refused_count_is_not_queued(database_queue, staff_client, agent):
    budget, _projects = small_election(vote="current")
    page = text(staff_client(agent).post(backoffice_url(budget), {"action": "compute"}, follow=True))
    assert "Le vote est encore ouvert" in page
    assert not Job.objects.exists() and not DBTaskResult.objects.exists()


def test_outsider_cannot_start_a_count_nor_follow_one(database_queue, staff_client, outsider, agent):
    budget, _projects = small_election(rule=Budget.Rule.MES)
    count_jobs.result_count_request(actor=agent, budget=budget)
    client = staff_client(outsider)
    assert client.post(backoffice_url(budget), {"action": "compute"}).status_code in (403, 404)
    assert client.get(backoffice_url(budget) + "?progression=1").status_code in (403, 404)
    assert Job.objects.filter(kind=count_jobs.KIND).count() == 1
