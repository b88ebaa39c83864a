"""Front lines and ground held (mapapp.core.fronts) and their commands, on tiny fixtures.

The fixture's places are three 0.01° squares in a row (alpha | beta | gamma); lengths and
areas are checked against pyproj's geodesic measures, an independent computation."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pyproj import Geod
from shapely.geometry import shape

from mapapp.cli import main
from mapapp.core import fronts
from mapapp.core.timeline import Timeline
from mapapp.core.validate import load_dataset

from .conftest import run_mapapp

GEOD = Geod(ellps="WGS84")
HEADER = (
    "place_id,faction_id,start,start_precision,end,end_precision,status,source_id,claim,"
    "claimant,quote_ar,quote_en,note\n"
)


def _row(place: str, faction: str, status: str, start: str = "", end: str = "") -> str:
    precision = {4: "year", 7: "month", 10: "day"}
    return (
        f"{place},{faction},{start},{precision.get(len(start), '')},{end},"
        f"{precision.get(len(end), '')},{status},art,C1,elaph,نص,text,\n"
    )


@pytest.fixture
def three(valid_copy: Path) -> Path:
    """alpha: regime sole; beta: ISIS + al-Nusra shared (one bloc); gamma: opposition
    present from 2015-05-01, and sole from 2015-06-01."""
    (valid_copy / "control.csv").write_text(
        HEADER
        + _row("alpha", "regime", "sole", "2015-01-01")
        + _row("beta", "isis", "shared", "2015-01-01")
        + _row("beta", "nusra", "shared", "2015-01-01")
        + _row("gamma", "opposition", "presence", "2015-05-01", "2015-06-01")
        + _row("gamma", "opposition", "sole", "2015-06-01"),
        encoding="utf-8",
    )
    (valid_copy / "events.csv").write_text(
        (valid_copy / "events.csv").read_text(encoding="utf-8").splitlines()[0] + "\n",
        encoding="utf-8",
    )
    return valid_copy


def _load(folder: Path) -> Any:
    result = load_dataset(folder)
    assert result.dataset is not None, result.report.to_text()
    return result.dataset


def _geodesic_length(coords: list[list[float]]) -> float:
    lons, lats = zip(*coords, strict=True)
    return float(GEOD.line_length(lons, lats))


def test_fronts_are_the_shared_borders_of_places_held_by_different_sides(three: Path) -> None:
    ds = _load(three)
    found = fronts.fronts_on(ds, Timeline(ds).state_at(date(2015, 6, 10)))
    assert [(f.place_a, f.place_b) for f in found] == [("alpha", "beta"), ("beta", "gamma")]
    assert [f.pair for f in found] == ["jihadist|regime", "jihadist|opposition"]
    for f in found:
        assert f.kind == "firm" and f.because == ()
        geodesic = _geodesic_length(
            json.loads(json.dumps(f.geometry.__geo_interface__))["coordinates"]
        )
        assert f.length_m == pytest.approx(geodesic, rel=1e-3)
        assert 1100 < f.length_m < 1120  # 0.01° of latitude
    # the two fronts are the meridians between the squares
    assert found[0].geometry.bounds[0] == pytest.approx(36.31)
    assert found[1].geometry.bounds[0] == pytest.approx(36.32)


def test_no_data_has_no_front_and_presence_makes_a_tentative_one(three: Path) -> None:
    ds = _load(three)
    timeline = Timeline(ds)
    before = fronts.fronts_on(ds, timeline.state_at(date(2015, 4, 1)))
    assert [(f.place_a, f.place_b) for f in before] == [("alpha", "beta")], "gamma: no data"
    present = fronts.fronts_on(ds, timeline.state_at(date(2015, 5, 10)))
    tentative = [f for f in present if f.place_b == "gamma"]
    assert len(tentative) == 1
    assert tentative[0].kind == "tentative"
    assert tentative[0].because == ("presence",)


def test_same_side_neighbours_have_no_front_and_faction_sides_split_a_bloc(
    three: Path,
) -> None:
    ds = _load(three)
    states = Timeline(ds).state_at(date(2015, 6, 10))
    by_bloc = fronts.fronts_on(ds, states, "bloc")
    by_faction = fronts.fronts_on(ds, states, "faction")
    assert {f.side_a.key for f in by_bloc} | {f.side_b.key for f in by_bloc} == {
        "regime",
        "jihadist",
        "opposition",
    }
    assert "isis+nusra" in {f.side_b.key for f in by_faction} | {f.side_a.key for f in by_faction}
    # with every place held by one bloc there is no front at all
    (three / "control.csv").write_text(
        HEADER
        + "".join(_row(p, "regime", "sole", "2015-01-01") for p in ("alpha", "beta", "gamma")),
        encoding="utf-8",
    )
    ds = _load(three)
    assert fronts.fronts_on(ds, Timeline(ds).state_at(date(2015, 6, 10))) == []


def test_uncertain_day_makes_a_front_tentative(three: Path) -> None:
    (three / "control.csv").write_text(
        HEADER
        + _row("alpha", "regime", "sole", "2015-03")
        + _row("beta", "isis", "sole", "2015-01-01"),
        encoding="utf-8",
    )
    ds = _load(three)
    inside = fronts.fronts_on(ds, Timeline(ds).state_at(date(2015, 3, 10)))
    after = fronts.fronts_on(ds, Timeline(ds).state_at(date(2015, 4, 10)))
    assert [f.because for f in inside] == [("uncertain",)]
    assert [f.kind for f in after] == ["firm"]


def test_areas_are_equal_area_km2(three: Path) -> None:
    ds = _load(three)
    areas = fronts.place_areas_km2(ds)
    for pid, place in ds.places.items():
        geodesic, _ = GEOD.geometry_area_perimeter(shape(place.geometry))
        assert areas[pid] == pytest.approx(abs(geodesic) / 1e6, rel=1e-4)


def test_ground_counts_sole_whole_and_keeps_shared_and_presence_apart(three: Path) -> None:
    ds = _load(three)
    area = fronts.place_areas_km2(ds)
    timeline = Timeline(ds)
    may = fronts.ground_on(ds, timeline.state_at(date(2015, 5, 10)), "faction")
    assert may.held["regime"] == {"sole": pytest.approx(area["alpha"])}
    # shared: each sharer counts the place whole, under "shared" -- never halved
    assert may.held["isis"] == {"shared": pytest.approx(area["beta"])}
    assert may.held["nusra"] == {"shared": pytest.approx(area["beta"])}
    assert may.held["opposition"] == {"presence": pytest.approx(area["gamma"])}
    assert may.no_data_km2 == 0
    by_bloc = fronts.ground_on(ds, timeline.state_at(date(2015, 5, 10)), "bloc")
    assert by_bloc.held["jihadist"] == {"sole": pytest.approx(area["beta"])}, "one bloc"
    april = fronts.ground_on(ds, timeline.state_at(date(2015, 4, 1)), "bloc")
    assert april.no_data_km2 == pytest.approx(area["gamma"])
    assert april.total_km2 == pytest.approx(sum(area.values()))


def test_shared_across_blocs_stays_shared_for_each_bloc(three: Path) -> None:
    (three / "control.csv").write_text(
        HEADER
        + _row("alpha", "regime", "shared", "2015-01-01")
        + _row("alpha", "isis", "shared", "2015-01-01"),
        encoding="utf-8",
    )
    ds = _load(three)
    area = fronts.place_areas_km2(ds)["alpha"]
    ground = fronts.ground_on(ds, Timeline(ds).state_at(date(2015, 2, 1)), "bloc")
    assert ground.held == {
        "regime": {"shared": pytest.approx(area)},
        "jihadist": {"shared": pytest.approx(area)},
    }


def test_ground_over_gives_the_start_and_each_change_day(three: Path) -> None:
    ds = _load(three)
    rows = fronts.ground_over(ds, date(2015, 2, 1), date(2015, 12, 31))
    assert [g.day for g in rows] == [
        date(2015, 2, 1),
        date(2015, 5, 1),
        date(2015, 6, 1),
        date(2015, 12, 30),  # the reports go stale (past the horizon)
    ]
    assert fronts.ground_over(ds, date(2015, 5, 2), date(2015, 5, 31))[0].day == date(2015, 5, 2)


@pytest.mark.parametrize("folder", ["three", "shipped", "synthetic"])
@pytest.mark.parametrize("by", ["bloc", "faction"])
def test_ground_over_kept_up_to_date_equals_each_day_counted_afresh(
    folder: str, by: fronts.By, three: Path, tmp_path: Path
) -> None:
    """ground_over counts the first day, then only the places that change: every day's
    ground is the one every place's state counted again gives, to the last digit."""
    from benchmarks import synth

    root = Path(__file__).resolve().parents[1]
    data = {"three": three, "shipped": root / "data"}.get(folder)
    ds = _load(data or synth.generate(tmp_path / "data", 150, 6000))
    timeline = Timeline(ds)
    first, last, _ = timeline.view_range()
    rows = fronts.ground_over(ds, first, last, by)
    assert len(rows) > 2, "some change days to keep up with"
    for g in rows:
        assert g == fronts.ground_on(ds, timeline.state_at(g.day), by, g.day), g.day
    # a timeline already worked out gives the same
    assert fronts.ground_over(ds, first, last, by, timeline) == rows


def test_fronts_command_json_and_geojson(three: Path) -> None:
    result = run_mapapp("fronts", "--on", "2015-05-10", "--data", str(three), "--format", "json")
    assert result.returncode == 0, result.stderr
    records = json.loads(result.stdout)
    assert [(r["a"]["place_id"], r["b"]["place_id"]) for r in records] == [
        ("alpha", "beta"),
        ("beta", "gamma"),
    ]
    assert records[1]["b"]["side"] == "opposition" and records[1]["b"]["status"] == "presence"
    assert records[1]["kind"] == "tentative" and records[1]["because"] == ["presence"]
    assert all(1100 < r["length_m"] < 1120 for r in records)
    result = run_mapapp("fronts", "--on", "2015-05-10", "--data", str(three), "--format", "geojson")
    doc = json.loads(result.stdout)
    assert doc["type"] == "FeatureCollection"
    assert [f["geometry"]["type"] for f in doc["features"]] == ["LineString", "LineString"]
    assert doc["features"][0]["properties"]["sides"] == "jihadist|regime"


def test_stats_command_csv_and_json(three: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["stats", "--from", "2015-02-01", "--to", "2015-12-31", "--data", str(three)]
    assert main([*args, "--by", "faction", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["date"] for r in rows] == ["2015-02-01", "2015-05-01", "2015-06-01", "2015-12-30"]
    assert float(rows[1]["opposition:presence_km2"]) > 1.0
    assert float(rows[1]["opposition:sole_km2"]) == 0.0
    assert float(rows[2]["opposition:sole_km2"]) == float(rows[1]["opposition:presence_km2"])
    assert float(rows[0]["isis:shared_km2"]) == float(rows[0]["nusra:shared_km2"]) > 1.0
    assert main([*args, "--format", "json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert records[0]["held_km2"]["jihadist"]["sole"] == float(rows[0]["isis:shared_km2"])
    assert records[0]["no_data_km2"] == pytest.approx(
        float(rows[2]["opposition:sole_km2"]), abs=1e-3
    )


def test_stats_rejects_a_reversed_range(three: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["stats", "--from", "2015-12-01", "--to", "2015-01-01", "--data", str(three)])
    assert code == 2
    assert "before --from" in capsys.readouterr().err


def test_shipped_data_fronts_follow_the_borders() -> None:
    """On the shipped data, every front's length matches its geodesic length, and a
    front exists only between places that touch (no editorial values pinned)."""
    result = run_mapapp("fronts", "--on", "2015-09-15", "--format", "geojson")
    assert result.returncode == 0, result.stderr
    features = json.loads(result.stdout)["features"]
    assert features, "the shipped data has fronts on that day"
    for feature in features:
        geometry = feature["geometry"]
        lines = (
            geometry["coordinates"]
            if geometry["type"] == "MultiLineString"
            else [geometry["coordinates"]]
        )
        geodesic = sum(_geodesic_length(line) for line in lines)
        assert feature["properties"]["length_m"] == pytest.approx(geodesic, rel=2e-3, abs=1)
        assert feature["properties"]["a"]["side"] != feature["properties"]["b"]["side"]
