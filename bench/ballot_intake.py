"""Ballot intake: verified voters cast ballots through the HTTP API as fast as the machine allows.

Run from the repository root, with a PostgreSQL database that may be dropped:
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/concerto_bench .venv/bin/python -m bench.ballot_intake --own-cluster
Needs gunicorn in the virtualenv (`pip install gunicorn`) and Debian's `wrk` (`apt-get install wrk`); with
`--own-cluster`, PostgreSQL 15's server binaries (/usr/lib/postgresql/15/bin, Debian's postgresql-15).

With --own-cluster it starts a PostgreSQL cluster of its own (initdb in a temporary folder, a free port, durable
commits: fsync and synchronous_commit on; --commit-delay and --commit-siblings set group commit), so that server
settings can be tried without touching a shared server and only its processes' CPU is counted; without it, it
uses DATABASE_URL's server. Either way it builds a throw-away database (dropped and created again, dropped at
the end), with a published participatory budget whose vote is open (knapsack ballot, 50,000 €, 12 projects) and
N verified residents of Sceaux, each with a personal API token. It counts the SQL queries of one ballot (first
and changed), then starts the site under gunicorn (gthread, --preload, CONCERTO_DB_POOL from --pool) and drives
it with wrk: each request is `PUT /api/v1/budgets/budgets/<id>/ballot` with the next voter's token (tokens
rotate, so once every voter has voted, the next requests change ballots already cast), with a random set of
projects that fits the budget. Then it checks the database: exactly one ballot per voter who got a 201, none
lost, none duplicated, none over the budget, one ledger row per ballot, and no row of the budget, its projects
or its component updated during the run (no hot counter row). It prints ballots/s, p50/p95/p99, the CPU time
per ballot of the application and of PostgreSQL, and the machine's load.
Last, pgbench runs the statement the application's intake writer sends (budgets_ballot_intake: token check and
ballot), one ballot per statement and so per durable commit, with as many clients as wrk's connections for 10 s:
what PostgreSQL alone takes one ballot per commit on this machine, and the application's share of that ceiling
(the writer's batches share one commit between several ballots, so the application may go past it).
Targets: >= 1,000 ballots/s sustained, p99 < 200 ms, zero lost or duplicated ballots.
Options: --voters (20,000), --duration (30 s), --connections (32), --workers (2), --threads (16, gunicorn
gthread), --pool (2:4), --own-cluster, --commit-delay (0 µs), --commit-siblings (5), --no-database-ceiling,
--no-fast-lane (every ballot through Django instead of the fast lane of concerto/components/budgets/intake.py).
The SIGKILL check (workers killed mid-burst, no acknowledged ballot lost) is a test:
concerto/components/budgets/tests/test_ballots_kill.py.
"""

import argparse
import hashlib
import json
import os
import random
import re
import resource
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path

from bench.harness import (
    LUA,
    children_of,
    cpu_seconds,
    django_setup,
    free_port,
    own_cluster,
    postgres_pids,
    settled_count,
    throwaway_database,
    total_cpu,
    wait_for,
)

ROOT = Path(__file__).resolve().parents[1]
TARGET_RATE = 1000
TARGET_P99_MS = 200
AMOUNT = 50_000
COSTS = (4_000, 6_500, 8_000, 9_000, 11_000, 12_500, 14_000, 15_000, 17_500, 20_000, 22_000, 25_000)

def populate(voters: int, seed: int) -> dict:
    """The space, its budget and projects, and VOTERS verified residents with API tokens (bulk inserts)."""
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from concerto.components.budgets.models import Budget, Project
    from concerto.core.accounts import verification
    from concerto.core.accounts.models import ApiToken, Verification
    from concerto.core.spaces.models import Component, Space, Step
    from concerto.core.territory.models import Organisation

    sceaux = Organisation.objects.get(slug="sceaux")
    today = timezone.localdate()
    now = timezone.now()
    salt = verification.setup_for(organisation=sceaux).salt
    with transaction.atomic():
        space = Space.objects.create(organisation=sceaux, title="Budget participatif", slug="budget",
                                     description="Banc d'essai.", status="published", published_at=now,
                                     start_date=today - timedelta(days=30), end_date=today + timedelta(days=60))
        step = Step.objects.create(space=space, title="Vote", start_date=today - timedelta(days=3),
                                   end_date=today + timedelta(days=10))
        component = Component.objects.create(space=space, kind="budgets", title="Budget participatif",
                                             published=True)
        manifest = component.manifest
        component.step_settings = {str(step.pk): manifest.clean_step_settings({"voting_open": True})}
        component.save()
        budget = Budget.objects.create(component=component, name="Toute la ville", amount=AMOUNT,
                                       ballot_kind=Budget.BallotKind.KNAPSACK, ballot_published_at=now)
        projects = Project.objects.bulk_create([
            Project(component=component, budget=budget, title=f"Projet {n + 1}", text="<p>Banc d'essai.</p>",
                    final_cost=cost, on_ballot=True, ballot_number=n + 1)
            for n, cost in enumerate(COSTS)])
        User = get_user_model()
        users = User.objects.bulk_create(
            [User(email=f"electeur{n}@bench.test", display_name=f"Électeur {n}", password="!", residence=sceaux)
             for n in range(voters)], batch_size=5000)
        Verification.objects.bulk_create([
            Verification(user=user, organisation=sceaux, method="census",
                         # Any distinct hash does here: who the voters are does not change the intake.
                         identity_hash=hashlib.sha256(f"{salt}:voter:{n}".encode()).hexdigest(),
                         birth_date=today - timedelta(days=9000 + n % 9000))
            for n, user in enumerate(users)], batch_size=5000)
        keys = ["cct_" + secrets.token_urlsafe(32) for _ in users]
        ApiToken.objects.bulk_create([
            ApiToken(user=user, name="bench", key_hash=hashlib.sha256(key.encode()).hexdigest(), prefix=key[:8])
            for user, key in zip(users, keys, strict=True)], batch_size=5000)
    # Ballots that fit the budget: random subsets, filled while the money lasts.
    rng = random.Random(seed)
    bodies = []
    for _ in range(500):
        order = rng.sample(projects, len(projects))
        chosen, spent = [], 0
        for project in order[:rng.randint(1, 6)]:
            if spent + project.final_cost <= AMOUNT:
                chosen.append(project.pk)
                spent += project.final_cost
        bodies.append(json.dumps({"choices": chosen}))
    return {"budget": budget, "keys": keys, "bodies": bodies, "users": users}


def count_queries(data: dict) -> tuple[int, int]:
    """SQL queries of one ballot through the whole stack: cast for the first time, then changed."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    url = f"/api/v1/budgets/budgets/{data['budget'].pk}/ballot"
    counts = []
    for body in data["bodies"][:2]:
        with CaptureQueriesContext(connection) as queries:
            response = client.put(url, data=body, content_type="application/json",
                                  HTTP_AUTHORIZATION=f"Bearer {data['keys'][0]}")
        assert response.status_code in (200, 201), response.content
        counts.append(len(queries))
    return counts[0], counts[1]


def table_updates(names) -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT relname, n_tup_upd FROM pg_stat_user_tables WHERE relname = ANY(%s)", [list(names)])
        return dict(cursor.fetchall())


PGBENCH = r"""
\set u :first_user + random(0, :voters - 1)
SELECT * FROM budgets_ballot_intake(jsonb_build_array(jsonb_build_object(
  'k', (SELECT key_hash FROM accounts_apitoken WHERE user_id = :u), 'b', :budget,
  's', budgets_ballot_box_stamp(:budget), 'a', :area, 'v', true, 'm', 0, 'd', current_date,
  'p', jsonb_build_array(:p1, :p2), 'q', jsonb_build_array(1, 1), 'c', :cost, 't', now(), 'o', :org,
  'n', :component, 'y', :ctype)), 'api', 'budgets.ballot');
"""


def database_ceiling(data: dict, folder: Path, seconds: int, clients: int) -> float | None:
    """Ballots/s PostgreSQL alone takes with the statement the application sends, one ballot per statement (the
    intake writer's `budgets_ballot_intake` with a batch of one: token check and ballot; durable commits), by
    pgbench with CLIENTS connections and a voter drawn at random for each ballot: what the database could absorb
    one ballot per commit if the application servers were not the limit (the writer's batches, several ballots
    per commit, can go past it). (Each statement's values are constants for that transaction, so PostgreSQL uses
    its indexes: the first version of this script drew a voter key with md5(random()::text), volatile, and so
    scanned the whole ballots table on every ballot, which made the database look ten times slower than it is.)"""
    if not shutil.which("pgbench"):
        return None
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from concerto.components.budgets.models import Ballot

    budget = data["budget"]
    projects = list(budget.projects.order_by("pk").values_list("pk", "final_cost")[:2])
    (folder / "ballot.sql").write_text(PGBENCH)
    variables = {"voters": len(data["users"]), "first_user": min(user.pk for user in data["users"]),
                 "budget": budget.pk, "p1": projects[0][0], "p2": projects[1][0],
                 "cost": projects[0][1] + projects[1][1], "area": budget.voters_area.pk,
                 "org": budget.component.space.organisation_id, "component": budget.component_id,
                 "ctype": ContentType.objects.get_for_model(Ballot).pk}
    assert max(user.pk for user in data["users"]) - variables["first_user"] + 1 == variables["voters"]
    connection.close()
    run = subprocess.run(
        ["pgbench", "-n", "-c", str(clients), "-j", "2", "-T", str(seconds), "-f", str(folder / "ballot.sql"),
         *(f"-D{k}={v}" for k, v in variables.items()), os.environ["DATABASE_URL"]],
        capture_output=True, text=True)
    match = re.search(r"tps = ([0-9.]+)", run.stdout)
    if not match or run.returncode != 0:
        print(run.stdout[-2000:], run.stderr[-2000:])
        return None
    return float(match.group(1))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voters", type=int, default=20_000)
    parser.add_argument("--duration", type=int, default=30, help="seconds of load")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (each has one intake writer)")
    parser.add_argument("--threads", type=int, default=16, help="threads per gunicorn worker (gthread)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--no-database-ceiling", dest="database_ceiling", action="store_false",
                        help="skip the pgbench run of the ballot's statements alone")
    parser.add_argument("--pool", default="2:4",
                        help="CONCERTO_DB_POOL of each gunicorn worker, MIN:MAX connections ('' for none)")
    parser.add_argument("--no-fast-lane", dest="fast_lane", action="store_false",
                        help="serve every ballot through Django (CONCERTO_BALLOT_FAST_LANE=0)")
    parser.add_argument("--own-cluster", action="store_true",
                        help="run on a PostgreSQL cluster of the bench's own (initdb in a temporary folder) "
                             "instead of DATABASE_URL, with the group commit settings below")
    parser.add_argument("--commit-delay", type=int, default=0, help="with --own-cluster: commit_delay (µs)")
    parser.add_argument("--commit-siblings", type=int, default=5, help="with --own-cluster: commit_siblings")
    args = parser.parse_args(argv)
    for tool in ("wrk",):
        if not shutil.which(tool):
            sys.exit(f"{tool} is missing: apt-get install -y {tool}")
    gunicorn = Path(sys.executable).with_name("gunicorn")
    if not gunicorn.exists():
        sys.exit("gunicorn is missing from the virtualenv: pip install gunicorn")
    os.environ["CONCERTO_DB_CONN_MAX_AGE"] = "600"

    with ExitStack() as stack:
        postmaster = (stack.enter_context(own_cluster(args.commit_delay, args.commit_siblings))
                      if args.own_cluster else None)
        return run_bench(args, postmaster, gunicorn)


def run_bench(args, postmaster: int | None, gunicorn: Path) -> int:
    with throwaway_database() as database, tempfile.TemporaryDirectory(prefix="concerto-intake-") as folder:
        started = time.perf_counter()
        django_setup()
        data = populate(args.voters, args.seed)
        built = time.perf_counter() - started
        from django.conf import settings
        from django.db import connection
        from django.db.models import Count

        from concerto.components.budgets.models import Ballot, BallotChoice
        from concerto.core.participation.models import Contribution

        settings.DEBUG = False
        first_queries, change_queries = count_queries(data)
        Contribution.objects.filter(kind="budgets.ballot").delete()
        Ballot.objects.all().delete()
        connection.close()

        folder = Path(folder)
        (folder / "tokens.txt").write_text("\n".join(data["keys"]) + "\n")
        (folder / "bodies.txt").write_text("\n".join(data["bodies"]) + "\n")
        (folder / "intake.lua").write_text(LUA)
        port = free_port()
        env = {**os.environ, "CONCERTO_DEBUG": "0", "CONCERTO_SECRET_KEY": "bench-" + secrets.token_hex(16),
               "CONCERTO_ALLOWED_HOSTS": "127.0.0.1", "CONCERTO_DB_CONN_MAX_AGE": "600", "CONCERTO_DB_POOL": args.pool,
               "CONCERTO_BEHIND_HTTPS_PROXY": "1", "CONCERTO_BALLOT_FAST_LANE": "1" if args.fast_lane else "0"}
        worker_class = ["--worker-class", "gthread", "--threads", str(args.threads)] if args.threads > 1 else []
        server = subprocess.Popen(
            [str(gunicorn), "concerto.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers",
             str(args.workers), *worker_class, "--backlog", "4096", "--log-level", "warning",
             "--keep-alive", "30", "--preload"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=open(folder / "gunicorn.log", "w"),
            start_new_session=True)
        try:
            wait_for(port, server)
            url = f"http://127.0.0.1:{port}/api/v1/budgets/budgets/{data['budget'].pk}/ballot"
            wrk_threads = 2
            # Warm-up: every worker imports, connects and fills its caches (these ballots count too).
            subprocess.run(["wrk", "-t", "2", "-c", str(args.connections), "-d", "5s", "-s", str(folder / "intake.lua"),
                            url, "--", str(folder / "tokens.txt"), str(folder / "bodies.txt"), str(wrk_threads)],
                           check=True, capture_output=True, text=True)
            warm_count = settled_count(Ballot)  # requests wrk gave up on still finish
            connection.close()
            # The measured run starts after the warm-up's voters: rotate the token file.
            rotated = data["keys"][warm_count:] + data["keys"][:warm_count]
            (folder / "tokens.txt").write_text("\n".join(rotated) + "\n")
            before_updates = table_updates(["budgets_budget", "budgets_project", "spaces_component"])
            load_before = os.getloadavg()
            cpu_before = total_cpu()
            server_pids = [server.pid, *children_of(server.pid)]
            pg_pids = postgres_pids(postmaster)
            server_cpu_before, pg_cpu_before = cpu_seconds(server_pids), cpu_seconds(pg_pids)
            wrk_before = resource.getrusage(resource.RUSAGE_CHILDREN)
            run = subprocess.run(
                ["wrk", "-t", str(wrk_threads), "-c", str(args.connections), "-d", f"{args.duration}s",
                 "--timeout", "5s", "-s", str(folder / "intake.lua"), url, "--", str(folder / "tokens.txt"),
                 str(folder / "bodies.txt"), str(wrk_threads)],
                check=True, capture_output=True, text=True)
            cpu_after = total_cpu()
            wrk_after = resource.getrusage(resource.RUSAGE_CHILDREN)
            wrk_cpu = (wrk_after.ru_utime + wrk_after.ru_stime) - (wrk_before.ru_utime + wrk_before.ru_stime)
            server_cpu = cpu_seconds(server_pids) - server_cpu_before
            pg_cpu = cpu_seconds(postgres_pids(postmaster)) - pg_cpu_before
            load_after = os.getloadavg()
            # Requests wrk sent but stopped waiting for (at most one per connection) finish now; they count
            # in the database but wrk saw no answer.
            settled_count(Ballot)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        match = re.search(r"^BENCH (\{.*\})$", run.stdout, re.MULTILINE)
        if not match:
            print(run.stdout, run.stderr)
            sys.exit("wrk gave no figures")
        figures = json.loads(match.group(1))
        if not figures["requests"]:
            print(run.stdout, (folder / "gunicorn.log").read_text()[-3000:])

        # What the database holds (table statistics reach the view within a second).
        time.sleep(1.5)
        after_updates = table_updates(["budgets_budget", "budgets_project", "spaces_component"])
        ballots = Ballot.objects.filter(budget=data["budget"])
        total_ballots = ballots.count()
        voters_with_ballots = ballots.values("voter_id").distinct().count()
        duplicated = (ballots.values("voter_id").annotate(n=Count("pk"))
                      .filter(n__gt=1).count())
        without_choices = ballots.filter(choices__isnull=True).count()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM (SELECT c.ballot_id FROM budgets_ballotchoice c "
                "JOIN budgets_project p ON p.id = c.project_id GROUP BY c.ballot_id "
                "HAVING sum(p.final_cost) > %s) over_budget", [AMOUNT])
            over_budget = cursor.fetchone()[0]
        ledger = Contribution.objects.filter(kind="budgets.ballot").count()
        choices = BallotChoice.objects.count()
        ceiling = database_ceiling(data, folder, 10, args.connections) if args.database_ceiling else None

    statuses = {int(k): v for k, v in figures["statuses"].items()}
    created = statuses.get(201, 0)
    changed = statuses.get(200, 0)
    others = {k: v for k, v in statuses.items() if k not in (200, 201)}
    seconds = figures["duration_us"] / 1e6
    rate = (created + changed) / seconds
    p99 = figures["p99_us"] / 1000
    expected_ballots = warm_count + created
    lost = max(0, expected_ballots - total_ballots)
    # New ballots of the requests still in flight when wrk stopped: at most one per connection.
    unanswered = total_ballots - expected_ballots
    in_flight = args.connections + figures["errors"]["timeout"]
    ticks_total = cpu_after[0] - cpu_before[0]
    busy = 1 - (cpu_after[1] - cpu_before[1]) / ticks_total if ticks_total else 0
    print(f"Ballot intake on PostgreSQL ({database}), gunicorn {args.workers} workers"
          f"{f' x {args.threads} threads' if args.threads > 1 else ''}, wrk 2 threads, {args.connections} connections,"
          f" {args.duration} s; {args.voters:,} verified voters with API tokens (set-up {built:.0f} s); ballot fast "
          f"lane {'on' if args.fast_lane else 'off'}")
    print(f"  SQL queries per ballot (whole request, token check included): first {first_queries} (the process "
          f"reads the ballot box once), then {change_queries}; pool {args.pool or 'none'} per worker; "
          + (f"own cluster, commit_delay {args.commit_delay} µs, commit_siblings {args.commit_siblings}"
             if postmaster else "shared cluster of DATABASE_URL"))
    print(f"  requests {figures['requests']:,} in {seconds:.1f} s: {rate:,.0f} ballots/s "
          f"({created:,} new, {changed:,} changed); other statuses {others or 'none'}; socket errors "
          f"{ {k: v for k, v in figures['errors'].items() if v} or 'none'}")
    print(f"  latency p50 {figures['p50_us'] / 1000:.1f} ms, p95 {figures['p95_us'] / 1000:.1f} ms, "
          f"p99 {p99:.1f} ms, max {figures['max_us'] / 1000:.1f} ms")
    print(f"  database: {total_ballots:,} ballots ({warm_count:,} from the warm-up) for {voters_with_ballots:,} "
          f"voters, {choices:,} choices, {ledger:,} ledger rows; lost {lost}, cast by requests in flight when wrk "
          f"stopped or timed out {unanswered} (at most {in_flight}), duplicated voters "
          f"{duplicated}, without choices {without_choices}, over budget {over_budget}")
    hot = {name: after_updates.get(name, 0) - before_updates.get(name, 0) for name in after_updates}
    print(f"  rows updated during the run in budgets/projects/components: {hot} (no counter row)")
    print(f"  machine: 2 cores {busy:.0%} busy during the run; CPU seconds: gunicorn {server_cpu:.1f}, "
          f"PostgreSQL {pg_cpu:.1f}{'' if postmaster else ' (every PostgreSQL process of the machine)'}; "
          f"per ballot: application {1000 * server_cpu / max(1, created + changed):.2f} ms, database "
          f"{1000 * pg_cpu / max(1, created + changed):.2f} ms, wrk (the load generator, on the same cores) "
          f"{1000 * wrk_cpu / max(1, created + changed):.2f} ms; load average {load_before[0]:.2f} before, "
          f"{load_after[0]:.2f} after "
          f"(other work on the machine included)")
    if ceiling is not None:
        print(f"  PostgreSQL alone, the same statement one ballot per commit by pgbench ({args.connections} clients, "
              f"durable commits, 10 s, sharing the machine as above): {ceiling:,.0f} ballots/s; the application "
              f"reaches {rate / ceiling:.0%} of it")
    correct = (lost == 0 and 0 <= unanswered <= in_flight and duplicated == 0 and without_choices == 0
               and over_budget == 0 and ledger == total_ballots and not others and not any(hot.values()))
    fast = rate >= TARGET_RATE and p99 < TARGET_P99_MS
    print(f"  correctness: {'OK' if correct else 'FAIL'}; target >= {TARGET_RATE} ballots/s and p99 < "
          f"{TARGET_P99_MS} ms: {'OK' if fast else 'NOT MET'}")
    return 0 if correct and fast else 1


if __name__ == "__main__":
    sys.exit(main())
