"""Charts drawn on the server as SVG: no third-party script, no inline style (the page's CSP forbids it), so
they print and read without JavaScript. Colours and text sizes come from classes in core/charts.css.

A chart is a title, a one-sentence summary and (label, value) rows; `bar_chart` draws horizontal bars (one
per label: components, channels, communes, age bands), `column_chart` vertical columns in order (weeks).
Pages include "core/chart.html", which puts the SVG (hidden from screen readers) next to the same
figures as a table with a caption, and a CSV of every chart comes from `chart_rows`.
"""

from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from concerto.core import french

BAR = 28  # px per bar of a bar chart
LABEL = 180  # px kept for the labels of a bar chart
WIDTH = 640  # the viewBox width; the SVG scales to its box
COLUMN_HEIGHT = 200


@dataclass
class Chart:
    title: str
    rows: list[tuple[str, float]] = field(default_factory=list)
    summary: str = ""
    kind: str = "bars"  # or "columns"
    unit: str = ""  # said after each value in the table ("jours")
    value_label: str = ""  # the heading of the values' column

    @property
    def svg(self) -> SafeString:
        return column_chart(self.rows) if self.kind == "columns" else bar_chart(self.rows)

    @property
    def total(self) -> float:
        return sum(value for _label, value in self.rows)


def _number(value) -> str:
    """« 12 345 », « 3,5 »: the figures of the site (concerto/core/french.py)."""
    return french.number(value, decimals=1)


def _scale(rows) -> float:
    return max([value for _label, value in rows] or [0]) or 1


def bar_chart(rows: list[tuple[str, float]]) -> SafeString:
    """Horizontal bars, the label on the left and the value at the bar's end."""
    if not rows:
        return mark_safe("")
    most, room = _scale(rows), WIDTH - LABEL - 60
    height = BAR * len(rows) + 4
    parts = [f'<svg class="chart chart--bars" viewBox="0 0 {WIDTH} {height}" role="img" aria-hidden="true" '
             f'focusable="false" xmlns="http://www.w3.org/2000/svg">']
    for index, (label, value) in enumerate(rows):
        y = index * BAR + 2
        width = round(room * value / most, 1) if value > 0 else 0
        text = escape(label if len(label) <= 28 else label[:27] + "…")
        parts.append(f'<text class="chart__label" x="{LABEL - 8}" y="{y + BAR * 0.62:.1f}" text-anchor="end">'
                     f'{text}</text>')
        parts.append(f'<rect class="chart__bar chart__bar--{index % 6}" x="{LABEL}" y="{y + 4}" width="{width}" '
                     f'height="{BAR - 8}"></rect>')
        parts.append(f'<text class="chart__value" x="{LABEL + width + 6}" y="{y + BAR * 0.62:.1f}">'
                     f'{escape(_number(value))}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))


def column_chart(rows: list[tuple[str, float]]) -> SafeString:
    """Columns in the order of ROWS (weeks), with the first, middle and last labels under the axis."""
    if not rows:
        return mark_safe("")
    most, count = _scale(rows), len(rows)
    step = (WIDTH - 40) / count
    height = COLUMN_HEIGHT + 40
    parts = [f'<svg class="chart chart--columns" viewBox="0 0 {WIDTH} {height}" role="img" aria-hidden="true" '
             f'focusable="false" xmlns="http://www.w3.org/2000/svg">',
             f'<line class="chart__axis" x1="20" y1="{COLUMN_HEIGHT + 2}" x2="{WIDTH - 20}" '
             f'y2="{COLUMN_HEIGHT + 2}"></line>']
    shown = {0, count // 2, count - 1}
    for index, (label, value) in enumerate(rows):
        column = round((COLUMN_HEIGHT - 20) * value / most, 1) if value > 0 else 0
        x = 20 + index * step
        parts.append(f'<rect class="chart__bar" x="{x + step * 0.15:.1f}" y="{COLUMN_HEIGHT - column:.1f}" '
                     f'width="{step * 0.7:.1f}" height="{column}"></rect>')
        if value and count <= 26:
            parts.append(f'<text class="chart__value" x="{x + step / 2:.1f}" y="{COLUMN_HEIGHT - column - 4:.1f}" '
                         f'text-anchor="middle">{escape(_number(value))}</text>')
        if index in shown:
            parts.append(f'<text class="chart__label" x="{x + step / 2:.1f}" y="{COLUMN_HEIGHT + 22}" '
                         f'text-anchor="middle">{escape(label)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))


def paired_bar_chart(rows: list[tuple[str, float, float]], names: tuple[str, str], unit: str = "") -> SafeString:
    """Two bars per label (e.g. participants and population, in %), with a legend naming them NAMES; the page puts
    the same figures in a table."""
    if not rows:
        return mark_safe("")
    most = max([max(a, b) for _label, a, b in rows] or [0]) or 1
    room, pair = WIDTH - LABEL - 70, BAR * 2
    height = pair * len(rows) + 30
    parts = [f'<svg class="chart chart--bars" viewBox="0 0 {WIDTH} {height}" role="img" aria-hidden="true" '
             f'focusable="false" xmlns="http://www.w3.org/2000/svg">']
    for index, name in enumerate(names):
        x = LABEL + index * 200
        parts.append(f'<rect class="chart__bar chart__bar--{index}" x="{x}" y="6" width="14" height="14"></rect>'
                     f'<text class="chart__label" x="{x + 20}" y="18">{escape(name)}</text>')
    for index, (label, *values) in enumerate(rows):
        y = 30 + index * pair
        text = escape(label if len(label) <= 28 else label[:27] + "…")
        parts.append(f'<text class="chart__label" x="{LABEL - 8}" y="{y + BAR:.1f}" text-anchor="end">{text}</text>')
        for series, value in enumerate(values):
            width = round(room * value / most, 1) if value > 0 else 0
            top = y + series * (BAR - 4) + 2
            parts.append(f'<rect class="chart__bar chart__bar--{series}" x="{LABEL}" y="{top}" width="{width}" '
                         f'height="{BAR - 8}"></rect>')
            parts.append(f'<text class="chart__value" x="{LABEL + width + 6}" y="{top + BAR * 0.5:.1f}">'
                         f'{escape(_number(value))}{escape(unit)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))


def chart_rows(charts: list[Chart]):
    """The rows of a CSV holding every chart: (chart, label, value)."""
    for chart in charts:
        for label, value in chart.rows:
            yield [chart.title, label, value]
