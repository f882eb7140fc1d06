"""Conversation webhook: signed Messenger events through gunicorn on PostgreSQL, and inbound -> outbound time.

Run from the repository root with a PostgreSQL server (the database named in DATABASE_URL is dropped, created
again and dropped at the end):
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/concerto_conv_bench .venv/bin/python -m bench.conversation_webhook
Needs gunicorn and Debian's `wrk`.

It migrates the database, loads the organisations, connects Sceaux to a Messenger page and starts a local fake
Graph API (concerto/channels/testing.py). Then:
1. intake: gunicorn (gthread) serves the site; wrk posts signed `webhook_message_text.json` events, each from a
   new person with its own message id (a first message: participant created, greeting and menu recorded, the
   send queued), for --duration seconds; it prints events/s and wrk's latency percentiles, and checks that the
   database holds one inbound message per 200 answered.
2. end to end: the task worker runs (`manage.py db_worker`); --probes events are posted one at a time and the
   time from the POST to the fake Graph API receiving the first answer for that person is measured.
Targets (issue 14): >= 500 events/s with p99 < 100 ms for the webhook answer; < 2 s to the outbound send.
Options: --duration (15 s), --connections (16), --workers (2), --threads (8), --probes (30).
"""

import argparse
import hashlib
import hmac
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import Request, urlopen

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-app-secret"
PAGE = "100000000000001"
SAMPLE = ROOT / ".." / "shared" / "data" / "messenger" / "webhook_message_text.json"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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
  index = id * 30000  -- each wrk thread its own events: none is posted twice
end
request = function()
  index = index % #requests + 1
  return requests[index]
end
done = function(summary, latency, requests)
  io.write(string.format("STATUS non2xx=%d\n", summary.errors.status))
end
"""


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of PID and its children processes, from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for candidate in [pid, *map(int, subprocess.run(["pgrep", "-P", str(pid)], capture_output=True,
                                                      text=True).stdout.split())]:
        try:
            fields = Path(f"/proc/{candidate}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--probes", type=int, default=30)
    options = parser.parse_args()
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
    subprocess.run([*manage, "shell", "-c",
                    "from concerto.channels.services import chat_channel_connect as c;"
                    "from concerto.core.territory.models import Organisation as O;"
                    f"c(actor=None, organisation=O.objects.get(slug='sceaux'), platform='messenger',"
                    f" external_id='{PAGE}', token='bench-token')"], env=env, check=True)
    port = _free_port()
    log = open(os.environ.get("BENCH_LOG", os.devnull), "w")  # the servers' request and task logs
    gunicorn = subprocess.Popen([str(Path(python).parent / "gunicorn"), "concerto.wsgi", "-b", f"127.0.0.1:{port}",
                                 "-k", "gthread", "-w", str(options.workers), "--threads", str(options.threads),
                                 "--preload", "--log-level", "warning"], env=env, cwd=ROOT,
                                stdout=log, stderr=log)
    worker = None
    try:
        for _attempt in range(100):
            try:
                urlopen(f"http://127.0.0.1:{port}/sante/", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        # 1. Intake.
        with tempfile.TemporaryDirectory() as folder:
            events = Path(folder) / "events.tsv"
            with events.open("w") as out:
                for number in range(60_000):
                    body = _body(f"9{number:015d}", f"m_bench_{number}")
                    out.write(f"{_sign(body)}\t{body.decode()}\n")
            script = Path(folder) / "events.lua"
            script.write_text(LUA)
            cpu_before = _cpu_seconds(gunicorn.pid)
            result = subprocess.run(["wrk", "-t", "2", "-c", str(options.connections), "-d", f"{options.duration}s",
                                     "--latency", "-s", str(script), f"http://127.0.0.1:{port}", "--", str(events)],
                                    capture_output=True, text=True, check=True)
        report = result.stdout
        cpu = _cpu_seconds(gunicorn.pid) - cpu_before
        rate = float(re.search(r"Requests/sec:\s+([\d.]+)", report)[1])
        percentiles = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", report, re.M))
        non_2xx = int(re.search(r"STATUS non2xx=(\d+)", report)[1])
        total = int(re.search(r"(\d+) requests in", report)[1])
        output = subprocess.run([*manage, "shell", "-c",
                                "from concerto.channels.models import Message as M, Participant as P;"
                                "print(M.objects.filter(direction='in').count(), P.objects.count())"],
                                env=env, capture_output=True, text=True, check=True).stdout
        check = output.strip().splitlines()[-1].split()
        print(f"intake: {rate:.0f} signed events/s over {options.duration} s ({options.connections} connections, "
              f"{options.workers} gunicorn workers x {options.threads} threads)")
        print(f"  latency p50 {percentiles.get('50')}, p90 {percentiles.get('90')}, p99 {percentiles.get('99')}; "
              f"{total} requests, {non_2xx} not 2xx")
        print(f"  application CPU: {cpu * 1000 / max(total, 1):.1f} ms per event (gunicorn's processes), so about "
              f"{max(total, 1) / max(cpu, 0.001):.0f} events/s per fully available core")
        print(f"  database: {check[0]} inbound messages, {check[1]} participants (one per event answered 200: "
              "none lost, none twice)")
        # 2. End to end, with the worker draining the queue first.
        worker = subprocess.Popen([*manage, "db_worker", "--interval", "0.05", "--no-reload"], env=env, cwd=ROOT,
                                  stdout=log, stderr=log)
        deadline, started = time.monotonic() + 600, time.monotonic()
        while time.monotonic() < deadline:
            before = len(graph.sent)
            time.sleep(2)
            if len(graph.sent) == before and (before or time.monotonic() - started > 30):
                break
        drained = len(graph.sent)
        times = []
        for number in range(options.probes):
            psid = f"8{number:015d}"
            body = _body(psid, f"m_probe_{number}")
            start = time.monotonic()
            urlopen(Request(f"http://127.0.0.1:{port}/canaux/messenger/webhook/", data=body, method="POST",
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
        print(f"worker: the intake's backlog drained ({drained} Send API calls received by the fake Graph API)")
        print(f"end to end (webhook -> worker -> fake Graph API), {len(times)} probes: "
              f"median {times[len(times) // 2] * 1000:.0f} ms, max {times[-1] * 1000:.0f} ms")
        print(f"machine load (1 min): {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    finally:
        for process in (worker, gunicorn):
            if process is not None:
                process.terminate()
                process.wait(timeout=30)
        graph.__exit__(None, None, None)
        subprocess.run(["psql", server, "-qc", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'], check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
