"""How close proposals come to rows an editor wrote: precision and recall, field by field.

Control: gold rows and proposals are compared as (place, faction) pairs (a proposal with
three factions is three pairs). Each gold row is paired with an unused proposed pair of
the same place and faction, preferring one that also has its status and date. Recall of
status (or date) counts the gold rows whose pair was found *with* the same status (or the
same date window and precision: dates are compared resolved, so ``source:x`` and the literal
it stands for agree). Events: gold and proposals are paired by (place, kind); date as above;
factions as the overlap of the proposal's factions with the gold ``actors`` and ``against``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from mapapp.core.dates import FuzzyDate, parse_date_cell, resolve_cell


@dataclass
class Score:
    found: int = 0
    gold: int = 0
    proposed: int = 0

    @property
    def recall(self) -> float:
        return self.found / self.gold if self.gold else 1.0

    @property
    def precision(self) -> float:
        return self.found / self.proposed if self.proposed else 1.0

    def text(self) -> str:
        return (
            f"recall {self.recall:6.1%} ({self.found}/{self.gold})  "
            f"precision {self.precision:6.1%} ({self.found}/{self.proposed})"
        )


@dataclass
class Scores:
    fields: dict[str, Score] = field(default_factory=dict)
    misses: list[str] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)

    def report(self) -> str:
        lines = [f"  {name:<22} {s.text()}" for name, s in self.fields.items()]
        lines += [f"  missed: {m}" for m in self.misses]
        lines += [f"  not in gold: {e}" for e in self.extras]
        return "\n".join(lines)


def _window(cell: str, dates: Mapping[str, FuzzyDate]) -> tuple[object, ...] | None:
    if not cell:
        return None
    try:
        value = resolve_cell(parse_date_cell(cell), dates)
    except (ValueError, KeyError):
        return None
    return value.earliest, value.latest, value.precision


def score_control(
    gold: Sequence[Mapping[str, str]],
    proposed: Sequence[Mapping[str, object]],
    dates: Mapping[str, FuzzyDate],
) -> Scores:
    """``gold``: control.csv rows; ``proposed``: proposals as JSON (``kind`` control)."""
    pairs = [
        (str(p["place_id"]), str(f), str(p["status"]), _window(str(p["date"]), dates))
        for p in proposed
        if p["kind"] == "control"
        for f in p["faction_ids"]  # type: ignore[attr-defined]
    ]
    used: set[int] = set()
    s = Scores()
    pair, status, when = Score(), Score(), Score()
    places = Score()
    for row in gold:
        key = (row["place_id"], row["faction_id"])
        g_when = _window(row.get("start", ""), dates)
        candidates = [i for i, p in enumerate(pairs) if (p[0], p[1]) == key and i not in used]
        if not candidates:
            s.misses.append(
                f"control {key[0]} / {key[1]} ({row['status']}, {row.get('start', '')})"
            )
            continue
        best = max(
            candidates, key=lambda i: (pairs[i][2] == row["status"]) + (pairs[i][3] == g_when)
        )
        used.add(best)
        pair.found += 1
        status.found += pairs[best][2] == row["status"]
        when.found += pairs[best][3] == g_when
    for score in (pair, status, when):
        score.gold, score.proposed = len(gold), len(pairs)
    gold_places = {r["place_id"] for r in gold}
    proposed_places = {p[0] for p in pairs}
    places.found = len(gold_places & proposed_places)
    places.gold, places.proposed = len(gold_places), len(proposed_places)
    s.extras += [f"control {p[0]} / {p[1]} ({p[2]})" for i, p in enumerate(pairs) if i not in used]
    s.fields = {
        "control place": places,
        "control place+faction": pair,
        "control status": status,
        "control date+precision": when,
    }
    return s


def score_events(
    gold: Sequence[Mapping[str, str]],
    proposed: Sequence[Mapping[str, object]],
    dates: Mapping[str, FuzzyDate],
) -> Scores:
    events = [p for p in proposed if p["kind"] == "event"]
    used: set[int] = set()
    s = Scores()
    kind, when, factions = Score(), Score(), Score()
    for row in gold:
        key = (row["place_id"], row["kind"])
        candidates = [
            i
            for i, p in enumerate(events)
            if (p["place_id"], p["event_kind"]) == key and i not in used
        ]
        gold_factions = {
            f for col in ("actors", "against") for f in row.get(col, "").split(";") if f
        }
        factions.gold += len(gold_factions)
        if not candidates:
            s.misses.append(f"event {key[1]} at {key[0]} ({row.get('date', '')})")
            continue
        best = candidates[0]
        used.add(best)
        p = events[best]
        kind.found += 1
        when.found += _window(str(p["date"]), dates) == _window(row.get("date", ""), dates)
        mine = set(p["faction_ids"])  # type: ignore[call-overload]
        factions.found += len(mine & gold_factions)
        factions.proposed += len(mine)
    for score in (kind, when):
        score.gold, score.proposed = len(gold), len(events)
    s.extras += [
        f"event {p['event_kind']} at {p['place_id']}" for i, p in enumerate(events) if i not in used
    ]
    s.fields = {"event place+kind": kind, "event date+precision": when, "event factions": factions}
    return s
