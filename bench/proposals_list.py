"""Proposals list: a space with 10,000 proposals, 200,000 supports and 50,000 comments.

Run from the repository root: `.venv/bin/python -m bench.proposals_list [--requests N] [--seed S]`.
Builds a throw-away database (a temporary SQLite file, or, when DATABASE_URL names a PostgreSQL database,
that database dropped and created again, then dropped at the end), fills it with bulk inserts, then times
through Django's test client (the whole stack: middleware, view, template):
- the public list page, first page and a deep page, in each order (recent, most supported, most commented,
  random with a seed), with a category filter, with a text search, with an answer-status filter;
- the same list signed in (the page then also reads which proposals the person supports);
- the API list (first page and a deep offset), the map's GeoJSON and the "similar proposals" fragment.
Each figure is the p50 and p95 of N requests (30 by default) after warming up, with the number of SQL
queries of one request. The target is p95 < 150 ms for the list page and the API, on both databases.
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

TARGET_MS = 150
WORDS = ("arbre jardin piste cyclable école parc banc fontaine composteur marché square bibliothèque gymnase "
         "piscine trottoir éclairage poubelle fresque verger navette bus abri vélo terrain jeux médiathèque "
         "potager ruelle quartier place mairie crèche théâtre concert skatepark ombre fleurs rue").split()
TEXT = ("Nous proposons d'aménager ce lieu pour que les habitants du quartier en profitent toute l'année. "
        "Les enfants, les familles et les personnes âgées y gagneraient un espace agréable et sûr. ")


@contextmanager
def throwaway_database():
    """Point DATABASE_URL at an empty database for this run, and get rid of it afterwards."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        import psycopg

        parts = urlsplit(url)
        name = parts.path.lstrip("/")
        admin = parts._replace(path="/postgres").geturl()
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
            connection.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"PostgreSQL ({name})"
        finally:
            from django.db import connections

            connections.close_all()
            with psycopg.connect(admin, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        with tempfile.TemporaryDirectory(prefix="concerto-bench-") as folder:
            os.environ["DATABASE_URL"] = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
            yield "SQLite (WAL, temporary file)"


def django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concerto.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("load_organisations", verbosity=0, stdout=open(os.devnull, "w"))


def populate(args) -> dict:
    """The space, its published proposals component and the rows, by bulk inserts."""
    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction
    from django.utils import timezone

    from concerto.components.proposals import text as words
    from concerto.components.proposals.models import Category, Proposal, Support
    from concerto.core.participation.models import Comment
    from concerto.core.spaces.models import Component, Space, Step
    from concerto.core.territory.models import Organisation

    rng = random.Random(args.seed)
    sceaux = Organisation.objects.get(slug="sceaux")
    today = timezone.localdate()
    now = timezone.now()
    with transaction.atomic():
        space = Space.objects.create(organisation=sceaux, title="Budget participatif", slug="budget",
                                     description="Banc d'essai.", status="published", published_at=now,
                                     start_date=today - timedelta(days=30), end_date=today + timedelta(days=60))
        Step.objects.create(space=space, title="Dépôt et soutiens", start_date=today - timedelta(days=30),
                            end_date=today + timedelta(days=30))
        component = Component.objects.create(space=space, kind="proposals", title="Idées", published=True)
        categories = Category.objects.bulk_create(
            [Category(component=component, name=f"Thème {n}", position=n) for n in range(8)])
        users = get_user_model().objects.bulk_create(
            [get_user_model()(email=f"participant{n}@bench.test", display_name=f"Participant {n}", password="!")
             for n in range(args.users)], batch_size=2000)

        # Supports: a long tail, as in real life (a few proposals gather most of them).
        weights = [1 / (rank + 10) for rank in range(args.proposals)]
        scale = args.supports / sum(weights)
        support_counts = [min(args.users, int(w * scale)) for w in weights]
        missing = args.supports - sum(support_counts)
        while missing > 0:
            rank = rng.randrange(args.proposals)
            if support_counts[rank] < args.users:
                support_counts[rank] += 1
                missing -= 1
        rng.shuffle(support_counts)
        comment_counts = [0] * args.proposals
        for _ in range(args.comments):
            comment_counts[rng.randrange(args.proposals)] += 1

        proposals = []
        for n in range(args.proposals):
            title = f"{rng.choice(['Un', 'Une', 'Des', 'Plus de'])} " + " ".join(rng.sample(WORDS, 4)) + f" {n}"
            body = f"<p>{TEXT}{' '.join(rng.sample(WORDS, 6))}.</p>"
            located = n % 2 == 0
            proposals.append(Proposal(
                component=component, category=categories[n % len(categories)], author=users[n % len(users)],
                title=title, text=body, search_text=words.search_text(title, body),
                title_words=words.title_words(title),
                latitude=48.7787 + rng.uniform(-0.005, 0.005) if located else None,
                longitude=2.2905 + rng.uniform(-0.007, 0.007) if located else None,
                commune=sceaux if located else None, support_count=support_counts[n],
                comment_count=comment_counts[n],
                answer_status=rng.choice(["", "", "", "", "under_study", "accepted", "rejected", "implemented"]),
                withdrawn_at=now if n % 97 == 0 else None, hidden_at=now if n % 211 == 0 else None,
            ))
        # Spread the submission dates: auto_now_add would give them all "now".
        created_at = Proposal._meta.get_field("created_at")
        created_at.auto_now_add = False
        try:
            for number, proposal in enumerate(proposals):
                proposal.created_at = now - timedelta(minutes=args.proposals - number)
            proposals = Proposal.objects.bulk_create(proposals, batch_size=2000)
        finally:
            created_at.auto_now_add = True

        # Supports and comments: plain multi-row inserts (the ORM's per-object work would take minutes).
        stamp = now
        support_rows = [
            {"proposal_id": proposal.pk, "component_id": component.pk, "user_id": user.pk, "created_at": stamp}
            for proposal, count in zip(proposals, support_counts, strict=True) for user in rng.sample(users, count)
        ]
        insert_rows(Support, support_rows)
        proposal_type = ContentType.objects.get_for_model(Proposal)
        comment_rows = [
            {"organisation_id": sceaux.pk, "target_type_id": proposal_type.pk, "target_id": proposal.pk,
             "author_id": rng.choice(users).pk, "body": "Je soutiens cette idée.", "created_at": stamp}
            for proposal, count in zip(proposals, comment_counts, strict=True) for _ in range(count)
        ]
        insert_rows(Comment, comment_rows)
    with connection.cursor() as cursor:
        # PostgreSQL: what autovacuum does soon after a bulk load (statistics, and the visibility map
        # that lets index-only scans skip the table). Django runs in autocommit outside atomic blocks.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return {"component": component, "space": space, "category": categories[3], "user": users[1],
            "supports": Support.objects.count(), "comments": Comment.objects.count(),
            "proposals": Proposal.objects.count()}


def insert_rows(model, rows: list[dict], batch: int = 5000) -> None:
    """INSERT ROWS (attname -> value) into MODEL's table with executemany; the other columns get their
    field's default. Every row must name the same columns."""
    from django.db import connection

    if not rows:
        return
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    given = [field for field in fields if field.attname in rows[0]]
    defaults = [field for field in fields if field.attname not in rows[0]]
    constants = [field.get_db_prep_save(field.get_default(), connection) for field in defaults]
    # Every row shares a few values (the same timestamp): prepare each distinct one once.
    prepared: dict = {}

    def prep(field, value):
        key = (field.attname, value)
        if key not in prepared:
            prepared[key] = field.get_db_prep_save(value, connection)
        return prepared[key]

    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in given + defaults)
    if connection.vendor == "postgresql":
        # COPY: the fastest way in, by far.
        connection.ensure_connection()
        with connection.connection.cursor() as cursor:
            with cursor.copy(f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([row[field.attname] for field in given] + constants)
        return
    sql = (f"INSERT INTO {quote(model._meta.db_table)} ({columns}) "
           f"VALUES ({', '.join(['%s'] * (len(given) + len(defaults)))})")
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            values = [
                [prep(field, row[field.attname]) if field.attname == "created_at" else row[field.attname]
                 for field in given] + constants
                for row in rows[start:start + batch]
            ]
            cursor.executemany(sql, values)


def measure(client, url, requests):
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    # The log still holds the set-up's queries; each request empties it, which the context would misread.
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    query_count = len(queries)  # read now: the next request empties the log the context reads from
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(url)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)]
    return statistics.median(times), p95, query_count


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proposals", type=int, default=10_000)
    parser.add_argument("--supports", type=int, default=200_000)
    parser.add_argument("--comments", type=int, default=50_000)
    parser.add_argument("--users", type=int, default=5_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    os.environ.setdefault("CONCERTO_TASKS_IMMEDIATE", "1")
    # Persistent database connections, as in production (a new PostgreSQL connection per request would
    # cost more than the page itself).
    os.environ.setdefault("CONCERTO_DB_CONN_MAX_AGE", "60")

    with throwaway_database() as database:
        started = time.perf_counter()
        django_setup()
        migrated = time.perf_counter() - started
        from django.conf import settings
        from django.test import Client
        from django.urls import reverse

        data = populate(args)
        built = time.perf_counter() - started
        # Production-like: no query log, no template debugging (static files need no manifest here).
        settings.DEBUG = False

        component, space = data["component"], data["space"]
        base = reverse("proposals:index", args=["sceaux", space.slug, component.pk])
        per_page = component.setting("proposals_per_page")
        deep = (data["proposals"] * 4 // 5) // per_page  # a page four fifths of the way down
        scenarios = []
        for order in ("recent", "supports", "comments", "random"):
            seed = "&graine=987654" if order == "random" else ""
            scenarios.append((f"list {order}, page 1", f"{base}?tri={order}{seed}"))
            scenarios.append((f"list {order}, page {deep}", f"{base}?tri={order}{seed}&page={deep}"))
        scenarios += [
            ("list, category filter", f"{base}?tri=recent&categorie={data['category'].pk}"),
            ("list, category, deep page", f"{base}?tri=supports&categorie={data['category'].pk}&page=60"),
            ("list, search 'ecole jardin'", f"{base}?tri=recent&q=ecole+jardin"),
            ("list, answer accepted", f"{base}?tri=supports&statut=accepted"),
            ("list, map view", f"{base}?tri=supports&vue=carte"),
        ]
        api = "/api/v1/proposals/proposals"
        api_scenarios = [
            ("API list recent", f"{api}?component={component.pk}&order=recent"),
            ("API list supports, offset 8000", f"{api}?component={component.pk}&order=supports&offset=8000"),
            ("API list random, limit 100", f"{api}?component={component.pk}&order=random&seed=5&limit=100"),
            ("API list search + status", f"{api}?component={component.pk}&q=parc&status=under_study"),
        ]
        other = [
            ("map GeoJSON (500 points)", reverse("proposals:points", args=["sceaux", space.slug, component.pk])
             + "?tri=supports"),
            ("similar proposals", reverse("proposals:similar", args=["sceaux", space.slug, component.pk])
             + "?title=Un+jardin+partagé+près+de+l'école"),
        ]
        client = Client()
        results = [(name, *measure(client, url, args.requests)) for name, url in scenarios + api_scenarios + other]
        signed_in = Client()
        signed_in.force_login(data["user"])
        results.append(("list supports, signed in", *measure(signed_in, f"{base}?tri=supports", args.requests)))

    print(f"Proposals list on {database}: {data['proposals']:,} proposals, {data['supports']:,} supports, "
          f"{data['comments']:,} comments; {per_page} per page; {args.requests} requests each "
          f"(schema {migrated:.1f} s, data {built - migrated:.1f} s)")
    print(f"  {'scenario':<34} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
    worst = 0.0
    for name, p50, p95, queries in results:
        print(f"  {name:<34} {p50:8.1f} {p95:8.1f} {queries:8d}")
        if not name.startswith(("map", "similar")):
            worst = max(worst, p95)
    verdict = "OK" if worst < TARGET_MS else "FAIL"
    print(f"  target: list page and API p95 < {TARGET_MS} ms (worst {worst:.1f} ms): {verdict}")
    return 0 if verdict == "OK" else 1


if __name__ == "__main__":
    sys.exit(main())
