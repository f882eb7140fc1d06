"""The public comparison page across communes and territories (/metropole/comparaison/) and its CSV."""

import hashlib
from urllib.parse import urlencode

from django.core.cache import cache
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from concerto.core import french
from concerto.core.comparison import table
from concerto.core.comparison.figures import FIGURES, periods
from concerto.core.exports import export_response

TABLE_CACHE_SECONDS = 6 * 3600  # the job's period: the key changes with the figures anyway


def _formatted(value, figure) -> str:
    """VALUE written the French way (« 12,5 », « 40 % »); "" when not known."""
    return (french.percent if figure.percent else french.number)(value, figure.decimals)


def _query(choice, **changes) -> str:
    """The query string of CHOICE with CHANGES, leaving out what is the default."""
    values = {"periode": choice.period if choice.period != table.LAST_12_MONTHS else "",
              "niveau": choice.level if choice.level != table.COMMUNES else "", "territoire": choice.territory,
              "tri": choice.figure if choice.figure != table.DEFAULT_FIGURE else "",
              "ordre": "" if choice.ascending is None else ("croissant" if choice.ascending else "decroissant"),
              "commune": choice.commune}
    values.update(changes)
    return urlencode({key: value for key, value in values.items() if value})


def _columns(comparison) -> list[dict]:
    """The figure columns: their header, sort link (best first, then the other way) and aria-sort."""
    choice, columns = comparison.choice, []
    for figure in FIGURES:
        current = figure.key == choice.figure
        best_ascending = not figure.higher_is_better
        ascending = best_ascending if choice.ascending is None else choice.ascending
        order = ""
        if current:  # a second click turns the order round
            order = "croissant" if not ascending else "decroissant"
        columns.append({
            "figure": figure, "current": current,
            "aria_sort": ("ascending" if ascending else "descending") if current else "",
            "url": "?" + _query(choice, tri="" if figure.key == table.DEFAULT_FIGURE else figure.key, ordre=order),
        })
    return columns


def _table_html(comparison, figure) -> str:
    """The map and the table (templates/comparison/_table.html): most of the page's work, a thousand figures."""
    for line in [*comparison.lines, *([comparison.total] if comparison.total else [])]:
        line.population_unknown = line.value("population") is None
        line.cells = [(_formatted(line.value(each.key), each), each) for each in FIGURES]
        value = _formatted(line.value(figure.key), figure) or _("not known")
        line.map_label = _("%(name)s: %(value)s") % {"name": line.label, "value": value}
    legend = [(level, _formatted(low, figure), _formatted(high, figure)) for level, low, high in comparison.classes]
    return render_to_string("comparison/_table.html", {
        "comparison": comparison, "choice": comparison.choice, "figure": figure, "columns": _columns(comparison),
        "period_label": dict(periods()).get(comparison.choice.period, ""), "legend": legend})


@require_safe
def page(request):
    comparison = table.comparison_for(query=request.GET, user=request.user)
    figure = table.FIGURES_BY_KEY[comparison.choice.figure]
    # The same question from viewers holding the same roles (none, for the public) gets the same table: kept until a
    # row is computed again or an organisation changes (its opt-in), so that most views skip the thousand figures.
    asked = f"{get_language()}|{comparison.version}|{comparison.viewer}|{_query(comparison.choice)}"
    key = "comparison:table:" + hashlib.sha256(asked.encode()).hexdigest()
    table_html = cache.get(key)
    if table_html is None:
        table_html = _table_html(comparison, figure) if comparison.lines else ""
        cache.set(key, table_html, TABLE_CACHE_SECONDS)
    return render(request, "comparison/page.html", {
        "comparison": comparison, "choice": comparison.choice, "figure": figure, "columns": _columns(comparison),
        "periods": periods(), "table_html": mark_safe(table_html),  # noqa: S308 (our own template's output)
        "csv_query": _query(comparison.choice), "own": [line for line in comparison.lines if line.own],
    })


@require_safe
def download(request):
    comparison = table.comparison_for(query=request.GET, user=request.user)
    name = f"comparaison-{comparison.choice.level}-{comparison.choice.period}.csv"
    response = export_response(table.csv_rows(comparison), table.csv_header(), name, stream=False)
    response["Cache-Control"] = "private, no-store"
    return response
