"""Oversized inputs get a clear error, found without reading (or parsing) the whole file.

The big files are written to disk in large chunks (a 10-million-row CSV in well under a
second here). Nothing is timed: each test shows that reading stopped early by what the
report says (the limit, in words) and by what it does *not* say -- the bytes past the limit
are broken on purpose, so reading them would add a different problem.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from mapapp.core.dates import FIRST_YEAR, LAST_YEAR
from mapapp.core.read import (
    MAX_CSV_ROWS,
    MAX_FILE_BYTES,
    MAX_GEOJSON_BYTES,
    MAX_JSON_DEPTH,
    MAX_VERTICES,
    read_text,
)
from mapapp.core.report import Report
from mapapp.core.validate import MAX_CELL_CHARS, load_dataset

from .conftest import ROOT, run_mapapp

TEN_MILLION = 10_000_000
#: 13 empty cells: the right shape for control.csv, and every row would be a problem if read
EMPTY_ROW = b"," * 12 + b"\n"
#: not UTF-8: if the end of a file were read, it would be reported as bad-encoding
BROKEN_TAIL = b"\xff\xfe\x00 the end"


def write_rows(path: Path, header: bytes, row: bytes, count: int, tail: bytes = b"") -> None:
    """``count`` copies of ``row`` under ``header``, written in blocks of 100,000 rows."""
    block_rows = 100_000
    block = row * block_rows
    with path.open("wb") as out:
        out.write(header)
        for _ in range(count // block_rows):
            out.write(block)
        out.write(row * (count % block_rows))
        out.write(tail)


def found(report: Report) -> list[tuple[str, int | None, str | None, str]]:
    return [(i.file, i.line, i.column, i.code) for i in report.sorted()]


def test_ten_million_row_csv_is_refused_at_the_row_limit(valid_copy: Path) -> None:
    path = valid_copy / "control.csv"
    header = path.read_bytes().split(b"\n", 1)[0] + b"\n"
    write_rows(path, header, EMPTY_ROW, TEN_MILLION, BROKEN_TAIL)
    assert path.stat().st_size < MAX_FILE_BYTES, "this file is meant to pass the size check"

    report = load_dataset(valid_copy).report

    # one problem, not ten million missing values, and no bad-encoding from the tail
    assert found(report) == [("control.csv", None, None, "too-many-rows")]
    message = report.issues[0].message
    assert f"more than {MAX_CSV_ROWS:,} rows" in message
    assert f"stopped at line {MAX_CSV_ROWS + 2:,}" in message


def test_the_command_and_the_page_report_the_row_limit(
    valid_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = valid_copy / "control.csv"
    header = path.read_bytes().split(b"\n", 1)[0] + b"\n"
    write_rows(path, header, EMPTY_ROW, TEN_MILLION)

    result = run_mapapp("validate", str(valid_copy))
    assert result.returncode == 1, result.stderr
    assert "control.csv: control.csv has more than 1,000,000 rows" in result.stdout
    assert "(too-many-rows)" in result.stdout

    monkeypatch.setenv("MAPAPP_DATA", str(valid_copy))
    monkeypatch.setenv("MAPAPP_TILES", "none")
    at = AppTest.from_file(str(ROOT / "mapapp" / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert at.error
    assert "too-many-rows" in set(at.dataframe[0].value["code"])


def test_the_row_limit_counts_lines_below_the_header(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(b"h\n1\n2\n")
    text, issues = read_text(path, "x.csv", max_lines=3)
    assert (text, issues) == ("h\n1\n2\n", [])
    path.write_bytes(b"h\n1\n2\n3\n")
    text, issues = read_text(path, "x.csv", max_lines=3)
    assert text is None
    assert [i.code for i in issues] == ["too-many-rows"]
    assert "more than 2 rows below the header" in issues[0].message


def test_a_file_over_the_size_limit_is_not_read(valid_copy: Path) -> None:
    path = valid_copy / "events.csv"
    with path.open("wb") as out:  # sparse: 300 MB of NUL bytes on paper, none on disk
        out.truncate(300 * 1024 * 1024)
    report = load_dataset(valid_copy).report
    # had it been read, the NUL bytes would be a bad-encoding problem
    assert found(report) == [("events.csv", None, None, "file-too-large")]
    assert "events.csv is 300.0 MB; it may be at most 200.0 MB" in report.issues[0].message


def test_a_50_mb_geojson_is_refused_by_its_size(valid_copy: Path) -> None:
    path = valid_copy / "neighbourhoods.geojson"
    start = b'{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
    start += b'{"id": "alpha"}, "geometry": {"type": "Polygon", "coordinates": [['
    vertex = b"[36.30000000, 33.46000000], "
    count = 50 * 1024 * 1024 // len(vertex)
    write_rows(path, start, vertex, count, BROKEN_TAIL)  # never closed: not JSON
    assert path.stat().st_size > 50 * 1024 * 1024

    report = load_dataset(valid_copy).report

    # not parsed: that would report bad-encoding (the tail) or bad-json, not the size
    geo = [i for i in report.sorted() if i.file == "neighbourhoods.geojson"]
    assert [(i.line, i.column, i.code) for i in geo] == [(None, None, "file-too-large")]
    assert "at most 20.0 MB" in geo[0].message
    assert f"{MAX_GEOJSON_BYTES / 1024 / 1024:.1f} MB" in geo[0].message
    # the places are unknown, so the CSV files' references to them are not checked
    assert {i.code for i in report.issues} == {"file-too-large"}


def test_too_many_vertices(valid_copy: Path) -> None:
    path = valid_copy / "neighbourhoods.geojson"
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["features"][0]["geometry"]["coordinates"] = "RING"
    ring = "[[" + ", ".join(["[36.3, 33.46]"] * (MAX_VERTICES + 1)) + "]]"
    path.write_text(json.dumps(doc).replace('"RING"', ring), encoding="utf-8")
    assert path.stat().st_size < MAX_GEOJSON_BYTES

    report = load_dataset(valid_copy).report

    assert found(report) == [("neighbourhoods.geojson", None, "geometry", "too-many-vertices")]
    assert f"more than {MAX_VERTICES:,} points" in report.issues[0].message


def test_nesting_deeper_than_the_limit(valid_copy: Path) -> None:
    path = valid_copy / "neighbourhoods.geojson"
    doc = json.loads(path.read_text(encoding="utf-8"))
    nested: list[object] = []
    for _ in range(MAX_JSON_DEPTH):
        nested = [nested]
    doc["features"][1]["properties"]["note"] = nested
    path.write_text(json.dumps(doc), encoding="utf-8")

    report = load_dataset(valid_copy).report

    assert found(report) == [("neighbourhoods.geojson", None, None, "bad-json")]
    assert f"more than {MAX_JSON_DEPTH} levels deep" in report.issues[0].message


def test_the_editors_guide_states_the_limits() -> None:
    guide = (ROOT / "EDITING.md").read_text(encoding="utf-8")
    section = guide.split("### Limits", 1)[1].split("\n## ", 1)[0]
    for stated in (
        f"{MAX_FILE_BYTES // 1024 // 1024} MB",
        f"{MAX_CSV_ROWS:,} rows",
        f"{MAX_GEOJSON_BYTES // 1024 // 1024} MB",
        f"{MAX_VERTICES:,} points",
        f"{MAX_JSON_DEPTH} levels",
        f"{MAX_CELL_CHARS:,} characters",
        f"years {FIRST_YEAR} to {LAST_YEAR}",
    ):
        assert stated in section, stated
