"""`manage.py choice_counts --check | --rebuild`: compare the counts the triggers keep for the weighted results with
a recount from the answers, or recount them (and reinstall the triggers), e.g. after a restore that skipped them."""

import sys

from django.core.management.base import BaseCommand
from django.db import transaction

from concerto.components.consultations import choice_counts


class Command(BaseCommand):
    help = __doc__.splitlines()[0]

    def add_arguments(self, parser):
        action = parser.add_mutually_exclusive_group(required=True)
        action.add_argument("--check", action="store_true", help="exit 1 if the kept counts differ from a recount")
        action.add_argument("--rebuild", action="store_true", help="reinstall the triggers and recount the table")

    def handle(self, *args, check=False, rebuild=False, **options):
        if rebuild:
            with transaction.atomic():
                choice_counts.install()
                rows = choice_counts.rebuild()
            self.stdout.write(f"{rows} counts rebuilt")
            return
        kept, recounted = choice_counts.stored(), choice_counts.recount()
        wrong = {key for key in kept.keys() | recounted.keys() if kept.get(key) != recounted.get(key)}
        if wrong:
            self.stderr.write(f"{len(wrong)} of {len(recounted)} counts differ from a recount")
            sys.exit(1)
        self.stdout.write(f"{len(recounted)} counts match a recount")
