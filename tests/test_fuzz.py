"""Broken files through the loader, the validator, the CLI and the app.

For every damaged data folder: no unhandled exception (the CLI exits 1, "problems in the
data", with its JSON report, never a traceback), every problem located (the file, and the
line and column where they apply), and nothing written (every file under the folder hashed
before and after, and no new files).

Hypothesis generates the damage -- truncation, inserted bytes (NUL, quotes, BOMs, line
breaks), other encodings, huge fields, broken headers, random cells, replaced geometries
and properties, out-of-range and non-finite coordinates, deep nesting, missing files and
folders in their place. :data:`FUZZ` keeps it bounded and reproducible (derandomized, no
example database). A table of named cases covers the classic failures one by one, with the
exact problem expected, and also runs through ``python -m mapapp`` and the Streamlit page.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from mapapp.cli import EXIT_OK, EXIT_PROBLEMS, main
from mapapp.core.read import read_csv, read_geojson
from mapapp.core.report import Report
from mapapp.core.validate import MAX_CELL_CHARS, load_dataset

from .conftest import ROOT, VALID, run_mapapp

CSV_FILES = ("factions.csv", "sources.csv", "control.csv", "events.csv")
GEOJSON = "neighbourhoods.geojson"
FILES = (*CSV_FILES, GEOJSON)
ORIGINAL = {name: (VALID / name).read_bytes() for name in FILES}
APP = str(ROOT / "mapapp" / "app.py")

#: problems with a whole file (or the whole GeoJSON document): these may have no line
WHOLE_FILE = {
    "missing-file",
    "file-too-large",
    "empty-file",
    "bad-json",
    "wrong-crs",
    "too-many-rows",
    "too-many-vertices",
}
#: problems with one cell (or GeoJSON property), which must name its column
CELL = {
    "bad-colour",
    "bad-url",
    "bad-date",
    "bad-precision",
    "precision-mismatch",
    "bad-type",
    "bad-value",
    "bad-id",
    "missing-value",
    "empty-quote",
    "too-long",
    "unknown-place",
    "unknown-faction",
    "unknown-source",
    "duplicate-id",
    "duplicate-feature-id",
    "missing-feature-id",
    "missing-column",
    "unknown-column",
    "duplicate-column",
    "end-before-start",
    "overlapping-period",
    "conflicting-control",
    "shared-alone",
    "allied-alone",
    "end-before-as-of",
    "unknown-claimant",
    "bad-relative-date",
    "bad-geometry",
    "invalid-geometry",
    "overlapping-polygons",
    "reference-point-outside",
}

#: bounded and reproducible: the same examples on every run, a few seconds per fuzz test
FUZZ = settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


# -- the checks every damaged folder goes through ----------------------------------------


def snapshot(root: Path) -> dict[str, str]:
    """Every path under ``root``: a file's SHA-256, or 'folder'."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        if p.is_file()
        else "folder"
        for p in sorted(root.rglob("*"))
    }


def line_count(path: Path) -> int:
    return path.read_bytes().count(b"\n") + 1


def assert_located(report: Report, folder: Path) -> None:
    for issue in report.issues:
        assert issue.file in FILES, issue
        assert issue.message.strip(), issue
        assert issue.code in WHOLE_FILE | CELL | {
            "bad-encoding",
            "bad-csv",
            "bad-geojson",
            "blank-header",
            "wrong-cell-count",
        }, f"a code the tests do not know: {issue}"
        if issue.code not in WHOLE_FILE:
            # an entry of 'features' that is no feature at all is named by its number
            by_number = issue.file == GEOJSON and re.search(r"\bfeature \d+", issue.message)
            assert issue.line is not None or by_number, f"no line: {issue}"
        if issue.line is not None:
            assert 1 <= issue.line <= line_count(folder / issue.file), issue
        if issue.code in CELL:
            assert issue.column, f"no column: {issue}"


def check_everything(folder: Path) -> Report:
    """Validator and in-process CLI on ``folder``: located problems, the documented exit
    code, the same report printed, and nothing written anywhere under its parent."""
    before = snapshot(folder.parent)
    result = load_dataset(folder)
    report = result.report
    assert (result.dataset is None) == (not report.valid)
    assert_located(report, folder)

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["validate", str(folder), "--json"])
    assert code == (EXIT_OK if report.valid else EXIT_PROBLEMS), err.getvalue()
    assert json.loads(out.getvalue()) == [asdict(i) for i in report.sorted()]
    assert err.getvalue() == ""

    assert snapshot(folder.parent) == before, "validation wrote or removed a file"
    return report


def tally(report: Report) -> None:
    """Count the problems found, for ``pytest --hypothesis-show-statistics``."""
    for found in sorted(report.codes()) or ["valid"]:
        event(found)


@contextlib.contextmanager
def valid_folder() -> Iterator[Path]:
    """A fresh copy of tests/data/valid (Hypothesis runs many examples per test, so a
    function-scoped tmp_path would be shared between them)."""
    with tempfile.TemporaryDirectory(prefix="mapapp-fuzz-") as tmp:
        folder = Path(tmp) / "data"
        shutil.copytree(VALID, folder)
        yield folder


# -- damage, as strategies -------------------------------------------------------------

#: bytes that break files in practice: NUL, quotes, BOMs (UTF-8, UTF-16), stray line
#: breaks, an invalid UTF-8 byte, a lone surrogate's bytes, a backslash
NASTY = [
    b"\x00",
    b'"',
    b'""',
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\xfe\xff",
    b",",
    b"\n",
    b"\r",
    b"\r\n",
    b"\xff",
    b"\xed\xa0\x80",
    b"\\",
    b"{",
    b"]",
]
#: encodings an editor's tool may save in instead of UTF-8
ENCODINGS = ["latin-1", "cp1256", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-8-sig"]
HUGE = [MAX_CELL_CHARS + 1, 200_000, 2_000_000]

#: any JSON value, including NaN, infinities, huge numbers and nesting
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
coordinates = st.floats(allow_nan=True, allow_infinity=True) | st.integers(-1000, 1000)


@dataclass(frozen=True)
class Damage:
    """What to do to one file of the valid folder: new bytes, or 'missing' / 'folder'."""

    file: str
    what: str
    content: bytes | None = None

    def apply(self, folder: Path) -> None:
        path = folder / self.file
        if self.what == "missing":
            path.unlink()
        elif self.what == "folder":
            path.unlink()
            path.mkdir()
            (path / "inside.csv").write_text("id\nx\n", encoding="utf-8")
        else:
            assert self.content is not None
            path.write_bytes(self.content)

    def __repr__(self) -> str:
        shown = None if self.content is None else self.content[:300]
        return f"Damage({self.file!r}, {self.what!r}, {shown!r})"


@st.composite
def byte_damage(draw: st.DrawFn, file: str, data: bytes) -> Damage:
    """Damage that does not care what the file holds."""
    kind = draw(st.sampled_from(["truncate", "insert", "huge", "encode", "bytes", "lines"]))
    at = draw(st.integers(0, len(data)))
    if kind == "truncate":
        return Damage(file, f"truncated at byte {at}", data[:at])
    if kind == "insert":
        piece = draw(st.sampled_from(NASTY) | st.binary(min_size=1, max_size=8))
        return Damage(file, f"{piece!r} inserted at byte {at}", data[:at] + piece + data[at:])
    if kind == "huge":
        size = draw(st.sampled_from(HUGE))
        return Damage(file, f"{size} bytes inserted at {at}", data[:at] + b"x" * size + data[at:])
    if kind == "encode":
        codec = draw(st.sampled_from(ENCODINGS))
        # give Latin-1 something to get wrong besides the Arabic, which it cannot encode
        text = data.decode("utf-8").replace("e", "é", 1)
        return Damage(file, f"saved as {codec}", text.encode(codec, errors="replace"))
    if kind == "lines":
        lines = data.splitlines(keepends=True)
        picked = draw(st.lists(st.integers(0, len(lines) - 1), min_size=1, max_size=3))
        how = draw(st.sampled_from(["drop", "double", "swap"]))
        for i in picked:
            if how == "drop":
                lines[i] = b""
            elif how == "double":
                lines[i] = lines[i] * 2
            else:
                lines[i], lines[-1 - i] = lines[-1 - i], lines[i]
        return Damage(file, f"lines {picked}: {how}", b"".join(lines))
    return Damage(file, "random bytes", draw(st.binary(max_size=200)))


@st.composite
def csv_damage(draw: st.DrawFn) -> Damage:
    file = draw(st.sampled_from(CSV_FILES))
    data = ORIGINAL[file]
    kind = draw(st.sampled_from(["bytes", "header", "cell"]))
    if kind == "bytes":
        return draw(byte_damage(file, data))
    lines = data.decode("utf-8").split("\n")
    names = lines[0].split(",")
    if kind == "header":
        how = draw(st.sampled_from(["duplicate", "blank", "drop", "rename", "only"]))
        i = draw(st.integers(0, len(names) - 1))
        if how == "duplicate":
            names[i] = names[(i + 1) % len(names)]
        elif how == "blank":
            names[i] = ""
        elif how == "rename":
            names[i] = draw(st.text(max_size=10))
        elif how == "drop":
            return Damage(file, "no header", "\n".join(lines[1:]).encode("utf-8"))
        else:
            return Damage(file, "header only", (lines[0] + "\n").encode("utf-8"))
        lines[0] = ",".join(names)
        return Damage(file, f"header {how} at column {i + 1}", "\n".join(lines).encode("utf-8"))
    # one cell of a data row replaced by any text, written raw or quoted as CSV should be
    row = draw(st.integers(1, len([x for x in lines if x]) - 1))
    cells = lines[row].split(",")
    col = draw(st.integers(0, len(cells) - 1))
    value = draw(st.text(max_size=30) | st.sampled_from(["nan", "inf", "-0", "1e400", "9" * 20]))
    quoted = draw(st.booleans())
    cells[col] = '"' + value.replace('"', '""') + '"' if quoted else value
    lines[row] = ",".join(cells)
    return Damage(
        file,
        f"line {row + 1} column {col + 1} = {value!r}",
        "\n".join(lines).encode("utf-8", errors="surrogatepass"),
    )


def _coords(geometry: Any) -> Iterator[list[Any]]:
    """Every [lon, lat] position in a (valid) Polygon or MultiPolygon."""
    rings = geometry["coordinates"]
    if geometry["type"] == "MultiPolygon":
        rings = [ring for polygon in rings for ring in polygon]
    for ring in rings:
        yield from ring


@st.composite
def geojson_damage(draw: st.DrawFn) -> Damage:
    file, data = GEOJSON, ORIGINAL[GEOJSON]
    kind = draw(st.sampled_from(["bytes", "geometry", "range", "property", "feature", "deep"]))
    if kind == "bytes":
        return draw(byte_damage(file, data))
    doc = json.loads(data)
    features = doc["features"]
    i = draw(st.integers(0, len(features) - 1))
    feature = features[i]
    if kind == "geometry":
        gtype = draw(
            st.sampled_from(
                [
                    "Point",
                    "LineString",
                    "MultiPoint",
                    "GeometryCollection",
                    "Polygon",
                    "MultiPolygon",
                    "Feature",
                    "",
                ]
            )
            | json_values
        )
        coords = draw(
            st.recursive(coordinates, lambda c: st.lists(c, max_size=5), max_leaves=20)
            | json_values
        )
        feature["geometry"] = draw(
            st.sampled_from([{"type": gtype, "coordinates": coords}, {"type": gtype}, coords])
        )
        what = "geometry replaced"
    elif kind == "range":
        how = draw(st.sampled_from(["swap", "scale", "nonfinite"]))
        factor = draw(st.sampled_from([-1.0, 1000.0, 1e6, 1e300]))
        bad = draw(st.sampled_from([float("nan"), float("inf"), -float("inf")]))
        for position in _coords(feature["geometry"]):
            if how == "swap":
                position.reverse()
            elif how == "scale":
                position[0] *= factor
            else:
                position[1] = bad
        what = f"coordinates: {how}"
    elif kind == "property":
        props = feature["properties"]
        key = draw(st.sampled_from([*sorted(props), "extra"]))
        if draw(st.booleans()):
            props[key] = draw(json_values)
        else:
            props.pop(key, None)
        what = f"property {key}"
    elif kind == "feature":
        where = draw(st.sampled_from(["feature", "features", "type", "crs", "root"]))
        value = draw(json_values)
        if where == "feature":
            features[i] = value
        elif where == "root":
            doc = value
        else:
            doc[where] = value
        what = f"{where} replaced"
    else:
        depth = draw(st.integers(2, 3000))
        nested: Any = 1
        for _ in range(min(depth, 900)):  # json.dumps recurses; the rest is added as text
            nested = [nested]
        feature["properties"]["name_en"] = nested
        what = f"nesting {depth}"
    text = json.dumps(doc, ensure_ascii=False, indent=draw(st.sampled_from([None, 1])))
    if kind == "deep" and depth > 900:
        text = text.replace("[" * 900, "[" * depth, 1).replace("]" * 900, "]" * depth, 1)
    return Damage(file, what, text.encode("utf-8"))


whole_file_damage = st.builds(
    Damage,
    st.sampled_from(FILES),
    st.sampled_from(["missing", "folder", "empty"]),
).map(lambda d: Damage(d.file, "empty", b"") if d.what == "empty" else d)


# -- the fuzz tests ---------------------------------------------------------------------


@FUZZ
@given(damage=csv_damage())
def test_fuzzed_csv(damage: Damage) -> None:
    with valid_folder() as folder:
        damage.apply(folder)
        report = check_everything(folder)
        tally(report)
        if folder.joinpath(damage.file).read_bytes() != ORIGINAL[damage.file] and not report.valid:
            assert any(i.file == damage.file for i in report.issues) or all(
                i.code.startswith("unknown-") or i.code in {"shared-alone", "bad-relative-date"}
                for i in report.issues
            ), report.to_text()


@FUZZ
@given(damage=geojson_damage())
def test_fuzzed_geojson(damage: Damage) -> None:
    with valid_folder() as folder:
        damage.apply(folder)
        tally(check_everything(folder))


@FUZZ
@given(damages=st.lists(csv_damage() | geojson_damage() | whole_file_damage, max_size=4))
def test_fuzzed_several_files_at_once(damages: list[Damage]) -> None:
    with valid_folder() as folder:
        applied = {d.file: d for d in reversed(damages)}  # the first damage to each file
        for damage in applied.values():
            damage.apply(folder)
        report = check_everything(folder)
        tally(report)
        if any(d.what in ("missing", "folder", "empty") for d in applied.values()):
            assert not report.valid


@settings(FUZZ, max_examples=300)
@given(
    data=st.binary(max_size=400)
    | st.sampled_from(list(ORIGINAL.values())).flatmap(
        lambda original: st.integers(0, len(original)).map(lambda n: original[:n])
    )
)
def test_the_readers_take_any_bytes(data: bytes) -> None:
    """read_csv and read_geojson on any bytes: a table or issues, never an exception."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "file"
        path.write_bytes(data)
        table = read_csv(path, "control.csv")
        geo = read_geojson(path, GEOJSON)
        assert path.read_bytes() == data
    for issue in [*table.issues, *geo.issues]:
        assert issue.message and issue.code
        assert issue.line is None or issue.line >= 1
    if not table.readable:
        assert table.issues and not table.rows
    if geo.document is None:
        assert geo.issues or not data.strip()


# -- named cases: each classic failure, with the exact problem ---------------------------


def _edit(file: str, old: bytes, new: bytes) -> Callable[[Path], None]:
    def apply(folder: Path) -> None:
        path = folder / file
        data = path.read_bytes()
        assert old in data, (file, old)
        path.write_bytes(data.replace(old, new, 1))

    return apply


def _write(file: str, content: bytes) -> Callable[[Path], None]:
    def apply(folder: Path) -> None:
        (folder / file).write_bytes(content)

    return apply


def _reencode(file: str, codec: str, prefix: bytes = b"") -> Callable[[Path], None]:
    def apply(folder: Path) -> None:
        text = ORIGINAL[file].decode("utf-8")
        (folder / file).write_bytes(prefix + text.encode(codec, errors="replace"))

    return apply


def _geo(change: Callable[[dict[str, Any]], None], **dump: Any) -> Callable[[Path], None]:
    def apply(folder: Path) -> None:
        doc = json.loads(ORIGINAL[GEOJSON])
        change(doc)
        (folder / GEOJSON).write_text(json.dumps(doc, indent=1, **dump), encoding="utf-8")

    return apply


def _folder_for(file: str) -> Callable[[Path], None]:
    return lambda folder: Damage(file, "folder").apply(folder)


def _set(path: tuple[Any, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        target: Any = doc
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


_SQUARE = [[[36.3, 33.46], [36.31, 33.46], [36.31, 33.47], [36.3, 33.47], [36.3, 33.46]]]
_G0 = ("features", 0, "geometry")
_P0 = ("features", 0, "properties")

#: (name, damage, the file, line, column and code of the one problem expected)
Expected = tuple[str, int | None, str | None, str]
CASES: list[tuple[str, Callable[[Path], None], Expected]] = [
    (
        "truncated csv",
        _write("control.csv", ORIGINAL["control.csv"][:250]),
        ("control.csv", 3, None, "wrong-cell-count"),
    ),
    (
        "truncated geojson",
        _write(GEOJSON, ORIGINAL[GEOJSON][:700]),
        (GEOJSON, 48, None, "bad-json"),
    ),
    (
        "latin-1 csv",
        _reencode("factions.csv", "latin-1", "é,".encode("latin-1")),
        ("factions.csv", 1, None, "bad-encoding"),
    ),
    (
        "windows-1256 csv",
        _reencode("control.csv", "cp1256"),
        ("control.csv", 2, None, "bad-encoding"),
    ),
    (
        "utf-16 with bom",
        _reencode("sources.csv", "utf-16"),
        ("sources.csv", 1, None, "bad-encoding"),
    ),
    (
        "utf-16 without bom",
        _reencode("events.csv", "utf-16-be"),
        ("events.csv", 1, None, "bad-encoding"),
    ),
    ("utf-16 geojson", _reencode(GEOJSON, "utf-16-le"), (GEOJSON, 1, None, "bad-encoding")),
    (
        "bom only",
        _write("factions.csv", b"\xef\xbb\xbf"),
        ("factions.csv", None, None, "empty-file"),
    ),
    (
        "nul byte",
        _edit("events.csv", b"siege_beta", b"siege\x00beta"),
        ("events.csv", 2, None, "bad-encoding"),
    ),
    (
        "huge field",
        _edit("control.csv", b"first quote", b"x" * 300_000),
        ("control.csv", 2, "quote_en", "too-long"),
    ),
    (
        "duplicate header",
        _edit("factions.csv", b",note", b",kind"),
        ("factions.csv", 1, "kind", "duplicate-column"),
    ),
    (
        "unbalanced quote",
        _edit("control.csv", b",first quote,", b',"first quote,'),
        ("control.csv", 2, None, "bad-csv"),
    ),
    ("empty csv", _write("sources.csv", b""), ("sources.csv", None, None, "empty-file")),
    ("empty geojson", _write(GEOJSON, b"  \n"), (GEOJSON, None, None, "empty-file")),
    ("folder for csv", _folder_for("control.csv"), ("control.csv", None, None, "missing-file")),
    ("folder for geojson", _folder_for(GEOJSON), (GEOJSON, None, None, "missing-file")),
    (
        "deep nesting",
        _write(
            GEOJSON,
            b'{"type": "FeatureCollection", "features": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
        ),
        (GEOJSON, None, None, "bad-json"),
    ),
    (
        "nested coordinates",
        _geo(_set((*_G0, "coordinates"), json.loads("[" * 40 + "]" * 40))),
        (GEOJSON, None, None, "bad-json"),
    ),
    (
        "point geometry",
        _geo(_set(_G0, {"type": "Point", "coordinates": [36.3, 33.46]})),
        (GEOJSON, 5, "geometry", "bad-geometry"),
    ),
    ("no geometry", _geo(_set(_G0, None)), (GEOJSON, 5, "geometry", "bad-geometry")),
    (
        "geometry collection",
        _geo(_set(_G0, {"type": "GeometryCollection", "geometries": []})),
        (GEOJSON, 5, "geometry", "bad-geometry"),
    ),
    (
        "latitude out of range",
        _geo(
            _set(
                (*_G0, "coordinates"),
                [[[36.3, 133.46], [36.31, 133.46], [36.31, 133.47], [36.3, 133.46]]],
            )
        ),
        (GEOJSON, 5, "geometry", "wrong-crs"),
    ),
    (
        "nan coordinate",
        _geo(_set((*_G0, "coordinates"), [[[36.3, float("nan")], *_SQUARE[0][1:]]])),
        (GEOJSON, 5, "geometry", "bad-geometry"),
    ),
    (
        "infinite ref_lat",
        _geo(_set((*_P0, "ref_lat"), float("inf"))),
        (GEOJSON, 5, "ref_lat", "bad-type"),
    ),
    ("text ref_lat", _geo(_set((*_P0, "ref_lat"), "north")), (GEOJSON, 5, "ref_lat", "bad-type")),
    ("list name", _geo(_set((*_P0, "name_en"), ["Alpha"])), (GEOJSON, 5, "name_en", "bad-type")),
    (
        "odd crs",
        _geo(_set(("crs",), {"type": "name", "properties": ["EPSG:3857"]})),
        (GEOJSON, None, "crs", "wrong-crs"),
    ),
    (
        "huge offset",
        _edit("sources.csv", b",-21,", b",-99999999999,"),
        ("sources.csv", 3, "offset_days", "bad-relative-date"),
    ),
    (
        "5000-digit offset",
        _edit("sources.csv", b",-21,", b"," + b"9" * 5000 + b","),
        ("sources.csv", 3, "offset_days", "bad-type"),
    ),
    (
        "year 9999",
        _edit("sources.csv", b",2015-09,month,", b",9999-12-31,day,"),
        ("sources.csv", 2, "published", "bad-date"),
    ),
]


def _case_id(case: tuple[str, Callable[[Path], None], Expected]) -> str:
    return case[0].replace(" ", "-")


@pytest.mark.parametrize(("name", "damage", "expected"), CASES, ids=[_case_id(c) for c in CASES])
def test_named_case(
    name: str, damage: Callable[[Path], None], expected: Expected, valid_copy: Path
) -> None:
    damage(valid_copy)
    report = check_everything(valid_copy)
    found = [(i.file, i.line, i.column, i.code) for i in report.sorted()]
    assert found == [expected], report.to_text()


def test_a_second_bom_is_not_part_of_the_header(valid_copy: Path) -> None:
    """Found by fuzzing: a file saved twice with a BOM kept one in its first column's name,
    reported as an unknown column '\ufeffid' that looks like 'id'."""
    _edit("factions.csv", b"id,", b"\xef\xbb\xbf\xef\xbb\xbfid,")(valid_copy)
    report = check_everything(valid_copy)
    assert report.valid, report.to_text()


def test_duplicate_column_the_first_counts(valid_copy: Path) -> None:
    """Found by fuzzing: with 'kind' twice in the header, the second (empty) column's
    values replaced the first's, so every row was also reported as missing its kind."""
    _edit("factions.csv", b",note", b",kind")(valid_copy)
    found = [(i.file, i.line, i.column, i.code) for i in check_everything(valid_copy).sorted()]
    assert found == [("factions.csv", 1, "kind", "duplicate-column")]


def test_missing_header_is_reported_on_line_1(valid_copy: Path) -> None:
    """The first row taken for the header: every problem is on line 1, and 'id' missing."""
    _write("factions.csv", ORIGINAL["factions.csv"].split(b"\n", 1)[1])(valid_copy)
    report = check_everything(valid_copy)
    assert {i.line for i in report.issues} == {1}
    assert ("factions.csv", "id", "missing-column") in {
        (i.file, i.column, i.code) for i in report.issues
    }


def test_a_number_for_a_place_id(valid_copy: Path) -> None:
    """A number where the id belongs: a bad id, and the rows naming the place it replaced
    are told that place is unknown -- never a crash on the number."""
    _geo(_set((*_P0, "id"), 7))(valid_copy)
    found = {(i.file, i.column, i.code) for i in check_everything(valid_copy).issues}
    assert found == {(GEOJSON, "id", "bad-id"), ("control.csv", "place_id", "unknown-place")}


def test_padded_place_id_is_the_place(valid_copy: Path) -> None:
    """Found by fuzzing: ' alpha ' passed the checks (ids are read stripped) but then the
    dataset looked its polygon up by the raw text and raised KeyError."""
    _geo(_set((*_P0, "id"), "  alpha "))(valid_copy)
    result = load_dataset(valid_copy)
    assert result.dataset is not None, result.report.to_text()
    assert result.dataset.places["alpha"].geometry["type"] == "Polygon"


# -- the same cases through a real process and the real page -----------------------------

SUBPROCESS_CASES = ["utf-16-without-bom", "unbalanced-quote", "deep-nesting", "huge-offset"]
APP_CASES = ["nul-byte", "folder-for-geojson", "latitude-out-of-range", "year-9999", "list-name"]
BY_ID = {_case_id(c): c for c in CASES}


@pytest.mark.parametrize("case", SUBPROCESS_CASES)
def test_named_case_through_the_command(case: str, valid_copy: Path) -> None:
    _name, damage, (file, line, column, code) = BY_ID[case]
    damage(valid_copy)
    before = snapshot(valid_copy.parent)
    result = run_mapapp("validate", str(valid_copy))
    assert result.returncode == EXIT_PROBLEMS, result.stderr
    assert "Traceback" not in result.stderr
    where = file + (f":{line}" if line else "") + (f" [{column}]" if column else "")
    assert f"{where}: " in result.stdout
    assert f"({code})" in result.stdout
    assert snapshot(valid_copy.parent) == before


@pytest.mark.parametrize("case", APP_CASES)
def test_named_case_on_the_page(
    case: str, valid_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _name, damage, (file, _line, _column, code) = BY_ID[case]
    damage(valid_copy)
    before = snapshot(valid_copy.parent)
    monkeypatch.setenv("MAPAPP_DATA", str(valid_copy))
    monkeypatch.setenv("MAPAPP_TILES", "none")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.error, "the page shows no error for broken data"
    assert "problem" in at.error[0].value
    report = at.dataframe[0].value
    assert (file, code) in set(zip(report["file"], report["code"], strict=True))
    assert snapshot(valid_copy.parent) == before
