"""A campaign to 200,000 people: the queueing, then batches at the channel's throttle with flat memory.

Run from the repository root: `.venv/bin/python -m bench.campaigns [--people N] [--batches B] [--window S]`.
On a throw-away SQLite file (or a throw-away PostgreSQL database when DATABASE_URL is set): N residents of Sceaux
with a verified address who asked for the invitations to take part (bulk), then
- times `campaign_send` (the count, the short link, the INSERT … SELECT of N deliveries); target < 60 s;
- runs B batches of the task as the worker would (each waits for the window of the one before, the throttle),
  emails going to Django's dummy backend, printing emails/s achieved against `CONCERTO_CAMPAIGN_RATES` and the
  process's resident memory after each batch (it must stay flat: no list of N objects).
"""

import argparse
import os
import tempfile
import time
from pathlib import Path

from bench.consultation_results import django_setup


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def people(count: int, organisation) -> None:
    """COUNT opted-in residents of ORGANISATION with a verified address, in bulk."""
    from allauth.account.models import EmailAddress
    from django.db import transaction

    from concerto.core.accounts.models import User
    from concerto.core.participation.models import NotificationPreference
    from concerto.core.participation.notifications import CAMPAIGN

    chunk = 5000
    for start in range(0, count, chunk):
        with transaction.atomic():
            users = User.objects.bulk_create([
                User(email=f"p{n}@bench.concerto.test", password="!", residence=organisation)
                for n in range(start, min(count, start + chunk))])
            EmailAddress.objects.bulk_create([EmailAddress(user=user, email=user.email, verified=True, primary=True)
                                              for user in users])
            NotificationPreference.objects.bulk_create([
                NotificationPreference(user=user, verb=CAMPAIGN, channel="email", enabled=True) for user in users])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--batches", type=int, default=6)
    parser.add_argument("--window", type=int, default=5, help="seconds between two batches")
    parser.add_argument("--rate", type=float, default=20, help="emails per second allowed")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="concerto-bench-") as folder:
        original_database = django_setup(Path(folder))
        from django.conf import settings
        from django.db import connection
        from django.utils import timezone

        settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
        settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
        settings.CONCERTO_CAMPAIGN_RATES = {"email": args.rate}
        settings.CONCERTO_CAMPAIGN_WINDOW = args.window
        from concerto.core.mobilisation import campaigns
        from concerto.core.mobilisation.models import Campaign, CampaignDelivery
        from concerto.core.territory.models import Organisation

        rows = []
        try:
            sceaux = Organisation.objects.get(slug="sceaux")
            started = time.perf_counter()
            people(args.people, sceaux)
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
            build = time.perf_counter() - started
            campaign = campaigns.campaign_save(actor=None, organisation=sceaux, channel="email",
                                               subject="Votez pour le budget participatif",
                                               text="Il reste une semaine.", target="/sceaux/", segment={})
            started = time.perf_counter()
            reached = campaigns.campaign_send(actor=None, campaign=campaign)
            queueing = time.perf_counter() - started
            queued = CampaignDelivery.objects.filter(campaign=campaign).count()
            memory_start = rss_mb()
            first = time.perf_counter()
            not_before = time.monotonic()
            sent_total = 0
            for batch in range(args.batches):
                time.sleep(max(0.0, not_before - time.monotonic()))  # the worker's run_after
                began = time.perf_counter()
                not_before = time.monotonic() + campaigns.window()
                sent = campaigns.campaign_batch.call(campaign.pk)
                sent_total += sent
                rows.append((batch + 1, sent, time.perf_counter() - began, rss_mb()))
            # until the next batch may start: the sustained rate the throttle lets through
            elapsed = time.perf_counter() - first + max(0.0, not_before - time.monotonic())
            status = Campaign.objects.get(pk=campaign.pk).status
        finally:
            if original_database:
                connection.creation.destroy_test_db(original_database, verbosity=0)

    engine = "PostgreSQL" if original_database else "SQLite"
    print(f"Campaigns, {engine}, load {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs, "
          f"{timezone.now():%Y-%m-%d}")
    print(f"  people built: {args.people:,} opted in with a verified address, in {build:.1f} s")
    print(f"  campaign_send: {reached:,} reached, {queued:,} deliveries queued in {queueing:.2f} s "
          f"({'OK' if queueing < 60 else 'FAIL'}: target < 60 s)")
    print(f"  throttle: {args.rate:g} emails/s, window {args.window} s -> {campaigns.batch_size('email')} a batch")
    print(f"  {'batch':>5} {'sent':>6} {'send s':>7} {'RSS MB':>7}")
    print(f"  {'start':>5} {'':>6} {'':>7} {memory_start:7.1f}")
    for number, sent, seconds, memory in rows:
        print(f"  {number:5} {sent:6} {seconds:7.2f} {memory:7.1f}")
    achieved = sent_total / elapsed if elapsed else 0
    print(f"  achieved {achieved:.1f} emails/s over {elapsed:.1f} s (allowed {args.rate:g}); status {status}")
    grew = rows[-1][3] - rows[0][3] if rows else 0
    print(f"  memory from the first batch to the last: {grew:+.1f} MB")
    return 0 if queueing < 60 and achieved <= args.rate * 1.05 else 1


if __name__ == "__main__":
    raise SystemExit(main())
