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
