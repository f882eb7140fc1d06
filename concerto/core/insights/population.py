"""Importing the population by age band: INSEE's infra-communal file or a simple per-commune CSV, checked whole
before anything is written, then each commune's table replaced in one transaction.

Two layouts, told apart by their header (`;` or `,` separated, UTF-8 or Latin-1):
- INSEE's `base-ic-evol-struct-pop-<year>`: one row per IRIS, `IRIS`, `COM`, `P<yy>_POP0014` … `P<yy>_POP75P`
  (and `P<yy>_H0014` … / `P<yy>_F0014` … by sex when present), summed to communes; the year is 20<yy>.
- Simple: one row per commune, `insee_code,pop_0_14,pop_15_29,pop_30_44,pop_45_59,pop_60_74,pop_75_plus`, an
  optional `year` column, other columns ignored (the shared file `mgp_population_age_rp2016.csv` is one).
"""

import csv
import io
import math
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from concerto.core.audit.services import audit_record
from concerto.core.insights.models import BAND_KEYS, PopulationCount, PopulationTable
from concerto.core.territory.models import Organisation

SIMPLE_COLUMNS = ("pop_0_14", "pop_15_29", "pop_30_44", "pop_45_59", "pop_60_74", "pop_75_plus")
INSEE_SUFFIXES = ("0014", "1529", "3044", "4559", "6074", "75P")
PARIS = "75056"
# Communes merged since the census: the old code's people are counted in the new commune.
MERGED = {"93059": "93066"}  # Pierrefitte-sur-Seine into Saint-Denis (2025)
MAX_PROBLEMS = 50


class PopulationFileError(Exception):
    """The file is refused: PROBLEMS lists every reason found (at most MAX_PROBLEMS)."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class Parsed:
    year: int | None
    # insee code -> sex ("" both, "f", "m") -> six counts
    counts: dict[str, dict[str, list[float]]] = field(default_factory=dict)
    layout: str = ""


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _number(value: str, decimal_comma: bool) -> float | None:
    value = (value or "").strip()
    if decimal_comma:
        value = value.replace(",", ".")
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) and number >= 0 else None


def _commune_code(code: str) -> str:
    code = code.strip()
    if re.fullmatch(r"751(0[1-9]|1[0-9]|20)", code):  # Paris's arrondissements
        return PARIS
    return MERGED.get(code, code)


def parse(data: bytes) -> Parsed:
    """The counts per commune of DATA, or PopulationFileError with every problem found."""
    text = _text(data)
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [name.strip() for name in next(reader, [])]
    problems: list[str] = []
    insee = {re.fullmatch(r"P(\d\d)_POP0014", name).group(1) for name in header
             if re.fullmatch(r"P(\d\d)_POP0014", name)}
    if "COM" in header and insee:
        yy = sorted(insee)[-1]
        parsed = Parsed(year=2000 + int(yy), layout="insee")
        columns = {"": [f"P{yy}_POP{suffix}" for suffix in INSEE_SUFFIXES],
                   "m": [f"P{yy}_H{suffix}" for suffix in INSEE_SUFFIXES],
                   "f": [f"P{yy}_F{suffix}" for suffix in INSEE_SUFFIXES]}
        code_column = "COM"
    elif "insee_code" in header:
        parsed = Parsed(year=None, layout="simple")
        columns = {"": list(SIMPLE_COLUMNS)}
        code_column = "insee_code"
    else:
        raise PopulationFileError([_(
            "This file has neither INSEE's columns (IRIS, COM, P16_POP0014 …) nor the simple ones (insee_code, "
            "pop_0_14 … pop_75_plus).")])
    missing = [name for name in columns[""] if name not in header]
    if missing:
        raise PopulationFileError([_("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)}])
    columns = {sex: names for sex, names in columns.items() if all(name in header for name in names)}
    index = {name: position for position, name in enumerate(header)}
    known = set(Organisation.objects.communes().exclude(insee_code="").values_list("insee_code", flat=True))
    decimal_comma = delimiter == ";"
    seen: set[str] = set()
    years: set[int] = set()
    for line, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < len(header):
            problems.append(_("Line %(line)s: %(found)s columns instead of %(expected)s.")
                            % {"line": line, "found": len(row), "expected": len(header)})
            continue
        raw_code = row[index[code_column]].strip()
        if not raw_code:
            problems.append(_("Line %(line)s: no commune code.") % {"line": line})
            continue
        code = _commune_code(raw_code)
        if code not in known:
            problems.append(_("Line %(line)s: “%(code)s” is not the INSEE code of a commune of the Métropole.")
                            % {"line": line, "code": raw_code})
            continue
        key = row[index["IRIS"]].strip() if parsed.layout == "insee" and "IRIS" in index else code
        if key in seen:
            problems.append(_("Line %(line)s: “%(code)s” appears twice.") % {"line": line, "code": key})
            continue
        seen.add(key)
        if parsed.layout == "simple" and "year" in index and row[index["year"]].strip():
            year = row[index["year"]].strip()
            if not re.fullmatch(r"(19|20)\d\d", year):
                problems.append(_("Line %(line)s: “%(value)s” is not a year.") % {"line": line, "value": year})
                continue
            years.add(int(year))
        for sex, names in columns.items():
            values = [_number(row[index[name]], decimal_comma) for name in names]
            for name, value in zip(names, values, strict=True):
                if value is None:
                    problems.append(_("Line %(line)s, column %(column)s: “%(value)s” is not a number of people.")
                                    % {"line": line, "column": name, "value": row[index[name]].strip()})
            if None in values:
                break
            totals = parsed.counts.setdefault(code, {}).setdefault(sex, [0.0] * len(BAND_KEYS))
            for position, value in enumerate(values):
                totals[position] += value
        if len(problems) >= MAX_PROBLEMS:
            break
    if len(years) > 1:
        problems.append(_("The file mixes census years: %(years)s.") % {"years": ", ".join(map(str, sorted(years)))})
    elif years:
        parsed.year = years.pop()
    for code, by_sex in parsed.counts.items():
        if sum(by_sex[""]) <= 0:
            problems.append(_("The commune %(code)s has no inhabitant in the file.") % {"code": code})
    if not parsed.counts and not problems:
        problems.append(_("The file has no commune."))
    if problems:
        raise PopulationFileError(problems[:MAX_PROBLEMS])
    return parsed


def missing_communes(codes) -> list[Organisation]:
    """The communes of the Métropole whose code is not in CODES."""
    return list(Organisation.objects.communes().exclude(insee_code__in=list(codes)).order_by("insee_code"))


def population_import(data: bytes, *, source: str, year: int | None = None, require_all: bool = False,
                      actor=None) -> tuple[list[Organisation], list[Organisation]]:
    """Check DATA whole, then replace the tables of its communes in one transaction. Returns the communes
    imported and the communes of the Métropole the file does not cover. PopulationFileError if refused."""
    parsed = parse(data)
    year = parsed.year or year
    if year is None:
        raise PopulationFileError([_("The census year is not in the file: give it with --year.")])
    absent = missing_communes(parsed.counts)
    if require_all and absent:
        raise PopulationFileError([_("Communes missing from the file: %(communes)s.") % {
            "communes": ", ".join(f"{commune.insee_code} {commune.name}" for commune in absent)}])
    communes = {commune.insee_code: commune for commune in Organisation.objects.communes()
                .filter(insee_code__in=list(parsed.counts))}
    with transaction.atomic():
        PopulationTable.objects.filter(organisation__in=communes.values()).delete()
        tables = PopulationTable.objects.bulk_create(
            PopulationTable(organisation=communes[code], year=year, source=source) for code in parsed.counts)
        PopulationCount.objects.bulk_create(
            PopulationCount(table=table, band=band, sex=sex, count=round(count, 2))
            for table in tables
            for sex, counts in parsed.counts[table.organisation.insee_code].items()
            for band, count in zip(BAND_KEYS, counts, strict=True))
        for table in tables:
            audit_record(actor=actor, action="population.imported", target=table, organisation=table.organisation,
                         data={"year": year, "source": source})
    return [communes[code] for code in parsed.counts], absent
