"""Send the reminders of the events of the next 24 hours (run it every hour from cron: each person gets one)."""

from django.core.management.base import BaseCommand

from concerto.components.events import services


class Command(BaseCommand):
    help = "Send the reminders of the events starting in the next 24 hours (each once)."

    def handle(self, *args, **options):
        count = services.reminders_send()
        self.stdout.write(f"{count} reminder(s) queued.")
