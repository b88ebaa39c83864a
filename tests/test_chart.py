"""The timeline chart: a bar per control period, clipped to the page's range."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from mapapp.core.validate import load_dataset
from mapapp.draw.chart import split_data, timeline_rows, timeline_spec

from .conftest import VALID

FIRST, LAST = date(2015, 1, 1), date(2015, 12, 31)


def test_a_bar_per_period_with_open_ends_clipped() -> None:
    ds = load_dataset(VALID).dataset
    assert ds is not None
    rows = timeline_rows(ds, FIRST, LAST, "en")
    assert len(rows) == len(ds.control)
    assert all(FIRST.isoformat() <= r["start"] <= r["end"] <= LAST.isoformat() for r in rows)
    # no start: the bar begins at the report the claim is known from (as of 2015)
    unknown_start = next(r for r, c in zip(rows, ds.control, strict=True) if c.start is None)
    assert unknown_start["start"] == FIRST.isoformat() and unknown_start["from"] == "?"


def test_the_spec_hands_its_data_over_as_arrow() -> None:
    ds = load_dataset(VALID).dataset
    assert ds is not None
    table, spec = split_data(timeline_spec(ds, FIRST, LAST, "conventional", "ar"))
    # a bar per period, and one per span a place is stale (or disputed)
    periods = [f for f in table.column("faction_id").to_pylist() if not f.startswith("-")]
    assert len(periods) == len(ds.control)
    assert table.num_rows > len(ds.control), "the stale spans after the horizon"
    assert "datasets" not in spec and spec["mark"]["type"] == "bar"
    assert set(table.column_names) >= {"place", "faction", "start", "end"}


def test_names_with_line_breaks_reach_the_charts_on_one_line() -> None:
    """A line break or line separator in a name, once inside Vega's compiled expressions,
    is a syntax error that blanks the chart: every string of both specs is one line."""
    from dataclasses import replace

    from mapapp.draw.chart import ground_spec

    ds = load_dataset(VALID).dataset
    assert ds is not None
    fid, faction = next(iter(ds.factions.items()))
    pid, place = next(iter(ds.places.items()))
    ds = replace(
        ds,
        factions={**ds.factions, fid: replace(faction, name_en="first\r\n\r\nsecond\u2028third")},
        places={**ds.places, pid: replace(place, name_en="a\nplace\u2029name")},
    )

    def strings(value: object) -> list[str]:
        if isinstance(value, str):
            return [value]
        if isinstance(value, list):
            return [s for v in value for s in strings(v)]
        if isinstance(value, dict):
            return [s for v in value.values() for s in strings(v)]
        return []

    for spec in (
        timeline_spec(ds, FIRST, LAST, "conventional", "en"),
        ground_spec(ds, FIRST, LAST, "conventional", "en"),
    ):
        texts = strings(spec)
        assert not [s for s in texts if any(c.isspace() and c != " " for c in s)]
    assert "first second third" in strings(timeline_spec(ds, FIRST, LAST, "conventional", "en"))


def test_marking_another_day_resends_a_small_spec_not_the_rows(tmp_path: object) -> None:
    """With the rows published (:func:`publish_rows`) and loaded by address, the spec a
    date change sends holds no data row, only the marker's day; the rows come back whole
    from the file."""
    import json
    from pathlib import Path

    from mapapp.draw.chart import chart_rows, data_by_url, day_marked, ground_spec
    from mapapp.web.publish import publish_rows

    ds = load_dataset(VALID).dataset
    assert ds is not None
    folder = Path(str(tmp_path))
    for spec in (
        timeline_spec(ds, FIRST, LAST, "conventional", "en"),
        ground_spec(ds, FIRST, LAST, "conventional", "ar"),
    ):
        rows = chart_rows(spec)
        assert rows, "the chart has rows to publish"
        path = publish_rows(rows, folder)
        assert json.loads(path.read_text(encoding="utf-8")) == rows
        assert publish_rows(rows, folder) == path, "named by content"
        served = data_by_url(spec, f"/app/static/charts/{path.name}")
        text = json.dumps(day_marked(served), ensure_ascii=False)
        assert "datasets" not in text and path.name in text
        # not one row of the chart's data is in the spec the page sends
        assert not any(json.dumps(r, ensure_ascii=False) in text for r in rows)
        inline = json.dumps(day_marked(spec), ensure_ascii=False)
        assert len(text) < len(inline) / 2 or len(inline) < 4000, (len(text), len(inline))


def test_the_spec_is_the_same_on_every_day() -> None:
    """The day is not in the spec: it comes from the input the map's component keeps, so
    a date change sends no chart (Streamlit sends an unchanged element as a reference)."""
    import json

    from mapapp.draw.chart import DAY_INPUT, DAY_PARAM, day_marked, ground_spec

    ds = load_dataset(VALID).dataset
    assert ds is not None
    for spec in (
        timeline_spec(ds, FIRST, LAST, "conventional", "en"),
        ground_spec(ds, FIRST, LAST, "conventional", "ar"),
    ):
        marked = day_marked(spec)
        assert json.dumps(marked) == json.dumps(day_marked(spec))
        (param,) = [p for p in marked["params"] if p["name"] == DAY_PARAM]
        assert param["bind"] == {"element": f"#{DAY_INPUT}"}
        assert param["value"] == "", "no day until the map says which: no marker, not a wrong one"
    # the component keeps the input of that id
    component = (Path(__file__).parents[1] / "mapapp/web/component.js").read_text("utf-8")
    assert f'"{DAY_INPUT}"' in component


def test_the_marker_is_a_red_rule_and_the_date_as_text() -> None:
    from mapapp.draw.chart import DAY_PARAM, day_marked

    ds = load_dataset(VALID).dataset
    assert ds is not None
    spec = day_marked(timeline_spec(ds, FIRST, LAST, "conventional", "en"))
    base, rule, text = spec["layer"]
    assert base["mark"]["type"] == "bar"
    assert rule["mark"]["type"] == "rule" and rule["mark"]["color"] == "#c0392b"
    calculated = {c["as"]: c["calculate"] for c in rule["transform"] if "calculate" in c}
    assert calculated["day"] == f"toDate({DAY_PARAM})"
    # the text shows the date as written, not the parsed timestamp of the temporal field
    label = text["encoding"]["text"]["field"]
    assert label != text["encoding"]["x"]["field"]
    assert {c["as"]: c["calculate"] for c in text["transform"] if "calculate" in c}[
        label
    ] == DAY_PARAM
