"""``Timeline.state_at`` on a day with many new stretches works each place out from only the
rows that may matter that day (found for all places at once): the states must be exactly
those :meth:`Timeline.place_state` works out from all of a place's rows."""

from __future__ import annotations

import random
from dataclasses import fields, replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from benchmarks import synth
from mapapp.core import timeline as timeline_module
from mapapp.core.dates import FuzzyDate, Precision
from mapapp.core.model import ControlRow, Dataset, Event
from mapapp.core.timeline import PlaceState, Rule, Timeline, Uncertainty
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


def _mixed(ds: Dataset, seed: int) -> Dataset:
    """``ds`` with what the synthetic folders lack, at random: rows of a second source over
    a first one's (agreeing, or naming another faction: disputed), some rows without a start
    (held from their report), reports of their own (some approximate), ratings, and
    conditions (sieges) with and without an end, some of them stale."""
    rng = random.Random(seed)
    sources = list(ds.sources)
    rated = {
        sid: replace(s, reliability=rng.choice(["", "A", "B", "C", "F"]))
        for sid, s in ds.sources.items()
    }
    factions = list(ds.factions)
    rows: list[ControlRow] = []
    for row in ds.control:
        roll = rng.random()
        if roll < 0.08:
            row = replace(row, start=None, as_of=row.start or row.as_of)
        elif roll < 0.16 and row.start is not None:
            d = row.start.earliest + timedelta(days=rng.randrange(60))
            row = replace(
                row,
                as_of=FuzzyDate(
                    d, d + timedelta(days=rng.choice([0, 0, 6])), Precision.DAY, rng.random() < 0.3
                ),
            )
        rows.append(row)
        if rng.random() < 0.12:
            other = rng.choice([s for s in sources if s != row.source_id])
            faction = row.faction_id if rng.random() < 0.5 else rng.choice(factions)
            rows.append(
                replace(
                    row,
                    source_id=other,
                    faction_id=faction,
                    credibility=rng.choice(["", "1", "3", "6"]),
                )
            )
    events = list(ds.events)
    for k, place in enumerate(rng.sample(list(ds.places), len(ds.places) // 3)):
        d = date(2012, 1, 1) + timedelta(days=rng.randrange(3000))
        window = FuzzyDate(d, d + timedelta(days=rng.choice([0, 0, 30])), Precision.DAY)
        end = (
            None
            if rng.random() < 0.5
            else FuzzyDate(d + timedelta(days=200), d + timedelta(days=200), Precision.DAY)
        )
        events.append(
            Event(
                10_000 + k,
                f"cond{k}",
                window,
                end,
                place,
                rng.choice(["siege", "under-attack"]),
                (factions[0],),
                (),
                rng.choice(sources),
                (),
                "",
                "حصار",
                "siege",
                "",
                True,
            )
        )
    return replace(ds, sources=rated, control=tuple(rows), events=tuple(events))


@pytest.mark.parametrize("rule", ["newest", "reliable", "source:syn_weekly_2015"])
def test_state_at_equals_place_state_with_disputes_conditions_and_rules(
    rule: str, tmp_path: Path
) -> None:
    """Every place's state on many new days, built by the array path (one source's claims
    built directly, the rest through place_state with their rows), equals place_state's
    from all of the place's rows: disputed and agreeing sources, stale claims, claims with
    no start, approximate reports, conditions, under each rule."""
    base = load_dataset(synth.generate(tmp_path / "data", 120, 4000)).dataset
    assert base is not None
    ds = _mixed(base, 11)
    parsed = Rule.parse(rule)
    reference = Timeline(ds, parsed)
    rng = random.Random(3)
    days = _days(rng, 25) + [c.date.latest for c in ds.events[-10:] if c.is_condition]
    kinds: set[str] = set()
    for day in days:
        states = Timeline(ds, parsed).state_at(day)
        for pid, state in states.items():
            assert state == reference.place_state(pid, day), (pid, day)
            kinds.add(state.agreement)
            kinds.update(u.kind for u in state.uncertainty)
            kinds.update("stale" for _ in state.stale_conditions)
            kinds.update("condition" for _ in state.conditions)
    # the days met every kind of answer the array path must get right
    wanted = {"agreed", "no-data", "stale", "condition", "start-window", "end-window"}
    if parsed.source_id is None:
        wanted |= {"disputed", "as-of-window"}
    assert wanted <= kinds, wanted - kinds


@pytest.mark.parametrize("rule", ["newest", "reliable", "source:syn_weekly_2015"])
@pytest.mark.parametrize("keep", [200_000, 500])
def test_state_at_seen_and_new_days_mixed(
    rule: str, keep: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Days asked in any order on one timeline (stretches seen before re-dated, new ones
    worked out as arrays, a few new ones one by one; with ``keep`` 500 the kept states are
    dropped every few days) give place_state's states, as PlaceState and Uncertainty
    objects (the fast path fills in drafts and gives them these classes)."""
    monkeypatch.setattr(timeline_module, "_KEEP_STATES", keep)
    base = load_dataset(synth.generate(tmp_path / "data", 100, 3000)).dataset
    assert base is not None
    ds = _mixed(base, 2)
    parsed = Rule.parse(rule)
    timeline, reference = Timeline(ds, parsed), Timeline(ds, parsed)
    rng = random.Random(9)
    days = _days(rng, 10)
    asked = days + days[::-1] + [d + timedelta(days=1) for d in days] + days[:3]
    for day in asked:
        states = timeline.state_at(day)
        assert list(states) == list(ds.places)
        for pid, state in states.items():
            assert type(state) is PlaceState
            assert all(type(why) is Uncertainty for why in state.uncertainty)
            assert state.day == day
            assert state == reference.place_state(pid, day), (pid, day)


def test_drafts_have_the_layout_of_the_classes_they_become() -> None:
    """The fast path fills in unfrozen drafts and gives them the frozen classes: their
    slots must be those classes' fields, in order (a field added to PlaceState must be
    added to its draft)."""
    assert timeline_module._Draft.__slots__ == tuple(f.name for f in fields(PlaceState))
    assert timeline_module._WhyDraft.__slots__ == tuple(f.name for f in fields(Uncertainty))


def _one_source_twists(ds: Dataset, seed: int) -> Dataset:
    """``ds`` with, next to some rows, a second claim of the same source: the same faction
    again (one row per faction is shown), an old report of another faction (stale beside
    fresh claims: only the fresh decide), a named ally, or the same imprecise end (one
    reason for both); and some rows turned into allies alone."""
    rng = random.Random(seed)
    factions = list(ds.factions)
    rows: list[ControlRow] = []
    for row in ds.control:
        roll = rng.random()
        if roll < 0.05:
            row = replace(row, status="allied")
        rows.append(row)
        begin = row.start or row.as_of
        if roll < 0.1:
            rows.append(replace(row, quote_en="again"))
        elif roll < 0.2 and begin is not None:
            old = begin.earliest - timedelta(days=400)
            rows.append(
                replace(
                    row,
                    faction_id=rng.choice(factions),
                    as_of=FuzzyDate(old, old, Precision.DAY),
                )
            )
        elif roll < 0.3:
            rows.append(replace(row, faction_id=rng.choice(factions), status="allied"))
        elif roll < 0.35 and row.end is not None:
            end = FuzzyDate(row.end.earliest, row.end.earliest + timedelta(days=20), Precision.DAY)
            rows.append(replace(row, end=end))
            rows[-2] = replace(rows[-2], end=end)
    return replace(ds, control=tuple(rows))


@pytest.mark.parametrize("rule", ["newest", "reliable", "source:syn_weekly_2015"])
def test_state_at_one_source_arrays(rule: str, tmp_path: Path) -> None:
    """The places one source speaks for are worked out as arrays: where the deciding
    claims are fewer than the claims (some stale), the shown rows fewer than the deciding
    (a faction twice), allies named beside holders or alone, and two claims ending in the
    same window, every state equals place_state's."""
    base = load_dataset(synth.generate(tmp_path / "data", 120, 4000)).dataset
    assert base is not None
    ds = _one_source_twists(base, 4)
    parsed = Rule.parse(rule)
    reference = Timeline(ds, parsed)
    rng = random.Random(8)
    days = _days(rng, 25) + [r.end.earliest for r in ds.control[:400:7] if r.end is not None]
    met: set[str] = set()
    for day in days:
        for pid, state in Timeline(ds, parsed).state_at(day).items():
            assert state == reference.place_state(pid, day), (pid, day)
            met.add(state.status)
            if len(state.deciding) < len(state.claims):
                met.add("fewer deciding")
            if len(state.rows) < len(state.deciding):
                met.add("fewer shown")
    wanted = {"allied", "fewer deciding", "fewer shown", "mixed"}
    assert wanted <= met, wanted - met
