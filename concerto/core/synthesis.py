"""The pieces of a space's synthesis for elected officials (issue 17): sections of figures, short tables and the
residents' own words, each pointing to the page or file it was read from. Components build them in their
manifest's `synthesis` hook, the kernel for the participation overview and the decisions
(`backoffice/synthesis.py`), and the page `backoffice/synthesis.html` lays them out.

Nothing here writes prose: a section holds titles, figures, the texts people wrote (quoted, with their source) and
at most a fixed sentence of the code (NOTE) that says what a figure counts or why there is none.
"""

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Figure:
    """One figure (VALUE: a number or a short word) and URL, the page or CSV it was read from."""

    label: str
    value: Any
    url: str = ""


@dataclass
class Row:
    """One line of a section's table: its CELLS in words, the first one linked to URL."""

    cells: list
    url: str = ""


@dataclass
class Table:
    caption: str
    headers: list
    rows: list[Row] = field(default_factory=list)


@dataclass
class Quote:
    """A resident's own text, quoted as an example, and where it was written (SOURCE, in words, linked to URL)."""

    text: str
    source: str = ""
    url: str = ""


@dataclass
class Section:
    """A part of the synthesis: TITLE, the SOURCE it reads (a component's title, « Participation overview ») and its
    URL (and CSV, the same figures as a file, when there is one), then figures, an optional short table, quoted
    texts and a fixed NOTE."""

    title: str
    source: str = ""
    url: str = ""
    csv: str = ""
    figures: list[Figure] = field(default_factory=list)
    table: Table | None = None
    quotes: list[Quote] = field(default_factory=list)
    note: str = ""

    def links(self):
        """Every address the section points to (the page filters them through `may_open`)."""
        yield self.url
        yield self.csv
        for figure in self.figures:
            yield figure.url
        for row in self.table.rows if self.table else ():
            yield row.url
        for quote in self.quotes:
            yield quote.url


QUOTE_LENGTH = 280  # characters of a resident's text quoted as an example; the link leads to the whole of it


def quoted(text: str) -> str:
    """TEXT cut at QUOTE_LENGTH characters on a word, with « … » when it was cut."""
    from django.utils.text import Truncator

    return Truncator(" ".join((text or "").split())).chars(QUOTE_LENGTH)


def component_link(component, name: str, **kwargs) -> str:
    """The address of COMPONENT's page NAME ("index", "results"; "<kind>_backoffice:..." for a back-office page),
    or "" when it has none (a component whose pages are not written yet): a figure without a page stays unlinked."""
    from django.urls import NoReverseMatch, reverse

    if ":" not in name:
        name = f"{component.kind}:{name}"
    try:
        return reverse(name, kwargs={"org_slug": component.space.organisation.slug, "space_slug": component.space.slug,
                                     "component_id": component.pk, **kwargs})
    except NoReverseMatch:
        return ""
