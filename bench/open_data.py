"""Open data at Métropole scale: every dataset of every scope written again, and the DCAT catalogue from cache.

Run from the repository root: `.venv/bin/python -m bench.open_data [--reports N] [--proposals P] [--requests R]`.
Builds a throw-away database (a temporary SQLite file, or, when DATABASE_URL names a PostgreSQL database, that
database dropped and created again, then dropped at the end) with the communes and their boundaries, a published
reports service in each of the 130 communes with N reports between them (1,000,000 by default, as many per commune
as its population suggests: bench.reports_map's rows) and Sceaux's proposals space with P proposals (100,000 by
default: bench.proposals_list's rows, supports and comments).

Then, in a process of its own (so that its peak memory is the writing's, not the loading's), it runs the nightly job
(`opendata.files.generate_all`: every dataset of the Métropole, of each territory and of each commune, in CSV, JSON
and GeoJSON), and prints its time, the rows and bytes written and the peak resident memory (its VmHWM).
Targets (issue 16): < 10 minutes and < 300 MB peak.

Last, R requests for `/donnees/catalogue.jsonld` and `.ttl` through Django's test client once the catalogue is in
the cache (the first request builds it: timed apart), with p50/p95/p99. Target: < 50 ms from cache.
"""

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import timedelta

from bench.proposals_list import throwaway_database
from bench.reports_map import percentiles

WRITE_TARGET_SECONDS = 600
PEAK_TARGET_MB = 300
CATALOGUE_TARGET_MS = 50

WRITER = """
import os, sys, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concerto.settings")
import django
django.setup()
from concerto.core.opendata import files
started = time.perf_counter()
written = files.generate_all()
seconds = time.perf_counter() - started
# VmHWM: this process's own peak (ru_maxrss would also count the parent's pages copied at the fork, before exec).
peak_kb = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(f"{written} {seconds:.3f} {peak_kb}")
"""


def setup(args) -> dict:
    """The communes with their boundaries, a reports service in each, the reports, Sceaux's proposals."""
    from django.db import transaction
    from django.utils import timezone

    from bench import proposals_list, reports_map
    from concerto.core.spaces.models import Component, Space
    from concerto.core.territory.models import Organisation

    reports_map.django_setup()
    today = timezone.localdate()
    now = timezone.now()
    with transaction.atomic():
        for commune in Organisation.objects.communes().filter(boundary__isnull=False):
            space = Space.objects.create(organisation=commune, title="Signalements", slug="signalements",
                                         description="Banc d'essai.", status="published", published_at=now,
                                         start_date=today - timedelta(days=3 * 365))
            Component.objects.create(space=space, kind="reports", title="Signaler", published=True)
    started = time.perf_counter()
    reports_map.populate(args, random.Random(args.seed))
    proposals_list.populate(args)
    return {"load_seconds": time.perf_counter() - started}


def write_all() -> dict:
    """The nightly job in a child process: its time, the datasets written, and its own peak memory."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", WRITER], capture_output=True, text=True, env=os.environ.copy())
    wall = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"The writing failed:\n{done.stderr[-3000:]}")
    written, seconds, peak_kb = done.stdout.split()[-3:]
    return {"datasets": int(written), "seconds": float(seconds), "wall": wall, "peak_mb": int(peak_kb) / 1024}


def catalogue_times(requests: int) -> dict:
    from django.test import Client

    from concerto.core.opendata.models import OpenDataFile

    client = Client()
    started = time.perf_counter()
    first = client.get("/donnees/catalogue.jsonld")
    built = time.perf_counter() - started
    assert first.status_code == 200, first.status_code
    figures = {"build_ms": built * 1000, "bytes": len(first.content),
               "files": OpenDataFile.objects.count(),
               "rows": sum(OpenDataFile.objects.filter(format="csv").values_list("rows", flat=True)),
               "file_bytes": sum(OpenDataFile.objects.values_list("size", flat=True))}
    for fmt in ("jsonld", "ttl"):
        times = []
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get(f"/donnees/catalogue.{fmt}")
            times.append(time.perf_counter() - started)
            assert response.status_code == 200, response.status_code
        figures[fmt] = percentiles(times)
    return figures


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--proposals", type=int, default=100_000)
    parser.add_argument("--supports", type=int, default=200_000)
    parser.add_argument("--comments", type=int, default=20_000)
    parser.add_argument("--users", type=int, default=5_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concerto.settings")
    os.environ.setdefault("CONCERTO_TASKS_IMMEDIATE", "1")

    with tempfile.TemporaryDirectory(prefix="concerto-bench-opendata-") as private, throwaway_database() as database:
        os.environ["CONCERTO_PRIVATE_ROOT"] = private  # the files written, thrown away at the end
        import django

        django.setup()
        loaded = setup(args)
        from django.conf import settings

        settings.DEBUG = False
        print(f"Open data: {database}, {args.reports:,} reports in 130 communes, {args.proposals:,} proposals in "
              f"Sceaux (loaded in {loaded['load_seconds']:.0f} s); load average {os.getloadavg()[0]:.1f} "
              f"on {os.cpu_count()} CPUs")
        written = write_all()
        catalogue = catalogue_times(args.requests)

    minutes = written["seconds"] / 60
    print(f"Every dataset of every scope written: {written['datasets']} datasets, {catalogue['files']} files, "
          f"{catalogue['rows']:,} CSV rows, {catalogue['file_bytes'] / 1e6:,.0f} MB")
    print(f"  time {written['seconds']:.1f} s ({minutes:.1f} min; target < {WRITE_TARGET_SECONDS // 60} min: "
          f"{'met' if written['seconds'] < WRITE_TARGET_SECONDS else 'NOT met'}), process {written['wall']:.1f} s")
    print(f"  peak resident memory {written['peak_mb']:.0f} MB (target < {PEAK_TARGET_MB} MB: "
          f"{'met' if written['peak_mb'] < PEAK_TARGET_MB else 'NOT met'})")
    print(f"Catalogue: built in {catalogue['build_ms']:.0f} ms ({catalogue['bytes'] / 1e3:.0f} kB of JSON-LD), then "
          f"from the cache over {args.requests} requests each:")
    worst = 0.0
    for fmt in ("jsonld", "ttl"):
        p50, p95, p99 = (value * 1000 for value in catalogue[fmt])
        worst = max(worst, p99)
        print(f"  .{fmt}: p50 {p50:.1f} ms, p95 {p95:.1f} ms, p99 {p99:.1f} ms")
    print(f"  target p99 < {CATALOGUE_TARGET_MS} ms: {'met' if worst < CATALOGUE_TARGET_MS else 'NOT met'}")
    print(f"Load average after: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
