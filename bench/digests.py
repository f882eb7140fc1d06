"""Weekly email digests for N people following a commune each, across the 130 communes (issue 15).

Run from the repository root: `.venv/bin/python -m bench.digests [--people N] [--entries N]`, on the throw-away
database of bench.proposals_list (a temporary SQLite file, or the PostgreSQL database DATABASE_URL names, dropped
and created again). The feed entries come from bench.feed_page (one a minute back in time over the communes);
each person follows one commune (round robin) and takes the weekly digest. The periodic job runs once with the
immediate task backend (every batch in this process, as one worker would) and the dummy email backend (the
messages are built, headers and all, then dropped). Printed: time, digests a second, and the process's peak
memory before and after (flat: the job streams ids by keyset and one person is in memory at a time). Target for
100,000 people: < 5 minutes of one worker.
"""

import argparse
import os
import resource
import time

from django.core.mail.backends.dummy import EmailBackend as DummyBackend

from bench.feed_page import populate as entries_populate
from bench.proposals_list import django_setup, throwaway_database

TARGET_S = 300


class CountingBackend(DummyBackend):
    """The dummy backend (messages built, then dropped), counting them and the connections opened."""

    sent = connections = 0

    def open(self):
        CountingBackend.connections += 1
        return True  # as the SMTP backend when it opened a connection

    def send_messages(self, email_messages):
        CountingBackend.sent += len(email_messages)
        return len(email_messages)


def database_cpu() -> float | None:
    """The CPU time of this connection's PostgreSQL server process (same machine), None on SQLite (in process)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def people_populate(people: int) -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType

    from concerto.core.participation.models import DigestSubscription, Follow
    from concerto.core.territory.models import Organisation

    communes = list(Organisation.objects.communes().order_by("pk"))
    org_type = ContentType.objects.get_for_model(Organisation)
    user_model = get_user_model()
    for start in range(0, people, 5000):
        users = user_model.objects.bulk_create([user_model(email=f"habitant{n}@bench.test", password="!")
                                               for n in range(start, min(people, start + 5000))])
        Follow.objects.bulk_create([Follow(user=user, target_type=org_type, target_id=communes[user.pk % 130].pk)
                                    for user in users])
        DigestSubscription.objects.bulk_create([DigestSubscription(user=user, frequency="weekly",
                                                                   token=f"bench-{user.pk}") for user in users])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--entries", type=int, default=50_000)
    args = parser.parse_args(argv)
    os.environ["CONCERTO_TASKS_IMMEDIATE"] = "1"
    with throwaway_database() as database:
        django_setup()
        from django.conf import settings
        from django.utils import timezone

        from concerto.core.participation import digests
        from concerto.core.participation.models import DigestSubscription

        settings.DEBUG = False
        settings.EMAIL_BACKEND = f"{CountingBackend.__module__}.CountingBackend"
        entries_populate(args.entries)
        people_populate(args.people)
        from django.db import connection

        with connection.cursor() as cursor:  # the planner's statistics, as on a database in service
            cursor.execute("ANALYZE")
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started, cpu_started, db_started = time.perf_counter(), time.process_time(), database_cpu()
        batches = digests.digests_schedule(timezone.localtime().replace(hour=9))
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        db_cpu = database_cpu() - db_started if db_started is not None else None
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        period = digests.period_of("weekly", timezone.now())
        done = DigestSubscription.objects.filter(last_sent_period=period).count()
    per_100k = elapsed / max(1, done) * 100_000
    print(f"Digests on {database}: {args.people:,} people, {args.entries:,} feed entries; {batches} batches, "
          f"{done:,} periods claimed in {elapsed:.1f} s ({done / elapsed:.0f} a second; for 100,000: "
          f"{per_100k:.0f} s, target < {TARGET_S} s: {'met' if per_100k < TARGET_S else 'NOT met'})")
    server = "SQLite included" if db_cpu is None else f"plus {db_cpu:.1f} s of the PostgreSQL server process"
    print(f"  {CountingBackend.sent:,} emails over {CountingBackend.connections:,} connections "
          f"({CountingBackend.sent / elapsed:.0f} emails a second); CPU time of this process {cpu:.1f} s "
          f"({server}; for 100,000: {cpu / max(1, done) * 100_000:.0f} s); "
          f"peak memory (RSS) before the job {before / 1024:.0f} MB, "
          f"after {after / 1024:.0f} MB; load average {' / '.join(f'{n:.1f}' for n in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
