"""`manage.py pb_count FILE --rule ...`: the selected ids as one JSON list on stdout, exit 2 on errors."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from concerto.testing import SHARED_DATA

ROOT = Path(__file__).resolve().parents[4]
DATA = SHARED_DATA / "pabulib"
ASSEN = DATA / "Netherlands_Assen_2024.pb"
ZURICH = DATA / "Switzerland_Zurich_S5R.pb"
GDANSK = DATA / "Poland_Gdansk_2020_Rudniki.pb"
needs_data = pytest.mark.skipif(not ASSEN.exists(), reason="no pabulib files in ../shared/data/pabulib")


def run_command(*args):
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command("pb_count", *args, stdout=out, stderr=err)
    except SystemExit as exit:
        code = exit.code
    return code, out.getvalue(), err.getvalue()


@needs_data
def test_prints_the_official_assen_winners_as_one_json_list():
    code, out, err = run_command(str(ASSEN), "--rule", "mes")
    assert code == 0 and err == ""
    assert json.loads(out) == ["3", "9", "11", "2", "13", "14", "5", "6", "12"]


@needs_data
def test_greedy_on_cumulative_ballots_is_counted():
    code, out, _ = run_command(str(GDANSK), "--rule", "greedy")
    assert code == 0 and json.loads(out) == ["1"]


@needs_data
@pytest.mark.parametrize("path,rule,message", [
    (ZURICH, "greedy", "ordinal"),
    (GDANSK, "mes", "parts égales"),
    (GDANSK, "mes-fixed", "parts égales"),
])
def test_a_ballot_kind_the_rule_cannot_count_exits_2(path, rule, message):
    code, out, err = run_command(str(path), "--rule", rule)
    assert (code, out) == (2, "")
    assert message in err


def test_an_unreadable_file_exits_2(tmp_path):
    code, out, err = run_command(str(tmp_path / "missing.pb"), "--rule", "greedy")
    assert (code, out) == (2, "") and "Impossible de lire" in err


def test_a_malformed_file_exits_2_with_the_line(tmp_path):
    path = tmp_path / "bad.pb"
    path.write_text("META\nkey;value\nbudget;100\nvote_type;approval\nPROJECTS\nproject_id;cost\n1;abc\n"
                    "VOTES\nvoter_id;vote\n1;1\n", encoding="utf-8")
    code, out, err = run_command(str(path), "--rule", "mes")
    assert (code, out) == (2, "") and "Ligne 7" in err


@needs_data
def test_from_a_shell_stdout_is_exactly_the_json_list():
    result = subprocess.run([sys.executable, "manage.py", "pb_count", str(DATA / "Poland_Swiecie_2023.pb"),
                             "--rule", "mes"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    official = ["c12", "c10", "c20", "c21", "c2", "c13", "c3", "c1", "c9", "c11", "c4", "c7", "c19", "c5", "c17",
                "c18", "c14"]
    assert result.stdout == json.dumps(official) + "\n"


@needs_data
def test_from_a_shell_an_unsupported_file_exits_2_without_traceback():
    result = subprocess.run([sys.executable, "manage.py", "pb_count", str(ZURICH), "--rule", "mes"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert (result.returncode, result.stdout) == (2, "")
    assert "ordinal" in result.stderr and "Traceback" not in result.stderr


@needs_data
def test_from_a_shell_the_count_needs_no_django_settings():
    """manage.py hands pb_count to the engine's command line before Django starts: no settings are read."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "no.such.settings"}
    result = subprocess.run([sys.executable, "manage.py", "pb_count", str(ASSEN), "--rule", "mes"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120, env=env)
    assert (result.returncode, result.stderr) == (0, "")
    assert json.loads(result.stdout) == ["3", "9", "11", "2", "13", "14", "5", "6", "12"]


def test_from_a_shell_errors_are_in_french_and_exit_2(tmp_path):
    path = tmp_path / "bad.pb"
    path.write_text("META\nkey;value\nbudget;100\nvote_type;approval\nPROJECTS\nproject_id;cost\n1;abc\n"
                    "VOTES\nvoter_id;vote\n1;1\n", encoding="utf-8")
    for args, expected in (([str(path)], "Ligne 7"), ([str(tmp_path / "missing.pb")], "Impossible de lire"),
                           ([str(path), "--rule", "best"], "invalid choice")):
        result = subprocess.run([sys.executable, "manage.py", "pb_count", *args], cwd=ROOT, capture_output=True,
                                text=True, timeout=120)
        assert (result.returncode, result.stdout) == (2, "") and expected in result.stderr
        assert "Traceback" not in result.stderr
