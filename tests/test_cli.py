"""The mapapp command: state, changes, dates and help (validate: see test_validate.py)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from mapapp.cli import command_names, main

from .conftest import FIXTURES, ROOT, VALID, run_mapapp

run = run_mapapp


def test_state_json_has_one_entry_per_place_with_sources_and_conditions() -> None:
    result = run("state", "--on", "2015-09-15", "--format", "json")
    assert result.returncode == 0, result.stderr
    entries: list[dict[str, Any]] = json.loads(result.stdout)
    assert len(entries) == 12
    by_id = {e["place_id"]: e for e in entries}
    yalda = by_id["yalda"]
    assert yalda["status"] == "shared"
    assert [f["id"] for f in yalda["factions"]] == ["jaysh_islam", "liwa_sham_rasul", "ahrar_sham"]
    assert yalda["factions"][0]["name_en"] == "Jaysh al-Islam"
    # as of the investigation: first reported then, not begun then (no start is given)
    assert yalda["since"] is None
    assert yalda["as_of_window"]["precision"] == "day"
    assert yalda["as_of_window"]["approximate"] is True
    assert yalda["as_of_window"]["earliest"] == "2015-08-11"
    assert yalda["as_of"] == "2015-09-09"
    assert yalda["stale"] is False
    assert yalda["agreement"] == "agreed"
    assert yalda["uncertain"] is False
    assert yalda["source_ids"] == ["elaph_investigation"]
    qadam = by_id["qadam"]
    assert {c["kind"] for c in qadam["conditions"]} == {"siege", "under-attack"}
    assert all(c["source_id"] == "elaph_2015_09" for c in qadam["conditions"])
    assert {c["claimant"] for c in qadam["conditions"]} == {"elaph"}
    assert "يلدا" in yalda["claims"][0]["quote_ar"], "Arabic is printed as text, not escapes"


def test_state_before_anything_is_known_is_no_data() -> None:
    entries = json.loads(run("state", "--on", "2015-02-01", "--format", "json").stdout)
    assert {e["status"] for e in entries} == {"no-data"}
    assert {e["agreement"] for e in entries} == {"no-data"}
    entries = json.loads(run("state", "--on", "2015-03-05", "--format", "json").stdout)
    statuses = {e["place_id"]: e["status"] for e in entries}
    assert statuses.pop("yarmouk") == "presence"
    assert set(statuses.values()) == {"no-data"}
    yarmouk = next(e for e in entries if e["place_id"] == "yarmouk")
    assert yarmouk["since"] is None
    assert yarmouk["since_known"] is False
    assert yarmouk["uncertain"] is True


def test_state_table_csv_and_geojson() -> None:
    table = run("state", "--on", "2015-09-15").stdout
    assert "State on 2015-09-15" in table
    assert "Ajnad al-Sham (sole) [under-attack, siege]" in table
    rows = list(
        csv.DictReader(io.StringIO(run("state", "--on", "2015-09-15", "--format", "csv").stdout))
    )
    assert len(rows) == 12
    assert rows[0]["place_id"] == "yarmouk"
    assert rows[0]["factions"] == "isis;nusra"
    assert rows[0]["agreement"] == "agreed"
    assert rows[0]["stale"] == "false"
    assert rows[0]["as_of"] == "2015-09-09"
    geo = json.loads(run("state", "--on", "2015-09-15", "--format", "geojson").stdout)
    assert geo["type"] == "FeatureCollection"
    assert len(geo["features"]) == 12
    feature = geo["features"][0]
    assert feature["geometry"]["type"] in {"Polygon", "MultiPolygon"}
    assert feature["properties"]["status"] == "sole"
    assert feature["properties"]["agreement"] == "agreed"
    assert feature["properties"]["claims"][0]["source_id"] == "elaph_investigation"


def test_changes_json_gives_before_after_and_sources() -> None:
    result = run("changes", "--from", "2015-02-01", "--to", "2015-05-01", "--format", "json")
    assert result.returncode == 0, result.stderr
    changes = json.loads(result.stdout)
    # every change in between, in order: the presence reported in March, then ISIS
    assert [(c["date"], c["place_id"]) for c in changes] == [
        ("2015-03-01", "yarmouk"),
        ("2015-03-21", "yarmouk"),
    ]
    change = changes[1]
    assert [f["id"] for f in change["before"]["factions"]] == ["opposition", "nusra"]
    assert [f["id"] for f in change["after"]["factions"]] == ["isis"]
    assert change["after"]["status"] == "partial"
    assert change["source_ids"] == ["elaph_2015_09"]
    table = run("changes", "--from", "2015-09-15", "--to", "2015-09-20").stdout
    assert "No place changes" in table


def test_dates_lists_the_change_days() -> None:
    days = json.loads(run("dates", "--format", "json").stdout)
    assert [d["date"] for d in days] == [
        "2015-03-01",  # Yarmouk: opposition and al-Nusra present (as of March)
        "2015-03-21",  # Yarmouk: ISIS takes large parts (the last days of March)
        "2015-08-11",  # the investigation's map
        "2015-09-01",  # al-Qadam attacked and besieged (the article's month)
        "2015-12-09",  # the investigation's reports are older than the horizon: stale
        "2015-12-30",  # the article's reports too
    ]
    assert "2015-03-01  yarmouk" in run("dates").stdout


def test_other_data_folder() -> None:
    entries = json.loads(
        run("state", "--on", "2015-06-20", "--data", str(VALID), "--format", "json").stdout
    )
    assert [e["place_id"] for e in entries] == ["alpha", "beta", "gamma"]


def test_invalid_data_gives_the_report_and_exit_1(tmp_path: Path) -> None:
    broken = ROOT / "tests" / "data" / "broken-example"
    result = run("state", "--on", "2015-09-15", "--data", str(broken))
    assert result.returncode == 1
    assert "factions.csv:2 [colour]" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    "args",
    [
        ["state", "--on", "2015-13-01"],
        ["state", "--on", "yesterday"],
        ["changes", "--from", "2015-01-01"],
        ["nonsense"],
    ],
)
def test_bad_arguments_exit_2_with_a_message(args: list[str]) -> None:
    result = run(*args)
    assert result.returncode == 2
    assert "error" in result.stderr


def test_missing_data_folder_exits_2(tmp_path: Path) -> None:
    result = run("state", "--on", "2015-09-15", "--data", str(tmp_path / "nowhere"))
    assert result.returncode == 2
    assert "is not a folder" in result.stderr


def test_every_command_has_help_with_an_example() -> None:
    commands = command_names()
    assert set(commands) == {
        "validate",
        "codes",
        "state",
        "changes",
        "dates",
        "fronts",
        "stats",
        "review",
        "docs",
        "quotes",
        "export",
        "propose",
        "edit",
    }
    for name in commands:
        result = run(name, "--help")
        assert result.returncode == 0
        assert "Example:" in result.stdout
        assert f"mapapp {name}" in result.stdout


def test_main_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["state", "--on", "2015-09-15", "--data", str(VALID)]) == 0
    assert "alpha" in capsys.readouterr().out


def test_every_command_takes_data_and_speaks_one_format_dialect(tmp_path: Path) -> None:
    """``--data`` and ``--format`` on every command, with the same names and help (a
    positional folder still works where it did)."""
    from mapapp.cli import FORMATS, build_parser

    helps: dict[str, str] = {}
    for name in command_names():
        sub = build_parser()._subparsers._group_actions[0].choices[name]  # type: ignore[union-attr,index]
        options = {o: a for a in sub._actions for o in a.option_strings}
        assert "--data" in options, f"{name} has no --data"
        if "--format" in options:
            action = options["--format"]
            for choice in action.choices or []:
                assert f"{choice}: {FORMATS[choice]}" in (action.help or ""), (name, choice)
            helps[name] = action.help or ""
    assert set(helps) == set(command_names()), "every command has --format"
    columns = json.loads(run_mapapp("docs", "--format", "json").stdout)
    assert {"file": "control.csv", "column": "status"}.items() <= next(
        c for c in columns if c["column"] == "status"
    ).items()
    broken = str(FIXTURES / "broken-example")
    by_position = run_mapapp("validate", broken, "--format", "json")
    by_option = run_mapapp("validate", "--data", broken, "--format", "json")
    assert by_position.returncode == by_option.returncode == 1
    assert json.loads(by_position.stdout) == json.loads(by_option.stdout)
    assert run_mapapp("state", "--on", "2015-09-15", "--format", "table").returncode == 0


def test_state_writes_the_day_as_a_geopackage(tmp_path: Path) -> None:
    import geopandas as gpd

    out = tmp_path / "day.gpkg"
    done = run_mapapp("state", "--on", "2015-09-15", "--format", "gpkg", "--out", str(out))
    assert done.returncode == 0, done.stderr
    frame = gpd.read_file(out)
    assert frame.crs.to_epsg() == 4326 and len(frame) == 12
    assert set(frame[frame["place_id"] == "yarmouk"]["status"]) == {
        "sole"
    }  # ISIS, al-Nusra its ally
    refused = run_mapapp("state", "--on", "2015-09-15", "--format", "gpkg")
    assert refused.returncode == 2 and "--out" in refused.stderr


def test_the_geopackage_follows_the_rule(tmp_path: Path) -> None:
    """``--rule`` / ``--as-source`` choose the states a GeoPackage holds, as they do JSON's."""
    import geopandas as gpd

    data = str(FIXTURES / "multi-source")
    differ = 0
    for rule in (["--rule", "newest"], ["--rule", "reliable"], ["--as-source", "test_bravo"]):
        day = ["--on", "2015-09-26", "--data", data, *rule]
        out = tmp_path / f"{rule[-1]}.gpkg"
        done = run_mapapp("state", *day, "--format", "gpkg", "--out", str(out))
        assert done.returncode == 0, done.stderr
        frame = gpd.read_file(out)
        as_json = json.loads(run_mapapp("state", *day, "--format", "json").stdout)
        want = {r["place_id"]: r["status"] for r in as_json}
        assert dict(zip(frame["place_id"], frame["status"], strict=True)) == want
        newest = json.loads(
            run_mapapp("state", "--on", "2015-09-26", "--data", data, "--format", "json").stdout
        )
        differ += want != {r["place_id"]: r["status"] for r in newest}
    assert differ  # the rules give another map on that day
