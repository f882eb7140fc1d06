"""Cluster burst: a vote burst through HAProxy while an app server, then the replica, are killed.

Run from the repository root (PostgreSQL 15 binaries, HAProxy and gunicorn needed; the machine's Redis):
  .venv/bin/python -m bench.cluster_burst [--voters 4000] [--duration 30] [--voting-threads 16] [--readers 3]

It starts a cluster with `tools/cluster` in a new folder (primary and streaming replica, two gunicorn app
servers behind HAProxy, two task workers), creates a published participatory budget whose vote is open and
VOTERS verified residents with API tokens (as bench.ballot_intake does), then for DURATION seconds:
- voting threads cast one ballot per voter (`PUT /api/v1/budgets/budgets/<id>/ballot`, a random set of projects
  that fits the budget), each as a client would, one request at a time;
- reader threads GET public pages as anonymous visitors (home, commune, space: served by the replica);
- at a third of the time app server 1 is killed (SIGKILL of gunicorn and its workers), at two thirds the
  replica (SIGKILL of the postmaster and its children).
It prints, for each phase, ballots/s, latency p50/p99 and errors of ballots and of pages; then checks the
primary: every ballot acknowledged with a 2xx is there exactly once with the projects sent. The last line,
`RESULT {...}`, is for programs (concerto/core/tests/test_cluster_burst.py).
"""

import argparse
import http.client
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = ("/", "/sceaux/", "/sceaux/budget/")
PHASES = ("before the kills", "app server 1 killed", "replica killed too")


def free_base() -> int:
    """A port P with P, P+1, P+2 and P+9 free (HAProxy, the two app servers, the statistics)."""
    for _ in range(200):
        base = random.randrange(20000, 30000)
        if all(_free(base + offset) for offset in (0, 1, 2, 9)):
            return base
    raise SystemExit("no free ports found")


def _free(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def cluster(*arguments: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "cluster"), *arguments], capture_output=True,
                            text=True, cwd=ROOT)
    if check and result.returncode:
        raise SystemExit(f"tools/cluster {arguments[0]} failed:\n{result.stdout}\n{result.stderr}")
    return result


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


class Recorder:
    """Every request's phase, latency and outcome (an HTTP status or the exception's name)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.phase = 0
        self.rows: list[tuple[str, int, float, int | str]] = []  # (kind, phase, seconds, outcome)

    def add(self, kind: str, phase: int, seconds: float, outcome) -> None:
        with self.lock:
            self.rows.append((kind, phase, seconds, outcome))

    def figures(self, kind: str, phase: int, seconds: float) -> dict:
        rows = [row for row in self.rows if row[0] == kind and row[1] == phase]
        ok = [row[2] for row in rows if isinstance(row[3], int) and 200 <= row[3] < 300]
        errors: dict[str, int] = {}
        for row in rows:
            if not (isinstance(row[3], int) and 200 <= row[3] < 300):
                errors[str(row[3])] = errors.get(str(row[3]), 0) + 1
        return {"requests": len(rows), "ok": len(ok), "per_second": round(len(ok) / seconds, 1) if seconds else 0,
                "p50_ms": round(percentile(ok, 0.50) * 1000, 1), "p99_ms": round(percentile(ok, 0.99) * 1000, 1),
                "errors": errors}


def request(connection_box: list, port: int, method: str, path: str, body: str | None = None,
            headers: dict | None = None) -> tuple[int, bytes]:
    """One request on this thread's kept connection (a new one after any failure). As browsers and HTTP
    libraries do, a request that found its kept connection closed by the other end is sent once more on a new
    one (all the requests here are idempotent: GET, and PUT of one's ballot)."""
    reused = connection_box[0] is not None
    if connection_box[0] is None:
        connection_box[0] = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection = connection_box[0]
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        content = response.read()
        if response.getheader("Connection", "").lower() == "close":
            connection.close()
            connection_box[0] = None
        return response.status, content
    except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
        connection.close()
        connection_box[0] = None
        if not reused:
            raise
        return request(connection_box, port, method, path, body, headers)
    except Exception:
        connection.close()
        connection_box[0] = None
        raise


def burst(args, state: dict, data: dict) -> tuple[Recorder, dict[int, list[int]], list[float]]:
    port = state["ports"]["haproxy"]
    url = f"/api/v1/budgets/budgets/{data['budget'].pk}/ballot"
    recorder = Recorder()
    acknowledged: dict[int, list[int]] = {}
    next_voter = iter(range(len(data["keys"])))
    voter_lock = threading.Lock()
    stop = threading.Event()
    rng = random.Random(args.seed)
    bodies = [json.loads(body)["choices"] for body in data["bodies"]]

    def voter_loop():
        box = [None]
        while not stop.is_set():
            with voter_lock:
                index = next(next_voter, None)
            if index is None:
                return
            choices = bodies[index % len(bodies)]
            started = time.monotonic()
            phase = recorder.phase
            try:
                status, _ = request(box, port, "PUT", url, json.dumps({"choices": choices}),
                                    {"Authorization": f"Bearer {data['keys'][index]}",
                                     "Content-Type": "application/json"})
            except Exception as error:  # noqa: BLE001 - counted as this request's outcome
                recorder.add("ballot", phase, time.monotonic() - started, type(error).__name__)
                continue
            recorder.add("ballot", phase, time.monotonic() - started, status)
            if 200 <= status < 300:
                with voter_lock:
                    acknowledged[index] = choices

    def reader_loop(seed: int):
        box = [None]
        local = random.Random(seed)
        while not stop.is_set():
            path = local.choice(PAGES)
            started = time.monotonic()
            phase = recorder.phase
            try:
                status, _ = request(box, port, "GET", path)
            except Exception as error:  # noqa: BLE001
                recorder.add("page", phase, time.monotonic() - started, type(error).__name__)
                continue
            recorder.add("page", phase, time.monotonic() - started, status)
            time.sleep(args.read_pause)

    # Warm-up: every app server process renders each page once or twice (templates, URL resolvers).
    box = [None]
    for _ in range(2 * 2 * args.web_workers):
        for path in PAGES:
            request(box, port, "GET", path)
    threads = [threading.Thread(target=voter_loop) for _ in range(args.voting_threads)]
    threads += [threading.Thread(target=reader_loop, args=(rng.random(),)) for _ in range(args.readers)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    marks = [0.0]
    for phase, victim in ((1, "app1"), (2, "replica")):
        stop.wait(max(0.0, started + args.duration * phase / 3 - time.monotonic()))
        cluster("kill", victim, "--dir", state["dir"])
        marks.append(time.monotonic() - started)
        recorder.phase = phase
    stop.wait(max(0.0, started + args.duration - time.monotonic()))
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    marks.append(time.monotonic() - started)
    return recorder, acknowledged, marks


def check(data: dict, acknowledged: dict[int, list[int]]) -> dict:
    """What the primary holds, against what was acknowledged."""
    from django.db import connection
    from django.db.models import Count

    from concerto.components.budgets.models import Ballot, BallotChoice

    connection.close()  # a fresh look, after the cluster's last commits
    users = data["users"]
    ballots = Ballot.objects.filter(budget=data["budget"])
    per_voter = dict(ballots.values_list("voter_id").annotate(n=Count("pk")).values_list("voter_id", "n"))
    choices: dict[int, set[int]] = {}
    for voter_id, project_id in BallotChoice.objects.filter(ballot__budget=data["budget"]).values_list(
            "ballot__voter_id", "project_id"):
        choices.setdefault(voter_id, set()).add(project_id)
    lost = [index for index in acknowledged if per_voter.get(users[index].pk, 0) == 0]
    duplicated = [voter for voter, count in per_voter.items() if count > 1]
    wrong = [index for index, sent in acknowledged.items()
             if per_voter.get(users[index].pk) and choices.get(users[index].pk, set()) != set(sent)]
    acknowledged_ids = {users[index].pk for index in acknowledged}
    unacknowledged = sum(1 for voter in per_voter if voter not in acknowledged_ids)
    return {"acknowledged": len(acknowledged), "ballots": sum(per_voter.values()), "lost": len(lost),
            "duplicated": len(duplicated), "wrong_choices": len(wrong), "unacknowledged_in_database": unacknowledged}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voters", type=int, default=4000)
    parser.add_argument("--duration", type=float, default=30, help="seconds of load (kills at 1/3 and 2/3)")
    parser.add_argument("--voting-threads", type=int, default=16)
    parser.add_argument("--readers", type=int, default=3, help="threads reading public pages")
    parser.add_argument("--read-pause", type=float, default=0.05, help="seconds between a reader's pages")
    parser.add_argument("--redis-db", type=int, default=8)
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--debug", choices=("auto", "on", "off"), default="auto")
    parser.add_argument("--keep", action="store_true", help="leave the cluster running (tools/cluster stop)")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)

    folder = Path(tempfile.mkdtemp(prefix="concerto-burst-"))
    folder.chmod(0o755)  # PostgreSQL runs as its own user when we are root
    base = free_base()
    pg_base = free_base()
    load_before = os.getloadavg()
    started = time.monotonic()
    cluster("start", "--dir", str(folder), "--port", str(base), "--primary-port", str(pg_base),
            "--replica-port", str(pg_base + 1), "--redis-db", str(args.redis_db), "--web-workers",
            str(args.web_workers), "--threads", str(args.threads), "--debug", args.debug)
    try:
        state = json.loads((folder / "cluster.json").read_text())
        cluster_start = time.monotonic() - started
        os.environ["DATABASE_URL"] = state["env"]["DATABASE_URL"]
        os.environ.pop("DATABASE_REPLICA_URL", None)
        os.environ["DJANGO_SETTINGS_MODULE"] = "concerto.settings"
        import django

        django.setup()
        from bench.ballot_intake import populate

        data = populate(args.voters, args.seed)
        from django.db import connection

        connection.close()
        recorder, acknowledged, marks = burst(args, state, data)
        time.sleep(1)
        figures = check(data, acknowledged)
        load_after = os.getloadavg()
    finally:
        if not args.keep:
            cluster("stop", "--dir", str(folder), "--clean", check=False)

    debug = state["env"].get("CONCERTO_DEBUG") == "1"
    print(f"Cluster burst: HAProxy, 2 app servers (gunicorn {args.web_workers} x {args.threads} threads each, DEBUG "
          f"{'on' if debug else 'off'}), PostgreSQL primary + streaming replica, 2 workers, Redis db {args.redis_db}; "
          f"{args.voting_threads} voting threads, {args.readers} page readers, {args.duration:.0f} s "
          f"(cluster started in {cluster_start:.0f} s)")
    result = {"phases": [], "check": figures, "debug": debug, "load_before": round(load_before[0], 2),
              "load_after": round(load_after[0], 2)}
    for phase, name in enumerate(PHASES):
        seconds = marks[phase + 1] - marks[phase]
        ballots = recorder.figures("ballot", phase, seconds)
        pages = recorder.figures("page", phase, seconds)
        result["phases"].append({"name": name, "seconds": round(seconds, 1), "ballots": ballots, "pages": pages})
        print(f"  {name} ({seconds:.1f} s): ballots {ballots['per_second']}/s p50 {ballots['p50_ms']} ms p99 "
              f"{ballots['p99_ms']} ms errors {ballots['errors'] or 'none'}; pages {pages['per_second']}/s p50 "
              f"{pages['p50_ms']} ms p99 {pages['p99_ms']} ms errors {pages['errors'] or 'none'}")
    print(f"  primary: {figures['ballots']} ballots; acknowledged {figures['acknowledged']}, lost {figures['lost']}, "
          f"duplicated {figures['duplicated']}, wrong choices {figures['wrong_choices']}, cast without an answer "
          f"(killed in flight) {figures['unacknowledged_in_database']}")
    print(f"  load average {load_before[0]:.2f} before, {load_after[0]:.2f} after (2 cores, shared machine)")
    print("RESULT " + json.dumps(result))
    correct = not (figures["lost"] or figures["duplicated"] or figures["wrong_choices"])
    return 0 if correct else 1


if __name__ == "__main__":
    sys.exit(main())
