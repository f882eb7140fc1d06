"""Point -> commune lookup: 10,000 random points in the Métropole's bounding box.

Run from the repository root: `.venv/bin/python -m bench.point_lookup [--points N] [--seed S]`.
Sets Django up on a throw-away SQLite database, loads the organisations and the boundaries of
../shared/data/communes/mgp_communes_2026.geojson (or --geojson FILE), then times:
- `communes_at(points)` (one bulk call), and `commune_at(lon, lat)` called once per point;
- the naive reference, measured in the same run: shapely `contains` over every commune polygon in a loop.
Both must give the same answers. The target is 10,000 lookups in under one second.

The shared file is simplified (about 100 vertices a commune); `--segmentize 0.0005` adds vertices every
~50 m, closer to full-resolution IGN Admin Express, where the naive loop falls far behind.
"""

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED_GEOJSON = ROOT / ".." / "shared" / "data" / "communes" / "mgp_communes_2026.geojson"


def django_setup(database: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concerto.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("load_organisations", verbosity=0, stdout=open(os.devnull, "w"))


def naive_reference(points, communes):
    """What one would write first: test every commune polygon, one point at a time."""
    from shapely.geometry import Point, shape

    polygons = [(org.insee_code, shape(org.boundary)) for org in communes]
    answers = []
    for lon, lat in points:
        point = Point(lon, lat)
        answers.append(next((code for code, polygon in polygons if polygon.contains(point)), None))
    return answers


def segmentized_copy(source: Path, max_length: float, target: Path) -> Path:
    import shapely
    from shapely.geometry import mapping, shape

    collection = json.loads(source.read_text(encoding="utf-8"))
    for feature in collection["features"]:
        feature["geometry"] = mapping(shapely.segmentize(shape(feature["geometry"]), max_length))
    target.write_text(json.dumps(collection), encoding="utf-8")
    return target


def timed(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - start


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--geojson", type=Path, default=SHARED_GEOJSON)
    parser.add_argument("--segmentize", type=float, default=0.0,
                        help="add vertices so that no edge is longer than this many degrees")
    args = parser.parse_args(argv)
    if not args.geojson.exists():
        print(f"No boundaries file at {args.geojson}: pass --geojson FILE.", file=sys.stderr)
        return 2

    with tempfile.TemporaryDirectory(prefix="concerto-bench-") as folder:
        django_setup(Path(folder) / "bench.sqlite3")
        import shapely
        from django.core.management import call_command

        from concerto.core.territory import lookup
        from concerto.core.territory.models import Organisation

        geojson = args.geojson
        if args.segmentize:
            geojson = segmentized_copy(args.geojson, args.segmentize, Path(folder) / "detailed.geojson")
        call_command("import_boundaries", str(geojson), verbosity=0, stdout=open(os.devnull, "w"))
        communes = list(Organisation.objects.communes().filter(boundary__isnull=False).order_by("insee_code"))
        shapes = [shapely.geometry.shape(c.boundary) for c in communes]
        west, south, east, north = shapely.total_bounds(shapes)
        vertices = int(shapely.get_num_coordinates(shapes).sum())
        rng = random.Random(args.seed)
        points = [(rng.uniform(west, east), rng.uniform(south, north)) for _ in range(args.points)]

        lookup.index_clear()
        _, build_seconds = timed(lookup.is_available)
        bulk, bulk_seconds = timed(lookup.communes_at, points)
        single, single_seconds = timed(lambda: [lookup.commune_at(lon, lat) for lon, lat in points])
        reference, reference_seconds = timed(naive_reference, points, communes)

        codes_bulk = [org.insee_code if org else None for org in bulk]
        codes_single = [org.insee_code if org else None for org in single]
        mismatches = sum(a != b for a, b in zip(codes_bulk, reference, strict=True))
        mismatches += sum(a != b for a, b in zip(codes_single, reference, strict=True))
        inside = sum(code is not None for code in reference)

    n = args.points
    print(f"Point -> commune lookup, {n:,} random points in the bounding box "
          f"({west:.4f}, {south:.4f}, {east:.4f}, {north:.4f}), seed {args.seed}")
    print(f"  communes with a boundary   {len(communes)} (~{vertices:,} vertices)")
    print(f"  points inside a commune    {inside:,} ({inside / n:.0%}); outside: {n - inside:,}")
    print(f"  index build                {build_seconds * 1000:10.1f} ms")
    rows = [("communes_at (one bulk call)", bulk_seconds), ("commune_at (one call/point)", single_seconds),
            ("naive reference (contains)", reference_seconds)]
    print(f"  {'method':<28} {'total s':>10} {'lookups/s':>12} {'vs naive':>10}")
    for name, seconds in rows:
        print(f"  {name:<28} {seconds:10.3f} {n / seconds:12,.0f} {reference_seconds / seconds:9.1f}x")
    print(f"  answers differing from the reference: {mismatches}")
    verdict = "OK" if bulk_seconds < 1 and single_seconds < 1 and not mismatches else "FAIL"
    print(f"  target: {n:,} lookups in under 1 s, same answers as the reference: {verdict}")
    return 0 if verdict == "OK" else 1


if __name__ == "__main__":
    sys.exit(main())
