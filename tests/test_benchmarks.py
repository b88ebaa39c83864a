"""The benchmark pieces, quickly: synthetic data validates, the peer app runs, run.py writes
its JSON. (The benchmarks themselves are run by hand: see benchmarks/README.md.)"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import shapely
from shapely.geometry import shape
from streamlit.testing.v1 import AppTest

from benchmarks import synth
from benchmarks.run import plan_dates
from mapapp.core.validate import load_dataset

from .conftest import ROOT


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synth.generate(tmp_path_factory.mktemp("synth") / "data", 12, 100)


def test_synthetic_data_is_valid(folder: Path) -> None:
    result = load_dataset(folder)
    assert result.report.valid, result.report.to_text()
    ds = result.dataset
    assert ds is not None
    assert len(ds.places) == 12
    assert len(ds.control) == 100
    assert {r.status for r in ds.control} == {"sole", "shared", "partial", "presence"}
    assert any(r.start is None for r in ds.control), "a period with no known start"
    assert any(r.end is None for r in ds.control), "an open-ended period"
    years = {r.start.earliest.year for r in ds.control if r.start}
    assert min(years) <= 2013 and max(years) >= 2019
    assert any(e.is_condition for e in ds.events)
    for place in ds.places.values():
        ring = place.geometry["coordinates"][0]
        assert 10 <= len(ring) - 1 <= 30
        assert shape(place.geometry).contains(shapely.Point(place.ref_lon, place.ref_lat))


def test_neighbours_share_borders_without_gaps(folder: Path) -> None:
    ds = load_dataset(folder).dataset
    assert ds is not None
    polygons = [shape(p.geometry) for p in ds.places.values()]
    union = shapely.union_all(polygons)
    # no overlaps: the areas add up; no gaps inside the grid: one polygon, no holes
    assert union.area == pytest.approx(sum(p.area for p in polygons), rel=1e-9)
    assert union.geom_type == "Polygon"
    assert not union.interiors


def test_synthetic_data_is_deterministic(folder: Path, tmp_path: Path) -> None:
    again = synth.generate(tmp_path / "again", 12, 100)
    for name in ("neighbourhoods.geojson", "control.csv", "events.csv", "sources.csv"):
        assert (again / name).read_bytes() == (folder / name).read_bytes(), name


def test_synth_command_line(tmp_path: Path) -> None:
    out = tmp_path / "cli"
    command = [sys.executable, "benchmarks/synth.py", "--places", "5", "--rows", "20"]
    subprocess.run([*command, "--out", str(out)], cwd=ROOT, check=True, capture_output=True)
    check = [sys.executable, "-m", "mapapp", "validate", str(out)]
    assert subprocess.run(check, cwd=ROOT, capture_output=True).returncode == 0


def test_the_walk_recolours_a_place_at_every_timed_step(folder: Path) -> None:
    ds = load_dataset(folder).dataset
    assert ds is not None
    plan = plan_dates(ds, 3)
    assert plan.measured >= 3
    days = plan.days()
    assert days == sorted(days) and len(set(days)) == len(days), "fresh days, forwards"
    for step in plan.steps:
        if step.place:
            assert step.fill_before != step.fill_after


def test_peer_app_runs(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAPAPP_DATA", str(folder))
    monkeypatch.setenv("MAPAPP_TILES", "none")
    at = AppTest.from_file(str(ROOT / "benchmarks" / "peer_app.py"), default_timeout=60)
    at.query_params["date"] = "2016-06-01"
    at.run()
    assert not at.exception
    assert at.slider(key="date").value == date(2016, 6, 1)
    at.slider(key="date").set_value(date(2014, 3, 1)).run()
    assert not at.exception
    assert "hold on 2014-03-01" in at.caption[0].value
    before = at.slider(key="date").value
    at.button(key="next").click().run()
    assert not at.exception
    after = at.slider(key="date").value
    assert isinstance(before, date) and isinstance(after, date)
    assert after > before


def test_run_writes_json_for_the_chosen_sections(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    command = [
        sys.executable,
        "benchmarks/run.py",
        "--quick",
        "--only",
        "state_at,validate,geometry",
        # smaller than --quick's own sizes, to keep the suite fast
        "--state-at",
        "50x1000",
        "--validate",
        "50x1000",
        "--inject",
        "50x1000",
        "--json",
        str(out),
    ]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    results = json.loads(out.read_text(encoding="utf-8"))["results"]
    assert set(results) == {"state_at", "validate", "geometry"}
    assert results["state_at"]["ours"]["median_ms"] > 0
    assert results["validate"]["ours"]["valid"] and results["validate"]["peer"]["valid"]
    injected = results["validate"]["injected"]
    assert injected["caught_by_ours"] == injected["injected"]
    assert injected["missed_by_ours"] == 0
    assert results["geometry"]["12"]["ours"]["bytes_per_polygon"] > 0
    assert "| metric | N | ours | peer |" in done.stdout


@pytest.mark.browser
def test_load_writes_json_with_moves_and_no_errors(tmp_path: Path) -> None:
    """benchmarks/load.py, tiny: two sessions for a few seconds (no timing asserted)."""
    out = tmp_path / "load.json"
    command = [sys.executable, "benchmarks/load.py", "--sessions", "2", "--seconds", "5"]
    done = subprocess.run(
        [*command, "--json", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    output = json.loads(out.read_text(encoding="utf-8"))
    assert {"machine", "load_average_at_start", "load_average_at_end", "usage"} <= set(output)
    assert output["sessions"] == 2
    results = output["results"]
    for key in ("moves", "moves_per_session", "repaint_ms", "server_follow_ms", "errors"):
        assert key in results, key
    for key in ("p50", "p95", "max"):
        assert key in results["repaint_ms"] and key in results["server_follow_ms"], key
    assert results["moves"] > 0
    assert results["timed_moves"] > 0
    assert len(output["per_session"]) == 2
    assert all(s["moves"] > 0 for s in output["per_session"])
    assert results["error_total"] == 0, results["error_examples"]
    assert "server_rss_mb_max" in output["usage"]
    assert "| repaint p50 / p95 / max |" in done.stdout


def test_run_measures_the_save_and_the_command(tmp_path: Path) -> None:
    """Issue 14's rows, tiny: the one-row save and `mapapp state` as a whole process."""
    out = tmp_path / "results.json"
    command = [sys.executable, "benchmarks/run.py", "--quick", "--only", "save,cli"]
    command += ["--save", "20x200", "--json", str(out)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    results = json.loads(out.read_text(encoding="utf-8"))["results"]
    assert results["save"]["ours"]["changed_rows"] == 1, results["save"]
    assert results["save"]["peer"]["seconds"] > 0
    for name in ("ours", "peer", "floor"):
        assert results["cli"][name]["median_ms"] > 0
        assert "error" not in results["cli"][name], results["cli"][name]
    assert "in-app save of one edited row" in done.stdout
    assert "`mapapp state --on DAY`" in done.stdout


@pytest.mark.browser
def test_run_measures_the_rebuild_and_the_static_first_paint(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    command = [sys.executable, "benchmarks/run.py", "--quick", "--only", "rebuild"]
    command += ["--rebuild", "12", "--json", str(out)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    rebuild = json.loads(out.read_text(encoding="utf-8"))["results"]["rebuild"]
    assert rebuild["ours"]["seconds"] > 0 and rebuild["peer"]["seconds"] > 0
    assert rebuild["site"]["data_js_bytes"] > 0
    assert rebuild["static"]["first_paint_ms"], rebuild["static"]
