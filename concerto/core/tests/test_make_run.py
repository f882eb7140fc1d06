"""`make run`: Ctrl+C stops the server, the worker and the clock once, and PORT reaches the site URL that emails
and iCalendar links use. The project's Makefile runs in a copy whose Python is a stand-in that logs what it was
asked to run and waits like a server would."""

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

MAKEFILE = Path(__file__).resolve().parents[3] / "Makefile"

FAKE_PYTHON = """#!/bin/sh
echo "$$ $2 $CONCERTO_SITE_URL" >> "$(dirname "$0")/../../calls.log"
case "$2" in db_worker|run_periodic|runserver) exec sleep 30;; esac
"""

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def make_run(tmp_path: Path, env: dict, *args: str) -> tuple[subprocess.Popen, dict]:
    shutil.copy(MAKEFILE, tmp_path / "Makefile")
    # What the install depends on (the Makefile's .installed rule), older than the stand-in install below.
    for name in ("pyproject.toml", "setup.py", "concerto/components/budgets/counting/_mes.c"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).touch()
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    python = tmp_path / ".venv" / "bin" / "python"
    python.write_text(FAKE_PYTHON)
    python.chmod(0o755)
    (tmp_path / ".venv" / ".installed").touch()
    # Its own session, as a terminal's foreground job: Ctrl+C signals that whole process group.
    make = subprocess.Popen(["make", "run", *args], cwd=tmp_path, env=env, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    log = tmp_path / "calls.log"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not (log.exists() and "runserver" in log.read_text()):
        time.sleep(0.05)
    time.sleep(0.3)  # the worker and the clock are already started; let the shell reach its wait
    # One line a call: the process id, the command, the site URL it was given (empty when none).
    calls = {line.split(" ")[1]: line.split(" ") for line in log.read_text().splitlines()}
    return make, calls


def running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def environment(**extra) -> dict:
    env = {key: value for key, value in os.environ.items() if key != "CONCERTO_SITE_URL"}
    env.pop("MAKEFLAGS", None)
    return {**env, **extra}


def test_ctrl_c_stops_server_worker_and_clock_once_without_a_crash(tmp_path):
    make, calls = make_run(tmp_path, environment(), "PORT=8765")
    try:
        os.killpg(make.pid, signal.SIGINT)
        _, stderr = make.communicate(timeout=15)
    finally:
        with_leftovers = [int(calls[name][0]) for name in ("db_worker", "run_periodic", "runserver")
                          if name in calls and running(int(calls[name][0]))]
        for pid in with_leftovers:
            os.kill(pid, signal.SIGKILL)
    assert "Segmentation fault" not in stderr and "Terminated" not in stderr
    assert set(calls) == {"migrate", "load_demo", "db_worker", "run_periodic", "runserver"}
    assert with_leftovers == []


def test_the_site_url_follows_host_and_port(tmp_path):
    make, calls = make_run(tmp_path, environment(), "HOST=0.0.0.0", "PORT=8765")
    os.killpg(make.pid, signal.SIGINT)
    make.communicate(timeout=15)
    assert {call[2] for call in calls.values()} == {"http://0.0.0.0:8765"}


def test_a_site_url_set_in_the_environment_wins_over_host_and_port(tmp_path):
    make, calls = make_run(tmp_path, environment(CONCERTO_SITE_URL="https://concerto.example.org"), "PORT=8765")
    os.killpg(make.pid, signal.SIGINT)
    make.communicate(timeout=15)
    assert {call[2] for call in calls.values()} == {"https://concerto.example.org"}
