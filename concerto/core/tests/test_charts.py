"""The kernel's SVG charts: drawn from the rows given, with no inline style, and safe with any label."""

from concerto.core.charts import Chart, bar_chart, chart_rows, column_chart


def test_a_bar_chart_draws_one_bar_per_row_the_longest_for_the_largest_value():
    svg = bar_chart([("Site web", 30), ("Papier", 15), ("Sur place", 0)])
    assert svg.count("<rect") == 3
    widths = [float(part.split('"')[0]) for part in svg.split('width="')[1:]]
    assert widths[0] == 2 * widths[1] and widths[2] == 0
    assert "Site web" in svg and ">30<" in svg and ">15<" in svg
    assert "style=" not in svg and "<script" not in svg


def test_labels_are_escaped_and_shortened():
    svg = bar_chart([("<script>alert(1)</script>" + "x" * 40, 3)])
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "…" in svg


def test_a_column_chart_draws_every_week_and_labels_the_first_middle_and_last():
    rows = [(f"semaine {index}", index) for index in range(1, 11)]
    svg = column_chart(rows)
    assert svg.count("<rect") == 10
    assert "semaine 1<" in svg and "semaine 6<" in svg and "semaine 10<" in svg and "semaine 3<" not in svg


def test_an_empty_chart_draws_nothing_and_the_csv_rows_name_their_chart():
    assert bar_chart([]) == "" and column_chart([]) == ""
    charts = [Chart("Par canal", [("Site web", 2)]), Chart("Par commune", [("Sceaux", 1)])]
    assert list(chart_rows(charts)) == [["Par canal", "Site web", 2], ["Par commune", "Sceaux", 1]]
    assert charts[0].total == 2 and "<svg" in charts[0].svg
