from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand

from concerto.core.territory.models import Organisation
from concerto.demo.data import DEMO_PASSWORD, PERSONAS, demo_load

# Simplified boundaries of the 130 communes (IGN Admin Express COG 2018 via france-geojson, Licence Ouverte),
# so that the demo's maps and location checks work. Production imports its own file.
DEMO_BOUNDARIES = Path(__file__).resolve().parents[2] / "fixtures" / "communes_boundaries.geojson"


class Command(BaseCommand):
    help = "Load the Métropole's organisations and the demo personas and spaces (idempotent)."

    def handle(self, *args, **options):
        call_command("load_organisations", verbosity=options["verbosity"])
        if not Organisation.objects.filter(kind=Organisation.Kind.COMMUNE, boundary__isnull=False).exists():
            call_command("import_boundaries", str(DEMO_BOUNDARIES), verbosity=options["verbosity"])
        counts = demo_load()
        self.stdout.write(self.style.SUCCESS(f"Demo ready: {counts['users']} personas, password {DEMO_PASSWORD!r}"))
        for email, _name, role, org in PERSONAS:
            self.stdout.write(f"  {email:32} {role or 'resident'}{' of ' + org if org else ''}")
