"""`python manage.py pb_count FILE.pb --rule greedy|mes|mes-fixed`: count a pabulib file.

Prints the selected project ids as one JSON list (ids as in the file, in selection order) and nothing
else on standard output. A file that cannot be read, a malformed file, or a ballot kind the rule cannot
count: a message on standard error and exit status 2.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from concerto.components.budgets.counting import CountingError, count, read_pabulib
from concerto.components.budgets.counting.rules import RULES


class Command(BaseCommand):
    help = "Count a pabulib file and print the selected project ids as a JSON list."

    def add_arguments(self, parser):
        parser.add_argument("file", help="a pabulib (.pb) file")
        parser.add_argument("--rule", choices=RULES, default="mes",
                            help="greedy, mes (equal shares with add1 completion) or mes-fixed")

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or exc
            self._fail(_("Cannot read %(file)s: %(error)s") % {"file": path, "error": reason})
        try:
            outcome = count(read_pabulib(text), options["rule"])
        except CountingError as exc:
            self._fail(f"{path}: {exc}")
        self.stdout.write(json.dumps(outcome.selected, ensure_ascii=False))

    def _fail(self, message: str):
        self.stderr.write(message)
        sys.exit(2)
