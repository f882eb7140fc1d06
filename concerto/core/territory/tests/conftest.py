import json
from pathlib import Path

import pytest
from django.core.management import call_command

from concerto.core.territory import lookup

ROOT = Path(__file__).resolve().parents[4]
SHARED_COMMUNES = ROOT / ".." / "shared" / "data" / "communes"
SHARED_GEOJSON = SHARED_COMMUNES / "mgp_communes_2026.geojson"


@pytest.fixture(autouse=True)
def _fresh_lookup_index():
    # The index lives in the process; a rolled-back test must not leave its boundaries to the next one.
    lookup.index_clear()
    yield
    lookup.index_clear()


@pytest.fixture
def shared_geojson() -> Path:
    if not SHARED_GEOJSON.exists():
        pytest.skip(f"the shared reference data is absent ({SHARED_GEOJSON.resolve()})")
    return SHARED_GEOJSON


@pytest.fixture
def shared_collection(shared_geojson) -> dict:
    return json.loads(shared_geojson.read_text(encoding="utf-8"))


@pytest.fixture
def boundaries(db, shared_geojson):
    """The 130 communes' boundaries, imported from the shared GeoJSON file."""
    call_command("import_boundaries", str(shared_geojson), stdout=open("/dev/null", "w"))
