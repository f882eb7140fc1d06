"""Reports map: 1,000,000 citizen reports over the Métropole's 130 communes, the map and nearby queries.

Run from the repository root: `.venv/bin/python -m bench.reports_map [--reports N] [--queries Q] [--seed S]`.
Builds a throw-away database (a temporary SQLite file, or, when DATABASE_URL names a PostgreSQL database,
that database dropped and created again, then dropped at the end), imports the communes' boundaries, gives each
commune 8 categories, then bulk-inserts N reports (1,000,000 by default) at random points inside the communes,
as many per commune as its population suggests (Paris gets about 30 %), a realistic mix of statuses and kinds,
1 % hidden. The database triggers keep the precomputed map cells up to date during the inserts.

Then it times `queries.map_features` on Q bounding boxes (200 by default) per scenario: the whole Métropole
(zoom 10), a commune (zoom 13-14), a street (zoom 17), each without and with filters (open only; one
category), printing p50/p95/p99 and the largest number of features returned (never over 500); and Q
`queries.nearby_open` checks (50 m around a random point of a random commune, its first category).
Targets: map p99 < 50 ms, nearby p99 < 20 ms, on SQLite and PostgreSQL.
"""

import argparse
import os
import random
import secrets
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

from bench.proposals_list import insert_rows, throwaway_database

ROOT = Path(__file__).resolve().parents[1]
SHARED_GEOJSON = ROOT / ".." / "shared" / "data" / "communes" / "mgp_communes_2026.geojson"
MAP_TARGET_MS = 50
NEARBY_TARGET_MS = 20
CATEGORIES = ("Nid-de-poule", "Éclairage", "Propreté", "Tags", "Mobilier urbain", "Espaces verts",
              "Stationnement", "Bruit")
STATUSES = (("new", 20), ("acknowledged", 10), ("in_progress", 10), ("resolved", 50), ("rejected", 5),
            ("duplicate", 5))
KINDS = (("malfunction", 85), ("congratulation", 5), ("proposal", 10))


def django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concerto.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("load_organisations", verbosity=0, stdout=open(os.devnull, "w"))
    call_command("import_boundaries", str(SHARED_GEOJSON), stdout=open(os.devnull, "w"))


def random_points(geometry, count: int, rng) -> list[tuple[float, float]]:
    """COUNT uniform points (lat, lon) inside GEOMETRY, by rejection over its bounding box (vectorised)."""
    import numpy as np
    import shapely

    west, south, east, north = geometry.bounds
    shapely.prepare(geometry)
    found: list[tuple[float, float]] = []
    generator = np.random.default_rng(rng.randrange(2**32))
    while len(found) < count:
        lons = generator.uniform(west, east, count * 2 + 16)
        lats = generator.uniform(south, north, count * 2 + 16)
        inside = shapely.contains_xy(geometry, lons, lats)
        found.extend(zip(lats[inside].tolist(), lons[inside].tolist(), strict=True))
    return found[:count]


def populate(args, rng) -> dict:
    from django.db import connection, transaction
    from django.utils import timezone
    from shapely.geometry import shape

    from concerto.components.reports.models import Category, Report
    from concerto.core.territory.models import Organisation

    communes = list(Organisation.objects.communes().filter(boundary__isnull=False).order_by("insee_code"))
    total_population = sum(c.population or 1 for c in communes)
    categories = {}
    with transaction.atomic():
        created = Category.objects.bulk_create([
            Category(organisation=commune, code=f"c{position}", name=name, position=position)
            for commune in communes for position, name in enumerate(CATEGORIES)])
        for category in created:
            categories.setdefault(category.organisation_id, []).append(category.pk)
    statuses = [s for s, weight in STATUSES for _ in range(weight)]
    kinds = [k for k, weight in KINDS for _ in range(weight)]
    now = timezone.now()
    inserted = 0
    started = time.perf_counter()
    geometries = {}
    for commune in communes:
        share = round(args.reports * (commune.population or 1) / total_population)
        if commune is communes[-1]:
            share = args.reports - inserted
        geometry = shape(commune.boundary)
        geometries[commune.pk] = geometry
        rows = []
        for latitude, longitude in random_points(geometry, share, rng):
            created_at = now - timedelta(minutes=rng.randrange(0, 3 * 365 * 24 * 60))
            rows.append({
                "organisation_id": commune.pk, "category_id": rng.choice(categories[commune.pk]),
                "kind": rng.choice(kinds), "status": rng.choice(statuses), "latitude": latitude,
                "longitude": longitude, "token": secrets.token_hex(16), "created_at": created_at,
                "updated_at": created_at, "hidden_at": now if rng.random() < 0.01 else None,
            })
        # Small transactions: on PostgreSQL, the triggers update the same few cells again and again, and
        # one huge transaction would keep every old version of those rows (each update slower than the last).
        for start in range(0, len(rows), 2000):
            with transaction.atomic():
                insert_rows(Report, rows[start:start + 2000])
        inserted += len(rows)
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return {"communes": communes, "categories": categories, "geometries": geometries, "insert_seconds": seconds}


def percentiles(times: list[float]) -> tuple[float, float, float]:
    ordered = sorted(times)

    def at(fraction):
        return ordered[min(len(ordered) - 1, max(0, int(round(fraction * len(ordered))) - 1))]

    return statistics.median(ordered), at(0.95), at(0.99)


def box_around(lat: float, lon: float, zoom: int) -> tuple[float, float, float, float]:
    """The box a 1280 x 800 screen shows around (LAT, LON) at ZOOM (256 px tiles)."""
    import math

    width = 360 / 2**zoom * 1280 / 256
    height = width * 800 / 1280 * math.cos(math.radians(lat))
    return lon - width / 2, lat - height / 2, lon + width / 2, lat + height / 2


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)

    with throwaway_database() as database:
        started = time.perf_counter()
        django_setup()
        data = populate(args, rng)
        built = time.perf_counter() - started
        from django.db import connection

        from concerto.components.reports import queries
        from concerto.components.reports.models import Report, ReportMapCell

        communes, categories = data["communes"], data["categories"]
        print(f"Reports map on {database}: {Report.objects.count():,} reports "
              f"({ReportMapCell.objects.count():,} precomputed cells), built in {built:.0f} s "
              f"(inserts {data['insert_seconds']:.0f} s); load average {os.getloadavg()[0]:.2f}")
        metropole_box = (2.07, 48.68, 2.65, 49.02)

        def random_place():
            commune = rng.choice(communes)
            lat, lon = random_points(data["geometries"][commune.pk], 1, rng)[0]
            return commune, lat, lon

        def scenario_boxes(kind):
            for _ in range(args.queries):
                commune, lat, lon = random_place()
                if kind == "metropole":
                    west, south, east, north = metropole_box
                    jitter = rng.uniform(-0.02, 0.02)
                    yield commune, (west + jitter, south + jitter, east + jitter, north + jitter), 10
                elif kind == "commune":
                    west, south, east, north = data["geometries"][commune.pk].bounds
                    zoom = 13 if east - west > 0.05 else 14
                    yield commune, (west, south, east, north), zoom
                else:
                    yield commune, box_around(lat, lon, 17), 17

        results = []
        for kind in ("metropole", "commune", "street"):
            for label in ("no filter", "open only", "one category"):
                times, most = [], 0
                for commune, box, zoom in scenario_boxes(kind):
                    filters = {"open only": {"status": "open"},
                               "one category": {"category": [categories[commune.pk][0]]}}.get(label, {})
                    organisation_ids = None if kind == "metropole" else [commune.pk]
                    begin = time.perf_counter()
                    result = queries.map_features(organisation_ids=organisation_ids, bbox=box, zoom=zoom,
                                                  filters=filters)
                    times.append((time.perf_counter() - begin) * 1000)
                    most = max(most, len(result["features"]))
                results.append((f"map {kind}, {label}", *percentiles(times), most))

        times, found = [], 0
        for _ in range(args.queries):
            commune, lat, lon = random_place()
            begin = time.perf_counter()
            nearby = queries.nearby_open(category=categories[commune.pk][0], latitude=lat, longitude=lon)
            times.append((time.perf_counter() - begin) * 1000)
            found += len(nearby)
        nearby_figures = percentiles(times)
        connection.close()

    print(f"  {'scenario':<34} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'features':>9}")
    worst_map = 0.0
    for name, p50, p95, p99, most in results:
        print(f"  {name:<34} {p50:8.1f} {p95:8.1f} {p99:8.1f} {most:9d}")
        worst_map = max(worst_map, p99)
    p50, p95, p99 = nearby_figures
    print(f"  {'nearby open, 50 m':<34} {p50:8.1f} {p95:8.1f} {p99:8.1f} {found / args.queries:9.1f} (mean found)")
    ok = worst_map < MAP_TARGET_MS and p99 < NEARBY_TARGET_MS
    print(f"  targets: map p99 < {MAP_TARGET_MS} ms (worst {worst_map:.1f}), nearby p99 < {NEARBY_TARGET_MS} ms "
          f"({p99:.1f}): {'met' if ok else 'NOT met'}; load average {os.getloadavg()[0]:.2f}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
