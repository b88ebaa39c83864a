"""The columnar screen (mapapp.core.screen) reports exactly what the row-by-row validator
reports: same files, lines, columns, codes and messages, on every broken fixture and on
synthetic tables with many mistakes of every kind. ``min_bytes=0`` forces the screen on
files of any size."""

from __future__ import annotations

import csv
import io
import json
import random
import shutil
from pathlib import Path

import pytest

from benchmarks import synth
from mapapp.core.report import Issue
from mapapp.core.schema import load_schema
from mapapp.core.screen import _read_plain, _ScreenedValidator, screened_report
from mapapp.core.validate import load_dataset

from .conftest import ROOT
from .test_validate import DATA, FIXTURES, VALID, split_name


def both(folder: Path) -> tuple[list[Issue], list[Issue], bool]:
    """(row-by-row findings, screened findings, whether the control table was screened)."""
    slow = load_dataset(folder).report.sorted()
    validator = _ScreenedValidator(load_schema(folder), folder, 0)
    screened = bool((folder / "control.csv").is_file() and _read_plain(folder / "control.csv"))
    fast = validator.run().report.sorted()
    return slow, fast, screened


@pytest.mark.parametrize("fixture", FIXTURES, ids=[f.name for f in FIXTURES])
def test_every_broken_fixture_is_reported_the_same(fixture: Path, tmp_path: Path) -> None:
    shutil.copytree(VALID, tmp_path, dirs_exist_ok=True)
    shutil.copyfile(fixture, tmp_path / split_name(fixture)[1])
    slow, fast, _ = both(tmp_path)
    assert slow, "every fixture has a problem"
    assert fast == slow


def test_shipped_data_with_archived_quotes_is_reported_the_same(tmp_path: Path) -> None:
    """Quotes checked against archived sources: a quote changed so it no longer occurs at
    its offsets is found by both."""
    slow, fast, screened = both(ROOT / "data")
    assert screened and fast == slow == []
    shutil.copytree(ROOT / "data", tmp_path / "data")
    path = tmp_path / "data" / "control.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    cells = next(csv.reader([lines[1]]))
    header = next(csv.reader([lines[0]]))
    assert cells[header.index("quote_start")], "the shipped quotes have offsets"
    cells[header.index("quote_ar")] = cells[header.index("quote_ar")][:-3] + "xyz"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(cells)
    lines[1] = out.getvalue()
    path.write_text("".join(lines), encoding="utf-8")
    slow, fast, _ = both(tmp_path / "data")
    assert slow, "the changed quote is reported"
    assert fast == slow


@pytest.mark.parametrize("name", ["valid", "broken-example", "hostile", "editing-example"])
def test_example_folders_are_reported_the_same(name: str) -> None:
    slow, fast, screened = both(DATA / name)
    # the hostile table has line breaks inside values: read the row-by-row way
    assert screened == (name != "hostile")
    assert fast == slow


def test_plain_control_fixtures_take_the_screen(tmp_path: Path) -> None:
    """The fixtures of control.csv that are plain CSV go through the screen (the others --
    broken quotes, a cell too few -- are read the row-by-row way or by the slower read)."""
    screened = []
    for fixture in FIXTURES:
        if split_name(fixture)[1] == "control.csv" and _read_plain(fixture) is not None:
            screened.append(fixture.name)
    assert len(screened) >= 8, screened


def _mutate(
    row: list[str], header: list[str], rng: random.Random, places: list[str]
) -> list[str] | None:
    """One mistake (or a harmless change) in a control row; None to duplicate it."""
    kind = rng.randrange(20)
    r = dict(zip(header, row, strict=True))
    if kind == 0:
        r["status"] = "solo"  # not an allowed status
    elif kind == 1:
        r["faction_id"] = "nobody"  # unknown faction
    elif kind == 2:
        r["quote_ar"] = "  "  # an empty quote, once stripped
    elif kind == 3:
        r["start"], r["start_precision"] = "15/09/2015", ""
    elif kind == 4:
        r["start"], r["start_precision"] = "2015-02-30", ""
    elif kind == 5:
        r["place_id"] = "nowhere"
    elif kind == 6:
        return row[:-1]  # a cell too few
    elif kind == 7:
        return None  # the same claim twice
    elif kind == 8:
        r["status"] = "sole" if r["status"] != "sole" else "shared"  # beside others / alone
    elif kind == 9:
        r["place_id"] = f" {r['place_id']} "  # spaces around an id: the same place stripped
    elif kind == 10:
        r["start"], r["start_precision"] = "2016-05", "month"
        r["end"], r["end_precision"] = "2014", "year"  # ends before it starts
    elif kind == 11:
        r["start"], r["start_precision"] = "2015", "month"  # precision mismatch
    elif kind == 12:
        r["start"], r["start_precision"] = "source:nosuch", ""
    elif kind == 13:
        r["place_id"] = rng.choice(places)  # a claim moved to another place: may now clash
    elif kind == 14:
        r["end_precision"] = "weekly"  # bad precision
    elif kind == 15:
        r["quote_en"] = 'he said "so", twice'  # quotes in a value (written quoted, doubled)
    elif kind == 16:
        return [*row, "extra"]  # a cell too many: still built, its place's periods checked
    elif kind == 17:
        r["status"] = "allied"  # an ally, with or without a holder beside it
    elif kind == 18:
        r["start"], r["start_precision"] = "", ""  # no start: it holds from its as_of
        r["as_of"], r["as_of_precision"] = "2019-06", "month"
    else:
        r["claim"] = "C7;;C8"  # not a claim list
    return [r[h] for h in header]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_synthetic_tables_with_many_mistakes_are_reported_the_same(
    seed: int, tmp_path: Path
) -> None:
    folder = synth.generate(tmp_path / "data", 30, 900)
    rng = random.Random(seed)
    path = folder / "control.csv"
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    places = sorted({r[0] for r in body})
    out: list[list[str]] = []
    for row in body:
        if rng.random() < 0.04:
            changed = _mutate(row, header, rng, places)
            out.extend([row, row] if changed is None else [changed])
        else:
            out.append(row)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(out)
    slow, fast, screened = both(folder)
    assert screened
    codes = {i.code for i in slow}
    assert len(codes) >= 8, codes
    assert fast == slow


def test_clean_synthetic_data_is_valid_both_ways(tmp_path: Path) -> None:
    folder = synth.generate(tmp_path / "data", 20, 400)
    assert screened_report(folder, min_bytes=0).valid
    slow, fast, screened = both(folder)
    assert screened and slow == fast == []


@pytest.mark.parametrize(
    "text",
    [
        'x,"ab"c,y\n',  # text after a closing quote
        'x,ab"c,y\n',  # a quote inside an unquoted value
        'x,"a"""b",y\n',  # an odd run of quotes inside a quoted value
        'x,""c,y\n',  # an empty quoted value followed by text
    ],
)
def test_quotes_where_readers_could_differ_are_not_screened(text: str, tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("a,b,c\n" + "1,2,3\n" * 5 + text, encoding="utf-8")
    assert _read_plain(path) is None
    ok = tmp_path / "ok.csv"
    ok.write_text('a,b,c\n1,"he said ""so""",3\n"",",",""\n', encoding="utf-8")
    read = _read_plain(ok)
    assert read is not None
    assert read.table.column(1).to_pylist() == ['he said "so"', ","]


@pytest.mark.parametrize("indent", [None, 0, 2])
def test_places_file_mistakes_are_reported_the_same(indent: int | None, tmp_path: Path) -> None:
    """Mistakes in many features of a large places file (their lines found by the scan):
    both validators name the same features, lines, columns and problems."""
    folder = synth.generate(tmp_path / "data", 60, 600)
    path = folder / "neighbourhoods.geojson"
    doc = json.loads(path.read_text(encoding="utf-8"))
    rng = random.Random(indent or 7)
    for feature in rng.sample(doc["features"], 20):
        props = feature["properties"]
        kind = rng.randrange(6)
        if kind == 0:
            del props["id"]
        elif kind == 1:
            props["kind"] = "castle"
        elif kind == 2:
            props["ref_lat"] = "north"
        elif kind == 3:
            props["name_en"] = ["a", "list"]
        elif kind == 4:
            props["id"] = doc["features"][0]["properties"]["id"]  # a duplicate id
        else:
            feature["type"] = "Feat"
    path.write_text(json.dumps(doc, indent=indent, ensure_ascii=False), encoding="utf-8")
    slow, fast, _ = both(folder)
    lines = {i.line for i in slow if i.file == "neighbourhoods.geojson"}
    assert len(lines) >= 10 if indent is not None else lines == {1}, lines
    assert fast == slow


def test_spaces_at_a_cells_ends_are_found_as_the_validator_finds_them(tmp_path: Path) -> None:
    """Free-text cells beginning or ending with any character str.strip() removes (and
    some it does not: a zero-width space) go the validator's way and are reported the same;
    allies beside a holder take the screen's allies' counts."""
    folder = synth.generate(tmp_path / "data", 300, 1200)
    path = folder / "control.csv"
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    edges = [" ", "\u00a0", "\u3000", "\x85", "\u2003", "\u200b", "\u202f", "\x1f", "\t"]
    column = header.index("quote_ar")  # required: a cell of spaces only is empty
    for k, row in enumerate(body[::37]):  # rows of different places
        edge = edges[k % len(edges)]
        row[column] = edge + row[column] if k % 2 else row[column] + edge
        if k % 4 == 0:
            row[column] = edge  # nothing but the space: empty once stripped
    body[7][header.index("status")] = "allied"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(body)
    slow, fast, screened = both(folder)
    assert screened and slow
    assert fast == slow


@pytest.mark.parametrize("seed", [4, 5])
def test_random_periods_are_reported_the_same(seed: int, tmp_path: Path) -> None:
    """Many small places, each with a few claims of random factions, statuses, sources and
    periods over a few months (shared days, touching ends, no end, no start): the screen
    finds every place whose periods break a rule (overlaps of a faction, 'sole' beside a
    rival, 'shared' or 'allied' alone), so the findings equal the validator's."""
    folder = synth.generate(tmp_path / "data", 200, 400)
    path = folder / "control.csv"
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    header, template = rows[0], dict(zip(rows[0], rows[1], strict=True))
    places = sorted({r[0] for r in rows[1:]})
    rng = random.Random(seed)
    days = [f"2015-{m:02d}-{d:02d}" for m in (3, 4) for d in (1, 8, 15, 22)]
    out = []
    for place in places:
        for _ in range(rng.randrange(1, 5)):
            r = dict(template)
            first, last = sorted(rng.sample(range(len(days)), 2))
            r.update(
                place_id=place,
                faction_id=rng.choice(["regime", "isis", "nusra"]),
                status=rng.choice(["sole", "sole", "shared", "allied", "partial"]),
                source_id=rng.choice(["syn_daily_2013", "syn_weekly_2015"]),
                start=days[first],
                start_precision="",
                end=days[last] if rng.random() < 0.8 else "",
                end_precision="",
                as_of="",
                as_of_precision="",
            )
            if rng.random() < 0.1:
                r["start"], r["as_of"] = "", days[first]  # held from its as_of
            out.append([r[h] for h in header])
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(out)
    slow, fast, screened = both(folder)
    assert screened
    codes = {i.code for i in slow}
    assert {"overlapping-period", "conflicting-control", "shared-alone", "allied-alone"} <= codes
    flagged = {i.line for i in slow}
    assert len(flagged) < len(out) * 0.8, "some places are clean"
    assert fast == slow


def test_cells_kept_within_a_file_change_nothing(tmp_path: Path) -> None:
    """A cell found without a problem is not checked again in its column: the findings and
    the dataset built are those of checking every cell (MEMO_CELLS = 0), for a table with
    many mistakes repeated over rows and for a valid one."""
    from mapapp.core import validate

    folder = synth.generate(tmp_path / "data", 30, 900)
    clean = load_dataset(folder)
    path = folder / "control.csv"
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    places = sorted({r[0] for r in body})
    rng = random.Random(9)
    out: list[list[str]] = []
    for row in body:
        changed = _mutate(row, header, rng, places) if rng.random() < 0.1 else row
        out.extend([row, row] if changed is None else [changed])
    broken = tmp_path / "broken"
    shutil.copytree(folder, broken)
    with (broken / "control.csv").open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows([header, *out])
    kept = load_dataset(broken).report.sorted()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(validate, "MEMO_CELLS", 0)
        validate.forget_clean()
        every = load_dataset(broken).report.sorted()
        validate.forget_clean()
        again = load_dataset(folder)
    assert kept == every and len({i.code for i in kept}) >= 8
    assert clean.dataset is not None and again.dataset is not None
    assert clean.dataset.control == again.dataset.control
    assert clean.dataset.places == again.dataset.places


def test_overlapped_equals_every_pair_compared() -> None:
    """The screen's linear overlap test against comparing every pair: no place is sent
    the row-by-row way for nothing, and none is missed."""
    import numpy as np

    from mapapp.core.screen import _BIG, _overlapped

    rng = random.Random(11)
    for _ in range(200):
        n = rng.randrange(1, 12)
        rows = []
        for _ in range(n):
            group, start = rng.randrange(3), rng.randrange(10)
            rows.append((group, start, start + rng.randrange(1, 5), rng.random() < 0.6))
        rows.sort(key=lambda r: (r[0], r[1]))
        starts = np.asarray([g * _BIG + s for g, s, _, _ in rows], dtype=np.int64)
        ends = np.asarray([g * _BIG + e for g, _, e, _ in rows], dtype=np.int64)
        marked = np.asarray([m for *_, m in rows], dtype=bool)
        for of in (None, marked):
            expected = [
                any(
                    j != i
                    and (of is None or of[j])
                    and rows[j][0] == rows[i][0]
                    and rows[j][1] < rows[i][2]
                    and rows[i][1] < rows[j][2]
                    for j in range(n)
                )
                for i in range(n)
            ]
            assert _overlapped(starts, ends, of).tolist() == expected, (rows, of)
