"""The kernel's export helper: what a spreadsheet user opens is text, never a live formula."""

import csv
import io

import pytest
from openpyxl import load_workbook

from concerto.core.exports import cell_neutralise, export_response

FORMULAS = ['=HYPERLINK("http://x","y")', "+33 6 12", "-1+2", "@SUM(A1)", "\tx", "\rx"]


def _csv(response, delimiter=","):
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=delimiter))


def _xlsx(response):
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.active
    return [[(cell.value, cell.data_type) for cell in row] for row in sheet.iter_rows()]


@pytest.mark.parametrize("text", FORMULAS)
def test_a_formula_is_kept_as_text(text):
    assert cell_neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["-3.5", "Des arbres", "", 42, -2.5, None, "a=b"])
def test_plain_values_are_left_alone(value):
    assert cell_neutralise(value) == value


def test_the_csv_is_streamed_with_a_bom_and_no_live_formula():
    rows = [{"title": text, "count": 3} for text in FORMULAS] + [{"title": None, "count": -1}]
    response = export_response(iter(rows), ["title", "count"], "x.csv", "csv", delimiter=";")
    assert response.streaming and response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="x.csv"'
    lines = _csv(response, ";")
    assert lines[0] == ["title", "count"]
    assert [line[0] for line in lines[1:-1]] == ["'" + text for text in FORMULAS]
    assert lines[-1] == ["", "-1"]


def test_a_small_csv_can_be_sent_whole():
    response = export_response([["=1+1"]], None, "x.csv", stream=False)
    assert not response.streaming
    assert response.content.decode("utf-8-sig") == "'=1+1\r\n"


def test_the_xlsx_holds_text_not_formulas_and_numbers_as_numbers():
    rows = [[text, 3] for text in FORMULAS] + [["bad\x01char", 2.5]]
    response = export_response(rows, ["title", "count"], "x.xlsx", "xlsx")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'filename="x.xlsx"' in response["Content-Disposition"]
    cells = _xlsx(response)
    assert cells[0] == [("title", "s"), ("count", "s")]
    # XML reads a carriage return back as a line feed.
    assert [row[0] for row in cells[1:-1]] == [("'" + text.replace("\r", "\n"), "s") for text in FORMULAS]
    assert all(row[0][1] != "f" for row in cells)
    assert cells[-1] == [("badchar", "s"), (2.5, "n")]
