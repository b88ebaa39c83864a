"""A new version of a folder where only a table changed reuses the places file read and
checked before (same bytes), and finds exactly what a first load finds."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

from mapapp.core import validate
from mapapp.core.validate import load_dataset

from .conftest import DATA


def _fresh(folder: Path) -> validate.LoadResult:
    validate._CLEAN_PLACES.clear()
    validate._CLEAN_GEOMETRY.clear()
    validate._CLEAN_ROWS.clear()
    return load_dataset(folder)


def test_unchanged_places_are_reused_and_the_result_is_a_first_loads(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    shutil.copytree(DATA, folder)
    first = _fresh(folder)
    assert first.dataset is not None
    kept = next(iter(validate._CLEAN_PLACES.values()))
    control = folder / "control.csv"
    control.write_text(control.read_text(encoding="utf-8").replace("partial", "sole", 1))
    again = load_dataset(folder)
    assert next(iter(validate._CLEAN_PLACES.values())) is kept  # not read again
    fresh = _fresh(folder)
    assert again.report.sorted() == fresh.report.sorted()
    assert again.dataset == fresh.dataset


def test_a_changed_places_file_is_read_and_checked_again(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    shutil.copytree(DATA, folder)
    assert _fresh(folder).dataset is not None
    path = folder / "neighbourhoods.geojson"
    doc = json.loads(path.read_text(encoding="utf-8"))
    # the second place drawn over the first: an overlap the geometry check must report
    doc["features"][1]["geometry"] = doc["features"][0]["geometry"]
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    again = load_dataset(folder)
    fresh = _fresh(folder)
    assert again.dataset is None
    assert again.report.sorted() == fresh.report.sorted()
    codes = {i.code for i in again.report.issues}
    assert codes & {"overlapping-polygons", "reference-point-outside"}


def test_an_invalid_table_beside_clean_places_is_still_reported(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    shutil.copytree(DATA, folder)
    assert _fresh(folder).dataset is not None
    control = folder / "control.csv"
    lines = control.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[1] = lines[1].replace(lines[1].split(",")[0], "no_such_place", 1)
    control.write_text("".join(lines), encoding="utf-8")
    again = load_dataset(folder)
    assert again.dataset is None
    assert again.report.sorted() == _fresh(folder).report.sorted()


def test_a_row_made_invalid_then_fixed_is_checked_each_time(tmp_path: Path) -> None:
    """Rows' cell checks are kept only for rows that passed: an edited row is checked
    again, with its real line, and a row fixed back passes again."""
    folder = tmp_path / "data"
    shutil.copytree(DATA, folder)
    assert _fresh(folder).dataset is not None
    control = folder / "control.csv"
    good = control.read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(good)))
    number = len(rows) // 2
    rows[number][rows[0].index("as_of")] = "2015-13-45"
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(rows)
    control.write_text(text.getvalue(), encoding="utf-8")
    bad = load_dataset(folder)
    assert bad.dataset is None
    assert any(i.line == number + 1 and i.code == "bad-date" for i in bad.report.issues)
    assert bad.report.sorted() == _fresh(folder).report.sorted()
    control.write_text(good, encoding="utf-8")
    load_dataset(folder)  # the memo now holds the good file's rows
    assert load_dataset(folder) == _fresh(folder)
