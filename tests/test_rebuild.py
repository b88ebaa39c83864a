"""The incremental rebuild (``export.rebuild_bundle``) patches the previous bundle into one
that shows exactly what a full build of the new version shows (resolved to values: a
patch numbers its tables differently), after every kind of edit, on synthetic and the
shipped data."""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from benchmarks import synth
from mapapp.core.dates import FuzzyDate
from mapapp.core.model import Dataset, Faction
from mapapp.core.validate import load_dataset
from mapapp.web import export
from mapapp.web.assets import Tiles

from .bundle_values import resolved
from .conftest import DATA

TILES = Tiles(None, "")
Edit = Callable[[Dataset], Dataset]


def _row_index(ds: Dataset, status: str | None = None) -> int:
    """A row in the middle of the table (of ``status`` if given)."""
    picks = [i for i, r in enumerate(ds.control) if status in (None, r.status)]
    return picks[len(picks) // 2]


def _with_row(ds: Dataset, i: int, **changes: Any) -> Dataset:
    control = list(ds.control)
    control[i] = replace(control[i], **changes)
    return replace(ds, control=tuple(control))


def changed_status(ds: Dataset) -> Dataset:
    i = _row_index(ds)
    new = "partial" if ds.control[i].status != "partial" else "sole"
    return _with_row(ds, i, status=new)


def changed_faction(ds: Dataset) -> Dataset:
    i = _row_index(ds)
    other = next(f for f in ds.factions if f != ds.control[i].faction_id)
    return _with_row(ds, i, faction_id=other)


def new_row(ds: Dataset) -> Dataset:
    row = ds.control[_row_index(ds)]
    place = list(ds.places)[-1]
    added = replace(row, place_id=place, line=max(r.line for r in ds.control) + 1)
    return replace(ds, control=(*ds.control, added))


def deleted_row(ds: Dataset) -> Dataset:
    i = _row_index(ds)
    return replace(ds, control=ds.control[:i] + ds.control[i + 1 :])


def moved_date(ds: Dataset) -> Dataset:
    """A row's start (or, without one, its report date) moved by 23 days: frame days
    appear and go."""
    middle = len(ds.control) // 2
    order = [*range(middle, len(ds.control)), *range(middle)]
    shift = timedelta(days=23)
    for field in ("start", "as_of", "end"):
        for i in order:
            when = getattr(ds.control[i], field)
            if when is not None:
                moved = FuzzyDate(when.earliest - shift, when.latest - shift, when.precision)
                return _with_row(ds, i, **{field: moved})
    raise AssertionError("no dated row")


def renamed_place(ds: Dataset) -> Dataset:
    pid = list(ds.places)[len(ds.places) // 2]
    places = dict(ds.places)
    places[pid] = replace(places[pid], name_en="Renamed <b>quarter</b>", name_ar="حي جديد")
    return replace(ds, places=places)


def new_faction(ds: Dataset) -> Dataset:
    faction = Faction("newcomers", "Newcomers", "القادمون", "#123456", "#654321", "civil", "", "")
    ds = replace(ds, factions={**ds.factions, faction.id: faction})
    return _with_row(ds, _row_index(ds), faction_id=faction.id)


def edited_event(ds: Dataset) -> Dataset:
    events = list(ds.events)
    i = next(i for i, e in enumerate(events) if not e.is_condition)
    events[i] = replace(events[i], quote_en=events[i].quote_en + " (edited)")
    return replace(ds, events=tuple(events))


def edited_condition(ds: Dataset) -> Dataset:
    events = list(ds.events)
    found = [i for i, e in enumerate(events) if e.is_condition]
    if not found:
        return edited_event(ds)
    i = found[0]
    events[i] = replace(events[i], note=events[i].note + " (edited)")
    return replace(ds, events=tuple(events))


def changed_geometry(ds: Dataset) -> Dataset:
    pid = next(iter(ds.places))
    place = ds.places[pid]
    geometry = json.loads(json.dumps(place.geometry))
    ring = geometry["coordinates"][0] if geometry["type"] == "Polygon" else None
    if ring is None:
        ring = geometry["coordinates"][0][0]
    ring[1] = [ring[1][0] + 0.00001, ring[1][1]]
    places = dict(ds.places)
    places[pid] = replace(place, geometry=geometry, geometry_json=json.dumps(geometry))
    return replace(ds, places=places)


EDITS: dict[str, Edit] = {
    "status": changed_status,
    "faction": changed_faction,
    "new row": new_row,
    "deleted row": deleted_row,
    "moved date": moved_date,
    "place name": renamed_place,
    "new faction": new_faction,
    "event": edited_event,
    "condition": edited_condition,
    "geometry": changed_geometry,
}


def _json(bundle: dict[str, Any]) -> str:
    return export.to_json(bundle)


def _values(bundle: dict[str, Any]) -> dict[str, Any]:
    """What the bundle shows (its tables' indexes resolved), through JSON as a page reads it."""
    return resolved(json.loads(_json(bundle)))


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    folder = synth.generate(tmp_path_factory.mktemp("synth") / "data", 40, 200, seed=14)
    ds = load_dataset(folder).dataset
    assert ds is not None
    return ds


@pytest.fixture(scope="module")
def shipped() -> Dataset:
    ds = load_dataset(DATA).dataset
    assert ds is not None
    return ds


@pytest.mark.parametrize("which", ["synthetic", "shipped"])
@pytest.mark.parametrize("edit", list(EDITS))
def test_rebuild_equals_full_build(which: str, edit: str, request: pytest.FixtureRequest) -> None:
    ds: Dataset = request.getfixturevalue(which)
    before = export.build_bundle(ds, TILES)
    after = EDITS[edit](ds)
    assert _json(export.build_bundle(after, TILES)) != _json(before)  # the edit shows
    rebuilt = export.rebuild_bundle(before, after, TILES)
    assert _values(rebuilt) == _values(export.build_bundle(after, TILES))


def test_successive_versions_and_unchanged_places_are_reused(synthetic: Dataset) -> None:
    """Three edits in a row, each rebuilt from the previous rebuild; a one-row edit
    works out and draws again one place only."""
    bundle = export.build_bundle(synthetic, TILES)
    ds = synthetic
    for edit in (changed_status, moved_date, changed_faction):
        ds = edit(ds)
        cache = export._CACHES[id(bundle)]
        bundle = export.rebuild_bundle(bundle, ds, TILES)
        assert export._CACHES[id(bundle)] is cache
        assert len(cache.dirty) == 1
        assert _values(bundle) == _values(export.build_bundle(ds, TILES))


def test_palette_change_is_a_full_build(synthetic: Dataset) -> None:
    bundle = export.build_bundle(synthetic, TILES)
    rebuilt = export.rebuild_bundle(bundle, synthetic, TILES, "colour-blind")
    assert export._CACHES[id(rebuilt)].dirty == set(synthetic.places)
    assert _json(rebuilt) == _json(export.build_bundle(synthetic, TILES, "colour-blind"))


def test_rebuild_of_an_unknown_bundle_is_a_full_build(synthetic: Dataset, tmp_path: Path) -> None:
    rebuilt = export.rebuild_bundle({}, synthetic, TILES)
    assert _json(rebuilt) == _json(export.build_bundle(synthetic, TILES))


def test_the_page_rebuilds_an_edited_folder_from_the_previous_version(tmp_path: Path) -> None:
    """The map page (map_component.build_bundle) builds a saved edit from what the previous
    version of the folder kept: one place worked out again, the bundle a full build's."""
    from mapapp.ui import map_component
    from mapapp.ui.shell import file_stamp, load_version

    folder = tmp_path / "data"
    shutil.copytree(DATA, folder)
    first = load_version(str(folder), file_stamp(folder))
    map_component.build_bundle(first, TILES, "conventional")
    path = folder / "control.csv"
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    middle = len(rows) // 2
    rows[middle][rows[0].index("note")] += " (edited in the app)"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    second = load_version(str(folder), file_stamp(folder))
    assert second.result.dataset is not None, second.result.report
    bundle = map_component.build_bundle(second, TILES, "conventional")
    _, cache = map_component._caches[str(folder), "conventional", TILES]
    assert cache.dirty == {rows[middle][rows[0].index("place_id")]}
    assert _values(bundle) == _values(export.build_bundle(second.dataset, TILES))


def test_a_run_of_edits_patched_one_after_another_shows_what_full_builds_show(
    synthetic: Dataset,
) -> None:
    """Ten versions in a row, each changing one to three rows of any kind anywhere (status,
    faction, dates, rows added and deleted), each patched from the previous patch: every
    one shows what a full build shows, and no patch changes the bundle it started from."""
    import random

    pick = random.Random(14)
    ds = synthetic
    bundle = export.build_bundle(ds, TILES)
    patches = 0
    for _ in range(10):
        for _ in range(pick.randint(1, 3)):
            control = list(ds.control)
            i = pick.randrange(len(control))
            row = control[i]
            kind = pick.choice(["status", "faction", "start", "delete", "copy"])
            if kind == "status":
                control[i] = replace(row, status=pick.choice(["sole", "partial", "shared"]))
            elif kind == "faction":
                control[i] = replace(row, faction_id=pick.choice(list(ds.factions)))
            elif kind == "start" and row.start is not None:
                shift = timedelta(days=pick.randint(-40, 40))
                start = row.start
                moved = FuzzyDate(start.earliest + shift, start.latest + shift, start.precision)
                if row.end is None or moved.latest < row.end.earliest:
                    control[i] = replace(row, start=moved)
            elif kind == "delete":
                del control[i]
            else:  # the row said of another place too
                place = pick.choice(list(ds.places))
                line = max(r.line for r in control) + 1
                control.append(replace(row, place_id=place, line=line))
            ds = replace(ds, control=tuple(control))
        before = _json(bundle)
        patched = export.rebuild_bundle(bundle, ds, TILES)
        assert _json(bundle) == before
        patches += export._CACHES[id(patched)].dirty != set(ds.places)
        assert _values(patched) == _values(export.build_bundle(ds, TILES))
        bundle = patched
    assert patches >= 5  # most were patches (an edit that moves the range is a full build)
