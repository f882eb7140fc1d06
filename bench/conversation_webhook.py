"""Conversation webhook: signed Messenger events through gunicorn on PostgreSQL, and inbound -> outbound time.

Run from the repository root with a PostgreSQL server (the database named in DATABASE_URL is dropped, created
again and dropped at the end):
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/intake_conv_bench .venv/bin/python -m bench.conversation_webhook
Needs gunicorn, Debian's `wrk` and `pgbench`; with --own-cluster, PostgreSQL 15's server binaries (a cluster of its
own in a temporary folder, durable commits, so that only its processes' CPU is counted: bench/ballot_intake.py's).

It migrates the database, loads the organisations, connects Sceaux to a Messenger page and starts a local fake
Graph API (concerto/channels/testing.py). Then, the task worker stopped:
1. references, measured in the same run on the same server: the site's cheapest Django answer (Messenger's GET
   verification, through the whole middleware stack, no query) with wrk, and the webhook's own statement (one
   InboundEvent INSERT ... ON CONFLICT DO NOTHING, one durable commit each) with pgbench.
2. intake: wrk posts signed `webhook_message_text.json` events, each from a new person with its own message id (a
   first message), for --duration seconds; it prints events/s, wrk's percentiles, the CPU per event of gunicorn
   and of PostgreSQL, and checks that the database holds one stored event per event answered 200 (none lost,
   none twice), and that nothing was answered inside the request.
3. worker: `manage.py db_worker` (--interval, as production's `make run`) drains the stored events (participant
   created, greeting and menu recorded, sends queued then posted to the fake) for --drain-seconds: events/s and
   CPU per event; what is left is then deleted, so that the probes do not wait behind the backlog.
4. end to end, the worker running: --probes events are posted one at a time and the time from the POST to the
   fake Graph API receiving the first answer for that person is measured.
Targets (issue 14): >= 500 events/s with p99 < 100 ms for the webhook answer; < 2 s to the outbound send.
Options: --duration (15 s), --connections (16), --workers (2), --threads (8), --probes (30), --interval (1 s),
--drain-seconds (60: the backlog left after that is dropped before the probes), --own-cluster.
"""

import argparse
import hashlib
import hmac
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import Request, urlopen

from bench.ballot_intake import children_of, cpu_seconds, free_port, own_cluster, postgres_pids

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-app-secret"
PAGE = "100000000000001"
SAMPLE = ROOT / ".." / "shared" / "data" / "messenger" / "webhook_message_text.json"
TARGET_RATE, TARGET_P99_MS, TARGET_E2E_S = 500, 100, 2


def _body(psid: str, mid: str) -> bytes:
    template = SAMPLE.read_text() if SAMPLE.exists() else json.dumps({"object": "page", "entry": [{
        "id": "<PAGE_ID>", "time": 1, "messaging": [{"sender": {"id": "<PSID>"}, "recipient": {"id": "<PAGE_ID>"},
                                                     "timestamp": 1, "message": {"mid": "m", "text": "Bonjour"}}]}]})
    data = json.loads(template.replace("<PAGE_ID>", PAGE).replace("<PSID>", psid))
    data["entry"][0]["messaging"][0]["message"]["mid"] = mid
    return json.dumps(data, separators=(",", ":")).encode()


def _sign(body: bytes) -> str:
    return "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()


LUA = r"""
local requests = {}
local index = 0
local threads = 0
setup = function(thread)
  thread:set("id", threads)
  threads = threads + 1
end
init = function(args)
  for line in io.lines(args[1]) do
    local signature, body = line:match("^(%S+)\t(.*)$")
    table.insert(requests, wrk.format("POST", "/canaux/messenger/webhook/",
      {["Content-Type"] = "application/json", ["X-Hub-Signature-256"] = signature}, body))
  end
  index = id * 40000  -- each wrk thread its own events: none is posted twice
end
request = function()
  index = index % #requests + 1
  return requests[index]
end
done = function(summary, latency, requests)
  io.write(string.format("STATUS non2xx=%d\n", summary.errors.status))
end
"""

PGBENCH = """\\set n random(1, 2000000000)
INSERT INTO channels_inboundevent (channel_id, external_id, person, event, received_at)
VALUES (:channel, 'pg-' || :client_id || '-' || :n, md5(:n::text), 'EVENT'::jsonb, now())
ON CONFLICT DO NOTHING;
"""


def _wrk(port: int, options, args: list[str]) -> dict:
    """wrk's figures: requests/s, percentiles, totals."""
    report = subprocess.run(["wrk", "-t", "2", "-c", str(options.connections), "-d", f"{options.duration}s",
                             "--latency", *args], capture_output=True, text=True, check=True).stdout
    status = re.search(r"STATUS non2xx=(\d+)", report) or re.search(r"Non-2xx or 3xx responses: (\d+)", report)
    return {"rate": float(re.search(r"Requests/sec:\s+([\d.]+)", report)[1]),
            "percentiles": dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", report, re.M)),
            "total": int(re.search(r"(\d+) requests in", report)[1]), "non_2xx": int(status[1]) if status else 0}


def _sql(url: str, query: str) -> list[str]:
    return subprocess.run(["psql", url, "-tAc", query], capture_output=True, text=True, check=True).stdout.split("|")


def _shell(manage, env, code: str) -> list[str]:
    output = subprocess.run([*manage, "shell", "-c", code], env=env, capture_output=True, text=True, check=True)
    return output.stdout.strip().splitlines()[-1].split()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--probes", type=int, default=30)
    parser.add_argument("--interval", type=float, default=1.0, help="db_worker's polling interval")
    parser.add_argument("--drain-seconds", type=int, default=60, help="how long the worker drains the backlog")
    parser.add_argument("--own-cluster", action="store_true")
    options = parser.parse_args()
    with ExitStack() as stack:
        postmaster = stack.enter_context(own_cluster(0, 5)) if options.own_cluster else None
        return run(options, postmaster)


def run(options, postmaster: int | None) -> int:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database that may be dropped.")
    name = urlsplit(url).path.lstrip("/")
    server = url.rsplit("/", 1)[0] + "/postgres"
    subprocess.run(["psql", server, "-qc", f'DROP DATABASE IF EXISTS "{name}"'], check=True)
    subprocess.run(["psql", server, "-qc", f'CREATE DATABASE "{name}"'], check=True)

    sys.path.insert(0, str(ROOT))
    from concerto.channels.testing import FakeGraph

    graph = FakeGraph().__enter__()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DJANGO_SETTINGS_MODULE": "concerto.settings",
           "CONCERTO_DEBUG": "0", "CONCERTO_SECRET_KEY": "bench-" + "x" * 40, "CONCERTO_ALLOWED_HOSTS": "127.0.0.1",
           "CONCERTO_SSL_REDIRECT": "0", "CONCERTO_SECURE_COOKIES": "0", "CONCERTO_MESSENGER_APP_SECRET": SECRET,
           "CONCERTO_MESSENGER_VERIFY_TOKEN": "bench", "CONCERTO_MESSENGER_API_URL": graph.url,
           "CONCERTO_LOG_LEVEL": "WARNING", "CONCERTO_DB_CONN_MAX_AGE": "60"}
    python = sys.executable
    manage = [python, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=env, check=True)
    subprocess.run([*manage, "load_organisations", "-v", "0"], env=env, check=True)
    channel = _shell(manage, env, "from concerto.channels.services import chat_channel_connect as c;"
                     "from concerto.core.territory.models import Organisation as O;"
                     f"print(c(actor=None, organisation=O.objects.get(slug='sceaux'), platform='messenger',"
                     f" external_id='{PAGE}', token='bench-token').pk)")[0]
    port = free_port()
    log = open(os.environ.get("BENCH_LOG", os.devnull), "w")  # the servers' request and task logs
    gunicorn = subprocess.Popen([str(Path(python).parent / "gunicorn"), "concerto.wsgi", "-b", f"127.0.0.1:{port}",
                                 "-k", "gthread", "-w", str(options.workers), "--threads", str(options.threads),
                                 "--preload", "--log-level", "warning"], env=env, cwd=ROOT,
                                stdout=log, stderr=log)
    worker = None
    base = f"http://127.0.0.1:{port}"
    try:
        for _attempt in range(100):
            try:
                urlopen(f"{base}/sante/", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        load_before = os.getloadavg()
        with tempfile.TemporaryDirectory() as folder:
            folder = Path(folder)
            # 1. References in the same run: Django's cheapest answer here, and the webhook's statement alone.
            hello = _wrk(port, options, [f"{base}/canaux/messenger/webhook/?hub.mode=subscribe&hub.verify_token=bench"
                                         "&hub.challenge=1"])
            sample_event = json.dumps({"page": PAGE, "sender": "1", "text": "Bonjour", "payload": "", "mid": "m"})
            (folder / "insert.sql").write_text(PGBENCH.replace("EVENT", sample_event))
            pgbench = subprocess.run(["pgbench", "-n", "-c", str(options.connections), "-j", "2", "-T", "10",
                                      "-f", str(folder / "insert.sql"), f"-Dchannel={channel}", url],
                                     capture_output=True, text=True)
            match = re.search(r"tps = ([0-9.]+)", pgbench.stdout)
            ceiling = float(match[1]) if match else None
            if ceiling is None:
                print(pgbench.stdout[-1000:], pgbench.stderr[-1000:])
            _sql(url, "DELETE FROM channels_inboundevent")
            # 2. Intake.
            events = folder / "events.tsv"
            with events.open("w") as out:
                for number in range(80_000):
                    body = _body(f"9{number:015d}", f"m_bench_{number}")
                    out.write(f"{_sign(body)}\t{body.decode()}\n")
            (folder / "events.lua").write_text(LUA)
            server_pids = [gunicorn.pid, *children_of(gunicorn.pid)]
            cpu_before, pg_before = cpu_seconds(server_pids), cpu_seconds(postgres_pids(postmaster))
            intake = _wrk(port, options, ["-s", str(folder / "events.lua"), base, "--", str(events)])
            cpu = cpu_seconds(server_pids) - cpu_before
            pg_cpu = cpu_seconds(postgres_pids(postmaster)) - pg_before
        load_after = os.getloadavg()
        stored, messages = map(int, _sql(url, "SELECT (SELECT count(*) FROM channels_inboundevent), "
                                              "(SELECT count(*) FROM channels_message)"))
        total, rate, percentiles = intake["total"], intake["rate"], intake["percentiles"]
        p99_ms = _ms(percentiles.get("99", "0ms"))
        print(f"Conversation webhook on PostgreSQL ({name}{', own cluster' if postmaster else ', shared server'}),"
              f" gunicorn {options.workers} workers x {options.threads} threads, wrk 2 threads, "
              f"{options.connections} connections, {options.duration} s")
        print(f"intake (worker stopped): {rate:.0f} signed events/s; latency p50 {percentiles.get('50')}, "
              f"p90 {percentiles.get('90')}, p99 {percentiles.get('99')}; {total} requests, "
              f"{intake['non_2xx']} not 2xx")
        everyone = "" if postmaster else " (every PostgreSQL process of the machine)"
        print(f"  CPU per event: application {cpu * 1000 / max(total, 1):.2f} ms (gunicorn's processes), PostgreSQL "
              f"{pg_cpu * 1000 / max(total, 1):.2f} ms{everyone}"
              f"; so about {max(total, 1) / max(cpu + pg_cpu, 0.001) * 2:.0f} events/s on 2 free cores")
        answered = total - intake["non_2xx"]
        # wrk stops waiting for the requests in flight (at most one per connection): stored, not counted.
        exact = answered <= stored <= answered + options.connections
        print(f"  database: {stored} events stored for {answered} answered 200 and at most {options.connections} in "
              f"flight when wrk stopped (none lost, none twice: {'OK' if exact else 'FAIL'}); {messages} messages "
              "recorded in the requests (the engine runs in the worker)")
        print(f"  references in the same run: Django's cheapest answer (GET verification, whole middleware, no "
              f"query) {hello['rate']:.0f}/s, p99 {hello['percentiles'].get('99')}: the webhook reaches "
              f"{rate / hello['rate']:.0%} of it; " + (
                  f"PostgreSQL alone, the webhook's INSERT one per commit (pgbench, {options.connections} clients): "
                  f"{ceiling:.0f}/s, the webhook reaches {rate / ceiling:.0%} of it" if ceiling else "pgbench: none"))
        # 3. The worker drains the stored events, for --drain-seconds at most (the rest is then dropped).
        worker = subprocess.Popen([*manage, "db_worker", "--interval", str(options.interval), "--no-reload",
                                   "--no-startup-delay"], env=env, cwd=ROOT, stdout=log, stderr=log)
        started = time.monotonic()
        while time.monotonic() - started < options.drain_seconds:
            time.sleep(1)
            left = int(_sql(url, "SELECT count(*) FROM channels_inboundevent")[0])
            if left == 0:
                break
        drained_in, worker_cpu = time.monotonic() - started, cpu_seconds([worker.pid, *children_of(worker.pid)])
        handled = stored - left
        _sql(url, "DELETE FROM channels_inboundevent")
        _sql(url, "DELETE FROM django_tasks_database_dbtaskresult WHERE status = 'READY'")
        time.sleep(3)
        print(f"worker: {handled} of the {stored} stored events answered in {drained_in:.0f} s "
              f"({handled / drained_in:.0f} events/s, one db_worker process; {left} left and dropped), "
              f"{worker_cpu * 1000 / max(handled, 1):.1f} ms of worker CPU per event (start-up, engine, task rows and "
              f"the Send API calls); {len(graph.sent)} Send "
              "API calls received by the fake Graph API")
        # 4. End to end, the worker running.
        times = []
        for number in range(options.probes):
            psid = f"8{number:015d}"
            body = _body(psid, f"m_probe_{number}")
            start = time.monotonic()
            urlopen(Request(f"{base}/canaux/messenger/webhook/", data=body, method="POST",
                            headers={"Content-Type": "application/json", "X-Hub-Signature-256": _sign(body)}),
                    timeout=10).read()
            while time.monotonic() - start < 30:
                with graph.lock:
                    if any(item["recipient"]["id"] == psid for item in graph.sent[-50:]):
                        break
                time.sleep(0.005)
            times.append(time.monotonic() - start)
            time.sleep(0.2)
        times.sort()
        print(f"end to end (webhook -> worker -> fake Graph API, db_worker --interval {options.interval:g}), "
              f"{len(times)} probes: median {times[len(times) // 2] * 1000:.0f} ms, max {times[-1] * 1000:.0f} ms")
        print(f"machine load (1 min): {load_before[0]:.1f} before, {load_after[0]:.1f} after the intake, "
              f"{os.getloadavg()[0]:.1f} at the end, on {os.cpu_count()} cores")
        met = rate >= TARGET_RATE and p99_ms < TARGET_P99_MS and times[-1] < TARGET_E2E_S
        print(f"targets >= {TARGET_RATE} events/s, p99 < {TARGET_P99_MS} ms, end to end < {TARGET_E2E_S} s: "
              f"{'OK' if met else 'NOT MET'}")
    finally:
        for process in (worker, gunicorn):
            if process is not None:
                process.terminate()
                process.wait(timeout=30)
        graph.__exit__(None, None, None)
        subprocess.run(["psql", server, "-qc", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'], check=False)
    return 0


def _ms(value: str) -> float:
    """wrk's "12.34ms", "1.20s" or "850.00us" in milliseconds."""
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60_000}[unit]


if __name__ == "__main__":
    sys.exit(main())
