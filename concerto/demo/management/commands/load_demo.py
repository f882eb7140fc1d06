from django.core.management import call_command
from django.core.management.base import BaseCommand

from concerto.demo.data import DEMO_PASSWORD, PERSONAS, demo_load


class Command(BaseCommand):
    help = "Load the Métropole's organisations and the demo personas and spaces (idempotent)."

    def handle(self, *args, **options):
        call_command("load_organisations", verbosity=options["verbosity"])
        counts = demo_load()
        self.stdout.write(self.style.SUCCESS(f"Demo ready: {counts['users']} personas, password {DEMO_PASSWORD!r}"))
        for email, _name, role, org in PERSONAS:
            self.stdout.write(f"  {email:32} {role or 'resident'}{' of ' + org if org else ''}")
