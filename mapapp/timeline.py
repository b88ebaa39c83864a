"""Who held each place on a given day: the date -> state join, as pure functions.

Interval rules (see also :mod:`mapapp.dates`):

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

from mapapp.dates import FuzzyDate
from mapapp.model import ControlRow, Dataset, Event

NO_DATA = "no-data"
MIXED = "mixed"


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


def _summary_status(rows: Iterable[ControlRow]) -> str:
    statuses = {r.status for r in rows}
    if not statuses:
        return NO_DATA
    return statuses.pop() if len(statuses) == 1 else MIXED


class Timeline:
    """An index over a dataset answering state questions for any day."""

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset
        self._change_dates: list[date] | None = None
        self._rows: dict[str, list[ControlRow]] = defaultdict(list)
        for row in dataset.control:
            self._rows[row.place_id].append(row)
        self._conditions: dict[str, list[Event]] = defaultdict(list)
        for event in dataset.events:
            if event.is_condition:
                self._conditions[event.place_id].append(event)

    def place_state(self, place_id: str, day: date) -> PlaceState:
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

    def state_at(self, day: date) -> dict[str, PlaceState]:
        """The state of every place on ``day``, in the places file's order."""
        return {pid: self.place_state(pid, day) for pid in self.dataset.places}

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
        """The places whose state on ``after`` differs from their state on ``before``."""
        out = []
        for pid in self.dataset.places:
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
