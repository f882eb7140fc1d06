"""Run the components' periodic jobs (event reminders...): for ever, or once with --once (from cron)."""

import time

from django.core.management.base import BaseCommand

from concerto.core import periodic


class Command(BaseCommand):
    help = ("Run the periodic jobs of the components (event reminders, ...) on their clock, for ever; "
            "--once runs each job once and stops (for cron).")

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run every job once, then stop.")
        parser.add_argument("--tick", type=float, default=30.0,
                            help="Seconds between two looks at the clock (default 30).")

    def handle(self, *args, once=False, tick=30.0, **options):
        all_jobs = periodic.jobs()
        if not all_jobs:
            self.stdout.write("No periodic job.")
            return
        last_runs: dict[str, float] = {}
        while True:
            for job in periodic.due(all_jobs, last_runs=last_runs, clock=time.monotonic()):
                last_runs[job.name] = time.monotonic()
                count = periodic.run(job)
                outcome = "failed (logged)" if count is None else f"{count} done"
                self.stdout.write(f"{job.name}: {outcome}")
            if once:
                return
            time.sleep(max(1.0, tick))
