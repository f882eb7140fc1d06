"""Purge the personal data past its retention period now (the periodic job does it every six hours)."""

from django.core.management.base import BaseCommand, CommandError

from concerto.core.accounts.privacy import retention_rules
from concerto.core.retention import retention_purge


class Command(BaseCommand):
    help = ("Delete or anonymise the personal data past its retention period (CONCERTO_RETENTION_DAYS), kind by "
            "kind; --dry-run only counts.")

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count what would be purged; change nothing.")

    def handle(self, *args, dry_run=False, **options):
        figures = retention_purge(dry_run=dry_run)
        verb = "to purge" if dry_run else "purged"
        for rule in retention_rules():
            count = figures.get(rule.name)
            shown = "failed (logged)" if count is None else f"{count} {verb}"
            warned = figures.get(f"{rule.name}_warned")
            if rule.warn is not None and warned is not None:
                shown += f", {warned} {'to warn' if dry_run else 'warned'} ({rule.warn_days} days before)"
            self.stdout.write(f"{rule.name} ({rule.period_days} days): {shown}")
        failed = [rule.name for rule in retention_rules() if figures.get(rule.name) is None]
        if failed:
            raise CommandError(f"Failed (see the log): {', '.join(failed)}")
