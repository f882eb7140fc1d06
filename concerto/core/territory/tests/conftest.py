import json
from pathlib import Path

import pytest

from concerto.core.territory import lookup

ROOT = Path(__file__).resolve().parents[4]
SHARED_COMMUNES = ROOT / ".." / "shared" / "data" / "communes"


@pytest.fixture(autouse=True)
def _fresh_lookup_index():
    # The index lives in the process; a rolled-back test must not leave its boundaries to the next one.
    lookup.index_clear()
    yield
    lookup.index_clear()


@pytest.fixture
def shared_collection(shared_geojson) -> dict:
    return json.loads(shared_geojson.read_text(encoding="utf-8"))


