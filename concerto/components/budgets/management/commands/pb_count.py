"""`python manage.py pb_count FILE.pb --rule greedy|mes|mes-fixed`: count a pabulib file.

From a shell, manage.py runs the engine's own command line (counting/cli.py) without setting Django up;
this Django command is the same, for `call_command` and `django-admin`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from concerto.components.budgets.counting.cli import RULES, count_file


class Command(BaseCommand):
    help = "Count a pabulib file and print the selected project ids as a JSON list."

    def add_arguments(self, parser):
        parser.add_argument("file", help="a pabulib (.pb) file")
        parser.add_argument("--rule", choices=RULES, default="mes",
                            help="greedy, mes (equal shares with add1 completion) or mes-fixed")

    def handle(self, *args, **options):
        code = count_file(Path(options["file"]), options["rule"], _Stream(self.stdout), _Stream(self.stderr))
        if code:
            sys.exit(code)


class _Stream:
    """Django's OutputWrapper adds its own line ending: count_file's lines are written without theirs."""

    def __init__(self, wrapper):
        self.wrapper = wrapper

    def write(self, text: str) -> None:
        self.wrapper.write(text.rstrip("\n"))
