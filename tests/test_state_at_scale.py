"""``Timeline.state_at`` on a day with many new stretches works each place out from only the
rows that may matter that day (found for all places at once): the states must be exactly
those :meth:`Timeline.place_state` works out from all of a place's rows."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

import pytest

from benchmarks import synth
from mapapp.core.timeline import Timeline
from mapapp.core.validate import load_dataset

from .conftest import ROOT


def _days(rng: random.Random, count: int) -> list[date]:
    span = (date(2021, 6, 30) - date(2011, 6, 1)).days
    return [date(2011, 6, 1) + timedelta(days=rng.randrange(span)) for _ in range(count)]


@pytest.mark.parametrize("folder", ["synthetic", "shipped"])
def test_state_at_equals_place_state_from_all_rows(folder: str, tmp_path: Path) -> None:
    data = synth.generate(tmp_path / "data", 150, 6000) if folder == "synthetic" else ROOT / "data"
    ds = load_dataset(data).dataset
    assert ds is not None
    rng = random.Random(5)
    days = _days(rng, 12)
    # the day before and of every boundary: where windows open and close
    for row in ds.control[:40]:
        for boundary in (row.start, row.end):
            if boundary is not None:
                days += [boundary.earliest, boundary.latest, boundary.latest + timedelta(days=1)]
    reference = Timeline(ds)
    fast_seen = 0
    for day in days:
        timeline = Timeline(ds)  # a fresh cache: every stretch is new on the day
        states = timeline.state_at(day)
        fast_seen += timeline._row_spans is not None
        for pid, state in states.items():
            assert state == reference.place_state(pid, day), (pid, day)
    if folder == "synthetic":
        assert fast_seen == len(days), "150 places: the vectorised pass ran on every day"
