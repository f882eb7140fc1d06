"""Reading a Polis openData export (votes.csv, comments.csv), without Django.

votes.csv: timestamp, datetime, comment-id, voter-id, vote (1 agree, -1 disagree, 0 pass).
comments.csv: timestamp, datetime, comment-id, author-id, agrees, disagrees, moderated (1 in, 0 not yet,
-1 out), comment-body. Statements moderated out are left out of the maths, as Polis does; the last vote of a
voter on a statement counts (votes are taken in timestamp order).
"""

from __future__ import annotations

import csv
from pathlib import Path


class ExportError(ValueError):
    """The folder does not hold a readable openData export; the message says what is wrong."""


def _identifier(text: str):
    text = text.strip()
    return int(text) if text.lstrip("-").isdigit() else text


def _rows(path: Path, required: tuple[str, ...]):
    if not path.is_file():
        raise ExportError(f"{path} is missing")
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [name for name in required if name not in (reader.fieldnames or ())]
        if missing:
            raise ExportError(f"{path}: missing column(s) {', '.join(missing)}")
        yield from reader


def read_comments(path: Path) -> tuple[list, set]:
    """(statement ids kept, statement ids moderated out), in the file's order."""
    kept, out = [], set()
    for row in _rows(path, ("comment-id", "moderated")):
        identifier = _identifier(row["comment-id"])
        if row["moderated"].strip() == "-1":
            out.add(identifier)
        else:
            kept.append(identifier)
    return kept, out


def read_votes(path: Path) -> list[tuple]:
    """(voter id, comment id, vote) triples, oldest first (so that the last one counts)."""
    votes = []
    for number, row in enumerate(_rows(path, ("comment-id", "voter-id", "vote"))):
        try:
            vote = int(float(row["vote"]))
            timestamp = float(row.get("timestamp") or 0)
        except ValueError:
            raise ExportError(f"{path}: line {number + 2}: unreadable vote or timestamp") from None
        if vote not in (-1, 0, 1):
            raise ExportError(f"{path}: line {number + 2}: a vote is -1, 0 or 1, not {vote}")
        votes.append((timestamp, number, _identifier(row["voter-id"]), _identifier(row["comment-id"]), vote))
    votes.sort()
    return [(voter, comment, vote) for _t, _n, voter, comment, vote in votes]


def _key(identifier):
    return (isinstance(identifier, str), identifier if isinstance(identifier, str) else int(identifier))


def read_export(folder: Path):
    """(votes, participant ids, statement ids, vote counts) of the folder's export.

    The votes are those on the statements kept, ready for maths.vote_matrix; the counts are, per participant,
    the statements they voted on including those moderated out afterwards: Polis's vote threshold counts them.
    """
    folder = Path(folder)
    kept, out = read_comments(folder / "comments.csv")
    every_vote = read_votes(folder / "votes.csv")
    voted: dict = {}
    for voter, comment, _vote in every_vote:
        voted.setdefault(voter, set()).add(comment)
    votes = [vote for vote in every_vote if vote[1] not in out]
    statements = sorted(set(kept) | {comment for _v, comment, _x in votes}, key=_key)
    participants = sorted(voted, key=_key)
    return votes, participants, statements, [len(voted[p]) for p in participants]
