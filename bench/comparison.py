"""The comparison across communes (/metropole/comparaison/) for the 130 communes, 12 territories and the Métropole.

Run from the repository root: `.venv/bin/python -m bench.comparison [--requests N] [--contributions N]`, on the
throw-away database of bench.proposals_list (a temporary SQLite file, or the PostgreSQL database DATABASE_URL
names, dropped and created again). It writes N contributions to the ledger (spread over the communes and the last
two years, a fifth without an account), times one run of the periodic job that computes the figures, then writes
generated figures for every organisation and period (so that every column has values and the ranks differ), and
through Django's test client (the whole stack) asks N times: the page for the public (communes; territories;
one territory; sorted by another figure), for an agent of Sceaux (their commune named), and the CSV.
Target: p95 < 200 ms for the page.
"""

import argparse
import os
import random
import sys
import time

from bench.proposals_list import django_setup, measure, throwaway_database

TARGET_MS = 200


def populate(contributions: int, seed: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction
    from django.utils import timezone

    from concerto.core.accounts.models import Role
    from concerto.core.comparison.figures import FIGURES, periods
    from concerto.core.comparison.models import ComparisonRow
    from concerto.core.participation.models import Contribution
    from concerto.core.territory.models import Organisation

    rng = random.Random(seed)
    now = timezone.now()
    organisations = list(Organisation.objects.order_by("pk"))
    communes = [org for org in organisations if org.is_commune]
    org_type = ContentType.objects.get_for_model(Organisation)
    with transaction.atomic():
        users = get_user_model().objects.bulk_create([
            get_user_model()(email=f"p{n}@bench.test", display_name=f"P{n}") for n in range(5_000)])
        Contribution.objects.bulk_create([
            Contribution(organisation=commune, kind="bench.input", target_type=org_type, target_id=commune.pk,
                         author=None if n % 5 == 0 else rng.choice(users),
                         created_at=now - timezone.timedelta(minutes=rng.randrange(2 * 365 * 24 * 60)))
            for n in range(contributions) for commune in [rng.choice(communes)]], batch_size=5_000)
        agent = get_user_model().objects.create_user(email="agent@bench.test", password="bench")
        Role.objects.create(user=agent, organisation=Organisation.objects.get(slug="sceaux"), kind="agent",
                            activated_at=now)
        # Some communes chose to be named.
        Organisation.objects.filter(pk__in=[c.pk for c in communes[::3]]).update(comparison_named=True)
    started = time.perf_counter()
    from concerto.core.comparison.figures import comparison_refresh

    written = comparison_refresh()
    job_seconds = time.perf_counter() - started
    # Generated figures, so that every column holds values.
    rows = []
    for key, _label in periods():
        for org in organisations:
            figures = {figure.key: round(rng.uniform(0, 60), 2) for figure in FIGURES}
            figures.update(participants=rng.randrange(5_000), population=org.population)
            rows.append(ComparisonRow(organisation=org, period=key, figures=figures, computed_at=now))
    ComparisonRow.objects.bulk_create(rows, update_conflicts=True, unique_fields=["organisation", "period"],
                                      update_fields=["figures", "computed_at"])
    return {"agent": agent, "rows": written, "job_seconds": job_seconds}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--contributions", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=18)
    args = parser.parse_args(argv)
    os.environ.setdefault("CONCERTO_TASKS_IMMEDIATE", "1")
    with throwaway_database() as database:
        django_setup()
        from django.conf import settings
        from django.test import Client

        data = populate(args.contributions, args.seed)
        settings.DEBUG = False
        public, agent = Client(), Client()
        agent.force_login(data["agent"])
        page = "/metropole/comparaison/"
        scenarios = [
            ("page, communes", public, page),
            ("page, territories", public, page + "?niveau=territoires"),
            ("page, one territory", public, page + "?territoire=T2"),
            ("page, sorted by reports", public, page + "?tri=reports_median_days&ordre=croissant"),
            ("page, agent of Sceaux", agent, page + "?commune=sceaux"),
            ("CSV, communes", public, page + "comparaison.csv"),
        ]
        results = [(name, *measure(who, url, args.requests)) for name, who, url in scenarios]
    print(f"Comparison on {database}: {args.contributions:,} contributions; the job wrote {data['rows']} rows in "
          f"{data['job_seconds']:.1f} s; {args.requests} requests each")
    print(f"  {'scenario':<28} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
    for name, p50, p95, queries in results:
        print(f"  {name:<28} {p50:8.1f} {p95:8.1f} {queries:8d}")
    worst = max(p95 for name, _p50, p95, _q in results if name.startswith("page"))
    print(f"Worst page p95: {worst:.1f} ms (target < {TARGET_MS} ms): {'met' if worst < TARGET_MS else 'NOT met'}; "
          f"load {os.getloadavg()[0]:.1f} {os.getloadavg()[1]:.1f} {os.getloadavg()[2]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
