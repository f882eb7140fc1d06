"""Representativeness and weighted results of a questionnaire of 100,000 responses.

Run from the repository root: `.venv/bin/python -m bench.representativeness [--responses N] [--runs R]`.
Reuses bench.consultation_results to build the questionnaire (20 questions of every kind) and its responses on a
throw-away SQLite file (or a throw-away PostgreSQL database when DATABASE_URL is set), gives every response an
account with a year of birth (one person per response, ages 15 to 90) and a ledger row, imports the demo's INSEE
table, then times R runs of:
- the space's representativeness (INSEE bands, score, by channel) from the contributions ledger;
- the weighted results of the 7 single- and multiple-choice questions (post-stratification on age band), read
  from the counts the database keeps (no cache: every run reads them afresh), then through the former GROUP BY
  over the answers in the same run (the ratio between the two), after checking both give the same figures;
- the whole Métropole's representativeness (the ledger of every commune, the sum of 123 tables).
Target: representativeness + weighted results under 1 s (p95).
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.consultation_results import add_responses, answer_indexes_rebuilt, build_questionnaire, django_setup


def _figures(weighted) -> list:
    return [(question.pk, result.respondents, result.effective_n, result.notes,
             [(row.count, row.percent, row.weighted_percent) for row in result.rows]) for question, result in weighted]


def timed(action, runs: int) -> tuple[float, float]:
    durations = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        durations.append(time.perf_counter() - started)
    durations.sort()
    return statistics.median(durations), durations[min(len(durations) - 1, round(0.95 * (len(durations) - 1)))]


def people_and_ledger(component, rng: random.Random) -> int:
    """An account with a year of birth for every response, and its ledger row."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction
    from django.utils import timezone

    from concerto.components.consultations.models import Response
    from concerto.core.accounts.models import User
    from concerto.core.participation.models import Contribution

    responses = list(Response.objects.filter(component=component).values_list("pk", "channel", "residence_id"))
    year = timezone.localdate().year
    with transaction.atomic():
        users = User.objects.bulk_create(
            [User(email=f"r{n}@bench.concerto.test", password="!", birth_year=year - rng.choice(AGES))
             for n in range(len(responses))], batch_size=5000)
        with connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {Response._meta.db_table} SET respondent_id = %s WHERE id = %s",
                               [(user.pk, pk) for user, (pk, _channel, _place) in zip(users, responses, strict=True)])
        target_type = ContentType.objects.get_for_model(Response)
        now = timezone.now()
        Contribution.objects.bulk_create(
            [Contribution(organisation_id=component.space.organisation_id, component=component,
                          kind="consultations.response", target_type=target_type, target_id=pk, channel=channel,
                          author=user, residence_id=place, created_at=now)
             for user, (pk, channel, place) in zip(users, responses, strict=True)], batch_size=5000)
    return len(responses)


# Ages drawn with more people of 30 to 59 than of the young and old, as participation often is.
AGES = [*range(15, 30), *range(30, 60), *range(30, 60), *range(60, 91)]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="concerto-bench-") as folder:
        original_database = django_setup(Path(folder))
        from django.contrib.auth import get_user_model
        from django.core.management import call_command
        from django.db import connection

        from concerto.components.consultations import choice_counts
        from concerto.components.consultations.questionnaire import questionnaire_structure
        from concerto.components.consultations.results import weighted_choice_results
        from concerto.core.insights.representativeness import representativeness_for
        from concerto.core.spaces.models import Component, Space
        from concerto.core.territory.models import Organisation
        from concerto.demo.management.commands.load_demo import DEMO_POPULATION

        try:
            rng = random.Random(args.seed)
            sceaux = Organisation.objects.get(slug="sceaux")
            metropole = Organisation.objects.get(kind="metropole")
            call_command("import_population", str(DEMO_POPULATION), verbosity=0)
            actor = get_user_model().objects.create_user(email="bench@demo.concerto.test", password=None)
            space = Space.objects.create(organisation=sceaux, title="Bench", slug="bench", status="published")
            component = Component.objects.create(space=space, kind="consultations", title="Questionnaire",
                                                 published=True)
            questions = build_questionnaire(component, actor)
            communes = list(Organisation.objects.communes().order_by("insee_code")[:12]) + [None, None]
            started = time.perf_counter()
            # Bulk-load mode for the kept counts too: triggers off during the load, one recount at the end (as
            # the indexes are rebuilt once); on PostgreSQL the load's replica role would skip them anyway.
            choice_counts.uninstall()
            with answer_indexes_rebuilt():
                add_responses(component, questions, args.responses, rng, communes)
            people = people_and_ledger(component, rng)
            counted = time.perf_counter()
            choice_counts.install()
            choice_counts.rebuild()
            counted = time.perf_counter() - counted
            with connection.cursor() as cursor:
                # Statistics, as a database in service has them (autovacuum on PostgreSQL, the nightly ANALYZE on
                # SQLite): without them SQLite reads every account for each component (0.5 s at 2,000 responses).
                cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
            build = time.perf_counter() - started
            structure = questionnaire_structure(component)

            def both():
                representativeness_for(organisation=sceaux, space=space, channels=True)
                weighted_choice_results(structure)

            result = representativeness_for(organisation=sceaux, space=space, channels=True)
            weighted = weighted_choice_results(structure)
            same = _figures(weighted) == _figures(weighted_choice_results(structure, recount=True))
            figures = {
                "representativeness": timed(lambda: representativeness_for(organisation=sceaux, space=space,
                                                                           channels=True), args.runs),
                "weighted results (7 questions), kept counts": timed(lambda: weighted_choice_results(structure),
                                                                     args.runs),
                "weighted results, former GROUP BY": timed(lambda: weighted_choice_results(structure, recount=True),
                                                           args.runs),
                "both": timed(both, args.runs),
                "the Métropole's representativeness": timed(
                    lambda: representativeness_for(organisation=metropole), args.runs),
            }
        finally:
            if original_database:
                connection.creation.destroy_test_db(original_database, verbosity=0)

    engine = "PostgreSQL" if original_database else "SQLite"
    print(f"Representativeness and weighted results, {engine}, seed {args.seed}, load {os.getloadavg()[0]:.2f} "
          f"on {os.cpu_count()} CPUs")
    print(f"  data built: {args.responses:,} responses, {people:,} people with a year of birth, in {build:.1f} s "
          f"(of which the kept counts recounted once: {counted:.1f} s)")
    print(f"  score {result.score:.3f} over {result.participants:,} participants; first question: n_eff "
          f"{weighted[0][1].effective_n:,} of {weighted[0][1].weights.n:,}")
    print(f"  {'':46} {'p50 ms':>9} {'p95 ms':>9}")
    for name, (p50, p95) in figures.items():
        print(f"  {name:46} {p50 * 1000:9.0f} {p95 * 1000:9.0f}")
    kept, former = figures["weighted results (7 questions), kept counts"], figures["weighted results, former GROUP BY"]
    print(f"  kept counts / former GROUP BY: p50 {kept[0] / former[0]:.2f}, p95 {kept[1] / former[1]:.2f}; "
          f"same figures: {'yes' if same else 'NO'}; load now {os.getloadavg()[0]:.2f}")
    fast = figures["both"][1] < 1.0 and same
    print(f"  target: representativeness + weighted results p95 under 1 s: {'OK' if fast else 'FAIL'}")
    return 0 if fast else 1


if __name__ == "__main__":
    sys.exit(main())
