"""Problems as values: where, what, sorted, as text and JSON."""

from __future__ import annotations

import json

from mapapp.core.report import Issue, Report


def test_a_report_lists_each_problem_once_in_file_and_line_order() -> None:
    late = Issue("control.csv", 9, "end", "end-before-start", "ends before it starts")
    early = Issue("control.csv", 2, None, "wrong-cell-count", "14 cells")
    whole = Issue("factions.csv", None, None, "empty-file", "factions.csv is empty")
    report = Report([late, early, whole, early])
    assert not report.valid and Report().valid
    assert report.sorted() == [early, late, whole]
    assert report.codes() == {"end-before-start", "wrong-cell-count", "empty-file"}
    text = report.to_text().splitlines()
    assert text[0] == "3 problems found:"
    assert text[1] == "  control.csv:2: 14 cells (wrong-cell-count)"
    assert text[2] == "  control.csv:9 [end]: ends before it starts (end-before-start)"
    assert json.loads(report.to_json())[2] == {
        "file": "factions.csv",
        "line": None,
        "column": None,
        "code": "empty-file",
        "message": "factions.csv is empty",
    }
    assert Report().to_text() == "The data is valid."
