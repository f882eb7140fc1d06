import csv
import importlib.util

import pytest

from concerto.core.territory.services import COMMUNES_TABLE
from concerto.core.territory.tests.conftest import ROOT, SHARED_COMMUNES

SHARED_TABLE = SHARED_COMMUNES / "mgp_communes_ept_2026.csv"
PACKAGE = ROOT / "tools" / "node_modules" / "@etalab" / "decoupage-administratif"


def rows(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_committed_table_matches_the_checked_shared_copy():
    if not SHARED_TABLE.exists():
        pytest.skip(f"the shared reference table is absent ({SHARED_TABLE.resolve()})")
    assert rows(COMMUNES_TABLE) == rows(SHARED_TABLE)


def test_committed_table_lists_130_communes_in_12_territories_without_pierrefitte():
    table = rows(COMMUNES_TABLE)
    assert len(table) == 130
    assert len({row["insee"] for row in table}) == 130
    assert {row["ept_num"] for row in table} == {f"T{n}" for n in range(1, 13)}
    assert "93059" not in {row["insee"] for row in table}
    saint_denis = next(row for row in table if row["insee"] == "93066")
    assert "93200" in saint_denis["codes_postaux"].split()


def test_build_script_reproduces_the_committed_table(tmp_path):
    if not PACKAGE.exists():
        pytest.skip("npm package absent: run `npm ci --prefix tools` to check the table's build")
    spec = importlib.util.spec_from_file_location("build_table", ROOT / "tools" / "build_communes_table.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    output = tmp_path / "communes.csv"

    assert script.main(["--output", str(output)]) == 0

    assert output.read_bytes() == COMMUNES_TABLE.read_bytes()
