"""The timeline chart: a bar per control period, clipped to the page's range."""

from __future__ import annotations

from datetime import date

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
