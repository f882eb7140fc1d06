"""A person's feed (/mon-fil/) with 1,000,000 feed entries in the database, for someone following 50 things.

Run from the repository root: `.venv/bin/python -m bench.feed_page [--entries N] [--requests N]`, on the
throw-away database of bench.proposals_list (a temporary SQLite file, or the PostgreSQL database DATABASE_URL
names, dropped and created again). The entries are spread over the 130 communes, a space in each, two years and
four kinds; each belongs to its space, its commune, its territory and the Métropole (4 target rows), and a
quarter of them have a point (the reports). The person follows 20 communes, 5 territories, 20 spaces, the
Métropole, and 4 places (1 km around points of the Métropole): 50 things. Through Django's test client (the
whole stack), N requests each: the page (first page, a page one year back, filtered on a kind), the Atom feed
and the API. Target: p95 < 100 ms for the page.
"""

import argparse
import os
import statistics
import sys
import time

from bench.proposals_list import django_setup, measure, throwaway_database

TARGET_MS = 100
KINDS = ("news.published", "events.published", "reports.created", "space.published")


def populate(entries: int) -> dict:
    """Spaces, entries and their targets by INSERT ... SELECT over a series of numbers (seconds, not minutes)."""
    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction
    from django.utils import timezone

    from concerto.core.participation.models import FeedEntry, FeedEntryTarget, Follow, FollowedPlace
    from concerto.core.spaces.models import Space
    from concerto.core.territory.models import Organisation

    now = timezone.now()
    communes = list(Organisation.objects.communes().order_by("pk"))
    metropole = Organisation.objects.get(parent__isnull=True)
    with transaction.atomic():
        spaces = Space.objects.bulk_create([
            Space(organisation=commune, title=f"Concertation de {commune.name}", slug="concertation",
                  status="published", published_at=now, start_date=now.date(), end_date=now.date())
            for commune in communes])
        user = get_user_model().objects.create_user(email="lectrice@bench.test", password="bench")
        org_type = ContentType.objects.get_for_model(Organisation)
        space_type = ContentType.objects.get_for_model(Space)
        with connection.cursor() as cursor:
            cursor.execute("CREATE TEMPORARY TABLE bench_commune (idx integer, org integer, parent integer, "
                           "space integer)")
            cursor.executemany("INSERT INTO bench_commune VALUES (%s, %s, %s, %s)",
                               [(n, c.pk, c.parent_id or metropole.pk, s.pk)
                                for n, (c, s) in enumerate(zip(communes, spaces, strict=True))])
            series = ("generate_series(1, %s) AS n(i)" if connection.vendor == "postgresql" else
                      "(WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %s) "
                      "SELECT i FROM n) AS n")
            entry, target = FeedEntry._meta.db_table, FeedEntryTarget._meta.db_table
            count = len(communes)
            kinds = " ".join(f"WHEN {k} THEN '{kind}'" for k, kind in enumerate(KINDS))
            # One entry a minute back in time; every fourth (the reports) placed somewhere in the Métropole.
            stamp = ("%s - (n.i * INTERVAL '1 minute')" if connection.vendor == "postgresql"
                     else "strftime('%%Y-%%m-%%d %%H:%%M:%%f', %s, '-' || n.i || ' minutes')")
            cursor.execute(
                f"INSERT INTO {entry} (kind, title, summary, url, organisation_id, space_id, source_type_id, "
                f"source_id, published_at, latitude, longitude) "
                f"SELECT CASE n.i %% 4 {kinds} END, 'Entrée ' || n.i, 'Résumé de l''entrée', '/sceaux/', c.org, "
                f"c.space, %s, n.i, {stamp}, "
                f"CASE WHEN n.i %% 4 = 2 THEN 48.76 + (((n.i %% 100000) * 7919) %% 18000) / 100000.0 END, "
                f"CASE WHEN n.i %% 4 = 2 THEN 2.21 + (((n.i %% 10000) * 104729) %% 32000) / 100000.0 END "
                f"FROM {series} JOIN bench_commune c ON c.idx = n.i %% {count}",
                [space_type.pk, now if connection.vendor == "postgresql" else now.strftime("%Y-%m-%d %H:%M:%S"),
                 entries])
            section = ("split_part(e.kind, '.', 1)" if connection.vendor == "postgresql"
                       else "substr(e.kind, 1, instr(e.kind, '.') - 1)")
            for type_id, column in ((org_type.pk, "c.org"), (org_type.pk, "c.parent"), (space_type.pk, "c.space")):
                cursor.execute(
                    f"INSERT INTO {target} (entry_id, target_type_id, target_id, published_at, section) "
                    f"SELECT e.id, %s, {column}, e.published_at, {section} FROM {entry} e "
                    f"JOIN bench_commune c ON c.space = e.space_id", [type_id])
            cursor.execute(f"INSERT INTO {target} (entry_id, target_type_id, target_id, published_at, section) "
                           f"SELECT e.id, %s, %s, e.published_at, {section} FROM {entry} e "
                           f"JOIN bench_commune c ON c.space = e.space_id WHERE c.parent <> %s",
                           [org_type.pk, metropole.pk, metropole.pk])
            cursor.execute("ANALYZE")
        territories = list(Organisation.objects.territories().order_by("pk")[:5])
        followed = [*communes[::6][:20], *territories, *spaces[3::6][:20], metropole]
        Follow.objects.bulk_create([Follow(user=user, target_type=ContentType.objects.get_for_model(t),
                                           target_id=t.pk) for t in followed])
        FollowedPlace.objects.bulk_create([
            FollowedPlace(user=user, label=f"Lieu {n}", latitude=lat, longitude=lng, radius=1000)
            for n, (lat, lng) in enumerate([(48.7787, 2.2905), (48.8566, 2.3522), (48.8610, 2.4430),
                                            (48.9362, 2.3574)])])
    return {"user": user, "follows": len(followed) + 4, "entries": FeedEntry.objects.count(),
            "targets": FeedEntryTarget.objects.count()}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args(argv)
    os.environ.setdefault("CONCERTO_TASKS_IMMEDIATE", "1")
    os.environ.setdefault("CONCERTO_DB_CONN_MAX_AGE", "60")
    with throwaway_database() as database:
        started = time.perf_counter()
        django_setup()
        from django.conf import settings
        from django.test import Client

        from concerto.core.accounts.services import api_token_create
        from concerto.core.participation import feed

        data = populate(args.entries)
        built = time.perf_counter() - started
        settings.DEBUG = False
        client = Client()
        client.force_login(data["user"])
        year_back = feed.feed_page(user=data["user"], size=1)
        stamp = year_back.entries[0].published_at.replace(year=year_back.entries[0].published_at.year - 1)
        token = feed.feed_token_for(user=data["user"])
        _row, key = api_token_create(user=data["user"], name="bench")
        api = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
        scenarios = [
            ("page, first", client, "/mon-fil/"),
            ("page, a year back", client, f"/mon-fil/?avant={stamp.isoformat()}_{2**31 - 1}"),
            ("page, events only", client, "/mon-fil/?type=events"),
            ("Atom feed (50 entries)", client, f"/mon-fil/atom/{token}/"),
            ("API /me/feed", api, "/api/v1/me/feed"),
        ]
        results = [(name, *measure(who, url, args.requests)) for name, who, url in scenarios]
    print(f"Feed on {database}: {data['entries']:,} entries, {data['targets']:,} target rows; the reader follows "
          f"{data['follows']} things; {args.requests} requests each (set-up {built:.0f} s)")
    print(f"  {'scenario':<26} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
    for name, p50, p95, queries in results:
        print(f"  {name:<26} {p50:8.1f} {p95:8.1f} {queries:8d}")
    page_p95 = max(p95 for name, _p50, p95, _q in results if name.startswith("page"))
    print(f"Worst page p95: {page_p95:.1f} ms (target < {TARGET_MS} ms): "
          f"{'met' if page_p95 < TARGET_MS else 'NOT met'}; load {os.getloadavg()[0]:.1f}")
    print(f"  mean of the p50s: {statistics.mean(r[1] for r in results):.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
