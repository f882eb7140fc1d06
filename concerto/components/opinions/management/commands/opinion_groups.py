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

    def handle(self, *args, **options):
        code = run(Path(options["folder"]), _Stream(self.stdout), _Stream(self.stderr))
        if code:
            sys.exit(code)


class _Stream:
    """Django's OutputWrapper adds its own line ending: run's lines are written without theirs."""

    def __init__(self, wrapper):
        self.wrapper = wrapper

    def write(self, text: str) -> None:
        self.wrapper.write(text.rstrip("\n"))
