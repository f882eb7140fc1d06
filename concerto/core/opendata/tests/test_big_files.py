"""A big dataset is written with the memory flat: the rows are read in chunks and written to temporary files, so
four times the rows take no more memory. OPENDATA_BENCH_ROWS=1000000 gives the bench's figure."""

import os
import time
import tracemalloc

import pytest

from concerto.components.reports.models import Category, Report
from concerto.core.opendata import datasets, files
from concerto.testing import ComponentFactory, SpaceFactory

pytestmark = pytest.mark.django_db


def _reports(sceaux, count: int) -> None:
    category = Category.objects.get_or_create(organisation=sceaux, code="voirie", defaults={"name": "Voirie"})[0]
    batch = [Report(organisation=sceaux, category=category, latitude=48.77 + i * 1e-7, longitude=2.29,
                    description=f"Signalement {i}", address="Rue Houdan") for i in range(count)]
    Report.objects.bulk_create(batch, batch_size=5000)


def _peak_of_writing(sceaux) -> tuple[int, float, int]:
    published = datasets.dataset_get("signalements")
    if os.environ.get("OPENDATA_BENCH_ROWS"):  # the bench's time, without tracemalloc's overhead
        started = time.perf_counter()
        files.generate(published, sceaux)
        print(f"\nWritten without tracemalloc in {time.perf_counter() - started:.1f} s")
    tracemalloc.start()
    started = time.perf_counter()
    written = files.generate(published, sceaux)
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak, elapsed, written[0].rows


def test_writing_four_times_the_rows_takes_no_more_memory(sceaux):
    ComponentFactory(space=SpaceFactory(organisation=sceaux, slug="signaler"), kind="reports", title="Signaler")
    base = int(os.environ.get("OPENDATA_BENCH_ROWS", "10000")) // 4  # above the 2,000 rows read at once
    _reports(sceaux, base)
    small_peak, _elapsed, rows = _peak_of_writing(sceaux)
    assert rows == base
    _reports(sceaux, base * 3)
    big_peak, elapsed, rows = _peak_of_writing(sceaux)
    assert rows == base * 4
    print(f"\n{rows} reports written in CSV, JSON and GeoJSON in {elapsed:.1f} s; Python peak "
          f"{big_peak / 1e6:.1f} MB (a quarter of the rows: {small_peak / 1e6:.1f} MB)")
    assert big_peak < small_peak * 1.5 + 2_000_000
