from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand

from concerto.core.insights.models import PopulationTable
from concerto.core.territory.models import Organisation
from concerto.demo.data import DEMO_PASSWORD, PERSONAS, demo_load

# Simplified boundaries of the 130 communes (IGN Admin Express COG 2018 via france-geojson, Licence Ouverte),
# so that the demo's maps and location checks work. Production imports its own file.
DEMO_BOUNDARIES = Path(__file__).resolve().parents[2] / "fixtures" / "communes_boundaries.geojson"
# The population by age band of 123 communes (INSEE RP2016, Licence Ouverte): concerto/core/insights/data/README.md.
DEMO_POPULATION = Path(__file__).resolve().parents[3] / "core" / "insights" / "data" / "mgp_population_age_rp2016.csv"


class Command(BaseCommand):
    help = "Load the Métropole's organisations and the demo personas and spaces (idempotent)."

    def handle(self, *args, **options):
        call_command("load_organisations", verbosity=options["verbosity"])
        if not Organisation.objects.filter(kind=Organisation.Kind.COMMUNE, boundary__isnull=False).exists():
            call_command("import_boundaries", str(DEMO_BOUNDARIES), verbosity=options["verbosity"])
        if not PopulationTable.objects.exists():
            call_command("import_population", str(DEMO_POPULATION), verbosity=options["verbosity"],
                         source="Insee, RP2016, base-ic-evol-struct-pop-2016 (Licence Ouverte)")
        counts = demo_load()
        self.stdout.write(self.style.SUCCESS(f"Demo ready: {counts['users']} personas, password {DEMO_PASSWORD!r}"))
        for email, _name, role, org in PERSONAS:
            self.stdout.write(f"  {email:32} {role or 'resident'}{' of ' + org if org else ''}")
