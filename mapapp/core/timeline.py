"""Who held each place on a given day: the date -> state join, as pure functions.

Interval rules (see also :mod:`mapapp.core.dates`):

* A control row holds on day ``d`` when ``start.earliest <= d < end.earliest``: the start
  is inclusive, the end exclusive, and both are read at the first day of their window
  (``2015-09`` is read as 1 September 2015). An empty start holds from any earlier day,
  an empty end until any later day.
* A place with no row holding on ``d`` is *no data*: nothing is guessed.
* The answer is *uncertain* when ``d`` lies inside the window of a boundary that is not
  exact to the day (a month, a derived span, an approximate date) -- of a row that holds
  (it may not have started yet) or of a row that has just ended (it may still hold) --
  or when a holding row has no known start.
* A condition (siege, under attack) holds from its date's first day to its end
  (exclusive), or, without an end, over its date's own window.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt

from mapapp.core.dates import FuzzyDate
from mapapp.core.model import ControlRow, Dataset, Event

NO_DATA = "no-data"
MIXED = "mixed"
#: more than any day's ordinal: place i's segments are keyed ``i * _SPAN + first day``
_SPAN = 4_000_000
#: the most per-segment states kept (each a few hundred bytes)
_KEEP_STATES = 200_000
#: days between the index's checkpoints (each holds every place's stretch on its day)
_STEP = 32
#: new stretches on a day below which each place's rows are scanned as they are
_FEW_NEW = 64


@dataclass(frozen=True)
class Uncertainty:
    """Why an answer is uncertain: a hold with no known start (``no-start``), a day inside
    the window of a hold's start (``start-window``) or of an earlier hold's end
    (``end-window``)."""

    kind: str
    faction_id: str
    boundary: FuzzyDate | None


@dataclass(frozen=True)
class PlaceState:
    """The state of one place on one day, with everything needed to cite it."""

    place_id: str
    day: date
    status: str
    rows: tuple[ControlRow, ...]
    conditions: tuple[Event, ...]
    uncertain: bool
    uncertainty: tuple[Uncertainty, ...]

    @property
    def faction_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r.faction_id for r in self.rows))

    @property
    def source_ids(self) -> tuple[str, ...]:
        ids = [r.source_id for r in self.rows] + [c.source_id for c in self.conditions]
        return tuple(dict.fromkeys(ids))

    @property
    def since(self) -> FuzzyDate | None:
        """When the current configuration began: the latest start of the rows that hold."""
        starts = [r.start for r in self.rows]
        if not starts or any(s is None for s in starts):
            return None
        return max((s for s in starts if s is not None), key=lambda s: (s.earliest, s.latest))

    @property
    def condition_kinds(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.kind for c in self.conditions))

    def signature(self) -> tuple[str, frozenset[tuple[str, str]], frozenset[str]]:
        """What a map shows: status, who holds it how, and the conditions. Not uncertainty."""
        return (
            self.status,
            frozenset((r.faction_id, r.status) for r in self.rows),
            frozenset(self.condition_kinds),
        )


def holds(row: ControlRow, day: date) -> bool:
    """Whether the row is in effect on ``day`` (start inclusive, end exclusive)."""
    if row.start is not None and day < row.start.earliest:
        return False
    return row.end is None or day < row.end.earliest


def condition_span(event: Event) -> tuple[date, date]:
    """The first day a condition holds and the first day it no longer does."""
    stop = event.end.earliest if event.end else event.date.latest + timedelta(days=1)
    return event.date.earliest, stop


def _in_window(boundary: FuzzyDate | None, day: date) -> bool:
    return boundary is not None and not boundary.exact and boundary.contains(day)


def _on_day(state: PlaceState, day: date) -> PlaceState:
    """The same state on another day of its stretch (a copy, without re-running
    ``__init__``: this is the hot path of :meth:`Timeline.state_at`)."""
    copy = object.__new__(PlaceState)
    copy.__dict__.update(state.__dict__)
    copy.__dict__["day"] = day
    return copy


def _summary_status(rows: Iterable[ControlRow]) -> str:
    statuses = {r.status for r in rows}
    if not statuses:
        return NO_DATA
    return statuses.pop() if len(statuses) == 1 else MIXED


@dataclass(frozen=True)
class _Spans:
    """Every control row, by place (in the places file's order), with its place's number
    and the first and last day (ordinals) it may matter on."""

    rows: list[ControlRow]
    owner: npt.NDArray[np.int64]
    first: npt.NDArray[np.int64]
    last: npt.NDArray[np.int64]


class Timeline:
    """An index over a dataset answering state questions for any day."""

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset
        self._change_dates: list[date] | None = None
        self._place_ids = list(dataset.places)
        self._keys: npt.NDArray[np.int64] | None = None
        self._grid_start = 0
        self._checkpoints: npt.NDArray[np.int64] | None = None
        self._bases = np.arange(len(self._place_ids), dtype=np.int64) * _SPAN
        self._segment_states: dict[int, PlaceState] = {}
        self._row_spans: _Spans | None = None
        self._rows: dict[str, list[ControlRow]] = defaultdict(list)
        for row in dataset.control:
            self._rows[row.place_id].append(row)
        self._conditions: dict[str, list[Event]] = defaultdict(list)
        for event in dataset.events:
            if event.is_condition:
                self._conditions[event.place_id].append(event)

    def place_state(
        self, place_id: str, day: date, rows: list[ControlRow] | None = None
    ) -> PlaceState:
        """The place's state on ``day``. ``rows``: its rows that may matter on that day (a
        subset of its rows in their order, holding every row whose span around ``day``
        could count, see :meth:`_spans`); all its rows by default."""
        if rows is None:
            rows = self._rows.get(place_id, [])
        holding = tuple(r for r in rows if holds(r, day))
        reasons: list[Uncertainty] = []
        for r in holding:
            if r.start is None:
                reasons.append(Uncertainty("no-start", r.faction_id, None))
            elif _in_window(r.start, day):
                reasons.append(Uncertainty("start-window", r.faction_id, r.start))
        for r in rows:
            if r not in holding and _in_window(r.end, day):
                reasons.append(Uncertainty("end-window", r.faction_id, r.end))
        conditions = tuple(
            e
            for e in self._conditions.get(place_id, [])
            if condition_span(e)[0] <= day < condition_span(e)[1]
        )
        return PlaceState(
            place_id=place_id,
            day=day,
            status=_summary_status(holding),
            rows=holding,
            conditions=conditions,
            uncertain=bool(reasons),
            uncertainty=tuple(dict.fromkeys(reasons)),
        )

    def state_days(self) -> dict[str, set[date]]:
        """For each place, the days on which its state may change: every start and end of
        its periods and conditions, and the day after the window of each imprecise one (an
        answer inside such a window is uncertain). Between two of them nothing changes."""
        days: dict[str, set[date]] = {pid: set() for pid in self._place_ids}
        for row in self.dataset.control:
            for boundary in (row.start, row.end):
                if boundary is not None:
                    days[row.place_id].update(
                        (boundary.earliest, boundary.latest + timedelta(days=1))
                    )
        for pid, events in self._conditions.items():
            for event in events:
                days[pid].update(condition_span(event))
        return days

    def _segment_keys(self) -> npt.NDArray[np.int64]:
        """The index: one sorted key per stretch of days over which a place's state is
        constant (``place number * _SPAN + its first day's ordinal``; the stretch before a
        place's first day starts at 0). Built on first use."""
        if self._keys is None:
            keys: list[int] = []
            own = self.state_days()
            for base, pid in zip(self._bases.tolist(), self._place_ids, strict=True):
                keys.append(base)
                keys.extend(base + d.toordinal() for d in own[pid])
            self._keys = np.unique(np.array(keys, dtype=np.int64))
            days = [d.toordinal() for own_days in own.values() for d in own_days]
            if days:  # every place's stretch every _STEP days, from the first day on
                self._grid_start = min(days)
                grid = range(self._grid_start, max(days) + 1, _STEP)
                self._checkpoints = np.stack([self._search(self._keys, o) for o in grid])
        return self._keys

    def _search(self, keys: npt.NDArray[np.int64], ordinal: int) -> npt.NDArray[np.int64]:
        found: npt.NDArray[np.int64] = (
            np.searchsorted(keys, self._bases + ordinal, side="right") - 1
        )
        return found

    def state_ids(self, day: date) -> npt.NDArray[np.int64]:
        """For every place (in the places file's order), the number of the stretch of days
        its state on ``day`` belongs to: equal numbers, equal states.

        From the nearest checkpoint before ``day`` each place steps forward over the few
        stretches that start by ``day`` (a binary search over millions of keys per place
        costs more in cache misses than these steps)."""
        keys = self._segment_keys()
        ordinal = day.toordinal()
        checkpoints = self._checkpoints
        slot = (ordinal - self._grid_start) // _STEP
        if checkpoints is None or not 0 <= slot < len(checkpoints):
            return self._search(keys, ordinal)
        found: npt.NDArray[np.int64] = checkpoints[slot].copy()
        wanted = self._bases + ordinal
        last = len(keys) - 1
        while True:
            after = np.minimum(found + 1, last)
            step = (keys[after] <= wanted) & (after > found)
            if not step.any():
                return found
            found[step] += 1

    def _spans(self) -> _Spans:
        """Every control row's span of days that may matter, as arrays (built on first
        use): from its start's first day (the far past without a start) to its end's last
        day (the far future without an end). A row holds only inside it, and a row just
        ended is in its end's window only inside it; outside it a row changes nothing."""
        if self._row_spans is None:
            flat: list[ControlRow] = []
            owners: list[int] = []
            for index, pid in enumerate(self._place_ids):
                own = self._rows.get(pid, [])
                flat.extend(own)
                owners.extend([index] * len(own))
            first, last = date.min.toordinal(), date.max.toordinal()
            dates = [r.start.earliest.toordinal() if r.start is not None else first for r in flat]
            ends = [r.end.latest.toordinal() if r.end is not None else last for r in flat]
            self._row_spans = _Spans(
                flat,
                np.asarray(owners, dtype=np.int64),
                np.asarray(dates, dtype=np.int64),
                np.asarray(ends, dtype=np.int64),
            )
        return self._row_spans

    def _rows_on(self, day: date) -> dict[int, list[ControlRow]]:
        """For each place (by number) with any, its rows whose span holds ``day``: one
        vectorised pass over every row instead of a loop over each place's rows."""
        spans = self._spans()
        ordinal = day.toordinal()
        picked = np.flatnonzero((spans.first <= ordinal) & (ordinal <= spans.last))
        owners = spans.owner[picked]
        out: dict[int, list[ControlRow]] = {}
        flat = spans.rows
        for owner, index in zip(owners.tolist(), picked.tolist(), strict=True):
            found = out.get(owner)
            if found is None:
                out[owner] = [flat[index]]
            else:
                found.append(flat[index])
        return out

    def state_at(self, day: date) -> dict[str, PlaceState]:
        """The state of every place on ``day``, in the places file's order. Each stretch's
        state is worked out once (:meth:`state_ids`); later days only re-date it. When many
        stretches are new, each place's state is worked out from only the rows that may
        matter on the day (:meth:`_rows_on`), found for all places at once."""
        states = self._segment_states
        if len(states) > _KEEP_STATES:
            states.clear()
        segments = self.state_ids(day).tolist()
        new = sum(1 for segment in segments if segment not in states)
        relevant = self._rows_on(day) if new > _FEW_NEW else None
        out: dict[str, PlaceState] = {}
        for index, (pid, segment) in enumerate(zip(self._place_ids, segments, strict=True)):
            state = states.get(segment)
            if state is None:
                rows = None if relevant is None else relevant.get(index, [])
                state = states[segment] = self.place_state(pid, day, rows)
            elif state.day != day:
                state = _on_day(state, day)
            out[pid] = state
        return out

    def boundary_days(self) -> list[date]:
        """Every day on which a row or condition starts or stops, whether or not it changes
        what the map shows."""
        days: set[date] = set()
        for row in self.dataset.control:
            days.update(b.earliest for b in (row.start, row.end) if b is not None)
        for events in self._conditions.values():
            for e in events:
                days.update(condition_span(e))
        return sorted(days)

    def change_dates(self) -> list[date]:
        """The days on which the state of at least one place differs from the day before
        (computed once per timeline: the dataset does not change under it)."""
        if self._change_dates is None:
            self._change_dates = [
                d for d in self.boundary_days() if self.changes_between(d - timedelta(days=1), d)
            ]
        return list(self._change_dates)

    def changes_between(self, before: date, after: date) -> list[Change]:
        """The places whose state on ``after`` differs from their state on ``before`` (only
        places whose stretch differs between the two days are looked at)."""
        moved = np.flatnonzero(self.state_ids(before) != self.state_ids(after))
        out = []
        for index in moved.tolist():
            pid = self._place_ids[index]
            a, b = self.place_state(pid, before), self.place_state(pid, after)
            if a.signature() != b.signature():
                out.append(Change(pid, a, b))
        return out

    def latest_reported_day(self) -> date | None:
        """The last day the newest source speaks for (the end of its publication window):
        the natural default day to show."""
        days = [s.published.latest for s in self.dataset.sources.values()]
        return max(days) if days else None

    def view_range(self, lead_days: int = 31) -> tuple[date, date, date]:
        """(first, last, default) days for a date picker: from a month before the first
        change to the later of the last change and the newest report; the default is
        the last day the newest source speaks for."""
        reported = self.latest_reported_day()
        anchors = [*self.boundary_days(), *([reported] if reported else [])]
        if not anchors:
            today = date.today()
            return today, today, today
        last = max(anchors)
        return min(anchors) - timedelta(days=lead_days), last, reported or last

    def adjacent_change(self, day: date, direction: int) -> date | None:
        """The next (direction > 0) or previous change date from ``day``, if any."""
        days = self.change_dates()
        if direction > 0:
            return next((d for d in days if d > day), None)
        return next((d for d in reversed(days) if d < day), None)

    def date_range(self) -> tuple[date, date] | None:
        """The first and last day on which anything is known to change, if any."""
        days = self.boundary_days()
        return (days[0], days[-1]) if days else None


@dataclass(frozen=True)
class Change:
    place_id: str
    before: PlaceState
    after: PlaceState

    @property
    def source_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.after.source_ids + self.before.source_ids))


def state_at(dataset: Dataset, day: date) -> dict[str, PlaceState]:
    """The state of every place on ``day`` (see the module's interval rules)."""
    return Timeline(dataset).state_at(day)


def change_dates(dataset: Dataset) -> list[date]:
    return Timeline(dataset).change_dates()


def changes_between(dataset: Dataset, before: date, after: date) -> list[Change]:
    return Timeline(dataset).changes_between(before, after)
