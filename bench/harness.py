"""What the HTTP benches share (bench.ballot_intake, bench.poll_answers): a throw-away PostgreSQL database or a
cluster of the bench's own, Django set up on it, wrk's Lua script that rotates tokens and bodies and prints the
figures as one JSON line, and the CPU and load readings from /proc."""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

LUA = r"""
-- One request per call: the next token, a body from the list (rotating); args: tokens file, bodies file,
-- number of wrk threads, HTTP method (PUT by default).
local tokens, bodies = {}, {}
local counter, step, method = 0, 1, "PUT"
statuses = {}
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads - 1)
end

function init(args)
  for line in io.lines(args[1]) do tokens[#tokens + 1] = line end
  for line in io.lines(args[2]) do bodies[#bodies + 1] = line end
  step = tonumber(args[3])
  method = args[4] or "PUT"
  counter = id
end

function request()
  local index = (counter % #tokens) + 1
  local body = bodies[(counter % #bodies) + 1]
  counter = counter + step
  -- As the TLS-terminating load balancer sends it (the site trusts it with CONCERTO_BEHIND_HTTPS_PROXY=1).
  return wrk.format(method, wrk.path, {["Authorization"] = "Bearer " .. tokens[index],
                                      ["Content-Type"] = "application/json",
                                      ["X-Forwarded-Proto"] = "https"}, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local merged = {}
  for _, thread in ipairs(threads) do
    local counts = thread:get("statuses")
    for status, n in pairs(counts) do
      merged[tostring(status)] = (merged[tostring(status)] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(merged) do parts[#parts + 1] = string.format('"%s": %d', status, n) end
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d, "status": %d}, "statuses": {%s}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.timeout, summary.errors.status, table.concat(parts, ", ")))
end
"""


@contextmanager
def throwaway_database():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL database that may be dropped (the target is PostgreSQL).")
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def own_cluster(commit_delay: int, commit_siblings: int):
    """A PostgreSQL cluster of the bench's own, on a free port in a temporary folder, with durable commits
    (fsync and synchronous_commit on, as in production) and group commit tuned by COMMIT_DELAY (microseconds)
    and COMMIT_SIBLINGS: server settings that must not be changed on a cluster that others share. Sets
    DATABASE_URL for the run; yields the postmaster's pid (so that only its processes' CPU is counted)."""
    import pwd

    binaries = Path("/usr/lib/postgresql/15/bin")
    folder = Path(tempfile.mkdtemp(prefix="concerto-bench-pg-"))
    as_postgres: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        account = pwd.getpwnam("postgres")
        os.chown(folder, account.pw_uid, account.pw_gid)
        as_postgres = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    data = folder / "data"
    subprocess.run([*as_postgres, str(binaries / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
                    "-E", "UTF8", "--no-sync"], check=True, capture_output=True)
    options = (f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={folder} "
               f"-c max_connections=200 -c shared_buffers=256MB -c fsync=on -c synchronous_commit=on "
               f"-c commit_delay={commit_delay} -c commit_siblings={commit_siblings}")
    subprocess.run([*as_postgres, str(binaries / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"),
                    "-o", options, "-w", "start"], check=True, capture_output=True)
    previous = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:{port}/concerto_bench"
    try:
        yield int((data / "postmaster.pid").read_text().split()[0])
    finally:
        subprocess.run([*as_postgres, str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)
        if previous is None:
            os.environ.pop("DATABASE_URL", None)
        else:
            os.environ["DATABASE_URL"] = previous


def django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concerto.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("load_organisations", verbosity=0, stdout=open(os.devnull, "w"))


def settled_count(model) -> int:
    """The number of rows once it stops changing (the server finishes what it had accepted)."""
    from django.db import connection

    last, steady = -1, 0
    while True:
        time.sleep(1)
        count = model.objects.count()
        connection.close()
        steady = steady + 1 if count == last else 0
        if steady == 2:  # two quiet seconds: a batch held up on a loaded machine has had time to commit
            return count
        last = count


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(port: int, process, timeout: float = 60, path: str = "/api/v1/budgets/budgets/0/ballot") -> None:
    """Until the site answers an HTTP request (the workers are up, not only the listening socket)."""
    import http.client

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit("gunicorn stopped before serving")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", path)  # a 401 or a 404: cheap
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    sys.exit("gunicorn did not start")


def cpu_seconds(pids) -> float:
    """User + system CPU time of these processes (and their children), from /proc."""
    total = 0
    tick = os.sysconf("SC_CLK_TCK")
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(x) for x in fields[11:15])
    return total / tick


def children_of(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def postgres_pids(postmaster: int | None = None) -> list[int]:
    """The PostgreSQL processes: those of POSTMASTER (the bench's own cluster), else all of the machine's."""
    if postmaster is not None:
        return [postmaster, *children_of(postmaster)]
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    pids.append(int(entry.name))
            except OSError:
                pass
    return pids


def total_cpu() -> tuple[float, float]:
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    values = [int(x) for x in fields]
    idle = values[3] + values[4]
    return sum(values), idle
