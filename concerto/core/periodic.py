"""Work done on a clock: the `periodic` jobs of the component manifests, run by `manage.py run_periodic`.

Each job is a function(now) -> int (how many things it did), run every `every` seconds. Jobs must be safe to
run twice (two runners, a restart): they mark what they did in the database, as the events reminders do. A
failing job is logged and retried at its next turn; it never stops the others.
"""

import logging
import math
from datetime import datetime

from django.db import close_old_connections, connection
from django.utils import timezone

from concerto.core import registry

logger = logging.getLogger("concerto.periodic")


_kernel_jobs: dict[str, registry.PeriodicJob] = {}


def job_register(job: registry.PeriodicJob) -> None:
    """A periodic job of the kernel itself (the components declare theirs in their manifests)."""
    _kernel_jobs[job.name] = job


def jobs() -> list[registry.PeriodicJob]:
    """Every periodic job of the kernel and of the installed components, by name."""
    found = list(_kernel_jobs.values()) + [job for manifest in registry.components() for job in manifest.periodic]
    return sorted(found, key=lambda job: job.name)


def due(all_jobs, *, last_runs: dict[str, float], clock: float) -> list[registry.PeriodicJob]:
    """The jobs whose turn has come at CLOCK (seconds, monotonic), given when each last ran."""
    return [job for job in all_jobs if clock - last_runs.get(job.name, -math.inf) >= job.every]


def run(job: registry.PeriodicJob, *, now: datetime | None = None) -> int | None:
    """Run JOB once; its count, or None when it failed (the error is logged)."""
    close_old_connections()
    try:
        return job.run(now or timezone.now())
    except Exception:
        logger.exception("Periodic job %s failed; it runs again at its next turn.", job.name)
        return None
    finally:
        close_old_connections()


# SQLite's query planner needs statistics: without them it may loop over a whole table for each row of another
# (the representativeness query read every account per component: 0.5 s at 2,000 contributions, 7 ms after
# ANALYZE). PostgreSQL's autovacuum keeps its own; SQLite, the embedded default, gets an approximate ANALYZE
# (at most ANALYSIS_LIMIT rows read per index: milliseconds, whatever the size) once a day.
ANALYSIS_LIMIT = 1000


def database_statistics(now: datetime) -> int:
    """Refresh SQLite's planner statistics (`sqlite_stat1`); nothing on PostgreSQL. The number of tables analysed."""
    if connection.vendor != "sqlite":
        return 0
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA analysis_limit = {ANALYSIS_LIMIT}")
        cursor.execute("ANALYZE")
        cursor.execute("SELECT COUNT(DISTINCT tbl) FROM sqlite_stat1")
        return cursor.fetchone()[0]


STATISTICS_JOB = registry.PeriodicJob(name="database.statistics", every=24 * 3600, run=database_statistics)
