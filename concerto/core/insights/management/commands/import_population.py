from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from concerto.core.insights.population import PopulationFileError, population_import


class Command(BaseCommand):
    help = ("Import the population by age band of the communes: INSEE's infra-communal file "
            "(base-ic-evol-struct-pop-<year>, summed from IRIS to communes) or a per-commune CSV with the columns "
            "insee_code,pop_0_14,pop_15_29,pop_30_44,pop_45_59,pop_60_74,pop_75_plus (and optionally year). The "
            "file is checked whole: with any problem, nothing is written. Each commune's previous table is replaced.")

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--year", type=int, help="The census year, when the file does not say it.")
        parser.add_argument("--source", help="Where the figures come from (shown with them).")
        parser.add_argument("--all", action="store_true", dest="require_all",
                            help="Refuse the file unless it covers every commune of the Métropole.")

    def handle(self, *args, file: Path, year, source, require_all, **options):
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}") from None
        source = source or f"Insee, {file.name}"
        try:
            imported, absent = population_import(data, source=source, year=year, require_all=require_all)
        except PopulationFileError as error:
            raise CommandError("The file is refused, nothing was written:\n- " + "\n- ".join(error.problems)) from None
        if options["verbosity"]:
            self.stdout.write(self.style.SUCCESS(f"{len(imported)} communes imported from {file.name}."))
            if absent:
                self.stdout.write(f"No table for {len(absent)} communes: "
                                  + ", ".join(f"{commune.insee_code} {commune.name}" for commune in absent))
