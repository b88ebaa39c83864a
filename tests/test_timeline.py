"""The date -> state join: interval rules, precision, uncertainty, conditions, changes."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from mapapp.core.dates import FuzzyDate, literal_date
from mapapp.core.model import ControlRow, Dataset, Event, Faction, Place, Source
from mapapp.core.timeline import Timeline, change_dates, changes_between, holds, state_at
from mapapp.core.validate import load_dataset

from .conftest import DATA, VALID

SQUARE = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}


def _place(pid: str) -> Place:
    return Place(pid, pid, pid, "town", 0.5, 0.5, "test", "high", True, "", SQUARE)


def _faction(fid: str) -> Faction:
    return Faction(fid, fid, fid, "#000000", "#000000", "other", "armed", "")


def _row(
    faction: str,
    start: FuzzyDate | None,
    end: FuzzyDate | None,
    status: str = "sole",
    place: str = "p",
    line: int = 2,
) -> ControlRow:
    return ControlRow(line, place, faction, start, end, status, "s", ("C1",), "elaph", "ق", "q", "")


def _dataset(rows: list[ControlRow], events: tuple[Event, ...] = ()) -> Dataset:
    factions = {r.faction_id for r in rows}
    src = Source("s", "Outlet", "", "", "", "", "", literal_date(2015, 9), "", "")
    return Dataset(
        {"p": _place("p"), "q": _place("q")},
        {f: _faction(f) for f in factions},
        {"s": src},
        tuple(rows),
        events,
        # these tests are about intervals: a horizon of a century keeps every report current
        horizon_days=36_500,
    )


D = literal_date


@pytest.mark.parametrize(
    ("start", "end", "day", "holds_", "uncertain"),
    [
        # start inclusive, end exclusive, exact days
        (D(2015, 6, 15), D(2015, 7, 1), date(2015, 6, 14), False, False),
        (D(2015, 6, 15), D(2015, 7, 1), date(2015, 6, 15), True, False),
        (D(2015, 6, 15), D(2015, 7, 1), date(2015, 6, 30), True, False),
        (D(2015, 6, 15), D(2015, 7, 1), date(2015, 7, 1), False, False),
        # open end: holds for ever after
        (D(2015, 6, 15), None, date(2030, 1, 1), True, False),
        # open start: holds before, but the answer says the start is unknown
        (None, D(2015, 7, 1), date(2000, 1, 1), True, True),
        # month precision start: read from the 1st, uncertain through the month
        (D(2015, 3), None, date(2015, 2, 28), False, False),
        (D(2015, 3), None, date(2015, 3, 1), True, True),
        (D(2015, 3), None, date(2015, 3, 31), True, True),
        (D(2015, 3), None, date(2015, 4, 1), True, False),
        # year precision end: ends on 1 January, uncertain through the year
        (D(2015, 1, 1), D(2016), date(2015, 12, 31), True, False),
        (D(2015, 1, 1), D(2016), date(2016, 1, 1), False, True),
        (D(2015, 1, 1), D(2016), date(2016, 12, 31), False, True),
        (D(2015, 1, 1), D(2016), date(2017, 1, 1), False, False),
        # an approximate exact day is uncertain on that day only
        (replace(D(2015, 6, 15), approximate=True), None, date(2015, 6, 15), True, True),
        (replace(D(2015, 6, 15), approximate=True), None, date(2015, 6, 16), True, False),
    ],
)
def test_interval_rules(
    start: FuzzyDate | None, end: FuzzyDate | None, day: date, holds_: bool, uncertain: bool
) -> None:
    row = _row("f", start, end)
    assert holds(row, day) is holds_
    state = Timeline(_dataset([row])).place_state("p", day)
    assert state.status == ("sole" if holds_ else "no-data")
    assert state.uncertain is uncertain, state.uncertainty
    assert state.faction_ids == (("f",) if holds_ else ())


def test_a_place_with_no_rows_is_no_data_never_a_guess() -> None:
    ds = _dataset([_row("f", D(2015, 1, 1), None)])
    state = state_at(ds, date(2015, 6, 1))["q"]
    assert (state.status, state.rows, state.uncertain) == ("no-data", (), False)


def test_handover_inside_a_month_window() -> None:
    """Old holder until 'March', new holder from 'March': the new one shows, uncertain."""
    ds = _dataset([_row("old", None, D(2015, 3)), _row("new", D(2015, 3), None, "partial")])
    timeline = Timeline(ds)
    mid = timeline.place_state("p", date(2015, 3, 15))
    assert (mid.faction_ids, mid.status, mid.uncertain) == (("new",), "partial", True)
    assert [(u.kind, u.faction_id) for u in mid.uncertainty] == [
        ("start-window", "new"),
        ("end-window", "old"),
    ]
    assert mid.uncertainty[1].boundary == D(2015, 3)
    assert timeline.place_state("p", date(2015, 2, 28)).faction_ids == ("old",)
    after = timeline.place_state("p", date(2015, 4, 1))
    assert (after.faction_ids, after.uncertain) == (("new",), False)


def test_shared_and_mixed_status() -> None:
    start = D(2015, 8, 1)
    ds = _dataset(
        [
            _row("a", start, None, "shared"),
            _row("b", start, None, "shared"),
            _row("c", start, None, "presence", place="q"),
            _row("d", start, None, "partial", place="q"),
        ]
    )
    states = state_at(ds, date(2015, 8, 2))
    assert (states["p"].status, states["p"].faction_ids) == ("shared", ("a", "b"))
    assert states["q"].status == "mixed"
    assert states["p"].since == start


def test_since_is_the_latest_start_and_unknown_when_any_start_is_unknown() -> None:
    ds = _dataset([_row("a", D(2015, 1), None, "shared"), _row("b", D(2015, 5), None, "shared")])
    assert Timeline(ds).place_state("p", date(2015, 6, 1)).since == D(2015, 5)
    ds = _dataset([_row("a", None, None, "shared"), _row("b", D(2015, 5), None, "shared")])
    assert Timeline(ds).place_state("p", date(2015, 6, 1)).since is None


def _condition(date_: FuzzyDate, end: FuzzyDate | None = None) -> Event:
    return Event(
        9, "siege", date_, end, "p", "siege", (), (), "s", ("C8",), "activists", "ح", "s", "", True
    )


@pytest.mark.parametrize(
    ("when", "end", "day", "active"),
    [
        (D(2015, 9), None, date(2015, 8, 31), False),
        (D(2015, 9), None, date(2015, 9, 1), True),
        (D(2015, 9), None, date(2015, 9, 30), True),
        # without an end a condition goes on like control (stale after the horizon)
        (D(2015, 9), None, date(2015, 10, 1), True),
        (D(2015, 9, 10), D(2015, 12), date(2015, 11, 30), True),
        (D(2015, 9, 10), D(2015, 12), date(2015, 12, 1), False),
    ],
)
def test_conditions_hold_from_their_date_to_their_end(
    when: FuzzyDate, end: FuzzyDate | None, day: date, active: bool
) -> None:
    ds = _dataset([], (_condition(when, end),))
    state = Timeline(ds).place_state("p", day)
    assert state.condition_kinds == (("siege",) if active else ())
    assert state.status == "no-data", "a condition is not control"


def test_change_dates_and_changes_on_the_valid_fixture() -> None:
    ds = load_dataset(VALID).dataset
    assert ds is not None
    assert change_dates(ds) == [
        date(2015, 1, 1),  # alpha: opposition, as of a report of 2015 (no start given)
        date(2015, 3, 1),  # alpha: opposition -> ISIS (partial)
        date(2015, 6, 15),  # beta: regime from an exact day
        date(2015, 7, 1),  # beta: regime's period ends -> no data
        date(2015, 8, 11),  # alpha: ISIS + al-Nusra shared, from the investigation
        date(2015, 9, 1),  # beta: siege (the article's month)
        date(2015, 12, 9),  # alpha: the investigation's report is 90 days old: stale
        date(2015, 12, 30),  # beta: the siege's report is 90 days old: stale
    ]
    changes = changes_between(ds, date(2015, 1, 1), date(2015, 9, 15))
    assert [c.place_id for c in changes] == ["alpha", "beta"]
    alpha = changes[0]
    assert alpha.before.faction_ids == ("opposition",)
    assert alpha.after.faction_ids == ("isis", "nusra")
    assert alpha.source_ids == ("inv", "art")
    assert changes_between(ds, date(2015, 9, 15), date(2015, 9, 20)) == []


def test_uncertainty_does_not_count_as_a_change(tmp_path: Path) -> None:
    ds = load_dataset(VALID).dataset
    assert ds is not None
    timeline = Timeline(ds)
    # 2015-08-20 is inside the investigation's window (uncertain), 2015-09-20 is not
    assert timeline.place_state("alpha", date(2015, 8, 20)).uncertain
    assert not timeline.place_state("alpha", date(2015, 9, 20)).uncertain
    assert [c.place_id for c in timeline.changes_between(date(2015, 8, 20), date(2015, 9, 20))] == [
        "beta"
    ]


def test_view_range_and_stepping_between_changes() -> None:
    ds = load_dataset(VALID).dataset
    assert ds is not None
    timeline = Timeline(ds)
    first, last, default = timeline.view_range()
    # from a month before the first report to the day the last report goes stale
    assert (first, last, default) == (date(2014, 12, 1), date(2015, 12, 30), date(2015, 9, 30))
    assert timeline.adjacent_change(date(2015, 7, 15), 1) == date(2015, 8, 11)
    assert timeline.adjacent_change(date(2015, 7, 15), -1) == date(2015, 7, 1)
    assert timeline.adjacent_change(date(2015, 7, 1), -1) == date(2015, 6, 15)
    assert timeline.adjacent_change(date(2015, 12, 30), 1) is None
    assert timeline.adjacent_change(date(2015, 1, 1), -1) is None


def _every_day_agrees(timeline: Timeline, first: date, last: date, step: int = 1) -> int:
    """state_at (the stretch index) against place_state (the plain scan), day by day."""
    checked = 0
    day = first
    while day <= last:
        fast = timeline.state_at(day)
        for pid in timeline.dataset.places:
            assert fast[pid] == timeline.place_state(pid, day), (pid, day)
            checked += 1
        day += timedelta(days=step)
    return checked


def test_the_stretch_index_agrees_with_the_plain_scan_every_day() -> None:
    ds = load_dataset(DATA).dataset
    assert ds is not None
    timeline = Timeline(ds)
    first, last, _ = timeline.view_range()
    assert _every_day_agrees(timeline, first - timedelta(days=400), last + timedelta(days=60))


def test_the_stretch_index_agrees_on_synthetic_data(tmp_path: Path) -> None:
    from benchmarks import synth

    ds = load_dataset(synth.generate(tmp_path / "data", 40, 600, seed=7)).dataset
    assert ds is not None
    timeline = Timeline(ds)
    assert _every_day_agrees(timeline, date(2011, 6, 1), date(2021, 6, 1), step=3) > 40_000
    # days that change something are exactly those where a place's stretch changes
    days = timeline.change_dates()
    assert days
    for day in days[:50]:
        assert timeline.changes_between(day - timedelta(days=1), day)


def test_state_ids_mark_equal_states_with_equal_numbers() -> None:
    ds = load_dataset(DATA).dataset
    assert ds is not None
    timeline = Timeline(ds)
    a, b = timeline.state_ids(date(2015, 8, 12)), timeline.state_ids(date(2015, 8, 20))
    assert (a == b).all(), "nothing changes between these days"
    moved = timeline.state_ids(date(2015, 8, 11)) != timeline.state_ids(date(2015, 8, 10))
    moved_places = {p for p, m in zip(ds.places, moved.tolist(), strict=True) if m}
    changed = {c.place_id for c in timeline.changes_between(date(2015, 8, 10), date(2015, 8, 11))}
    assert "tadamon" in changed
    assert changed <= moved_places, "a change always moves the place to another stretch"


def test_state_ids_from_checkpoints_match_a_plain_search(tmp_path: Path) -> None:
    import numpy as np

    from benchmarks import synth

    ds = load_dataset(synth.generate(tmp_path / "data", 30, 900, seed=3)).dataset
    assert ds is not None
    timeline = Timeline(ds)
    keys = timeline._segment_keys()
    bases = np.arange(len(ds.places), dtype=np.int64) * 4_000_000
    day = date(2005, 1, 1)
    while day < date(2024, 1, 1):  # before, across and after the checkpoints' span
        plain = np.searchsorted(keys, bases + day.toordinal(), side="right") - 1
        assert (timeline.state_ids(day) == plain).all(), day
        day += timedelta(days=5)


def _plain_place_state(timeline: Timeline, place_id: str, day: date) -> tuple[object, ...]:
    """place_state as first written: every row and condition of the place, each time."""
    from mapapp.core.timeline import _in_window, condition_span

    rows = [r for r in timeline.dataset.control if r.place_id == place_id]
    holding = tuple(r for r in rows if holds(r, day))
    reasons: list[tuple[str, str]] = []
    for r in holding:
        if r.start is None:
            reasons.append(("no-start", r.faction_id))
        elif _in_window(r.start, day):
            reasons.append(("start-window", r.faction_id))
    for r in rows:
        if r not in holding and _in_window(r.end, day):
            reasons.append(("end-window", r.faction_id))
    conditions = tuple(
        e
        for e in timeline.dataset.events
        if e.is_condition
        and e.place_id == place_id
        and condition_span(e)[0] <= day < condition_span(e)[1]
    )
    return holding, conditions, tuple(dict.fromkeys(reasons))


def test_the_place_sweep_agrees_with_a_plain_scan_in_any_order(tmp_path: Path) -> None:
    """Finding 4: place_state moves a sweep forward (the bundle asks days in order); asked
    in order, backwards or at random it gives what scanning every row gives."""
    import random

    from benchmarks import synth

    ds = load_dataset(synth.generate(tmp_path / "data", 6, 400, seed=3)).dataset
    assert ds is not None
    rng = random.Random(5)
    ordinals = range(date(2011, 6, 1).toordinal(), date(2021, 6, 1).toordinal(), 5)
    days = [date.fromordinal(o) for o in ordinals]
    for order in (days, days[::-1], rng.sample(days, len(days))):
        timeline = Timeline(ds)
        for day in order[:150]:
            for pid in ds.places:
                # a fresh timeline answers by a sweep from the start: a plain scan
                assert timeline.place_state(pid, day) == Timeline(ds).place_state(pid, day), (
                    pid,
                    day,
                )
