"""`python manage.py opinion_groups DIR`: the opinion groups of a Polis openData export, as JSON.

From a shell, manage.py runs the component's own command line (cli.py) without setting Django up; this Django
command is the same, for `call_command` and `django-admin`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from concerto.components.opinions.cli import run


class Command(BaseCommand):
    help = "Print the opinion groups, representative and consensus statements of a Polis openData export."

    def add_arguments(self, parser):
        parser.add_argument("folder", help="the folder holding votes.csv and comments.csv")
        parser.add_argument("--import-into", type=int, metavar="COMPONENT_ID",
                            help="import the export as a conversation of this opinions component")

    def handle(self, *args, **options):
        if options["import_into"] is not None:
            return self.import_into(options["import_into"], Path(options["folder"]))
        # run() ends its lines with "\n": Django's OutputWrapper adds no second line ending.
        code = run(Path(options["folder"]), self.stdout, self.stderr)
        if code:
            sys.exit(code)

    def import_into(self, component_id: int, folder: Path) -> None:
        from django.core.management.base import CommandError

        from concerto.components.opinions.opendata import ExportError
        from concerto.components.opinions.services import import_polis_export
        from concerto.core.spaces.models import Component

        component = Component.objects.filter(pk=component_id, kind="opinions").first()
        if component is None:
            raise CommandError(f"no opinions component has the id {component_id}")
        try:
            conversation = import_polis_export(component, folder)
        except (ExportError, OSError, KeyError, ValueError) as error:
            raise CommandError(f"{folder}: {error}") from None
        result = conversation.groups_result
        self.stdout.write(f"conversation {conversation.pk}: {conversation.statements.count()} statements, "
                          f"{result.votes} votes, {result.k or 'no'} opinion groups {result.reason}".rstrip())

