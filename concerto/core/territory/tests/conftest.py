import json
from pathlib import Path

import pytest

from concerto.core.territory import lookup
from concerto.testing import DEMO_BOUNDARIES, SHARED_DATA

ROOT = Path(__file__).resolve().parents[4]
SHARED_COMMUNES = SHARED_DATA / "communes"


@pytest.fixture(autouse=True)
def _fresh_lookup_index():
    # The index lives in the process; a rolled-back test must not leave its boundaries to the next one.
    lookup.index_clear()
    yield
    lookup.index_clear()


@pytest.fixture
def boundaries_collection() -> dict:
    """The committed outlines of the 130 communes, as a GeoJSON collection to alter."""
    return json.loads(DEMO_BOUNDARIES.read_text(encoding="utf-8"))


