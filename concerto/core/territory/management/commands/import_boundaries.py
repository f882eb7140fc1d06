from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from concerto.core.territory.boundaries import BoundaryError
from concerto.core.territory.services import boundaries_import

SHOWN_CODES = 20


class Command(BaseCommand):
    help = (
        "Load commune boundaries from a GeoJSON FeatureCollection (WGS84 Polygon or MultiPolygon; INSEE code "
        "in the property INSEE_COM, insee_com or code). The whole file is checked first: on any problem "
        "nothing is imported."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="GeoJSON file, e.g. an IGN Admin Express export")

    def handle(self, *args, **options):
        path: Path = options["file"]
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(_("Cannot read %(path)s: %(error)s.")
                               % {"path": path, "error": error.strerror or error}) from error
        try:
            counts = boundaries_import(collection=content)
        except BoundaryError as error:
            raise CommandError(f"{path}: {error}") from error
        self.stdout.write(self.style.SUCCESS(
            ngettext("%(count)d commune boundary imported.", "%(count)d commune boundaries imported.",
                     counts["imported"]) % {"count": counts["imported"]}
        ))
        if counts["unknown"]:
            codes = ", ".join(counts["unknown_codes"][:SHOWN_CODES])
            if counts["unknown"] > SHOWN_CODES:
                codes += ", …"
            self.stdout.write(self.style.WARNING(
                ngettext("%(count)d feature ignored: its code is no commune of the Métropole (%(codes)s).",
                         "%(count)d features ignored: their code is no commune of the Métropole (%(codes)s).",
                         counts["unknown"]) % {"count": counts["unknown"], "codes": codes}
            ))
        self.stdout.write(
            ngettext("%(count)d commune without boundary.", "%(count)d communes without boundary.",
                     counts["without_boundary"]) % {"count": counts["without_boundary"]}
        )
