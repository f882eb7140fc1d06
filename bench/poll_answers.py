"""Quick poll answers: residents answer one open poll of Sceaux through the HTTP API, as fast as the machine allows.

Run from the repository root, with a PostgreSQL database that may be dropped:
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/concerto_bench .venv/bin/python -m bench.poll_answers
Needs gunicorn in the virtualenv and Debian's `wrk`; `--own-cluster` as in bench.ballot_intake (the shared parts
are in bench/harness.py).

It builds a throw-away database with a published polls component of Sceaux, one open single-choice poll (three
answers, results after answering) and N residents of Sceaux, each with a personal API token. It starts the site
under gunicorn and drives it with wrk: each request is `POST /api/v1/polls/polls/<id>/answer` with the next
resident's token and one of the answers. First, the reference in the same run: the same load for --reference
seconds with the poll fast lane off (CONCERTO_POLL_FAST_LANE=0: Django, `poll_answer`); then the measured run with
the lane on (components/polls/lane.py: target check, a row, its choice, its ledger row, in one statement).
Before each run, the residents who have answered are left out, so every request is a first answer (a second one
would be a 409, counted apart). Then it checks the
database: one answer per resident who got a 201, none lost, none doubled (the unique constraint), one choice and
one ledger row per answer. It prints answers/s, p50/p95/p99, the CPU per answer and the machine's load.
Targets: >= 500 answers/s, p99 < 200 ms, none lost or doubled.
Options: --residents (30,000), --duration (20 s), --reference (8 s; 0: none), --connections (32), --workers (2),
--threads (8), --pool (2:4), --own-cluster.
"""

import argparse
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
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
TARGET_RATE = 500
TARGET_P99_MS = 200


def populate(residents: int) -> dict:
    """The space, its polls component, an open poll, and RESIDENTS residents of Sceaux with API tokens."""
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from concerto.components.polls import services
    from concerto.core.accounts.models import ApiToken
    from concerto.core.spaces.models import Component, Space
    from concerto.core.territory.models import Organisation

    sceaux = Organisation.objects.get(slug="sceaux")
    User = get_user_model()
    with transaction.atomic():
        space = Space.objects.create(organisation=sceaux, title="La parole aux habitants", slug="parole",
                                     status=Space.Status.PUBLISHED, published_at=timezone.now(),
                                     start_date=timezone.localdate(), end_date=timezone.localdate())
        component = Component.objects.create(space=space, kind="polls", title="Sondages express", published=True)
        poll = services.poll_create(actor=None, component=component, question="Un marché le dimanche ?",
                                    choices=["Oui", "Non", "Sans avis"], publish=True)
        users = User.objects.bulk_create([User(email=f"r{n}@bench.example.org", display_name=f"R{n}",
                                               residence=sceaux, password="!") for n in range(residents)],
                                         batch_size=2000)
        keys, tokens = [], []
        for user in users:
            key = "cct_" + secrets.token_urlsafe(32)
            keys.append(key)
            tokens.append(ApiToken(user=user, name="bench", key_hash=ApiToken.hash_key(key), prefix=key[:8]))
        ApiToken.objects.bulk_create(tokens, batch_size=2000)
    choice_ids = list(poll.choices.values_list("pk", flat=True))
    bodies = [json.dumps({"choices": [choice]}) for choice in choice_ids]
    return {"poll": poll, "keys": keys, "users": [user.pk for user in users], "bodies": bodies}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=30_000)
    parser.add_argument("--duration", type=int, default=20, help="seconds of load")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--pool", default="2:4")
    parser.add_argument("--own-cluster", action="store_true")
    parser.add_argument("--reference", type=int, default=8,
                        help="seconds of the same load with the lane off, first (0: none)")
    args = parser.parse_args(argv)
    gunicorn = Path(sys.executable).with_name("gunicorn")
    if not gunicorn.exists():
        sys.exit("gunicorn is missing from the virtualenv: pip install gunicorn")
    os.environ["CONCERTO_DB_CONN_MAX_AGE"] = "600"
    with ExitStack() as stack:
        postmaster = stack.enter_context(own_cluster(0, 5)) if args.own_cluster else None
        return run_bench(args, postmaster, gunicorn)


def _serve(folder: Path, gunicorn: Path, args, lane: bool):
    """gunicorn on a free port, with the poll fast lane on or off: (process, port)."""
    port = free_port()
    env = {**os.environ, "CONCERTO_DEBUG": "0", "CONCERTO_SECRET_KEY": "bench-" + secrets.token_hex(16),
           "CONCERTO_ALLOWED_HOSTS": "127.0.0.1", "CONCERTO_DB_POOL": args.pool, "CONCERTO_BEHIND_HTTPS_PROXY": "1",
           "CONCERTO_POLL_FAST_LANE": "1" if lane else "0"}
    server = subprocess.Popen(
        [str(gunicorn), "concerto.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers",
         str(args.workers), "--worker-class", "gthread", "--threads", str(args.threads), "--backlog", "4096",
         "--log-level", "warning", "--keep-alive", "30", "--preload"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=open(folder / "gunicorn.log", "a"),
        start_new_session=True)
    wait_for(port, server, path="/api/v1/polls/polls/0")
    return server, port


def _fresh_tokens(folder: Path, data: dict) -> int:
    """Write the tokens of the residents who have not answered yet (so that every request is a first answer);
    returns how many answers the database holds."""
    from django.db import connection

    from concerto.components.polls.models import Answer

    total = settled_count(Answer)
    answered = set(Answer.objects.filter(poll=data["poll"]).values_list("user_id", flat=True))
    connection.close()
    keys = [key for key, user in zip(data["keys"], data["users"], strict=True) if user not in answered]
    (folder / "tokens.txt").write_text("\n".join(keys) + "\n")
    return total


def _figures(run) -> dict:
    match = re.search(r"^BENCH (\{.*\})$", run.stdout, re.MULTILINE)
    if not match:
        print(run.stdout, run.stderr)
        sys.exit("wrk gave no figures")
    return json.loads(match.group(1))


def run_bench(args, postmaster, gunicorn: Path) -> int:
    with throwaway_database() as database, tempfile.TemporaryDirectory(prefix="concerto-polls-") as folder:
        started = time.perf_counter()
        django_setup()
        data = populate(args.residents)
        built = time.perf_counter() - started
        from django.db import connection
        from django.db.models import Count

        from concerto.components.polls.models import Answer
        from concerto.core.participation.models import Contribution

        with connection.cursor() as cursor:  # the freshly loaded tables as a live site has them (no autovacuum now)
            cursor.execute("VACUUM ANALYZE")
        connection.close()
        folder = Path(folder)
        (folder / "bodies.txt").write_text("\n".join(data["bodies"]) + "\n")
        (folder / "answers.lua").write_text(LUA)
        wrk = ["wrk", "-t", "2", "-c", str(args.connections), "-s", str(folder / "answers.lua"), "--timeout", "5s"]
        files = ["--", str(folder / "tokens.txt"), str(folder / "bodies.txt"), "2", "POST"]
        path = f"/api/v1/polls/polls/{data['poll'].pk}/answer"
        # 1. The reference, in the same run: the same endpoint through Django, the lane off.
        reference = None
        if args.reference:
            _fresh_tokens(folder, data)
            server, port = _serve(folder, gunicorn, args, lane=False)
            try:
                subprocess.run([*wrk, "-d", "2s", f"http://127.0.0.1:{port}{path}", *files], check=True,
                               capture_output=True, text=True)
                _fresh_tokens(folder, data)
                run = subprocess.run([*wrk, "-d", f"{args.reference}s", f"http://127.0.0.1:{port}{path}", *files],
                                     check=True, capture_output=True, text=True)
            finally:
                os.killpg(server.pid, signal.SIGTERM)
                server.wait(timeout=30)
            reference = _figures(run)
        # 2. The lane.
        server, port = _serve(folder, gunicorn, args, lane=True)
        url = f"http://127.0.0.1:{port}{path}"
        try:
            _fresh_tokens(folder, data)
            subprocess.run([*wrk, "-d", "3s", url, *files], check=True, capture_output=True, text=True)
            warm = _fresh_tokens(folder, data)
            load_before, cpu_before = os.getloadavg(), total_cpu()
            server_pids, pg_pids = [server.pid, *children_of(server.pid)], postgres_pids(postmaster)
            server_cpu, pg_cpu = cpu_seconds(server_pids), cpu_seconds(pg_pids)
            run = subprocess.run([*wrk, "-d", f"{args.duration}s", url, *files], check=True, capture_output=True,
                                 text=True)
            cpu_after, load_after = total_cpu(), os.getloadavg()
            server_cpu = cpu_seconds(server_pids) - server_cpu
            pg_cpu = cpu_seconds(postgres_pids(postmaster)) - pg_cpu
            settled_count(Answer)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        figures = _figures(run)
        answers = Answer.objects.filter(poll=data["poll"])
        total = answers.count()
        doubled = answers.values("user_id").annotate(n=Count("pk")).filter(n__gt=1).count()
        without_choice = answers.filter(choices__isnull=True).count()
        ledger = Contribution.objects.filter(kind="polls.answer").count()
        channels = dict(answers.values_list("channel").annotate(n=Count("pk")))

    statuses = {int(k): v for k, v in figures["statuses"].items()}
    created, again = statuses.get(201, 0), statuses.get(409, 0)
    others = {k: v for k, v in statuses.items() if k not in (201, 409)}
    seconds = figures["duration_us"] / 1e6
    rate = created / seconds
    p99 = figures["p99_us"] / 1000
    lost = max(0, warm + created - total)
    in_flight = total - (warm + created)
    ticks = cpu_after[0] - cpu_before[0]
    busy = 1 - (cpu_after[1] - cpu_before[1]) / ticks if ticks else 0
    print(f"Quick poll answers on PostgreSQL ({database}), gunicorn {args.workers} workers x {args.threads} threads, "
          f"wrk 2 threads, {args.connections} connections, {args.duration} s; {args.residents:,} residents with API "
          f"tokens (set-up {built:.0f} s); pool {args.pool} per worker; "
          + ("own cluster" if postmaster else "shared cluster of DATABASE_URL"))
    print(f"  requests {figures['requests']:,} in {seconds:.1f} s: {rate:,.0f} answers/s ({created:,} new, {again:,} "
          f"second answers refused with 409); other statuses {others or 'none'}; socket errors "
          f"{ {k: v for k, v in figures['errors'].items() if v} or 'none'}")
    print(f"  latency p50 {figures['p50_us'] / 1000:.1f} ms, p95 {figures['p95_us'] / 1000:.1f} ms, p99 {p99:.1f} ms, "
          f"max {figures['max_us'] / 1000:.1f} ms")
    print(f"  database: {total:,} answers ({warm:,} before the measured run), channels {channels}, {ledger:,} ledger "
          f"rows; lost {lost}, by requests in flight when wrk stopped {in_flight} (at most {args.connections}), "
          f"doubled {doubled}, without a choice {without_choice}")
    per = max(1, created + again)
    print(f"  machine: 2 cores {busy:.0%} busy; CPU per request: application {1000 * server_cpu / per:.2f} ms, "
          f"database {1000 * pg_cpu / per:.2f} ms; load average {load_before[0]:.2f} before, {load_after[0]:.2f} after "
          f"(other work on the machine included)")
    if reference:
        ref_rate = reference["statuses"].get("201", 0) / (reference["duration_us"] / 1e6)
        print(f"  reference in the same run, the lane off (Django): {ref_rate:,.0f} answers/s, p99 "
              f"{reference['p99_us'] / 1000:.1f} ms, other statuses "
              f"{ {k: v for k, v in reference['statuses'].items() if k != '201'} or 'none'}; the lane: "
              f"x{rate / ref_rate if ref_rate else float('inf'):.1f}")
    correct = (lost == 0 and 0 <= in_flight <= args.connections and doubled == 0 and without_choice == 0
               and ledger == total and not others)
    fast = rate >= TARGET_RATE and p99 < TARGET_P99_MS
    print(f"  correctness: {'OK' if correct else 'FAIL'}; target >= {TARGET_RATE} answers/s and p99 < {TARGET_P99_MS} "
          f"ms: {'OK' if fast else 'NOT MET'}")
    return 0 if correct and fast else 1


if __name__ == "__main__":
    sys.exit(main())
