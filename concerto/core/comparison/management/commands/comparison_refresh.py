from django.core.management.base import BaseCommand

from concerto.core.comparison.figures import comparison_refresh


class Command(BaseCommand):
    help = "Compute the figures of the comparison across communes now (the clock does it every six hours)."

    def handle(self, *args, **options):
        written = comparison_refresh()
        self.stdout.write(f"{written} rows written.")
