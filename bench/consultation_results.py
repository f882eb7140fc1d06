"""Consultation results: 20 questions x 50,000 responses, the results page and the CSV export.

Run from the repository root: `.venv/bin/python -m bench.consultation_results [--responses N] [--runs R]`.
Uses a throw-away SQLite file, or, when DATABASE_URL is set (PostgreSQL), a throw-away `test_<name>`
database on that server, dropped at the end. Builds a questionnaire of 20 questions of every kind through
the services, then the responses (bulk_create; the ~27 answer rows per response with COPY / executemany,
indexes built after the load), in two stages:
- at 10,000 responses: the CSV export's peak Python memory (tracemalloc), the XLSX export's time;
- at N responses (50,000): the results page through Django's test client (p50 / p95 over R runs, SQL
  query count), the page filtered by channel and by commune, the CSV export's time, and its peak memory
  again, which must stay flat (the export streams). The XLSX export is timed at 10,000 only
  (openpyxl takes about 1.5 ms a row, linearly).
Target: the results page under 1 s at 50,000 responses, counted by the database (the results cache is
emptied before each timed request; a last line shows the same page served from the cache).
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

WORDS = ("ombre arbres bancs fontaine jeux enfants propreté éclairage sécurité calme pelouse fleurs vélos "
         "parking toilettes poubelles kiosque musique sport piste chiens horaires accès handicap").split()


def django_setup(folder: Path) -> str | None:
    """Set Django up on a fresh database; with PostgreSQL, the name of the database to restore once the
    throw-away one is destroyed."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concerto.settings")
    import django
    from django.core.management import call_command
    from django.db import connection

    django.setup()
    original = None
    if connection.vendor == "postgresql":
        original = connection.settings_dict["NAME"]
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    else:
        call_command("migrate", verbosity=0)
    call_command("load_organisations", verbosity=0, stdout=open(os.devnull, "w"))
    return original


def build_questionnaire(component, actor):
    from concerto.components.consultations import building as services
    from concerto.components.consultations.models import Question

    kind = Question.Kind
    sections = [services.section_create(actor=actor, component=component, title=f"Partie {n}") for n in (1, 2, 3)]
    specs = [
        (kind.SINGLE, {"options": ["Oui", "Non", "Sans avis"], "other_option": True}),
        (kind.SINGLE, {"options": ["À pied", "À vélo", "En bus", "En voiture"], "other_option": True}),
        (kind.SINGLE, {"options": ["Moins de 25 ans", "25-44 ans", "45-64 ans", "65 ans et plus"]}),
        (kind.SINGLE, {"options": ["Tous les jours", "Chaque semaine", "Chaque mois", "Rarement"]}),
        (kind.MULTIPLE, {"options": WORDS[:8], "max_choices": 3, "other_option": True}),
        (kind.MULTIPLE, {"options": WORDS[8:14]}),
        (kind.MULTIPLE, {"options": WORDS[14:20], "max_choices": 2}),
        (kind.RANKING, {"options": ["Ombre", "Bancs", "Toilettes", "Jeux"]}),
        (kind.RANKING, {"options": ["Propreté", "Sécurité", "Éclairage"]}),
        (kind.SCALE, {"scale": "1-5", "scale_min_label": "Pas du tout", "scale_max_label": "Tout à fait"}),
        (kind.SCALE, {"scale": "0-10"}),
        (kind.SCALE, {"scale": "1-5"}),
        (kind.NUMBER, {"min_value": 0, "max_value": 120}),
        (kind.NUMBER, {"min_value": 0, "max_value": 7}),
        (kind.DATE, {}),
        (kind.SHORT_TEXT, {}),
        (kind.SHORT_TEXT, {}),
        (kind.LONG_TEXT, {}),
        (kind.LONG_TEXT, {}),
        (kind.POINT, {}),
    ]
    questions = []
    for index, (question_kind, options) in enumerate(specs):
        questions.append(services.question_create(
            actor=actor, section=sections[index * 3 // len(specs)], kind=question_kind,
            label=f"Question {index + 1} ({question_kind})", **options))
    return questions


ANSWER_COLUMNS = ("response_id", "question_id", "option_id", "rank", "number", "date", "text", "latitude",
                  "longitude", "channel", "residence_id")


def _insert_answers(rows: list[tuple]) -> None:
    """Answer rows straight into the table: COPY on PostgreSQL, executemany on SQLite (the ORM would
    spend most of the build instantiating a million model objects)."""
    from django.db import connection

    from concerto.components.consultations.models import Answer

    table = Answer._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({', '.join(ANSWER_COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            # The sqlite3 cursor itself: Django's wrapper would look at each of the million rows again.
            marks = ", ".join(["?"] * len(ANSWER_COLUMNS))
            cursor.cursor.executemany(f"INSERT INTO {table} ({', '.join(ANSWER_COLUMNS)}) VALUES ({marks})", rows)


@contextmanager
def answer_indexes_rebuilt():
    """Bulk-load mode: drop the answers' indexes and skip foreign-key checks during the load, build the
    indexes once at the end and refresh the planner's statistics (and, on PostgreSQL, the visibility map
    that index-only scans need), as bulk loaders do. Updating six B-trees and checking four foreign keys
    for each of a million rows would take most of the bench's time."""
    from django.db import connection

    from concerto.components.consultations.models import Answer

    table = Answer._meta.db_table
    postgresql = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgresql:
            cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
                           "AND indexname NOT LIKE %s", [table, "%_pkey"])
        else:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                           "AND sql IS NOT NULL", [table])
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        if postgresql:
            try:  # needs a superuser; without it the load is only slower
                cursor.execute("SET session_replication_role = replica")
            except Exception:  # noqa: BLE001
                connection.rollback()
        else:
            cursor.execute("PRAGMA foreign_keys = OFF")
            # A bigger page cache and in-memory sorting make the index builds several times faster.
            cursor.execute("PRAGMA cache_size = -262144")
            cursor.execute("PRAGMA temp_store = MEMORY")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if postgresql:
                try:
                    cursor.execute("SET session_replication_role = DEFAULT")
                except Exception:  # noqa: BLE001
                    connection.rollback()
            else:
                cursor.execute("PRAGMA foreign_keys = ON")
            started = time.perf_counter()
            for _name, definition in indexes:
                cursor.execute(definition)
            cursor.execute("VACUUM ANALYZE" if postgresql else "ANALYZE")
            if os.environ.get("BENCH_VERBOSE"):
                print(f"  (indexes rebuilt and analysed in {time.perf_counter() - started:.1f} s)")


def add_responses(component, questions, count: int, rng: random.Random, communes) -> None:
    """COUNT submitted responses (bulk_create) with their answers (about 23 rows each)."""
    from django.db import transaction
    from django.utils import timezone

    from concerto.components.consultations.models import Option, Response

    options = {q.pk: list(Option.objects.filter(question=q).order_by("position")) for q in questions}
    now = timezone.now()
    channels = ["web"] * 16 + ["paper"] * 3 + ["in_person"]
    batch = 5000
    for start in range(0, count, batch):
        size = min(batch, count - start)
        with transaction.atomic():
            responses = Response.objects.bulk_create([
                Response(component=component, status="submitted", channel=rng.choice(channels),
                         residence=rng.choice(communes), submitted_at=now - timedelta(minutes=rng.randrange(80_000)))
                for _ in range(size)
            ])
            rows = []
            for response in responses:
                tail = (response.channel, response.residence_id)
                for question in questions:
                    if rng.random() < 0.08:  # some questions left unanswered
                        continue
                    kind, choices, qid, rid = question.kind, options[question.pk], question.pk, response.pk
                    if kind == "single":
                        chosen = rng.choice(choices)
                        text = "un autre mode" if chosen.is_other else ""
                        rows.append((rid, qid, chosen.pk, None, None, None, text, None, None, *tail))
                    elif kind == "multiple":
                        limit = question.max_choices or len(choices)
                        picked = sorted(rng.sample(choices, rng.randint(1, min(limit, len(choices)))),
                                        key=lambda option: option.position)
                        for order, chosen in enumerate(picked, start=1):  # as response_submit numbers them
                            text = "autre chose" if chosen.is_other else ""
                            rows.append((rid, qid, chosen.pk, order, None, None, text, None, None, *tail))
                    elif kind == "ranking":
                        for rank, chosen in enumerate(rng.sample(choices, len(choices)), start=1):
                            rows.append((rid, qid, chosen.pk, rank, None, None, "", None, None, *tail))
                    elif kind == "scale":
                        scale = question.scale_range()
                        rows.append((rid, qid, None, None, float(rng.randint(scale[0], scale[-1])), None, "", None,
                                     None, *tail))
                    elif kind == "number":
                        number = float(rng.randint(int(question.min_value), int(question.max_value)))
                        rows.append((rid, qid, None, None, number, None, "", None, None, *tail))
                    elif kind == "date":
                        day = date(2026, 1, 1) + timedelta(days=rng.randrange(365))
                        rows.append((rid, qid, None, None, None, day, "", None, None, *tail))
                    elif kind in ("short_text", "long_text"):
                        words = rng.randint(2, 6 if kind == "short_text" else 30)
                        rows.append((rid, qid, None, None, None, None, " ".join(rng.choices(WORDS, k=words)), None,
                                     None, *tail))
                    elif kind == "point":
                        rows.append((rid, qid, None, None, None, None, "", rng.uniform(48.75, 48.90),
                                     rng.uniform(2.25, 2.45), *tail))
            _insert_answers(rows)


def timed_get(client, url: str, runs: int, *, cold: bool = True):
    """p50 and p95 of RUNS requests of URL, and the queries of the last one. COLD: the results cache is
    emptied before each request, so that every figure is counted again by the database."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm-up: templates compiled, database pages in memory
    times, queries = [], 0
    for _ in range(runs):
        if cold:
            cache.clear()
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(captured)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95, queries


def consume(client, url: str, *, trace: bool):
    if trace:
        tracemalloc.start()
    start = time.perf_counter()
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    size = 0
    lines = 0
    if response.streaming:
        for chunk in response.streaming_content:
            size += len(chunk)
            lines += chunk.count(b"\n")
    else:
        content = b"".join(response.streaming_content) if hasattr(response, "streaming_content") \
            else response.content
        size = len(content)
    seconds = time.perf_counter() - start
    peak = 0
    if trace:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    response.close()
    return seconds, size, lines, peak


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=50_000)
    parser.add_argument("--first-stage", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    first = min(args.first_stage, args.responses)

    with tempfile.TemporaryDirectory(prefix="concerto-bench-") as folder:
        original_database = django_setup(Path(folder))
        from django.contrib.auth import get_user_model
        from django.db import connection
        from django.test import Client

        from concerto.components.consultations.models import Answer
        from concerto.core.spaces.models import Component, Space
        from concerto.core.territory.models import Organisation

        try:
            rng = random.Random(args.seed)
            sceaux = Organisation.objects.get(slug="sceaux")
            actor = get_user_model().objects.create_user(email="bench@demo.concerto.test", password=None)
            space = Space.objects.create(organisation=sceaux, title="Bench", slug="bench", status="published",
                                         description="Bench.")
            component = Component.objects.create(space=space, kind="consultations", title="Questionnaire",
                                                 published=True, settings={"results_visibility": "public"})
            questions = build_questionnaire(component, actor)
            communes = list(Organisation.objects.communes().order_by("insee_code")[:12]) + [None, None]
            base = f"/sceaux/bench/consultation/{component.pk}/"
            client = Client()

            started = time.perf_counter()
            with answer_indexes_rebuilt():
                add_responses(component, questions, first, rng, communes)
            build_first = time.perf_counter() - started
            # A first export untraced: imports, translations and caches are not the export's memory.
            consume(client, base + "donnees/reponses.csv", trace=False)
            csv_small = consume(client, base + "donnees/reponses.csv", trace=True)
            xlsx_small = consume(client, base + "donnees/reponses.xlsx", trace=False)

            started = time.perf_counter()
            with answer_indexes_rebuilt():
                add_responses(component, questions, args.responses - first, rng, communes)
            build_rest = time.perf_counter() - started
            answers = Answer.objects.count()

            results = timed_get(client, base + "resultats/", args.runs)
            cached = timed_get(client, base + "resultats/", args.runs, cold=False)
            by_channel = timed_get(client, base + "resultats/?canal=paper", args.runs)
            by_commune = timed_get(client, base + f"resultats/?commune={communes[0].slug}", args.runs)
            csv_time = consume(client, base + "donnees/reponses.csv", trace=False)
            csv_large = consume(client, base + "donnees/reponses.csv", trace=True)
        finally:
            if original_database:
                connection.creation.destroy_test_db(original_database, verbosity=0)

    engine = "PostgreSQL" if original_database else "SQLite"
    mb = 1024 * 1024
    print(f"Consultation results, {len(questions)} questions, {engine}, seed {args.seed}")
    print(f"  data built: {first:,} responses in {build_first:.1f} s, then {args.responses - first:,} more in "
          f"{build_rest:.1f} s; {answers:,} answer rows")
    print(f"  {'':34} {'p50 ms':>9} {'p95 ms':>9} {'queries':>8}")
    pages = ((f"results page, {args.responses:,} responses", results), ("  filtered by channel", by_channel),
             ("  filtered by commune", by_commune), ("  again, counts from the cache", cached))
    for name, figures in pages:
        print(f"  {name:34} {figures[0] * 1000:9.0f} {figures[1] * 1000:9.0f} {figures[2]:8}")
    print(f"  CSV export, {first:,} responses: {csv_small[1] / mb:.1f} MB, {csv_small[2]:,} lines, "
          f"peak Python memory {csv_small[3] / mb:.1f} MB (traced run {csv_small[0]:.1f} s)")
    print(f"  CSV export, {args.responses:,} responses: {csv_time[0]:.1f} s, {csv_time[1] / mb:.1f} MB, "
          f"{csv_large[2]:,} lines, peak Python memory {csv_large[3] / mb:.1f} MB")
    print(f"  XLSX export, {first:,} responses: {xlsx_small[0]:.1f} s, {xlsx_small[1] / mb:.1f} MB "
          f"(openpyxl, write-only; grows linearly)")
    flat = csv_large[3] < 2 * max(csv_small[3], 1)
    fast = results[1] < 1.0
    print(f"  target: results page p95 under 1 s: {'OK' if fast else 'FAIL'}; CSV memory flat "
          f"({csv_small[3] / mb:.1f} MB at {first:,} vs {csv_large[3] / mb:.1f} MB at {args.responses:,}): "
          f"{'OK' if flat else 'FAIL'}")
    return 0 if fast and flat else 1


if __name__ == "__main__":
    sys.exit(main())
