"""`python manage.py opinion_groups DIR`, without setting Django up.

Prints only the JSON object {"groups": {"<voter-id>": <group>, ...}, "k": K, "consensus": [<comment ids>],
"representative": {"<group>": [<comment ids>], ...}} on standard output. Participants below Polis's vote
threshold are left out (concerto/components/opinions/maths.py says which). A folder that cannot be read, or a
conversation with too few participants: a message on standard error and exit status 2.

manage.py hands `opinion_groups` to `main()` before `django.setup()` (as `pb_count`): the maths need no
database, and Django's start-up was most of the command's time. With `--import-into`, the Django command of
the same name runs instead (it needs the database).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def compute(folder: Path) -> dict:
    """The JSON object of the export in FOLDER; raises ExportError or NotEnoughData with the reason."""
    from concerto.components.opinions import maths, opendata

    votes, participants, statements, counts = opendata.read_export(folder)
    matrix, participants, statements = maths.vote_matrix(votes, participants, statements)
    return maths.as_json(maths.opinion_groups(matrix, participants, statements, counts))


def run(folder: Path, out, err) -> int:
    from concerto.components.opinions import maths, opendata

    try:
        result = compute(folder)
    except (opendata.ExportError, maths.NotEnoughData, OSError) as error:
        err.write(f"opinion_groups: {error}\n")
        return 2
    out.write(json.dumps(result) + "\n")
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="manage.py opinion_groups",
                                     description="Opinion groups of a Polis openData export, as JSON.")
    parser.add_argument("folder", type=Path, help="the folder holding votes.csv and comments.csv")
    arguments = parser.parse_args(argv)
    return run(arguments.folder, sys.stdout, sys.stderr)
