"""The periodic runner: each job on its own clock, a failing job logged without stopping the others."""

from io import StringIO

from django.core.management import call_command

from concerto.core import periodic
from concerto.core.registry import PeriodicJob


def test_a_job_is_due_at_first_then_once_per_period():
    job = PeriodicJob("test.job", 60, lambda now: 0)
    assert periodic.due([job], last_runs={}, clock=1000.0) == [job]
    assert periodic.due([job], last_runs={"test.job": 1000.0}, clock=1030.0) == []
    assert periodic.due([job], last_runs={"test.job": 1000.0}, clock=1060.0) == [job]


def test_the_components_declare_their_jobs():
    assert "events.reminders" in [job.name for job in periodic.jobs()]


def test_a_failing_job_is_logged_and_the_others_still_run(db, monkeypatch, caplog):
    ran = []

    def broken(now):
        raise RuntimeError("the mail server is down")

    jobs = [PeriodicJob("a.broken", 60, broken), PeriodicJob("b.counting", 60, lambda now: ran.append(now) or 3)]
    monkeypatch.setattr(periodic, "jobs", lambda: jobs)
    # The runner recycles database connections between jobs, which would end the test's transaction.
    monkeypatch.setattr(periodic, "close_old_connections", lambda: None)
    out = StringIO()
    call_command("run_periodic", "--once", stdout=out)
    assert "a.broken: failed (logged)" in out.getvalue()
    assert "b.counting: 3 done" in out.getvalue() and len(ran) == 1
    assert "a.broken failed" in caplog.text and "the mail server is down" in caplog.text


def test_sqlite_gets_its_planner_statistics_every_day(db):
    """Without statistics SQLite's planner may read a whole table per row of another; the daily job gives them
    (PostgreSQL's autovacuum keeps its own: the job does nothing there)."""
    from django.db import connection
    from django.utils import timezone

    from concerto.testing import UserFactory

    assert "database.statistics" in [job.name for job in periodic.jobs()]
    UserFactory(email="statistiques@example.org")
    analysed = periodic.database_statistics(timezone.now())
    if connection.vendor != "sqlite":
        assert analysed == 0
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT tbl FROM sqlite_stat1")
        tables = {row[0] for row in cursor.fetchall()}
    assert "accounts_user" in tables and analysed == len(tables)
