"""More than one machine, on one: a vote burst through HAProxy while an app server, then the PostgreSQL replica,
are killed (bench/cluster_burst.py drives it and reports). Nothing acknowledged is lost or doubled, and pages
keep answering.

Runs in the PostgreSQL run, when PostgreSQL 15's server binaries, HAProxy and gunicorn are on the machine; on CI
(CI=true) a missing one fails the test rather than skipping it."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[3]
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


def missing_engines() -> list[str]:
    missing = []
    if not (PG_BIN / "initdb").exists() or not (PG_BIN / "pg_basebackup").exists():
        missing.append(f"PostgreSQL 15 server binaries in {PG_BIN} (apt-get install postgresql-15)")
    if not shutil.which("haproxy"):
        missing.append("haproxy (apt-get install haproxy)")
    if not Path(sys.executable).with_name("gunicorn").exists():
        missing.append("gunicorn in the virtualenv")
    return missing


@pytest.mark.cluster
def test_a_vote_burst_survives_the_loss_of_an_app_server_and_of_the_replica():
    if connection.vendor != "postgresql":
        pytest.skip("the cluster test runs in the PostgreSQL run")
    missing = missing_engines()
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail("the cluster test needs " + ", ".join(missing))
        pytest.skip("needs " + ", ".join(missing))
    run = subprocess.run([sys.executable, "-m", "bench.cluster_burst", "--voters", "12000", "--duration", "21",
                          "--voting-threads", "12", "--readers", "3", "--redis-db",
                          os.environ.get("CONCERTO_CLUSTER_REDIS_DB", "8")],
                         cwd=ROOT, capture_output=True, text=True, timeout=400,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    lines = [line for line in run.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, run.stdout[-3000:] + run.stderr[-3000:]
    print(run.stdout)
    result = json.loads(lines[-1][len("RESULT "):])
    check = result["check"]
    # Every acknowledged ballot is in the primary, once, with the projects sent.
    assert check["acknowledged"] > 0
    assert (check["lost"], check["duplicated"], check["wrong_choices"]) == (0, 0, 0), check
    assert check["ballots"] == check["acknowledged"] + check["unacknowledged_in_database"]
    phases = result["phases"]
    for phase in phases:
        # Votes and pages kept being served in every phase: after the app server died, after the replica died.
        assert phase["ballots"]["ok"] > 0, phase
        assert phase["pages"]["ok"] > 0, phase
    # Once HAProxy took the dead server out and the replica was left aside, nothing fails.
    assert phases[2]["ballots"]["errors"] == {} and phases[2]["pages"]["errors"] == {}, phases[2]
