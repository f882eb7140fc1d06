"""`python manage.py pb_count FILE.pb --rule greedy|mes|mes-fixed`, without setting Django up.

Prints the selected project ids as one JSON list (ids as in the file, in selection order) and nothing
else on standard output. A file that cannot be read, a malformed file, or a ballot kind the rule cannot
count: a message on standard error and exit status 2 (argparse's status for bad arguments too).

manage.py hands `pb_count` to `main()` before `django.setup()`: counting a file needs no database, no
settings and no app, and Django's start-up (settings, every app and manifest, the URL modules) was most
of the command's time. The messages are French, the site's language (`LANGUAGE_CODE`), read from the
budgets app's catalogue with the standard library's gettext. The Django command of the same name
(`call_command("pb_count", ...)`) runs `count_file` too, with Django's translations.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
from pathlib import Path

from concerto.components.budgets.counting import messages
from concerto.components.budgets.counting.messages import _
from concerto.components.budgets.counting.rules import RULES

LANGUAGE = "fr"


def count_file(path: Path, rule: str, out, err) -> int:
    """Count the file with the rule: the JSON list on `out` and 0, or a message on `err` and 2."""
    from concerto.components.budgets.counting import CountingError, count, read_pabulib

    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        err.write(_("Cannot read %(file)s: %(error)s") % {"file": path, "error": reason} + "\n")
        return 2
    try:
        outcome = count(read_pabulib(text, voters=False), rule)
    except CountingError as exc:
        err.write(f"{path}: {exc}\n")
        return 2
    out.write(json.dumps(outcome.selected, ensure_ascii=False) + "\n")
    return 0


# The count's arrays are small: BLAS threads would only add their start-up and spinning (about 0.1 s of CPU on
# the bench's Warsaw file). Read by numpy's BLAS when it loads, so set before the engine imports numpy.
SINGLE_THREAD = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def main(argv: list[str] | None = None) -> int:
    for name in SINGLE_THREAD:
        os.environ.setdefault(name, "1")
    # A process that counts one file and ends: its objects (a dict per distinct ballot) live until the end
    # and hold no cycles, so the cyclic garbage collector would only walk them again and again.
    gc.disable()
    messages.use_catalogue(LANGUAGE)
    parser = argparse.ArgumentParser(prog="manage.py pb_count",
                                     description="Count a pabulib file and print the selected project ids "
                                                 "as a JSON list.")
    parser.add_argument("file", help="a pabulib (.pb) file")
    parser.add_argument("--rule", choices=RULES, default="mes",
                        help="greedy, mes (equal shares with add1 completion) or mes-fixed")
    args = parser.parse_args(argv)
    return count_file(Path(args.file), args.rule, sys.stdout, sys.stderr)
