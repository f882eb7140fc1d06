import pytest
from django.core.management import call_command


@pytest.fixture
def run_task_worker(monkeypatch):
    """Run the real database task worker until the queue is empty, inside the test's transaction.

    The worker recycles database connections between tasks, which would close the test transaction
    on PostgreSQL; that recycling is switched off here.
    """
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)

    def run():
        call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)

    return run
