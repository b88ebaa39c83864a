"""Work that follows the data (issue 16, findings 2 and 4), counted, never timed.

Each case is built at two sizes by the generators of ``benchmarks/hardening.py`` and the
calls into mapapp's own code are counted: doubling the data must not much more than double
the work (quadratic work would quadruple it). The times and memory at full size are in
``benchmarks/README.md``.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

from benchmarks import hardening
from mapapp.core.validate import load_dataset
from mapapp.web.assets import Tiles
from mapapp.web.export import build_bundle

from .conftest import ROOT

OURS = str(ROOT / "mapapp")


def calls(work: Callable[[], Any]) -> int:
    """How many lines of mapapp's own code run during ``work`` (a loop's every turn counts,
    comprehensions included): a count of the work done, the same on any machine."""
    count = 0

    def local(frame: FrameType, event: str, arg: object) -> Any:
        nonlocal count
        count += 1
        return local

    def trace(frame: FrameType, event: str, arg: object) -> Any:
        return local if frame.f_code.co_filename.startswith(OURS) else None

    sys.settrace(trace)
    try:
        work()
    finally:
        sys.settrace(None)
    return count


def _bundle(folder: Path) -> None:
    result = load_dataset(folder)
    assert result.dataset is not None, result.report.to_text()
    build_bundle(result.dataset, Tiles(None, ""))


def _growth(tmp_path: Path, case: str, small: int, work: Callable[[Path], None]) -> float:
    sizes = []
    for n in (small, 2 * small):
        folder = hardening.MAKERS[case](tmp_path / f"{case}-{n}", n)
        sizes.append(calls(functools.partial(work, folder)))
    return sizes[1] / sizes[0]


def test_validating_duplicates_grows_linearly(tmp_path: Path) -> None:
    """Finding 2: 4,000 identical rows took 296 s and 14.8 GB (every row against every other)."""

    def validate(folder: Path) -> None:
        assert not load_dataset(folder).report.valid

    assert _growth(tmp_path, "duplicates", 500, validate) < 2.5


def test_the_bundle_grows_linearly_with_one_places_periods(tmp_path: Path) -> None:
    """Finding 4: 4,000 one-day periods for one place took 214 s (each day scanned them all)."""
    assert _growth(tmp_path, "periods", 400, _bundle) < 2.5


class _Counted(tuple[Any, ...]):
    """A tuple that counts the items handed out by iterating it."""

    seen = 0

    def __iter__(self) -> Any:
        for item in super().__iter__():
            _Counted.seen += 1
            yield item


def test_the_bundle_looks_at_each_event_a_few_times(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Finding 4: 100,000 events took 133 s and 2.7 GB: every day of the map scanned every
    event and wrote the popup of each one in its window again. Now the events are indexed
    by date once and each popup is written once a language."""
    import dataclasses

    from mapapp.draw import layers, popups

    n = 600
    ds = load_dataset(hardening.events(tmp_path / "data", n)).dataset
    assert ds is not None
    written: list[str] = []
    real = popups.event_popup

    def event_popup(*args: Any) -> str:
        written.append(args[1].id)
        return real(*args)

    monkeypatch.setattr(popups, "event_popup", event_popup)
    _Counted.seen = 0
    bundle = build_bundle(dataclasses.replace(ds, events=_Counted(ds.events)), Tiles(None, ""))
    assert len(bundle["frames"]) > n  # a frame a day at least: the events are on the map
    assert _Counted.seen <= 20 * len(ds.events)  # a few passes a rule and language, not a day
    assert len(written) <= 4 * len(ds.events)  # once a language (and place popups citing it)
    assert layers.EVENT_MARKERS_PER_PLACE * len(ds.places) >= max(
        len(frame[lang]["events"]) for frame in bundle["frames"] for lang in ("en", "ar")
    )


def test_stripes_follow_the_vertices_not_the_extent(tmp_path: Path) -> None:
    """Finding 4: an 8 by 8 degree five-point square took 34 s (a band every 110 m across it)."""
    from shapely.geometry import shape

    from mapapp.draw.shapes import MAX_STRIPE_BANDS, stripe_parts

    small = calls(lambda: _bundle(hardening.polygon(tmp_path / "one", 1)))
    large = calls(lambda: _bundle(hardening.polygon(tmp_path / "eight", 8)))
    assert large < 1.2 * small, (small, large)
    ds = load_dataset(tmp_path / "eight").dataset
    assert ds is not None
    parts = [p for p in stripe_parts(ds.places["vast"], 2) if p is not None]
    bands = sum(len(getattr(g, "geoms", [g])) for g in map(shape, parts))
    assert 0 < bands <= MAX_STRIPE_BANDS + 1


def test_the_latest_events_of_each_place_are_those_a_full_scan_finds(tmp_path: Path) -> None:
    """The walk back from each day finds, per place, the same events as scanning every event
    of the window and keeping the latest (by first day, then file order)."""
    import random
    from dataclasses import replace
    from datetime import date, timedelta

    from mapapp.draw.layers import EVENT_WINDOW_DAYS, EventIndex

    ds = load_dataset(hardening.events(tmp_path / "data", 300)).dataset
    assert ds is not None
    rng = random.Random(4)
    events = []
    for e in ds.events:  # windows of one day to a year, so some end before others
        span = rng.choice([0, 0, 3, 30, 365])
        events.append(replace(e, date=replace(e.date, latest=e.date.earliest + timedelta(span))))
    ds = replace(ds, events=tuple(events))
    index = EventIndex(ds)
    for offset in range(0, 2_300, 7):
        day = date(2011, 12, 1) + timedelta(days=offset)
        start = day - timedelta(days=EVENT_WINDOW_DAYS)
        window = [
            (k, e)
            for k, e in enumerate(ds.events)
            if not e.is_condition and e.date.earliest <= day and e.date.latest >= start
        ]
        expected: dict[str, list[object]] = {}
        for pid in {e.place_id for _, e in window}:
            mine = sorted((e.date.earliest, k, e) for k, e in window if e.place_id == pid)
            expected[pid] = [e for _, _, e in sorted(mine[-5:], key=lambda t: t[1])]
        got = index.latest_by_place(day, limit=5)
        assert got == expected, day
