"""Reading files into raw tables: encodings, line numbers, the one CSV reader shared by the
validator and the editor's store (the same words for the same problem)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mapapp.core.read import decode, parse_csv, read_csv, read_geojson
from mapapp.editing.store import SaveRefused, read_table


def test_rows_keep_the_line_an_editor_sees(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(b'\xef\xbb\xbfid,name\r\na,"two\r\nlines"\r\n\r\nb,B\r\n')
    table = read_csv(path, "t.csv")
    assert table.header == ["id", "name"], "the byte-order mark is not part of a name"
    assert [(r.line, r.cells["id"]) for r in table.rows] == [(2, "a"), (5, "b")]
    assert table.rows[0].cells["name"] == "two\r\nlines"
    assert table.issues == []


def test_a_short_row_is_reported_and_its_whole_cells_still_checked() -> None:
    table = parse_csv("id,name,kind,note\na,A,ar\n", "t.csv")
    assert [i.code for i in table.issues] == ["wrong-cell-count"]
    (row,) = table.rows
    assert row.cells == {"id": "a", "name": "A", "kind": "ar"}
    assert row.lacking == {"kind", "note"}, "the last cell of a cut row may be cut too"
    (long,) = parse_csv("id,name\na,A,extra\n", "t.csv").rows
    assert long.cells == {"id": "a", "name": "A"} and long.lacking == frozenset()


@pytest.mark.parametrize(
    ("data", "code", "line"),
    [(b"id\n\xff\n", "bad-encoding", 2), (b"i\x00d\n", "bad-encoding", 1)],
)
def test_bytes_that_are_not_utf8_text(data: bytes, code: str, line: int) -> None:
    text, issues = decode(data, "t.csv")
    assert text is None
    assert [(i.code, i.line) for i in issues] == [(code, line)]


@pytest.mark.parametrize(
    "content",
    [b"id,name\na,A,extra\n", b'id,name\na,"A\n', b"id,name\na,\xff\n", b"", b"id,id\n"],
)
def test_the_editor_and_the_validator_word_a_broken_file_the_same(
    tmp_path: Path, content: bytes
) -> None:
    (tmp_path / "t.csv").write_bytes(content)
    validator = read_csv(tmp_path / "t.csv", "t.csv").issues
    with pytest.raises(SaveRefused) as refused:
        read_table(tmp_path, "t.csv")
    assert refused.value.report is not None
    editor = refused.value.report.issues
    assert editor and set(editor) <= set(validator)
    assert editor[0].message in refused.value.message


def test_geojson_features_know_their_line(tmp_path: Path) -> None:
    path = tmp_path / "p.geojson"
    path.write_text(
        '{"type": "FeatureCollection", "features": [\n'
        '{"type": "Feature", "properties": {"id": "a"}, "geometry": null},\n'
        '{"type": "Feature", "properties": {"id": "b"}, "geometry": null}\n]}',
        encoding="utf-8",
    )
    raw = read_geojson(path, "p.geojson")
    assert [(f.index, f.line, f.properties["id"]) for f in raw.features] == [
        (0, 2, "a"),
        (1, 3, "b"),
    ]
    missing = read_geojson(tmp_path / "none.geojson", "none.geojson")
    assert [i.code for i in missing.issues] == ["missing-file"]
