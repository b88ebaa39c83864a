"""The validator, driven by fixtures.

``tests/data/valid/`` is a tiny valid data folder. Each file in ``tests/data/invalid/`` is
named ``<code>.<file>``: a copy of ``valid/<file>`` with exactly one mistake, which must be
reported as exactly that code and nothing else. The fixtures double as examples for
editors of what each problem looks like.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from mapapp.core.model import ControlRow
from mapapp.core.report import Report
from mapapp.core.validate import validate

from .conftest import run_mapapp
from .hostile_payloads import UNENCODABLE_CSV_BYTES, UNENCODABLE_JSON_ESCAPES

REPO = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
VALID = DATA / "valid"
INVALID = DATA / "invalid"
FILES = ("factions.csv", "sources.csv", "control.csv", "events.csv", "neighbourhoods.geojson")

#: every code that must have a fixture in tests/data/invalid/
REQUIRED_CODES = (
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
    "missing-column",
    "unknown-column",
    "duplicate-column",
    "blank-header",
    "wrong-cell-count",
    "bad-csv",
    "bad-encoding",
    "duplicate-id",
    "unknown-place",
    "unknown-faction",
    "unknown-source",
    "end-before-start",
    "overlapping-period",
    "conflicting-control",
    "shared-alone",
    "allied-alone",
    "end-before-as-of",
    "unknown-claimant",
    "bad-relative-date",
    "invalid-geometry",
    "overlapping-polygons",
    "duplicate-feature-id",
    "missing-feature-id",
    "wrong-crs",
    "bad-geometry",
    "bad-json",
    "bad-geojson",
    "reference-point-outside",
)

FIXTURES = sorted(p for p in INVALID.iterdir() if p.is_file())

Location = tuple[str, int | None, str | None, str]


def split_name(fixture: Path) -> tuple[str, str]:
    """``bad-colour.factions.csv`` -> (``bad-colour``, ``factions.csv``)."""
    code, target = fixture.name.split(".", 1)
    return code, target


def copy_valid(folder: Path) -> Path:
    shutil.copytree(VALID, folder, dirs_exist_ok=True)
    return folder


def with_fixture(folder: Path, *fixtures: str) -> Path:
    """A copy of the valid folder with each named fixture in place of its target file."""
    copy_valid(folder)
    for name in fixtures:
        shutil.copyfile(INVALID / name, folder / split_name(INVALID / name)[1])
    return folder


def edit(folder: Path, file: str, old: str, new: str) -> None:
    """Replace ``old`` (which must occur exactly once) in a file of the folder."""
    path = folder / file
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {file}"
    path.write_text(text.replace(old, new), encoding="utf-8", newline="")


def locations(report: Report) -> list[Location]:
    return [(i.file, i.line, i.column, i.code) for i in report.sorted()]


# -- one fixture per code -----------------------------------------------------------------


def test_fixtures_exist() -> None:
    assert FIXTURES, f"no fixtures in {INVALID}"
    for fixture in FIXTURES:
        _code, target = split_name(fixture)
        assert target in FILES, f"{fixture.name}: {target} is not a data file"


def test_every_required_code_has_a_fixture() -> None:
    covered = {split_name(f)[0] for f in FIXTURES}
    assert sorted(set(REQUIRED_CODES) - covered) == []


@pytest.mark.parametrize("fixture", FIXTURES, ids=[f.name for f in FIXTURES])
def test_fixture_raises_exactly_its_code(fixture: Path, tmp_path: Path) -> None:
    code, target = split_name(fixture)
    copy_valid(tmp_path)
    shutil.copyfile(fixture, tmp_path / target)

    report = validate(tmp_path)

    assert report.codes() == {code}, "\n".join(str(i) for i in report.sorted())
    for issue in report.issues:
        assert issue.file == target
        assert issue.message.strip()
        assert issue.line is None or issue.line >= 1


# -- locations, as an editor sees them (header = line 1) ------------------------------------


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("bad-colour.factions.csv", [("factions.csv", 3, "colour", "bad-colour")]),
        ("bad-value.factions.csv", [("factions.csv", 4, "bloc", "bad-value")]),
        ("missing-column.factions.csv", [("factions.csv", 1, "colour_cb", "missing-column")]),
        ("blank-header.factions.csv", [("factions.csv", 1, None, "blank-header")]),
        ("duplicate-id.factions.csv", [("factions.csv", 6, "id", "duplicate-id")]),
        ("bad-encoding.factions.csv", [("factions.csv", 2, None, "bad-encoding")]),
        ("bad-url.sources.csv", [("sources.csv", 2, "url", "bad-url")]),
        ("bad-relative-date.sources.csv", [("sources.csv", 3, "relative_to", "bad-relative-date")]),
        (
            "precision-mismatch.control.csv",
            [("control.csv", 6, "start_precision", "precision-mismatch")],
        ),
        ("wrong-cell-count.control.csv", [("control.csv", 6, None, "wrong-cell-count")]),
        ("bad-csv.control.csv", [("control.csv", 6, None, "bad-csv")]),
        ("unknown-faction.control.csv", [("control.csv", 5, "faction_id", "unknown-faction")]),
        ("overlapping-period.control.csv", [("control.csv", 4, "start", "overlapping-period")]),
        ("conflicting-control.control.csv", [("control.csv", 2, "status", "conflicting-control")]),
        ("end-before-start.control.csv", [("control.csv", 6, "end", "end-before-start")]),
        (
            "bad-geometry.neighbourhoods.geojson",
            [("neighbourhoods.geojson", 89, "geometry", "bad-geometry")],
        ),
        (
            "duplicate-feature-id.neighbourhoods.geojson",
            [("neighbourhoods.geojson", 131, "id", "duplicate-feature-id")],
        ),
        ("bad-json.neighbourhoods.geojson", [("neighbourhoods.geojson", 60, None, "bad-json")]),
        (
            "wrong-crs.neighbourhoods.geojson",
            [("neighbourhoods.geojson", None, "crs", "wrong-crs")],
        ),
    ],
)
def test_fixture_locations(fixture: str, expected: list[Location], tmp_path: Path) -> None:
    assert locations(validate(with_fixture(tmp_path, fixture))) == expected


def test_line_numbers_count_a_value_spanning_two_lines(tmp_path: Path) -> None:
    copy_valid(tmp_path)
    # line 2's note is quoted and runs onto line 3, so the row for beta starts on line 7
    edit(tmp_path, "control.csv", "first quote,start unknown\n", 'first quote,"start\nunknown"\n')
    edit(tmp_path, "control.csv", "2015-07,month,,,sole,", "2015-07,month,,,alone,")
    assert locations(validate(tmp_path)) == [("control.csv", 7, "status", "bad-value")]


def test_line_numbers_count_blank_lines(tmp_path: Path) -> None:
    copy_valid(tmp_path)
    edit(tmp_path, "factions.csv", "armed,\nopposition", "armed,\n\nopposition")
    edit(tmp_path, "factions.csv", "#4daf4a", "green")
    assert locations(validate(tmp_path)) == [("factions.csv", 4, "colour", "bad-colour")]


def test_line_numbers_with_bom_and_crlf(tmp_path: Path) -> None:
    copy_valid(tmp_path)
    edit(tmp_path, "factions.csv", "armed,\nopposition", 'armed,"two\nlines"\nopposition')
    edit(tmp_path, "factions.csv", "#4daf4a", "green")
    path = tmp_path / "factions.csv"
    path.write_bytes(path.read_text(encoding="utf-8").replace("\n", "\r\n").encode("utf-8-sig"))
    assert locations(validate(tmp_path)) == [("factions.csv", 4, "colour", "bad-colour")]


def test_unbalanced_quote_is_reported_where_it_opens(tmp_path: Path) -> None:
    copy_valid(tmp_path)
    # the quote swallows everything up to the next " (on line 6), where reading fails
    edit(tmp_path, "control.csv", ",first quote,", ',"first quote,')
    report = validate(tmp_path)
    assert locations(report) == [("control.csv", 2, None, "bad-csv")]
    assert "line 6" in report.issues[0].message


def test_events_actors_and_against_are_checked(tmp_path: Path) -> None:
    copy_valid(tmp_path)
    edit(tmp_path, "events.csv", ",opposition,regime;isis,", ",opposition;fsa,regime;isiss,")
    report = validate(tmp_path)
    assert locations(report) == [
        ("events.csv", 3, "actors", "unknown-faction"),
        ("events.csv", 3, "against", "unknown-faction"),
    ]
    messages = " ".join(i.message for i in report.issues)
    assert "'fsa'" in messages
    assert "'isiss'" in messages


def test_source_reference_in_a_date_is_checked(tmp_path: Path) -> None:
    copy_valid(tmp_path)
    edit(tmp_path, "events.csv", "siege_beta,source:art,", "siege_beta,source:artt,")
    assert locations(validate(tmp_path)) == [("events.csv", 2, "date", "unknown-source")]


def test_a_source_with_no_date_is_reported(tmp_path: Path) -> None:
    copy_valid(tmp_path)
    edit(tmp_path, "sources.csv", "/article,2015-09,month,", "/article,,,")
    assert locations(validate(tmp_path)) == [("sources.csv", 2, "published", "bad-relative-date")]


# -- clean data ---------------------------------------------------------------------------


def test_valid_fixture_is_valid() -> None:
    report = validate(VALID)
    assert report.valid, report.to_text()
    assert report.issues == []


def test_shipped_data_is_valid() -> None:
    report = validate(REPO / "data")
    assert report.valid, report.to_text()


# -- one run, every problem ---------------------------------------------------------------


def test_one_run_reports_every_problem(tmp_path: Path) -> None:
    fixtures = (
        "bad-colour.factions.csv",
        "bad-url.sources.csv",
        "unknown-place.control.csv",
        "overlapping-polygons.neighbourhoods.geojson",
    )
    with_fixture(tmp_path, *fixtures)
    edit(tmp_path, "events.csv", "demo_gamma,2015-06-20,day,", "demo_gamma,2015-06-20,month,")
    assert locations(validate(tmp_path)) == [
        ("control.csv", 6, "place_id", "unknown-place"),
        ("events.csv", 3, "date_precision", "precision-mismatch"),
        ("factions.csv", 3, "colour", "bad-colour"),
        ("neighbourhoods.geojson", 47, "geometry", "overlapping-polygons"),
        ("sources.csv", 2, "url", "bad-url"),
    ]


# -- encodings and files that cannot be read ----------------------------------------------


def test_utf8_with_bom_and_crlf_is_accepted(tmp_path: Path) -> None:
    copy_valid(tmp_path)
    for name in FILES:
        path = tmp_path / name
        text = path.read_text(encoding="utf-8")
        path.write_bytes(text.replace("\n", "\r\n").encode("utf-8-sig"))
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    report = validate(tmp_path)
    assert report.valid, report.to_text()


@pytest.mark.parametrize("name", FILES)
@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le"])
def test_utf16_is_rejected(name: str, encoding: str, tmp_path: Path) -> None:
    copy_valid(tmp_path)
    path = tmp_path / name
    path.write_bytes(path.read_text(encoding="utf-8").encode(encoding))
    report = validate(tmp_path)
    assert locations(report) == [(name, 1, None, "bad-encoding")]


@pytest.mark.parametrize("name", FILES)
def test_empty_file(name: str, tmp_path: Path) -> None:
    copy_valid(tmp_path)
    (tmp_path / name).write_bytes(b"")
    assert locations(validate(tmp_path)) == [(name, None, None, "empty-file")]


@pytest.mark.parametrize("name", FILES)
def test_missing_file(name: str, tmp_path: Path) -> None:
    copy_valid(tmp_path)
    (tmp_path / name).unlink()
    report = validate(tmp_path)
    assert locations(report) == [(name, None, None, "missing-file")]
    assert name in report.issues[0].message


@pytest.mark.parametrize("name", FILES)
def test_folder_instead_of_file(name: str, tmp_path: Path) -> None:
    copy_valid(tmp_path)
    (tmp_path / name).unlink()
    (tmp_path / name).mkdir()
    assert locations(validate(tmp_path)) == [(name, None, None, "missing-file")]


def test_missing_id_column_is_reported_once(tmp_path: Path) -> None:
    # without the id column no faction id is known: references to factions are not
    # all reported as unknown, and rows are not each reported as missing an id
    copy_valid(tmp_path)
    path = tmp_path / "factions.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(line.split(",", 1)[1] for line in lines), encoding="utf-8")
    assert locations(validate(tmp_path)) == [("factions.csv", 1, "id", "missing-column")]


# -- messages -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "shown"),
    [
        ("bad-colour.factions.csv", "green"),
        ("bad-value.factions.csv", "jihadi"),
        ("bad-url.sources.csv", "example.org/article"),
        ("bad-type.sources.csv", "three weeks"),
        ("bad-id.control.csv", "Opposition"),
        ("bad-date.control.csv", "15/06/2015"),
        ("bad-precision.control.csv", "months"),
        ("precision-mismatch.control.csv", "2015-06-15"),
        ("unknown-place.control.csv", "betta"),
        ("unknown-faction.control.csv", "nusrah"),
        ("unknown-source.control.csv", "artt"),
        ("unknown-column.factions.csv", "notes"),
        ("duplicate-column.factions.csv", "note"),
        ("duplicate-id.factions.csv", "isis"),
        ("missing-column.factions.csv", "colour_cb"),
        ("wrong-crs.neighbourhoods.geojson", "EPSG:32637"),
        ("bad-geometry.neighbourhoods.geojson", "Point"),
        ("duplicate-feature-id.neighbourhoods.geojson", "beta"),
    ],
)
def test_messages_quote_the_bad_value(fixture: str, shown: str, tmp_path: Path) -> None:
    report = validate(with_fixture(tmp_path, fixture))
    assert len(report.issues) == 1
    assert shown in report.issues[0].message


# -- validation never writes --------------------------------------------------------------


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_validation_never_writes(tmp_path: Path) -> None:
    with_fixture(
        tmp_path,
        "bad-colour.factions.csv",
        "bad-relative-date.sources.csv",
        "bad-csv.control.csv",
        "bad-json.neighbourhoods.geojson",
    )
    before = snapshot(tmp_path)
    names_before = sorted(p.name for p in tmp_path.iterdir())
    assert not validate(tmp_path).valid
    assert snapshot(tmp_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == names_before


# -- the command line ---------------------------------------------------------------------


run_cli = run_mapapp


def test_cli_valid() -> None:
    result = run_cli("validate", str(VALID))
    assert result.returncode == 0, result.stderr
    assert "The data is valid." in result.stdout


def test_cli_invalid(tmp_path: Path) -> None:
    with_fixture(tmp_path, "bad-colour.factions.csv")
    result = run_cli("validate", str(tmp_path))
    assert result.returncode == 1
    assert "factions.csv:3 [colour]" in result.stdout
    assert "bad-colour" in result.stdout


def test_cli_json(tmp_path: Path) -> None:
    with_fixture(tmp_path, "bad-colour.factions.csv", "unknown-place.control.csv")
    result = run_cli("validate", str(tmp_path), "--json")
    assert result.returncode == 1
    issues = json.loads(result.stdout)
    assert isinstance(issues, list)
    assert len(issues) == 2
    for issue in issues:
        assert set(issue) == {"file", "line", "column", "code", "message"}
    assert {(i["file"], i["line"], i["column"], i["code"]) for i in issues} == {
        ("factions.csv", 3, "colour", "bad-colour"),
        ("control.csv", 6, "place_id", "unknown-place"),
    }


def test_cli_json_valid() -> None:
    result = run_cli("validate", str(VALID), "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []


def test_cli_missing_folder(tmp_path: Path) -> None:
    result = run_cli("validate", str(tmp_path / "no-such-folder"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def _brute_force_periods(rows: list[ControlRow]) -> list[tuple[int, str, int, set[int]]]:
    """check_periods by comparing every row with every other (the reference): per row and
    code, how many rows it overlaps and which (the issue names one and counts them all)."""
    from mapapp.core.validate import _bounds, _overlaps

    rows = [r for r in rows if _bounds(r)[0] < _bounds(r)[1]]  # end-before-start: elsewhere
    out: list[tuple[int, str, int, set[int]]] = []
    for row in sorted(rows, key=lambda r: r.line):
        same_place = [
            o
            for o in rows
            if o.place_id == row.place_id and o.source_id == row.source_id and o is not row
        ]
        others = [o for o in same_place if _overlaps(row, o)]
        earlier = {o.line for o in others if o.faction_id == row.faction_id and o.line < row.line}
        if earlier:
            out.append((row.line, "overlapping-period", len(earlier), earlier))
        other_factions = {o.line for o in others if o.faction_id != row.faction_id}
        rivals = {o.line for o in others if o.faction_id != row.faction_id and o.status != "allied"}
        if row.status == "sole" and rivals:
            out.append((row.line, "conflicting-control", len(rivals), rivals))
        if row.status == "shared" and not other_factions:
            out.append((row.line, "shared-alone", 0, set()))
        if row.status == "allied" and not rivals:
            out.append((row.line, "allied-alone", 0, set()))
    return out


def _named(message: str) -> tuple[int, int]:
    """(line named, count) from '(line 7)' or '(line 7 and 1,203 more earlier lines)'."""
    inside = message.split("(line ")[1].split(")")[0]
    line, _, more = inside.partition(" and ")
    return int(line), 1 + (int(more.split()[0].replace(",", "")) if more else 0)


def test_the_period_sweep_finds_what_comparing_every_pair_finds() -> None:
    import random

    from mapapp.core.dates import literal_date
    from mapapp.core.validate import check_periods

    rng = random.Random(11)
    for _ in range(400):
        rows = []
        for line in range(2, rng.randint(3, 18)):
            start = None if rng.random() < 0.15 else literal_date(2015, rng.randint(1, 12))
            end = None if rng.random() < 0.2 else literal_date(2015, rng.randint(1, 12))
            rows.append(
                ControlRow(
                    line, rng.choice("ab"), rng.choice("xyz"), start, end,
                    rng.choice(["sole", "shared", "partial", "allied"]), rng.choice("st"),
                    ("C1",), "elaph", "", "", "",
                )
            )  # fmt: skip
        expected = {
            (line, code): (count, lines) for line, code, count, lines in _brute_force_periods(rows)
        }
        found = {}
        for issue in check_periods(rows, "control.csv"):
            assert issue.line is not None
            assert (issue.line, issue.code) not in found, "one issue a row and code"
            alone = issue.code in ("shared-alone", "allied-alone")
            named, count = (0, 0) if alone else _named(issue.message)
            found[(issue.line, issue.code)] = (count, named)
        assert set(found) == set(expected), rows
        for key, (count, named) in found.items():
            assert count == expected[key][0], (key, rows)
            assert named in expected[key][1] or key[1].endswith("-alone"), (key, rows)


def test_identical_rows_give_one_issue_a_row_with_a_count() -> None:
    """Finding 2: 1,000 identical rows gave 500,501 issues (one a pair); now one a row."""
    from mapapp.core.dates import literal_date
    from mapapp.core.validate import check_periods

    def row(line: int, faction: str, status: str) -> ControlRow:
        start, end = literal_date(2015, 1), literal_date(2015, 6)
        return ControlRow(line, "p", faction, start, end, status, "s", ("C1",), "e", "", "", "")

    rows = [row(n, "x", "sole") for n in range(2, 1002)] + [row(1002, "y", "sole")]
    issues = list(check_periods(rows, "control.csv"))
    overlapping = [i for i in issues if i.code == "overlapping-period"]
    conflicting = [i for i in issues if i.code == "conflicting-control"]
    assert len(overlapping) == 999  # every row but the first, once
    last = max(overlapping, key=lambda i: i.line or 0)
    named, count = _named(last.message)
    assert count == 999 and 2 <= named < 1001
    assert len(conflicting) == 1001  # every row, once
    named, count = _named(next(i for i in conflicting if i.line == 1002).message)
    assert count == 1000 and 2 <= named < 1002
    assert max(len(i.message) for i in issues) < 600  # bounded, however many rows


def _with_duplicates(folder: Path, copies: int) -> Path:
    """The valid folder with its first control row pasted ``copies`` more times."""
    copy_valid(folder)
    control = folder / "control.csv"
    lines = control.read_text(encoding="utf-8").splitlines(keepends=True)
    control.write_text("".join(lines) + lines[1] * copies, encoding="utf-8")
    return folder


def test_a_pasted_block_of_duplicates_gives_a_capped_report(tmp_path: Path) -> None:
    """Finding 2: 1,000 duplicated rows made 500,501 issues and a 117 MB report; now at most
    CAP_PER_CODE problems a file and code are listed, then one '… and N more' line."""
    from mapapp.core.report import CAP_PER_CODE

    report = validate(_with_duplicates(tmp_path, 1000))
    assert not report.valid
    shown = report.sorted()
    by_code: dict[str, list[object]] = {}
    for issue in shown:
        by_code.setdefault(issue.code, []).append(issue)
    assert len(by_code["overlapping-period"]) == CAP_PER_CODE + 1
    more = [i for i in shown if i.message.startswith("… and ")]
    assert any(
        i.code == "overlapping-period" and f"{1000 - CAP_PER_CODE:,} more" in i.message
        for i in more
    )
    assert report.count >= 1000  # every duplicate is one problem, counted
    result = run_cli("validate", str(tmp_path))
    assert result.returncode == 1
    assert f"{report.count:,} problems found:" in result.stdout
    assert len(result.stdout) < 100_000
    issues = json.loads(run_cli("validate", str(tmp_path), "--json").stdout)
    assert len(issues) == len(shown)


def test_a_report_counts_what_it_does_not_keep() -> None:
    from mapapp.core.report import CAP_PER_CODE, Issue

    report = Report()
    report.extend(Issue("a.csv", n, "x", "bad-value", "m") for n in range(CAP_PER_CODE + 7))
    report.extend([Issue("b.csv", 1, "x", "bad-value", "m"), Issue("a.csv", 1, "x", "bad-id", "m")])
    assert report.count == CAP_PER_CODE + 9
    assert len(report.issues) == CAP_PER_CODE + 2
    assert report.sorted()[-1].message.startswith("… and 7 more 'bad-value' problems in a.csv")
    assert report.codes() == {"bad-value", "bad-id"}


# -- lone surrogates (finding 5) ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("label", "escape"),
    UNENCODABLE_JSON_ESCAPES,
)
@pytest.mark.parametrize("where", ["value", "key", "outside"])
def test_a_lone_surrogate_in_the_geojson_is_refused_with_its_place(
    tmp_path: Path, label: str, escape: str, where: str
) -> None:
    copy_valid(tmp_path)
    path = tmp_path / "neighbourhoods.geojson"
    text = path.read_text(encoding="utf-8")
    if where == "value":
        text = text.replace('"test square"', f'"test {escape} square"', 1)
    elif where == "key":
        text = text.replace('"boundary_note"', f'"note{escape}"', 1)
    else:
        text = text.replace(
            '"type": "FeatureCollection"', f'"name": "{escape}", "type": "FeatureCollection"', 1
        )
    path.write_text(text, encoding="utf-8")
    report = validate(tmp_path)
    found = [i for i in report.sorted() if i.code == "unencodable-text"]
    assert found, report.to_text()
    if where == "value":
        assert (found[0].line, found[0].column) == (5, "boundary_note")
    elif where == "key":
        assert found[0].line == 5 and found[0].column is not None
    # every message can be written out as UTF-8 (a terminal, a page, a JSON file)
    report.to_text().encode("utf-8")
    report.to_json().encode("utf-8")
    if where == "value" and label == "high-alone":  # and through the command, once
        result = run_cli("validate", str(tmp_path))
        assert result.returncode == 1 and "unencodable-text" in result.stdout
        assert "Traceback" not in result.stderr


def test_a_surrogate_pair_escape_is_a_character_and_valid(tmp_path: Path) -> None:
    copy_valid(tmp_path)
    path = tmp_path / "neighbourhoods.geojson"
    text = path.read_text(encoding="utf-8").replace('"test square"', '"test \\ud83d\\ude00"', 1)
    path.write_text(text, encoding="utf-8")
    assert validate(tmp_path).valid


@pytest.mark.parametrize("raw", UNENCODABLE_CSV_BYTES)
def test_a_surrogate_in_a_csv_is_refused_with_its_line(tmp_path: Path, raw: bytes) -> None:
    copy_valid(tmp_path)
    path = tmp_path / "control.csv"
    data = path.read_bytes().replace(b"first quote", b"first " + raw + b" quote", 1)
    path.write_bytes(data)
    report = validate(tmp_path)
    (issue,) = [i for i in report.sorted() if i.file == "control.csv"]
    assert (issue.line, issue.code) == (2, "bad-encoding")
