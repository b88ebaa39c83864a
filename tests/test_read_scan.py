"""The places file's bracket scan (mapapp.core.read._Scan) gives each feature the line the
feature-by-feature parse gives it, and bounds the nesting and positions the document walk
counts, on documents written every way a GeoJSON file may be: compact, indented, brackets
and escaped quotes inside strings, a "features" key nested in a property, repeated keys,
members that are not objects."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import synth
from mapapp.core.read import _feature_offsets, _lines_at, _measure, _Scan, read_geojson


def _slow_lines(text: str, count: int) -> list[int] | None:
    starts = _feature_offsets(text)
    if starts is None or len(starts) != count:
        return None
    return _lines_at(text, starts)


def _features(doc: object) -> list[object]:
    assert isinstance(doc, dict)
    features = doc["features"]
    assert isinstance(features, list)
    return features


def _check(text: str, *, decided: bool = True) -> None:
    doc = json.loads(text)
    scan = _Scan.of(text)
    assert scan is not None
    depth, positions = _measure(doc)
    assert scan.depth >= depth and scan.positions >= positions
    lines = scan.feature_lines(len(_features(doc)))
    if decided:
        assert lines is not None
        assert lines == _slow_lines(text, len(_features(doc)))
    else:
        assert lines is None  # left to the feature-by-feature parse


def _feature(i: int, props: dict[str, object]) -> dict[str, object]:
    ring = [[36.0 + i, 33.0], [36.1 + i, 33.0], [36.1 + i, 33.1], [36.0 + i, 33.0]]
    return {
        "type": "Feature",
        "properties": {"id": f"p{i}", **props},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


TRICKY: list[dict[str, object]] = [
    {"name_en": 'a "quoted" [name] {x}', "note": "back\\slash\\"},
    {"name_en": "\\\\", "note": "ends in a backslash\\\\"},
    {"features": [1, 2], "name_ar": "مخيم ] [ } {"},
    {"name_en": "line\nbreak", "list": [["x"], [1, 2], [True]]},
    {"n": None, "t": True, "f": False, "e": [], "o": {}},
]


@pytest.mark.parametrize("indent", [None, 0, 1, 2, "\t"])
def test_scan_lines_equal_the_feature_parse(indent: int | str | None) -> None:
    features = [_feature(i, TRICKY[i % len(TRICKY)]) for i in range(12)]
    doc = {"type": "FeatureCollection", "name": "x [", "features": features, "crs": None}
    _check(json.dumps(doc, indent=indent, ensure_ascii=False))
    _check(json.dumps(doc, indent=indent, ensure_ascii=True))
    doc = {"features": features, "type": "FeatureCollection"}  # the list first
    _check(json.dumps(doc, indent=indent))


def test_hand_written_spacing_and_members() -> None:
    text = (
        ' \n{ "type" : "FeatureCollection" ,\r\n "features" :\n[ \n'
        '{"type": "Feature", "properties": {}, "geometry": null}  ,\n\n'
        '  {\n\n   "type": "Feature", "properties": {"a": "}"}, "geometry": null},'
        "[ 1 ], {}\n] }\n"
    )
    _check(text)
    # members that are not objects or lists: the scan does not count them
    _check('{"type": "FeatureCollection", "features": [{}, 5, "x", {}]}', decided=False)
    # "features" twice (json.loads keeps the last), or spelt with an escape
    _check('{"features": [{}], "type": "FeatureCollection", "features": [{}, {}]}', decided=False)
    _check('{"type": "FeatureCollection", "feat\\u0075res": [{}, {}]}', decided=False)
    # "features" as a value, not a key, beside the real list
    _check('{"name": "features", "features": [\n{"a": 1},\n{"b": [2, 3]}]}')
    # an empty list of features
    _check('{"type": "FeatureCollection", "features": []}')


def test_synthetic_places_file(tmp_path: Path) -> None:
    folder = synth.generate(tmp_path / "s", 50, 50)
    text = (folder / "neighbourhoods.geojson").read_text(encoding="utf-8")
    _check(text)
    scan = _Scan.of(text)
    assert scan is not None
    # nearly exact for a file written compactly, as the synthetic one is: only the list
    # of features (its "[" before a line break) is counted as a possible position
    depth, positions = _measure(json.loads(text))
    assert (scan.depth, scan.positions) == (depth, positions + 1)
    geo = read_geojson(folder / "neighbourhoods.geojson", "neighbourhoods.geojson")
    assert [f.line for f in geo.features] == list(range(2, 52))


def test_bounds_over_the_limits_fall_back_to_the_walk(tmp_path: Path) -> None:
    """A list of lists whose first members are numbers inside a position is counted by the
    scan, not by the walk: near the limit the walk decides, so nothing is refused that the
    walk accepts."""
    from mapapp.core import read

    path = tmp_path / "p.geojson"
    ring = [[[0, 0], [1, 0], [1, 1], [0, 0]]]
    # each position holds a nested list the walk does not count (a bad geometry, reported
    # later), so the scan counts twice as many as the walk
    odd = [[[0, 0, [1, 2]], [1, 0, [1, 2]], [1, 1, [1, 2]], [0, 0, [1, 2]]]]
    doc = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"id": "a"}, "geometry": {"type": "Polygon",
             "coordinates": odd}},
            {"type": "Feature", "properties": {"id": "b"}, "geometry": {"type": "Polygon",
             "coordinates": ring}},
        ],
    }  # fmt: skip
    path.write_text(json.dumps(doc), encoding="utf-8")
    scan = _Scan.of(path.read_text(encoding="utf-8"))
    assert scan is not None and scan.positions == 12 and _measure(doc)[1] == 8
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(read, "MAX_VERTICES", 10)
        geo = read_geojson(path, "p.geojson")
    assert "too-many-vertices" not in {i.code for i in geo.issues}
    assert len(geo.features) == 2
