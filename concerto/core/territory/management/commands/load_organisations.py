from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from concerto.core.territory.services import organisations_load


class Command(BaseCommand):
    help = "Create or update the Métropole, its 12 territories and its 130 communes from the committed table."

    def handle(self, *args, **options):
        counts = organisations_load()
        if options["verbosity"] == 0:
            return
        self.stdout.write(self.style.SUCCESS(
            _("%(metropole)d Métropole, %(territories)d territories, %(communes)d communes") % counts
        ))
