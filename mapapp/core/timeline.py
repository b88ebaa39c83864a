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
  (exclusive), or, without an end, on and on like control, going stale with it.

Claims (every control row is one source's claim):

* A claim covers a day from its start (when control *began*, if the source says) or, with no
  start, from its ``as_of`` (the day the report describes: *first reported*), to its end.
* It is *stale* more than the dataset's horizon (``horizon_days``) after its ``as_of``. The
  fresh claims covering a day decide its answer; only when every claim is stale are the
  stale ones shown, and the answer is stale: never certain.
* The sources behind those claims *agree* when each names the same factions, else the place
  is *disputed*; with no claim it is *no data*. Which source's claims colour a disputed place
  is the :class:`Rule`: the newest report, the most reliable source (Admiralty rating), or
  one source only ("as source X says", which leaves out the others everywhere).
"""

from __future__ import annotations

import gc
import heapq
import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import date, timedelta
from typing import cast

import numpy as np
import numpy.typing as npt

from mapapp.core.dates import FuzzyDate
from mapapp.core.model import ControlRow, Dataset, Event

NO_DATA = "no-data"
MIXED = "mixed"
AGREED, DISPUTED = "agreed", "disputed"
#: the rules that pick the side a disputed place is drawn in
RULES = ("newest", "reliable")
#: Admiralty ratings as numbers, higher = better; "" (unrated) reads as F / 6
_RELIABILITY = {"A": 5, "B": 4, "C": 3, "D": 2, "E": 1, "F": 0, "": 0}
_CREDIBILITY = {"1": 5, "2": 4, "3": 3, "4": 2, "5": 1, "6": 0, "": 0}
#: more than any day's ordinal: place i's segments are keyed ``i * _SPAN + first day``
_SPAN = 4_000_000
#: the most per-segment states kept (each a few hundred bytes)
_KEEP_STATES = 200_000
#: days between the index's checkpoints (each holds every place's stretch on its day)
_STEP = 32
#: a day's ordinal fits in this many bits (date.max is 3,652,059 < 2**22)
_BITS = 22
#: new stretches on a day below which each place's rows are scanned as they are
_FEW_NEW = 64


@dataclass(frozen=True)
class Rule:
    """How a disputed place is drawn: ``newest`` report, most ``reliable`` source, or only
    ``source`` (then every place is answered from that source's claims alone)."""

    name: str = "newest"
    source_id: str | None = None

    @staticmethod
    def parse(text: str) -> Rule:
        """``newest``, ``reliable`` or ``source:<id>``; ValueError with a plain message."""
        if text in RULES:
            return Rule(text)
        if text.startswith("source:") and len(text) > len("source:"):
            return Rule("source", text[len("source:") :])
        raise ValueError(f"'{text}' is not a rule: use newest, reliable or source:<source id>")

    @property
    def key(self) -> str:
        return f"source:{self.source_id}" if self.source_id else self.name


NEWEST = Rule()


@dataclass(frozen=True, slots=True)
class Uncertainty:
    """Why an answer is uncertain: a hold with no known start and no report date
    (``no-start``), a day inside the window of a hold's start (``start-window``), of the
    report it is known from (``as-of-window``) or of an earlier hold's end (``end-window``);
    sources that disagree (``disputed``); a report older than the horizon (``stale``)."""

    kind: str
    faction_id: str
    boundary: FuzzyDate | None


# slots: a day's states are tens of thousands of objects, each a dict fewer to make and
# for the garbage collector to walk
@dataclass(frozen=True, slots=True)
class PlaceState:
    """The state of one place on one day, with everything needed to cite it."""

    place_id: str
    day: date
    status: str
    rows: tuple[ControlRow, ...]
    conditions: tuple[Event, ...]
    uncertain: bool
    uncertainty: tuple[Uncertainty, ...]
    #: every claim covering the day, all sources, fresh and stale (``rows`` are the shown side)
    claims: tuple[ControlRow, ...] = ()
    agreement: str = NO_DATA
    #: the newest report date behind the answer, and the earliest (first reported)
    as_of: FuzzyDate | None = None
    first_reported: FuzzyDate | None = None
    #: True when every claim behind the answer is older than the horizon
    stale: bool = False
    #: the claims deciding the answer (fresh ones if any, for the rule's sources)
    deciding: tuple[ControlRow, ...] = ()
    #: ids of conditions whose report is older than the horizon
    stale_conditions: frozenset[str] = frozenset()
    #: the rule that picked the shown side (``newest``, ``reliable``, ``source:<id>``)
    rule: str = "newest"

    @property
    def faction_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r.faction_id for r in self.rows))

    @property
    def source_ids(self) -> tuple[str, ...]:
        ids = (
            [r.source_id for r in self.rows]
            + [r.source_id for r in self.deciding]
            + [c.source_id for c in self.conditions]
        )
        return tuple(dict.fromkeys(ids))

    @property
    def sides(self) -> dict[str, tuple[str, ...]]:
        """What each deciding source says: source id -> the factions it names."""
        return _views(self.deciding)

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

    def signature(
        self,
    ) -> tuple[str, frozenset[tuple[str, str]], frozenset[str], str, bool]:
        """What a map shows: status, who holds it how, the conditions, whether the sources
        agree and whether it is stale. Not uncertainty, not which report says it (a new
        report that agrees changes nothing)."""
        return (
            self.status,
            frozenset((r.faction_id, r.status) for r in self.rows),
            frozenset(self.condition_kinds),
            self.agreement,
            self.stale,
        )


def holds(row: ControlRow, day: date) -> bool:
    """Whether the claim covers ``day``: from its start, or without one from its as_of
    (the report's date), to its end (exclusive)."""
    begin = row.start or row.as_of
    if begin is not None and day < begin.earliest:
        return False
    return row.end is None or day < row.end.earliest


def condition_span(event: Event) -> tuple[date, date]:
    """The first day a condition holds and the first day it no longer does (without an
    end it goes on, stale after the horizon, like control)."""
    stop = event.end.earliest if event.end else date.max
    return event.date.earliest, stop


def stale_from(as_of: FuzzyDate, horizon_days: int) -> date:
    """The first day a report of ``as_of`` is stale: the horizon after its window."""
    try:
        return as_of.latest + timedelta(days=horizon_days + 1)
    except OverflowError:
        return date.max


def _newest(d: FuzzyDate | None) -> tuple[date, date]:
    return (d.latest, d.earliest) if d else (date.min, date.min)


def _in_window(boundary: FuzzyDate | None, day: date) -> bool:
    return boundary is not None and not boundary.exact and boundary.contains(day)


def _on_day(state: PlaceState, day: date) -> PlaceState:
    """The same state on another day of its stretch (a copy, without re-running
    ``__init__``: this is the hot path of :meth:`Timeline.state_at`)."""
    return _made(
        state.place_id,
        day,
        state.status,
        state.rows,
        state.conditions,
        state.uncertain,
        state.uncertainty,
        state.claims,
        state.agreement,
        state.as_of,
        state.first_reported,
        state.stale,
        state.deciding,
        state.stale_conditions,
        state.rule,
    )


#: the slots' setters, in field order (frozen: the dataclass's own __init__ goes through
#: object.__setattr__ once per field)
_PUT_STATE = tuple(getattr(PlaceState, f.name).__set__ for f in fields(PlaceState))
_PUT_WHY = tuple(getattr(Uncertainty, f.name).__set__ for f in fields(Uncertainty))


def _made(
    place_id: str,
    day: date,
    status: str,
    rows: tuple[ControlRow, ...],
    conditions: tuple[Event, ...],
    uncertain: bool,
    uncertainty: tuple[Uncertainty, ...],
    claims: tuple[ControlRow, ...],
    agreement: str,
    as_of: FuzzyDate | None,
    first_reported: FuzzyDate | None,
    stale: bool,
    deciding: tuple[ControlRow, ...],
    stale_conditions: frozenset[str],
    rule: str,
) -> PlaceState:
    """``PlaceState(...)`` made by its slots' setters: this is the hot path of
    :meth:`Timeline.state_at` (ten thousand states on a new day)."""
    state = object.__new__(PlaceState)
    a, b, c, d, e, f, g, h, i, j, k, m, n, o, p = _PUT_STATE
    a(state, place_id)
    b(state, day)
    c(state, status)
    d(state, rows)
    e(state, conditions)
    f(state, uncertain)
    g(state, uncertainty)
    h(state, claims)
    i(state, agreement)
    j(state, as_of)
    k(state, first_reported)
    m(state, stale)
    n(state, deciding)
    o(state, stale_conditions)
    p(state, rule)
    return state


def _window_days(d: FuzzyDate) -> tuple[date, date]:
    """The first day of a date's window and the day after it (where uncertainty ends)."""
    try:
        return d.earliest, d.latest + timedelta(days=1)
    except OverflowError:
        return d.earliest, d.earliest


def _certain_on(row: ControlRow, day: date) -> bool:
    """Whether a claim alone makes ``day`` certain: it has a start (or report date) whose
    window ``day`` is past."""
    if row.start is not None:
        return not _in_window(row.start, day)
    return row.as_of is not None and not _in_window(row.as_of, day)


@contextmanager
def _no_collection() -> Iterator[None]:
    """The cyclic garbage collector paused while a day's states are made: tens of
    thousands of new (acyclic) objects would set off full collections, each walking the
    dataset's millions of rows (0.4 s at 40,000 rows, seconds at a million)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _unknown_start(row: ControlRow) -> Uncertainty:
    """Why a held claim does not make its day certain (see :func:`_certain_on`)."""
    if row.start is None and row.as_of is None:
        return _uncertainty("no-start", row.faction_id, None)
    if row.start is None:
        return _uncertainty("as-of-window", row.faction_id, row.as_of)
    return _uncertainty("start-window", row.faction_id, row.start)


def _uncertainty(kind: str, faction_id: str, boundary: FuzzyDate | None) -> Uncertainty:
    """``Uncertainty(kind, faction_id, boundary)`` without the frozen dataclass's
    ``__init__`` (thousands are made for a day's states)."""
    made = object.__new__(Uncertainty)
    put_kind, put_faction, put_boundary = _PUT_WHY
    put_kind(made, kind)
    put_faction(made, faction_id)
    put_boundary(made, boundary)
    return made


def _by_source(rows: Iterable[ControlRow]) -> dict[str, list[ControlRow]]:
    out: dict[str, list[ControlRow]] = {}
    for r in rows:
        out.setdefault(r.source_id, []).append(r)
    return out


def _controllers(rows: Iterable[ControlRow]) -> frozenset[str]:
    """The factions a source says hold a place -- named allies aside, and forces merely
    present aside when it names a holder: two sources agree when they name the same ones."""
    listed = [r for r in rows if r.status != "allied"]
    holders = frozenset(r.faction_id for r in listed if r.status != "presence")
    return holders or frozenset(r.faction_id for r in listed)


def _one_per_faction(rows: Iterable[ControlRow]) -> tuple[ControlRow, ...]:
    """The first row for each faction (rows in the rule's order of sources)."""
    seen: dict[str, ControlRow] = {}
    for r in rows:
        seen.setdefault(r.faction_id, r)
    return tuple(seen.values())


def _views(rows: Iterable[ControlRow]) -> dict[str, tuple[str, ...]]:
    """What each source says: source id -> the factions it names (in row order)."""
    out: dict[str, list[str]] = {}
    for r in rows:
        out.setdefault(r.source_id, []).append(r.faction_id)
    return {k: tuple(dict.fromkeys(v)) for k, v in out.items()}


def _summary_status(rows: Iterable[ControlRow]) -> str:
    """One word for the shown side: its status if all agree (named allies aside)."""
    listed = list(rows)
    statuses = {r.status for r in listed if r.status != "allied"} or {r.status for r in listed}
    if not statuses:
        return NO_DATA
    return statuses.pop() if len(statuses) == 1 else MIXED


@dataclass(frozen=True)
class _Spans:
    """Every control row, by place (in the places file's order), with its place's number
    and the first and last day (ordinals) it may matter on; and, for working a day's states
    out as arrays, the days on which each row holds, is in its end's window, is uncertain
    (its start's or report's window) and is stale, and its source's number."""

    rows: list[ControlRow]
    owner: npt.NDArray[np.int64]
    first: npt.NDArray[np.int64]
    last: npt.NDArray[np.int64]
    #: holds on ordinal ``o`` when ``begin <= o < stop`` (as :func:`holds`)
    begin: npt.NDArray[np.int64]
    stop: npt.NDArray[np.int64]
    #: an imprecise end's window ``[end_lo, end_hi]`` (empty for an exact end or none)
    end_lo: npt.NDArray[np.int64]
    end_hi: npt.NDArray[np.int64]
    #: :func:`_certain_on` is False inside ``[doubt_lo, doubt_hi]`` and for rows not
    #: ``anchored`` (neither a start nor a report date)
    doubt_lo: npt.NDArray[np.int64]
    doubt_hi: npt.NDArray[np.int64]
    anchored: npt.NDArray[np.bool_]
    #: the first day the row's report is stale (:meth:`Timeline.is_stale`)
    stale: npt.NDArray[np.int64]
    source: npt.NDArray[np.int64]
    #: the day each row's report describes (:meth:`Timeline.as_of`)
    reported: list[FuzzyDate]
    #: each row's faction and status as numbers (``statuses`` names the status numbers)
    faction: npt.NDArray[np.int64]
    status: npt.NDArray[np.int64]
    statuses: list[str]
    #: the faction of each faction number
    faction_ids: list[str]
    #: each row's report date as sortable numbers: by (latest, earliest) as ``_newest``
    #: orders it, and by (earliest, latest) for the first report
    newest: npt.NDArray[np.int64]
    oldest: npt.NDArray[np.int64]
    #: the conditions of every place: its number and the days it is in force
    cond_owner: npt.NDArray[np.int64]
    cond_first: npt.NDArray[np.int64]
    cond_stop: npt.NDArray[np.int64]


class _Sweep:
    """One place's rows and conditions in force on a day, kept up to date as the day moves
    forward: each row enters and leaves once, so asking every day of a place costs its
    periods plus its days, not their product (4,000 one-day periods took 214 s asked one
    by one). Asking an earlier day starts again from the beginning."""

    def __init__(self, rows: list[ControlRow], conditions: list[Event]) -> None:
        self.rows, self.conditions = rows, conditions
        self.row_starts = sorted(range(len(rows)), key=lambda i: _begin(rows[i]), reverse=True)
        self.spans = [condition_span(e) for e in conditions]
        self.cond_starts = sorted(
            range(len(conditions)), key=lambda i: self.spans[i][0], reverse=True
        )
        self.reset()

    def reset(self) -> None:
        self.day: date | None = None
        self.rows_todo = list(self.row_starts)  # a stack: the next to start is last
        self.conds_todo = list(self.cond_starts)
        self.holding: set[int] = set()
        self.ending: set[int] = set()  # ended, but inside an imprecise end's window
        self.ends: list[tuple[int, int]] = []  # (first day no longer held, row)
        self.window_ends: list[tuple[int, int]] = []  # (last day of the end's window, row)
        self.active_conds: set[int] = set()
        self.cond_ends: list[tuple[int, int]] = []

    def at(self, day: date) -> tuple[list[ControlRow], list[ControlRow], list[Event]]:
        """(rows held, rows ended inside an imprecise end's window, conditions) on ``day``,
        each in file order."""
        if self.day is not None and day < self.day:
            self.reset()
        self.day = day
        o = day.toordinal()
        rows = self.rows
        while self.rows_todo and _begin(rows[self.rows_todo[-1]]) <= o:
            i = self.rows_todo.pop()
            end = rows[i].end
            self.holding.add(i)
            heapq.heappush(self.ends, (end.earliest.toordinal() if end else _NEVER, i))
        while self.ends and self.ends[0][0] <= o:
            _, i = heapq.heappop(self.ends)
            self.holding.discard(i)
            end = rows[i].end
            if end is not None and not end.exact:
                self.ending.add(i)
                heapq.heappush(self.window_ends, (end.latest.toordinal(), i))
        while self.window_ends and self.window_ends[0][0] < o:
            self.ending.discard(heapq.heappop(self.window_ends)[1])
        while self.conds_todo and self.spans[self.conds_todo[-1]][0] <= day:
            i = self.conds_todo.pop()
            self.active_conds.add(i)
            heapq.heappush(self.cond_ends, (self.spans[i][1].toordinal(), i))
        while self.cond_ends and self.cond_ends[0][0] <= o:
            self.active_conds.discard(heapq.heappop(self.cond_ends)[1])
        return (
            [rows[i] for i in sorted(self.holding)],
            [rows[i] for i in sorted(self.ending)],
            [self.conditions[i] for i in sorted(self.active_conds)],
        )


_NEVER = date.max.toordinal() + 1
#: no stale conditions (shared by the states built directly)
_NONE: frozenset[str] = frozenset()


def _start_ordinal(start: FuzzyDate | None) -> int:
    return start.earliest.toordinal() if start is not None else 0


def _begin(row: ControlRow) -> int:
    """The first day a row holds (as :func:`holds`: its start, else its as_of)."""
    return _start_ordinal(row.start or row.as_of)


class Timeline:
    """An index over a dataset answering state questions for any day."""

    def __init__(self, dataset: Dataset, rule: Rule = NEWEST) -> None:
        self.dataset = dataset
        self.rule = rule
        self.horizon = dataset.horizon_days
        self._change_dates: list[date] | None = None
        self._boundary_days: list[date] | None = None
        self._place_ids = list(dataset.places)
        self._keys: npt.NDArray[np.int64] | None = None
        self._grid_start = 0
        self._checkpoints: npt.NDArray[np.int64] | None = None
        self._bases = np.arange(len(self._place_ids), dtype=np.int64) * _SPAN
        self._segment_states: dict[int, PlaceState] = {}
        self._row_spans: _Spans | None = None
        self._source_codes: dict[str, int] = {}
        self._rows: dict[str, list[ControlRow]] = defaultdict(list)
        for row in dataset.control:
            self._rows[row.place_id].append(row)
        self._sweeps: dict[str, _Sweep] = {}
        # one Timeline serves every session of a data version: a sweep moves one day at a time
        self._sweep_lock = threading.Lock()
        self._conditions: dict[str, list[Event]] = defaultdict(list)
        for event in dataset.events:
            if event.is_condition:
                self._conditions[event.place_id].append(event)

    def as_of(self, row: ControlRow) -> FuzzyDate:
        """The day a claim's report describes (its source's publication by default)."""
        return row.as_of or self.dataset.sources[row.source_id].published

    def _stale_day(self, row: ControlRow) -> date:
        """The day a claim goes stale, or date.max when it ends first (or never does)."""
        day = stale_from(self.as_of(row), self.horizon)
        return day if row.end is None or day < row.end.earliest else date.max

    def is_stale(self, row: ControlRow, day: date) -> bool:
        return day >= stale_from(self.as_of(row), self.horizon)

    def _rank(self, rows: list[ControlRow]) -> list[str]:
        """Each source's standing under the rule, best first (ties: source id)."""
        by_source: dict[str, list[ControlRow]] = {}
        for r in rows:
            by_source.setdefault(r.source_id, []).append(r)
        ranked = []
        for sid, own in by_source.items():
            src = self.dataset.sources[sid]
            newest = max(_newest(self.as_of(r)) for r in own)
            reliable = _RELIABILITY.get(src.reliability, 0)
            credible = max(_CREDIBILITY.get(r.credibility, 0) for r in own)
            if self.rule.name == "reliable":
                key: tuple[object, ...] = (reliable, credible, newest)
            else:
                key = (newest, reliable, credible)
            ranked.append((key, sid))
        ranked.sort(key=lambda k: k[1])
        ranked.sort(key=lambda k: k[0], reverse=True)  # stable: equal keys stay by id
        return [sid for _, sid in ranked]

    def place_state(
        self, place_id: str, day: date, rows: list[ControlRow] | None = None
    ) -> PlaceState:
        """The place's state on ``day``. ``rows``: its rows that may matter on that day (a
        subset of its rows in their order, holding every row whose span holds ``day``, see
        :meth:`_spans`), read as they are; by default the place's forward sweep finds them."""
        if rows is not None:
            held = [r for r in rows if holds(r, day)]
            ending = [r for r in rows if not holds(r, day) and _in_window(r.end, day)]
            in_force = [
                e
                for e in self._conditions.get(place_id, [])
                if condition_span(e)[0] <= day < condition_span(e)[1]
            ]
        else:
            with self._sweep_lock:  # the rows in force, found by a forward sweep (_Sweep)
                sweep = self._sweeps.get(place_id)
                if sweep is None:
                    sweep = self._sweeps[place_id] = _Sweep(
                        self._rows.get(place_id, []), self._conditions.get(place_id, [])
                    )
                held, ending, in_force = sweep.at(day)
        claims = tuple(held)
        if self.rule.source_id is not None:
            pool = [r for r in claims if r.source_id == self.rule.source_id]
        else:
            pool = list(claims)
        fresh = [r for r in pool if not self.is_stale(r, day)]
        deciding = fresh or pool
        stale = bool(deciding) and not fresh
        views = {_controllers(v) for v in _by_source(deciding).values()}
        agreement = NO_DATA if not deciding else AGREED if len(views) == 1 else DISPUTED
        ranked = self._rank(deciding)
        chosen = ranked[0] if ranked else None
        # sources that agree are shown together; of a dispute, the rule's side only
        if agreement == AGREED:
            holding = _one_per_faction(sorted(deciding, key=lambda r: ranked.index(r.source_id)))
        else:
            holding = tuple(r for r in deciding if r.source_id == chosen)
        behind = deciding if agreement == AGREED else list(holding)
        reports = [self.as_of(r) for r in behind]
        as_of = max(reports, key=_newest) if reports else None
        first = min(reports, key=lambda d: (d.earliest, d.latest)) if reports else None
        reasons: list[Uncertainty] = []
        # a faction is known on the day when any agreeing claim for it is not in a window
        known = {r.faction_id for r in behind if _certain_on(r, day)}
        for r in holding:
            if r.faction_id in known:
                continue
            if r.start is None and r.as_of is None:
                reasons.append(Uncertainty("no-start", r.faction_id, None))
            elif r.start is None:
                reasons.append(Uncertainty("as-of-window", r.faction_id, r.as_of))
            else:
                reasons.append(Uncertainty("start-window", r.faction_id, r.start))
        # a claim that has just ended (in its end's window) may still hold: of the sources
        # behind the answer, or of any source in the rule's scope when there is no answer
        speaking = {r.source_id for r in behind}
        for r in ending:  # rows no longer held, inside an imprecise end's window
            scoped = self.rule.source_id in (None, r.source_id)
            in_scope = r.source_id in speaking if speaking else scoped
            if in_scope and _in_window(r.end, day):
                reasons.append(Uncertainty("end-window", r.faction_id, r.end))
        if agreement == DISPUTED and holding:
            reasons.append(Uncertainty("disputed", holding[0].faction_id, None))
        if stale and holding:
            reasons.append(Uncertainty("stale", holding[0].faction_id, as_of))
        conditions = tuple(e for e in in_force if self.rule.source_id in (None, e.source_id))
        stale_conditions = frozenset(
            e.id for e in conditions if e.end is None and day >= stale_from(e.date, self.horizon)
        )
        if not holding and conditions and len(stale_conditions) == len(conditions):
            stale = True
        return PlaceState(
            place_id=place_id,
            day=day,
            status=_summary_status(holding),
            rows=holding,
            conditions=conditions,
            uncertain=bool(reasons),
            uncertainty=tuple(dict.fromkeys(reasons)),
            claims=claims,
            agreement=agreement,
            as_of=as_of,
            first_reported=first,
            stale=stale,
            deciding=tuple(deciding),
            stale_conditions=stale_conditions,
            rule=self.rule.key,
        )

    def state_days(self) -> dict[str, set[date]]:
        """For each place, the days on which its state may change: every start and end of
        its periods and conditions, and the day after the window of each imprecise one (an
        answer inside such a window is uncertain). Between two of them nothing changes."""
        days: dict[str, set[date]] = {pid: set() for pid in self._place_ids}
        for row in self.dataset.control:
            own = days[row.place_id]
            for boundary in (row.start, row.end, row.as_of):
                if boundary is not None:
                    own.update(_window_days(boundary))
            own.add(self._stale_day(row))
        for pid, events in self._conditions.items():
            for event in events:
                days[pid].update(condition_span(event))
                days[pid].update(_window_days(event.date))
                if event.end is None:
                    days[pid].add(stale_from(event.date, self.horizon))
        for own in days.values():
            own.discard(date.max)
        return days

    def place_days(self, place_id: str) -> set[date]:
        """:meth:`state_days` of one place (worked out from its own rows alone)."""
        own: set[date] = set()
        for row in self._rows.get(place_id, []):
            for boundary in (row.start, row.end, row.as_of):
                if boundary is not None:
                    own.update(_window_days(boundary))
            own.add(self._stale_day(row))
        for event in self._conditions.get(place_id, []):
            own.update(condition_span(event))
            own.update(_window_days(event.date))
            if event.end is None:
                own.add(stale_from(event.date, self.horizon))
        own.discard(date.max)
        return own

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
            dates, ends, begins, stops, end_lo, end_hi = [], [], [], [], [], []
            doubt_lo, doubt_hi, anchored, stale, sources = [], [], [], [], []
            reported: list[FuzzyDate] = []
            codes: dict[str, int] = {}
            faction_codes: dict[str, int] = {}
            status_codes: dict[str, int] = {}
            factions, statuses, newest, oldest = [], [], [], []
            for r in flat:
                start, end = r.start, r.end
                dates.append(start.earliest.toordinal() if start is not None else first)
                begins.append(_begin(r))
                if end is None:
                    ends.append(last)
                    stops.append(_NEVER)
                else:
                    ends.append(end.latest.toordinal())
                    stops.append(end.earliest.toordinal())
                window = end is not None and not end.exact
                end_lo.append(end.earliest.toordinal() if window and end else 1)
                end_hi.append(end.latest.toordinal() if window and end else 0)
                anchor = start if start is not None else r.as_of
                doubt = anchor is not None and not anchor.exact
                doubt_lo.append(anchor.earliest.toordinal() if doubt and anchor else 1)
                doubt_hi.append(anchor.latest.toordinal() if doubt and anchor else 0)
                anchored.append(anchor is not None)
                said = self.as_of(r)
                reported.append(said)
                stale.append(stale_from(said, self.horizon).toordinal())
                sources.append(codes.setdefault(r.source_id, len(codes)))
                factions.append(faction_codes.setdefault(r.faction_id, len(faction_codes)))
                statuses.append(status_codes.setdefault(r.status, len(status_codes)))
                low, high = said.earliest.toordinal(), said.latest.toordinal()
                newest.append(high << _BITS | low)
                oldest.append(low << _BITS | high)
            self._source_codes = codes
            c_owner, c_first, c_stop = [], [], []
            for index, pid in enumerate(self._place_ids):
                for event in self._conditions.get(pid, []):
                    begin, stop = condition_span(event)
                    c_owner.append(index)
                    c_first.append(begin.toordinal())
                    c_stop.append(stop.toordinal())

            def ints(values: list[int]) -> npt.NDArray[np.int64]:
                return np.asarray(values, dtype=np.int64)

            self._row_spans = _Spans(
                flat,
                ints(owners),
                ints(dates),
                ints(ends),
                ints(begins),
                ints(stops),
                ints(end_lo),
                ints(end_hi),
                ints(doubt_lo),
                ints(doubt_hi),
                np.asarray(anchored, dtype=bool),
                ints(stale),
                ints(sources),
                reported,
                ints(factions),
                ints(statuses),
                list(status_codes),
                list(faction_codes),
                ints(newest),
                ints(oldest),
                ints(c_owner),
                ints(c_first),
                ints(c_stop),
            )
        return self._row_spans

    def _work_out(self, day: date, todo: list[int]) -> dict[int, PlaceState]:
        """The states on ``day`` of the places numbered ``todo`` (by number), all at once:
        the rows that hold or have just ended are found for every place by array
        operations, and so is each place's kind of answer. A place whose claims on the day
        are one source's (in the rule's scope, no condition in force) -- most places on
        most days -- has its state worked out as arrays with the others
        (:meth:`_spoken`); a place with none has no data (uncertain when a claim has just
        ended, :meth:`_no_data`); every other place -- several sources, a condition -- goes
        through :meth:`place_state` with its few rows. All give :meth:`place_state`'s
        states."""
        spans = self._spans()
        o = day.toordinal()
        count = len(self._place_ids)
        picked = np.flatnonzero((spans.first <= o) & (o <= spans.last))
        held = (spans.begin[picked] <= o) & (o < spans.stop[picked])
        ending = ~held & (spans.end_lo[picked] <= o) & (o <= spans.end_hi[picked])
        keep = held | ending
        rows = picked[keep]
        owners = spans.owner[rows]
        held = held[keep]
        own = rows[held]  # held rows, by place (places in order, rows in file order)
        own_place = owners[held]
        own_source = spans.source[own]
        ended = rows[~held]  # rows in their end's window, by place
        ended_place = owners[~held]
        in_force = (spans.cond_first <= o) & (o < spans.cond_stop)
        simple = np.bincount(spans.cond_owner[in_force], minlength=count) == 0
        # several sources speak for a place (agreeing or not): the general way
        second = (own_place[1:] == own_place[:-1]) & (own_source[1:] != own_source[:-1])
        simple[own_place[1:][second]] = False
        # a claim just ended matters when its source speaks for the place, or when none
        # does and it is in the rule's scope (as place_state reads it)
        ended_source = spans.source[ended]
        if self.rule.source_id is not None:
            wanted = self._source_codes.get(self.rule.source_id, -1)
            simple[own_place[own_source != wanted]] = False
            matters = ended_source == wanted
        else:
            speaker = np.full(count, -1, dtype=np.int64)
            speaker[own_place] = own_source
            quiet = speaker[ended_place]
            matters = (quiet < 0) | (quiet == ended_source)
        ended, ended_place = ended[matters], ended_place[matters]
        certain = ~((spans.doubt_lo[own] <= o) & (o <= spans.doubt_hi[own])) & spans.anchored[own]
        stale = o >= spans.stale[own]
        asked = np.zeros(count, dtype=bool)
        asked[todo] = True
        claimed = np.bincount(own_place, minlength=count) > 0
        spoken = simple & claimed & asked
        mine, theirs = spoken[own_place], spoken[ended_place]
        out = self._spoken(
            day,
            spoken,
            (own[mine], own_place[mine], stale[mine], certain[mine]),
            (ended[theirs], ended_place[theirs]),
        )
        silent = simple & ~claimed & asked
        empty = silent & (np.bincount(ended_place, minlength=count) == 0)
        ids = self._place_ids
        for index in np.flatnonzero(empty).tolist():
            out[index] = self._no_data(ids[index], day)
        rest = np.flatnonzero(asked & ~spoken & ~empty).tolist()
        if not rest:
            return out
        places = np.arange(count + 1)
        ends = np.searchsorted(ended_place, places).tolist()
        ended_rows = ended.tolist()
        bounds = np.searchsorted(owners, places).tolist()
        rows_l = rows.tolist()
        flat = spans.rows
        for index in rest:
            pid = ids[index]
            if not simple[index]:
                mine_rows = [flat[j] for j in rows_l[bounds[index] : bounds[index + 1]]]
                out[index] = self.place_state(pid, day, mine_rows)
            else:  # no claim, some just ended
                c, d = ends[index], ends[index + 1]
                out[index] = self._no_data(pid, day, tuple(flat[j] for j in ended_rows[c:d]))
        return out

    def _spoken(
        self,
        day: date,
        spoken: npt.NDArray[np.bool_],
        held: tuple[
            npt.NDArray[np.int64],
            npt.NDArray[np.int64],
            npt.NDArray[np.bool_],
            npt.NDArray[np.bool_],
        ],
        ending: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]],
    ) -> dict[int, PlaceState]:
        """The states of the places marked ``spoken``: each has claims on ``day``, all of
        one source in the rule's scope, and no condition in force. ``held``: those claims
        (row numbers, by place in file order), their place numbers, whether each is stale
        and whether :func:`_certain_on` holds; ``ending``: the rows in their end's window
        that matter (of that source) and their place numbers. As :meth:`place_state` works
        out such a place (its one source agrees with itself), here for all the places at
        once: the fresh claims decide (all of them when every one is stale), the first row
        of each faction is shown, the status sums the shown rows up, the report dates are
        the deciding claims' newest and earliest; a shown faction no deciding claim makes
        certain, a claim just ended and a stale answer are the uncertainty."""
        claims, place, stale, certain = held
        spans = self._spans()
        count = len(self._place_ids)
        fresh_count = np.bincount(place[~stale], minlength=count)
        chosen = ~stale | (fresh_count[place] == 0)
        deciding, deciding_place = claims[chosen], place[chosen]
        # one row per faction: the first of each (place, faction) in file order; the
        # faction is known when any deciding claim of it is certain
        pairs = deciding_place << 32 | spans.faction[deciding]
        order = np.argsort(pairs, kind="stable")
        ordered = pairs[order]
        starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]]) if len(pairs) else pairs
        first = np.zeros(len(pairs), dtype=bool)
        first[order[starts]] = True
        known = np.zeros(len(pairs), dtype=bool)
        if len(pairs):
            known[order[starts]] = np.logical_or.reduceat(certain[chosen][order], starts)
        shown, shown_place, shown_known = deciding[first], deciding_place[first], known[first]
        # the status all shown rows share (named allies aside), else mixed (_summary_status)
        names = [*spans.statuses, MIXED]
        code = spans.status[shown]
        allied = spans.statuses.index("allied") if "allied" in spans.statuses else -1
        listed = code != allied
        low = np.full(count, len(names), dtype=np.int64)
        high = np.full(count, -1, dtype=np.int64)
        np.minimum.at(low, shown_place[listed], code[listed])
        np.maximum.at(high, shown_place[listed], code[listed])
        status = np.where(high < 0, allied, np.where(low == high, low, len(names) - 1))
        where = np.flatnonzero(spoken)
        flat, reported = spans.rows, spans.reported

        def heads(value: npt.NDArray[np.int64]) -> list[int]:
            """Each place's first deciding claim by ``value`` (as min() picks it)."""
            by = np.lexsort((np.arange(len(value)), value, deciding_place))
            ranked = deciding_place[by]
            top = np.ones(len(by), dtype=bool)
            top[1:] = ranked[1:] != ranked[:-1]
            found: list[int] = deciding[by[top]].tolist()
            return found

        def grouped(
            rows: npt.NDArray[np.int64],
            places: npt.NDArray[np.int64],
            like: list[tuple[ControlRow, ...]] | None = None,
        ) -> list[tuple[ControlRow, ...]]:
            """The rows as one tuple per place (each has at least one); ``like``: each
            place's tuple of a superset of its rows, kept where it has as many."""
            numbers: list[int] = rows.tolist()
            sizes = np.bincount(places, minlength=count)[where]
            ends = np.cumsum(sizes).tolist()
            starts = [0, *ends][:-1]
            if like is None:
                return [
                    (flat[numbers[a]],) if b - a == 1 else tuple([flat[j] for j in numbers[a:b]])
                    for a, b in zip(starts, ends, strict=True)
                ]
            out = list(like)
            for at in np.flatnonzero(sizes != [len(t) for t in like]).tolist():
                out[at] = tuple([flat[j] for j in numbers[starts[at] : ends[at]]])
            return out

        # the deciding rows and the shown rows are most often all of a place's claims:
        # the same tuple then
        claimed = grouped(claims, place)
        decide = (
            claimed if len(deciding) == len(claims) else grouped(deciding, deciding_place, claimed)
        )
        rows = decide if len(shown) == len(deciding) else grouped(shown, shown_place, decide)
        newest = [reported[j] for j in heads(-spans.newest[deciding])]
        oldest = [reported[j] for j in heads(spans.oldest[deciding])]
        # the uncertainty, in place_state's order: shown factions not known, claims just
        # ended, a stale answer (only the few places with any are looked at one by one)
        reasons: dict[int, list[Uncertainty]] = {}
        for index, j in zip(
            shown_place[~shown_known].tolist(), shown[~shown_known].tolist(), strict=True
        ):
            reasons.setdefault(index, []).append(_unknown_start(flat[j]))
        for index, j in zip(ending[1].tolist(), ending[0].tolist(), strict=True):
            row = flat[j]
            reasons.setdefault(index, []).append(
                _uncertainty("end-window", row.faction_id, row.end)
            )
        old = fresh_count[where] == 0
        # the stale answer names the first shown row's faction (the first deciding claim's)
        first_deciding = np.searchsorted(deciding_place, where[old])
        factions = spans.faction_ids
        for at, index, code in zip(
            np.flatnonzero(old).tolist(),
            where[old].tolist(),
            spans.faction[deciding[first_deciding]].tolist(),
            strict=True,
        ):
            gone = _uncertainty("stale", factions[code], newest[at])
            reasons.setdefault(index, []).append(gone)
        # only claims just ended can give the same reason twice
        repeats = set(np.flatnonzero(np.bincount(ending[1], minlength=count) > 1).tolist())
        whys = {
            index: tuple(dict.fromkeys(why)) if index in repeats else tuple(why)
            for index, why in reasons.items()
        }
        summary = [names[c] for c in status[where].tolist()]
        ids, key, new = self._place_ids, self.rule.key, object.__new__
        (
            put_id,
            put_day,
            put_status,
            put_rows,
            put_conditions,
            put_uncertain,
            put_why,
            put_claims,
            put_agreement,
            put_as_of,
            put_first,
            put_stale,
            put_deciding,
            put_stale_conditions,
            put_rule,
        ) = _PUT_STATE
        out: dict[int, PlaceState] = {}
        none: tuple[Uncertainty, ...] = ()
        for index, claimed_rows, deciders, shows, said, latest, earliest, stale_now in zip(
            where.tolist(),
            claimed,
            decide,
            rows,
            summary,
            newest,
            oldest,
            old.tolist(),
            strict=True,
        ):
            why = whys.get(index, none)
            # _made, inlined: ten thousand states on a new day
            out[index] = state = new(PlaceState)
            put_id(state, ids[index])
            put_day(state, day)
            put_status(state, said)
            put_rows(state, shows)
            put_conditions(state, ())
            put_uncertain(state, bool(why))
            put_why(state, why)
            put_claims(state, claimed_rows)
            put_agreement(state, AGREED)
            put_as_of(state, latest)
            put_first(state, earliest)
            put_stale(state, stale_now)
            put_deciding(state, deciders)
            put_stale_conditions(state, _NONE)
            put_rule(state, key)
        return out

    def _no_data(self, place_id: str, day: date, ending: tuple[ControlRow, ...] = ()) -> PlaceState:
        """A place with no claim and no condition on the day (as :meth:`place_state`);
        ``ending``: claims in scope in their end's window, which may still hold."""
        why = tuple(dict.fromkeys(_uncertainty("end-window", r.faction_id, r.end) for r in ending))
        return _made(
            place_id,
            day,
            NO_DATA,
            (),
            (),
            bool(why),
            why,
            (),
            NO_DATA,
            None,
            None,
            False,
            (),
            _NONE,
            self.rule.key,
        )

    def state_at(self, day: date) -> dict[str, PlaceState]:
        """The state of every place on ``day``, in the places file's order. Each stretch's
        state is worked out once (:meth:`state_ids`); later days only re-date it. When many
        stretches are new, their states are worked out together (:meth:`_work_out`)."""
        with _no_collection():
            return self._state_at(day)

    def _state_at(self, day: date) -> dict[str, PlaceState]:
        states = self._segment_states
        if len(states) > _KEEP_STATES:
            states.clear()
        segments = self.state_ids(day).tolist()
        found = [states.get(segment) for segment in segments]
        todo = [index for index, state in enumerate(found) if state is None]
        seen = [index for index, state in enumerate(found) if state is not None]
        worked = self._work_out(day, todo) if len(todo) > _FEW_NEW else {}
        ids = self._place_ids
        for index in todo:
            state = worked[index] if index in worked else self.place_state(ids[index], day)
            found[index] = states[segments[index]] = state
        for index in seen:  # a stretch seen on another day: its state re-dated
            state = cast(PlaceState, found[index])
            if state.day != day:
                found[index] = _on_day(state, day)
        return dict(zip(ids, cast(list[PlaceState], found), strict=True))

    def boundary_days(self) -> list[date]:
        """Every day on which a row or condition starts or stops, whether or not it changes
        what the map shows."""
        if self._boundary_days is None:
            days: set[date] = set()
            for row in self.dataset.control:
                days.update(b.earliest for b in (row.start or row.as_of, row.end) if b)
                days.add(self._stale_day(row))
            for events in self._conditions.values():
                for e in events:
                    days.update(condition_span(e))
                    if e.end is None:
                        days.add(stale_from(e.date, self.horizon))
            days.discard(date.max)
            self._boundary_days = sorted(days)
        return list(self._boundary_days)

    def change_dates(self) -> list[date]:
        """The days on which the state of at least one place differs from the day before
        (computed once per timeline: the dataset does not change under it)."""
        if self._change_dates is None:
            self._change_dates = [
                d for d in self.boundary_days() if self.changes_between(d - timedelta(days=1), d)
            ]
        return list(self._change_dates)

    def changes_over(self, first: date, last: date) -> list[tuple[date, list[Change]]]:
        """Every change from ``first`` to ``last``, in order: for each day after ``first`` up
        to ``last`` on which some place's state differs from the day before, those places.
        ValueError when ``last`` is before ``first``."""
        if last < first:
            raise ValueError(
                f"the range runs backwards: {last.isoformat()} is before {first.isoformat()}; "
                "give the earlier day first"
            )
        out = []
        for d in self.change_dates():
            if first < d <= last:
                out.append((d, self.changes_between(d - timedelta(days=1), d)))
        return out

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
