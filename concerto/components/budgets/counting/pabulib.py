"""Reading and writing the pabulib format (https://pabulib.org/format).

A file has three sections, in this order, each introduced by a line with its name and then a header line:
META (`key;value` rows), PROJECTS (`project_id;cost;...`) and VOTES (`voter_id;vote;...`, plus `points`
for cumulative and scoring ballots). Fields are separated by `;` and may be quoted with `"` (a quote inside
a quoted field is doubled). Numbers may use a decimal point or a decimal comma.

What we keep, so that `write(read(text))` reads back as the same election:
- `Election.meta`: the META rows verbatim (strings);
- `Election.project_meta[id]`: the PROJECTS row of the project, every column but `project_id` and `cost`;
- `Election.voter_meta[i]`: the VOTES row of voter i, every column but `vote` and `points`;
- `Election.ballots[i]`: project id -> points (1 for approval ballots, the rank for ordinal ballots,
  the points of the `points` column for cumulative and scoring ballots), in the order of the file.
"""

from __future__ import annotations

import csv
import gc
import io
import re
from fractions import Fraction
from itertools import repeat

from concerto.components.budgets.counting import CountingError, Election
from concerto.components.budgets.counting.messages import _

SECTIONS = ("meta", "projects", "votes")
VOTE_TYPES = {"approval": "approval", "choose-1": "approval", "cumulative": "cumulative",
              "ordinal": "ordinal", "scoring": "scoring"}
FAST = True  # tests turn it off to compare the fast paths (_table, _read_approvals) with the general ones
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")


def _error(line: int | None, message: str, **params) -> CountingError:
    text = message % params if params else message
    if line is not None:
        text = _("Line %(line)d: %(error)s") % {"line": line, "error": text}
    return CountingError(text)


def parse_number(text: str) -> int | Fraction | None:
    """A decimal number as an int when it is whole, a Fraction otherwise; None when it is not a number."""
    text = text.strip()
    if not _NUMBER.match(text):
        return None
    value = Fraction(text.replace(",", "."))
    return int(value) if value.denominator == 1 else value


def format_number(value: int | Fraction) -> str:
    """The shortest exact decimal writing of a number ("12", "12.5"); "a/b" when no decimal is exact."""
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    denominator, twos, fives = value.denominator, 0, 0
    while denominator % 2 == 0:
        denominator //= 2
        twos += 1
    while denominator % 5 == 0:
        denominator //= 5
        fives += 1
    if denominator != 1:
        return f"{value.numerator}/{value.denominator}"
    digits = max(twos, fives)
    scaled = abs(value) * 10**digits
    sign = "-" if value < 0 else ""
    whole, fraction = divmod(int(scaled), 10**digits)
    return f"{sign}{whole}.{str(fraction).rjust(digits, '0').rstrip('0')}"


def _rows(text: str):
    """(first line number, cells) for every non-blank row of the file."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=";")
    previous = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise _error(reader.line_num, _("the line cannot be read (%(detail)s)."), detail=exc) from None
        start, previous = previous + 1, reader.line_num
        if any(cell.strip() for cell in row):
            yield start, row


def _table(text: str) -> tuple[list[int], list[list[str]]]:
    """The line numbers and cells of the non-blank rows.

    A file without quotes, carriage returns or NUL characters (every pabulib file we know) has one row
    per line and no escaping: splitting on newlines and semicolons gives what the csv module gives, in a
    fraction of its time (a Warsaw-sized VOTES section is 80,000 rows). Any other file goes through csv."""
    text = text.lstrip("\ufeff")
    if '"' in text or "\r" in text or "\0" in text or not FAST:
        lines, rows = [], []
        for line, row in _rows(text):
            lines.append(line)
            rows.append(row)
        return lines, rows
    physical = text.split("\n")
    # A row is blank when every cell is whitespace, i.e. when the line without its separators is.
    lines = [number for number, line in enumerate(physical, start=1) if line.replace(";", "").strip()]
    return lines, [physical[number - 1].split(";") for number in lines]


def read(text: str, *, voters: bool = True) -> Election:
    """The election in the text. `voters=False` is for counting alone: the VOTES rows' other columns
    (voter_meta) are not kept, and voters with the same vote cell share one ballot dict (never change it)."""
    if not isinstance(text, str):
        raise CountingError(_("The file is not text."))
    # Reading makes a few hundred thousand small lists and dicts, none in a cycle: the cyclic garbage
    # collector would walk them again and again for nothing (a sixth of the time on a Warsaw-sized file).
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _read(text, voters)
    finally:
        if enabled:
            gc.enable()


def _read(text: str, voters: bool = True) -> Election:
    if not voters and FAST:
        election = _read_plain_approvals(text)
        if election is not None:
            return election
    return _read_sections(text, voters)


def _read_plain_approvals(text: str) -> Election | None:
    """The election of a plain approval file read for counting alone, or None: the general reading then
    reads it (and raises the error of a malformed file).

    Plain: no quotes, carriage returns or NUL characters (see `_table`), and a VOTES section whose rows all
    have the header's width and a vote made only of known project ids, separated by commas. Such a
    section has no blank row and no section line (a section line has at most one non-blank cell, and that
    cell is a vote only when the vote is the first column: then no project id may be a section name). Its
    rows are then one per line, and only their vote cells matter: one regular expression takes them all,
    instead of a list of cells per row, and equal vote cells are checked once, in bulk. The rest of the
    file (a few hundred lines) is read by the general code, so the result is the same."""
    text = text.lstrip("\ufeff")
    if '"' in text or "\r" in text or "\0" in text:
        return None
    split = _split_votes(text)
    if split is None:
        return None
    head, body = split
    try:
        # The head ends with the VOTES header: its VOTES section has no rows.
        election = _read_sections(head, voters=False)
    except CountingError:
        return None  # the general reading finds the error to report (maybe one further down)
    if election.kind != "approval":
        return None
    header = [cell.strip() for cell in head[head.rfind("\n") + 1:].split(";")]
    vote_at = header.index("vote")
    if vote_at == 0 and any(project.lower() in SECTIONS for project in election.costs):
        return None
    # One match per line of exactly the header's width; a line without one (another width) leaves
    # fewer matches than lines.
    pattern = re.compile("^" + "[^;\n]*;" * vote_at + "([^;\n]*)" + ";[^;\n]*" * (len(header) - vote_at - 1) + "$",
                         re.MULTILINE)
    votes = pattern.findall(body)
    if len(votes) != body.count("\n") + 1:
        return None
    distinct = list(set(votes))
    # Each vote's dict has the PROJECTS strings as keys: the strings split from the votes are freed as soon
    # as they are looked up (a few hundred thousand of them would outlive the reading, and allocating fresh
    # memory is much of its time). Every part must be a known id (so not blank: no blank row, no empty
    # vote), none twice in a vote (its dict has one key per part).
    known = {project: project for project in election.costs}
    try:
        ballots = list(map(dict.fromkeys, map(map, repeat(known.__getitem__), map(str.split, distinct, repeat(","))),
                           repeat(1)))
    except KeyError:
        return None
    if sum(map(len, ballots)) != ",".join(distinct).count(",") + 1:
        return None
    checked = dict(zip(distinct, ballots, strict=True))
    election.ballots = list(map(checked.__getitem__, votes))
    return election


def _split_votes(text: str) -> tuple[str, str] | None:
    """The text up to the VOTES section's header line (included) and the lines after it (without the
    newlines that end the file), or None when the file has no VOTES section line followed by a header."""
    for found in re.finditer("[Vv][Oo][Tt][Ee][Ss]", text):
        start = text.rfind("\n", 0, found.start()) + 1
        end = text.find("\n", found.end())
        end = len(text) if end < 0 else end
        cells = text[start:end].split(";")
        if cells[0].strip().lower() == "votes" and not any(cell.strip() for cell in cells[1:]):
            break
    else:
        return None
    while end < len(text):  # the header: the first non-blank line after the section line
        start = end + 1
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        if text[start:end].replace(";", "").strip():
            return text[:end], text[end + 1:].rstrip("\n")
    return None


def _read_sections(text: str, voters: bool = True) -> Election:
    lines, rows = _table(text)
    # Section lines (a section name, every other cell blank) are few: find the candidates in one pass.
    marks = [i for i, row in enumerate(rows) if row[0].strip().lower() in SECTIONS
             and not any(cell.strip() for cell in row[1:])]
    if not rows:
        raise CountingError(_("The section %(section)s is missing.") % {"section": "META"})
    if not marks or marks[0] != 0:
        raise _error(lines[0], _("the file must start with the META section."))
    sections: dict[str, tuple[int, list[str], list[int], list[list[str]]]] = {}
    for number, i in enumerate(marks):
        name, line = rows[i][0].strip().lower(), lines[i]
        if name in sections:
            raise _error(line, _("the section %(section)s appears twice."), section=name.upper())
        expected = SECTIONS[len(sections)]
        if name != expected:
            raise _error(line, _("the section %(section)s was expected here, not %(found)s."),
                         section=expected.upper(), found=name.upper())
        end = marks[number + 1] if number + 1 < len(marks) else len(rows)
        if i + 1 < end:  # the header line, then the section's rows
            sections[name] = (lines[i + 1], [cell.strip() for cell in rows[i + 1]], lines[i + 2:end], rows[i + 2:end])
        else:
            sections[name] = (line, [], [], [])
    for name in SECTIONS:
        if name not in sections:
            raise CountingError(_("The section %(section)s is missing.") % {"section": name.upper()})

    meta = _read_meta(*sections["meta"])
    kind = VOTE_TYPES.get(meta.get("vote_type", "").strip().lower())
    if kind is None:
        raise CountingError(
            _("The vote type “%(type)s” is unknown (approval, choose-1, cumulative, ordinal or scoring expected).")
            % {"type": meta.get("vote_type", "")})
    budget = parse_number(meta.get("budget", ""))
    if budget is None or budget < 0:
        raise CountingError(_("The budget “%(budget)s” in META is not a positive number.")
                            % {"budget": meta.get("budget", "")})
    costs, project_meta = _read_projects(*sections["projects"])
    ballots, voter_meta = _read_votes(*sections["votes"], kind=kind, costs=costs, voters=voters)
    return Election(budget=budget, costs=costs, ballots=ballots, kind=kind, meta=meta,
                    project_meta=project_meta, voter_meta=voter_meta)


def _check_header(line: int, header: list[str], section: str, required: tuple[str, ...]) -> None:
    if not header:
        raise _error(line, _("the section %(section)s has no header line."), section=section)
    for column in required:
        if column not in header:
            raise _error(line, _("the section %(section)s has no “%(column)s” column."),
                         section=section, column=column)
    seen = set()
    for column in header:
        if column in seen:
            raise _error(line, _("the column “%(column)s” appears twice."), column=column)
        seen.add(column)


def _cells(line: int, header: list[str], row: list[str]) -> dict[str, str]:
    if len(row) > len(header):
        raise _error(line, _("%(found)d fields for %(expected)d columns."), found=len(row), expected=len(header))
    return {column: cell.strip() for column, cell in zip(header, row, strict=False)}


def _read_meta(line: int, header: list[str], lines: list[int], rows: list[list[str]]) -> dict[str, str]:
    meta: dict[str, str] = {}
    for row_line, row in zip(lines, rows, strict=True):
        if len(row) < 2:
            raise _error(row_line, _("a META row needs a key and a value."))
        if len(row) > 2 and any(cell.strip() for cell in row[2:]):
            raise _error(row_line, _("a META row has only a key and a value."))
        meta[row[0].strip()] = row[1].strip()
    return meta


def _read_projects(line: int, header: list[str], lines: list[int], rows: list[list[str]]):
    _check_header(line, header, "PROJECTS", ("project_id", "cost"))
    costs: dict[str, int | Fraction] = {}
    project_meta: dict[str, dict[str, str]] = {}
    for row_line, row in zip(lines, rows, strict=True):
        cells = _cells(row_line, header, row)
        project = cells.get("project_id", "")
        if not project:
            raise _error(row_line, _("the project has no id."))
        if project in costs:
            raise _error(row_line, _("the project %(project)s is listed twice."), project=project)
        cost = parse_number(cells.get("cost", ""))
        if cost is None or cost < 0:
            raise _error(row_line, _("the cost “%(cost)s” of project %(project)s is not a positive number."),
                         cost=cells.get("cost", ""), project=project)
        costs[project] = cost
        project_meta[project] = {key: value for key, value in cells.items() if key not in ("project_id", "cost")}
    return costs, project_meta


def _read_votes(line: int, header: list[str], lines: list[int], rows: list[list[str]], *, kind: str, costs,
                voters: bool = True):
    _check_header(line, header, "VOTES", ("vote",) + (("points",) if kind in ("cumulative", "scoring") else ()))
    if kind == "approval" and FAST:
        read = _read_approvals(header, lines, rows, costs, voters)
        if read is not None:
            return read
    ballots: list[dict[str, int | Fraction]] = []
    voter_meta: list[dict[str, str]] = []
    for row_line, row in zip(lines, rows, strict=True):
        cells = _cells(row_line, header, row)
        vote = cells.get("vote", "")
        projects = [p.strip() for p in vote.split(",")] if vote else []
        ballot: dict[str, int | Fraction] = {}
        for project in projects:
            _check_project(row_line, project, ballot, costs)
            ballot[project] = len(ballot) + 1 if kind == "ordinal" else 1
        if kind in ("cumulative", "scoring"):
            points = cells.get("points", "")
            values = [p.strip() for p in points.split(",")] if points else []
            if len(values) != len(projects):
                raise _error(row_line, _("%(points)d points for %(projects)d projects in the vote."),
                             points=len(values), projects=len(projects))
            for project, value in zip(projects, values, strict=True):
                number = parse_number(value)
                if number is None or number < 0:
                    raise _error(row_line, _("the points “%(points)s” are not a positive number."), points=value)
                ballot[project] = number
        ballots.append(ballot)
        voter_meta.append({key: value for key, value in cells.items() if key not in ("vote", "points")})
    return ballots, voter_meta


def _check_project(line: int, project: str, ballot: dict, costs) -> None:
    if project not in costs:
        raise _error(line, _("the vote names the project “%(project)s”, which is not in PROJECTS."), project=project)
    if project in ballot:
        raise _error(line, _("the vote names the project %(project)s twice."), project=project)


def _read_approvals(header: list[str], lines: list[int], rows: list[list[str]], costs, voters: bool = True):
    """Approval ballots, the bulk of a large file: the same as the general case, with less work per row.

    Ids in PROJECTS are stripped, so a vote whose comma-separated parts are all known ids needs no
    stripping; equal vote cells (many voters approve the same projects) are checked once. Rows of the
    header's width with valid votes are read column-wise; otherwise None: the general loop reads them (and
    raises the error of the first wrong row)."""
    vote_at = header.index("vote")
    others = [(i, column) for i, column in enumerate(header) if column != "vote" and column != "points"]
    width = len(header)
    if any(len(row) != width for row in rows):
        return None
    known = frozenset(costs)
    votes = [row[vote_at] for row in rows]
    checked: dict[str, dict[str, int]] = {}
    for vote in set(votes):
        text = vote.strip()
        parts = text.split(",") if text else []
        ballot = dict.fromkeys(parts, 1)
        if len(ballot) != len(parts) or not known.issuperset(parts):
            ballot = dict.fromkeys(part.strip() for part in parts)
            if len(ballot) != len(parts) or not known.issuperset(ballot):
                return None
            ballot = dict.fromkeys(ballot, 1)
        checked[vote] = ballot
    if not voters:  # counting alone: one shared dict per distinct vote cell, no voter_meta
        return list(map(checked.__getitem__, votes)), []
    ballots = [checked[vote].copy() for vote in votes]
    if len(others) == 1:
        (at, column), = others
        voter_meta = [{column: row[at].strip()} for row in rows]
    else:
        voter_meta = [{column: row[i].strip() for i, column in others} for row in rows]
    return ballots, voter_meta


def write(election: Election) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    meta = dict(election.meta)
    if parse_number(meta.get("budget", "")) != election.budget:
        meta["budget"] = format_number(election.budget)
    if VOTE_TYPES.get(meta.get("vote_type", "").strip().lower()) != election.kind:
        meta["vote_type"] = election.kind
    writer.writerow(["META"])
    writer.writerow(["key", "value"])
    for key, value in meta.items():
        writer.writerow([key, value])

    columns = ["project_id", "cost"]
    for project in election.costs:
        for key in election.project_meta.get(project, {}):
            if key not in columns:
                columns.append(key)
    writer.writerow(["PROJECTS"])
    writer.writerow(columns)
    for project, cost in election.costs.items():
        extra = election.project_meta.get(project, {})
        writer.writerow([project, format_number(cost)] + [extra.get(key, "") for key in columns[2:]])

    with_points = election.kind in ("cumulative", "scoring")
    others: list[str] = []
    for row in election.voter_meta:
        for key in row:
            if key not in others:
                others.append(key)
    vote_columns = ["vote", "points"] if with_points else ["vote"]
    # A row with every cell empty would be read as a blank line (by pabutools too): an empty ballot
    # needs a voter_id column.
    blank = any(not ballot and not any(election.voter_meta[i].values() if i < len(election.voter_meta) else ())
                for i, ballot in enumerate(election.ballots))
    if "voter_id" in others or blank:
        if "voter_id" in others:
            others.remove("voter_id")
        columns = ["voter_id"] + vote_columns + others
    else:
        columns = vote_columns + others
    writer.writerow(["VOTES"])
    writer.writerow(columns)
    for index, ballot in enumerate(election.ballots):
        row_meta = election.voter_meta[index] if index < len(election.voter_meta) else {}
        projects = list(ballot)
        if election.kind == "ordinal":
            projects.sort(key=lambda p: ballot[p])
        cells = dict(row_meta)
        if "voter_id" in columns and "voter_id" not in cells:
            cells["voter_id"] = str(index + 1)
        cells["vote"] = ",".join(projects)
        if with_points:
            cells["points"] = ",".join(format_number(ballot[p]) for p in projects)
        writer.writerow([cells.get(key, "") for key in columns])
    return out.getvalue()
