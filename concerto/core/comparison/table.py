"""The comparison's table as one viewer may see it: the precomputed rows of a period, by commune or by territory,
sorted by one figure, with the names of organisations that did not opt in replaced by their rank.

Who sees a name: everyone, for an organisation that chose to be named (`Organisation.comparison_named`); the
staff of the organisation or of one above it (who already read its figures in the back-office), for the others.
The others read « Commune anonyme (rang n) », n being its rank on the figure chosen, and nothing that would give
it away: no INSEE code, no population or counts, no outline on the map, no alphabetical order (ties are broken
by a keyed hash, not by name).
"""

import hashlib
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from concerto.core.accounts.permissions import role_organisation_ids
from concerto.core.comparison.figures import FIGURES, FIGURES_BY_KEY, LAST_12_MONTHS, periods
from concerto.core.comparison.models import ComparisonRow
from concerto.core.territory.models import Organisation

COMMUNES, TERRITORIES = "communes", "territoires"
LEVELS = (COMMUNES, TERRITORIES)
DEFAULT_FIGURE = "participants_per_1000"
MAP_CLASSES = 5


@dataclass
class Line:
    pk: int
    name: str
    slug: str
    kind: str
    insee_code: str
    territory: str
    figures: dict
    named: bool = False
    own: bool = False
    selected: bool = False
    rank: int | None = None
    label: str = ""
    level: int | None = None
    codes: list = field(default_factory=list)

    def value(self, key):
        return self.figures.get(key)


@dataclass
class Choice:
    """What the query string asks, cleaned: every bad value replaced by the default, with a note saying so."""

    period: str = LAST_12_MONTHS
    level: str = COMMUNES
    territory: str = ""
    figure: str = DEFAULT_FIGURE
    ascending: bool | None = None  # None: best first
    commune: str = ""
    notes: list = field(default_factory=list)


@dataclass
class Comparison:
    choice: Choice
    lines: list
    territories: list  # (code, name)
    total: Line | None = None  # the territory or the Métropole as a whole
    selected_hidden: bool = False  # ?commune= names a commune the viewer may not see named
    selected_name: str = ""
    classes: list = field(default_factory=list)  # (level, low, high) of the map
    computed_at: object = None
    version: str = ""  # changes when a row is computed again or an organisation changes (its opt-in)
    viewer: tuple = ()  # the organisations where the viewer holds a role: all that makes their table theirs


def choice_from(query, territories: dict[str, str]) -> Choice:
    """Read QUERY (request.GET): every value is checked against what exists; a bad one is noted, never a 500."""
    choice = Choice()
    checks = (
        ("period", "periode", {key for key, _label in periods()},
         _("This period is not offered; the last 12 months are shown.")),
        ("level", "niveau", set(LEVELS), _("Choose communes or territories; the communes are shown.")),
        ("territory", "territoire", set(territories), _("No territory has this code; all the communes are shown.")),
        ("figure", "tri", set(FIGURES_BY_KEY), _("This figure is not compared; the table is sorted by participants.")),
    )
    for attribute, parameter, allowed, refusal in checks:
        value = query.get(parameter, "").strip()
        value = value.upper() if parameter == "territoire" else value
        if value in allowed:
            setattr(choice, attribute, value)
        elif value:
            choice.notes.append(refusal)
    order = query.get("ordre", "")
    if order in {"croissant", "decroissant"}:
        choice.ascending = order == "croissant"
    elif order:
        choice.notes.append(_("The order is “croissant” or “decroissant”; the best come first."))
    choice.commune = query.get("commune", "").strip()[:100]
    return choice


def _hidden_order(pk: int) -> str:
    """A stable order for ties that says nothing about the organisation (not its name, not its id)."""
    return hashlib.sha256(f"{settings.SECRET_KEY}:comparison:{pk}".encode()).hexdigest()


def _ranks(lines, figure) -> None:
    """Competition ranks (1, 2, 2, 4) on FIGURE, best first; None for lines without the figure."""
    valued = [line for line in lines if line.value(figure.key) is not None]
    valued.sort(key=lambda line: line.value(figure.key), reverse=figure.higher_is_better)
    previous, rank = object(), 0
    for position, line in enumerate(valued, start=1):
        if line.value(figure.key) != previous:
            rank, previous = position, line.value(figure.key)
        line.rank = rank


def _map_classes(lines, key) -> list[tuple[int, float, float]]:
    """Up to five classes of equal counts (quantiles) of the figure KEY over LINES, (level, low, high)."""
    values = sorted(line.value(key) for line in lines if line.value(key) is not None)
    if not values:
        return []
    bounds = sorted({values[min(len(values) - 1, (len(values) * i) // MAP_CLASSES)] for i in range(1, MAP_CLASSES)}
                    | {values[-1]})
    classes, low = [], values[0]
    for level, high in enumerate(bounds):
        classes.append((level, low, high))
        low = high
    return classes


def _level_of(value, classes) -> int | None:
    if value is None:
        return None
    for level, _low, high in classes:
        if value <= high:
            return level
    return classes[-1][0] if classes else None


def comparison_for(*, query, user) -> Comparison:
    """The comparison asked by QUERY, as USER may see it."""
    organisations = {row["pk"]: row for row in Organisation.objects.values(
        "pk", "name", "slug", "kind", "code", "insee_code", "parent_id", "comparison_named", "updated_at")}
    territories = {row["code"]: row for row in organisations.values()
                   if row["kind"] == Organisation.Kind.TERRITORY and row["code"]}
    choice = choice_from(query, {code: row["name"] for code, row in territories.items()})
    if choice.commune and choice.level != COMMUNES:
        choice.level = COMMUNES
    held = role_organisation_ids(user)

    def chain(pk):
        while pk is not None:
            yield pk
            pk = organisations[pk]["parent_id"]

    rows = ComparisonRow.objects.filter(period=choice.period).values_list("pk", "organisation_id", "figures",
                                                                          "computed_at")
    kind = Organisation.Kind.COMMUNE if choice.level == COMMUNES else Organisation.Kind.TERRITORY
    wanted_parent = territories[choice.territory]["pk"] if choice.territory else None
    communes_of: dict[int, list[str]] = {}
    for row in organisations.values():
        if row["kind"] == Organisation.Kind.COMMUNE and row["insee_code"]:
            communes_of.setdefault(row["parent_id"], []).append(row["insee_code"])

    lines, total, computed_at, last_row = [], None, None, 0
    for row_pk, pk, figures, at in rows:
        last_row = max(last_row, row_pk)
        org = organisations.get(pk)
        if org is None:
            continue
        computed_at = max(computed_at, at) if computed_at else at
        if choice.territory and org["kind"] == Organisation.Kind.TERRITORY and org["code"] == choice.territory or (
                not choice.territory and org["kind"] == Organisation.Kind.METROPOLE):
            total = Line(pk, org["name"], org["slug"], org["kind"], "", "", figures, named=True, label=org["name"])
        if org["kind"] != kind or (wanted_parent and org["parent_id"] != wanted_parent and org["pk"] != wanted_parent):
            continue
        parent = organisations.get(org["parent_id"]) or {}
        line = Line(pk, org["name"], org["slug"], org["kind"], org["insee_code"],
                    parent.get("name", "") if parent.get("kind") == Organisation.Kind.TERRITORY else "", figures)
        line.own = pk in held
        line.named = org["comparison_named"] or any(node in held for node in chain(pk))
        line.selected = bool(choice.commune) and org["slug"] == choice.commune
        lines.append(line)

    figure = FIGURES_BY_KEY[choice.figure]
    _ranks(lines, figure)
    classes = _map_classes(lines, figure.key)
    anonymous = _("Anonymous commune") if kind == Organisation.Kind.COMMUNE else _("Anonymous territory")
    for line in lines:
        if line.named:
            line.label = line.name
            line.level = _level_of(line.value(figure.key), classes)
            line.codes = [line.insee_code] if line.insee_code else sorted(communes_of.get(line.pk, []))
        else:
            line.label = (_("%(anonymous)s (rank %(rank)s)") % {"anonymous": anonymous, "rank": line.rank}
                          if line.rank else _("%(anonymous)s (no figure)") % {"anonymous": anonymous})

    best_first = choice.ascending is None
    ascending = (not figure.higher_is_better) if best_first else choice.ascending

    def order(line):
        value = line.value(figure.key)
        missing = value is None
        return (missing, 0 if missing else (value if ascending else -value),
                line.name.casefold() if line.named else "\uffff", _hidden_order(line.pk))

    lines.sort(key=order)
    comparison = Comparison(choice=choice, lines=lines, territories=sorted(
        ((code, row["name"]) for code, row in territories.items()), key=lambda pair: int(pair[0][1:])),
        total=total, classes=classes, computed_at=computed_at,
        version="|".join(str(part) for part in (
            computed_at, last_row, max(row["updated_at"] for row in organisations.values()),
            sorted(pk for pk, row in organisations.items() if row["comparison_named"]))),
        viewer=tuple(sorted(held)))
    if choice.commune:
        selected = [line for line in lines if line.selected]
        if selected and not selected[0].named:
            selected[0].selected = False
            comparison.selected_hidden = True
        elif selected:
            comparison.selected_name = selected[0].name
        elif not any(row["slug"] == choice.commune and row["kind"] == Organisation.Kind.COMMUNE
                     for row in organisations.values()):
            choice.notes.append(_("No commune has this address."))
            choice.commune = ""
    return comparison


def csv_rows(comparison: Comparison):
    """The table as the CSV gives it: the same names or anonymous ranks, no INSEE code for the anonymous."""
    for line in comparison.lines:
        yield [line.label, line.insee_code if line.named else "", line.territory if line.named else "",
               *(line.value(figure.key) for figure in FIGURES)]


def csv_header() -> list[str]:
    return [_("Name"), _("INSEE code"), _("Territory"),
            *(f"{figure.label} ({figure.unit})" if figure.unit else (f"{figure.label} (%)" if figure.percent
                                                                     else str(figure.label)) for figure in FIGURES)]
