"""Downloadable tables (CSV and XLSX) for every export of the site: one way to write them.

A cell that a spreadsheet would run as a formula (text starting with = + - @, a tab or a carriage return,
as OWASP's "CSV injection" advice lists) is written as text, with a leading apostrophe: a proposal titled
`=HYPERLINK("http://x","y")` must not become a live link in an agent's spreadsheet. Text starting with a
minus sign that is a plain number ("-3.5") is left alone. Numbers stay numbers.

CSV is streamed while the rows are read (memory stays flat however many rows), with a byte-order mark so
that spreadsheet programs read UTF-8. XLSX is written row by row by openpyxl's write-only mode into a
temporary file, then sent. A table too large for a request is written by a background job into a file
(`export_write`, see `concerto.core.jobs.exports`).
"""

import csv
import re
import tempfile
from collections.abc import Iterable, Mapping, Sequence

from django.http import FileResponse, HttpResponse, StreamingHttpResponse

BOM = "\ufeff"  # Excel reads UTF-8 only with it
CSV = "csv"
XLSX = "xlsx"
CONTENT_TYPES = {
    CSV: "text/csv; charset=utf-8",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Characters XML 1.0 forbids: they would make the XLSX file unreadable.
_XML_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def cell_neutralise(cell):
    """CELL as a spreadsheet should show it: a text that would run as a formula is kept as text."""
    if isinstance(cell, str) and cell and cell[0] in FORMULA_START and not (cell[0] == "-" and _is_number(cell)):
        return "'" + cell
    return cell


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _cells(row, columns) -> list:
    if isinstance(row, Mapping):
        row = [row.get(name) for name in columns]
    return ["" if cell is None else cell for cell in row]


def csv_lines(rows: Iterable, columns: Sequence[str] | None = None, *, delimiter: str = ",",
              column_keys: Sequence[str] | None = None, bom: bool = True):
    """The lines (text) of a CSV file: the BOM (unless BOM is false: a file for programs, in a fixed format)
    and COLUMNS (if given) first, then one line per row, every cell neutralised. A row is a sequence of cells,
    or a mapping read by COLUMN_KEYS (default COLUMNS)."""
    writer = csv.writer(_Echo(), delimiter=delimiter)
    keys = column_keys or columns
    header = [] if columns is None else [cell_neutralise(str(name)) for name in columns]
    yield (BOM if bom else "") + (writer.writerow(header) if header else "")
    for row in rows:
        yield writer.writerow([cell_neutralise(cell) for cell in _cells(row, keys)])


class _Echo:
    """A file-like object whose write() returns the line, for csv.writer inside a streamed response."""

    def write(self, value):
        return value


def export_response(rows: Iterable, columns: Sequence[str] | None, filename: str, format: str = CSV, *,
                    delimiter: str = ",", column_keys: Sequence[str] | None = None, sheet_title: str = "",
                    stream: bool = True):
    """The download of ROWS as FILENAME (its extension should be FORMAT's): CSV streamed (or, with
    STREAM false, sent whole, for small tables already in memory) or XLSX. COLUMNS is the header row (None:
    ROWS hold their own header). Each row is a sequence of cells or a mapping (see `csv_lines`).
    Formulas are neutralised in both formats."""
    if format == XLSX:
        return _xlsx_response(rows, columns, filename, column_keys=column_keys, sheet_title=sheet_title)
    if format != CSV:
        raise ValueError(f"Unknown export format {format!r}")
    lines = (line.encode("utf-8") for line in csv_lines(rows, columns, delimiter=delimiter,
                                                         column_keys=column_keys))
    if stream:
        response = StreamingHttpResponse(lines, content_type=CONTENT_TYPES[CSV])
    else:
        response = HttpResponse(b"".join(lines), content_type=CONTENT_TYPES[CSV])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _xlsx_response(rows, columns, filename, *, column_keys, sheet_title) -> FileResponse:
    output = tempfile.TemporaryFile(suffix=".xlsx")
    export_write(output, rows, columns, XLSX, column_keys=column_keys, sheet_title=sheet_title)
    output.seek(0)
    return FileResponse(output, as_attachment=True, filename=filename, content_type=CONTENT_TYPES[XLSX])


def _xlsx_cell(cell):
    if isinstance(cell, str):
        return cell_neutralise(_XML_FORBIDDEN.sub("", cell))
    return cell


def export_write(output, rows: Iterable, columns: Sequence[str] | None, format: str = CSV, *, delimiter: str = ",",
                 column_keys: Sequence[str] | None = None, sheet_title: str = "") -> None:
    """Write ROWS as `export_response` would send them into OUTPUT, a file open for writing in binary mode
    (a background job's export file)."""
    if format == XLSX:
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title=(sheet_title or "Export")[:31])
        keys = column_keys or columns
        if columns is not None:
            sheet.append([_xlsx_cell(str(name)) for name in columns])
        for row in rows:
            sheet.append([_xlsx_cell(cell) for cell in _cells(row, keys)])
        workbook.save(output)
        return
    if format != CSV:
        raise ValueError(f"Unknown export format {format!r}")
    for line in csv_lines(rows, columns, delimiter=delimiter, column_keys=column_keys):
        output.write(line.encode("utf-8"))
