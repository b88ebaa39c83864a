"""The bundle kept as what each place adds to it, so that a new version of the data patches
the previous bundle instead of walking every frame again (see
:func:`mapapp.web.export.build_bundle`).

A full build and a patch are the same code: a full build adds every place to an empty
:class:`BundleState`; a patch takes the edited places out (what they added, counted
again from what they were built from) and adds them again as they are now. Then the
bundle's day-by-day parts are assembled from the sums:

* each variant's (language and rule) **entries**: per place, its entry from each day its
  entry changes; by day, the places whose entry changes (a frame's ``set``);
* per rule, by day, how the **legend's** inputs change (the factions shown, the colours
  of each status's swatch), kept as counts so a place can be taken out again;
* the newest report's **change days** (a place's look changes) and the **ground** each
  side holds (integer area units: exact in any order, see :class:`fronts.GroundTally`);
* each border's **front** from each day it changes, worked out from the two places'
  sides; the front lines and their frames follow.

Table rows (geometries, styles, html, markers, entries) are only ever added: a patch
appends what its places need and leaves the rest, so every index the previous bundle
used means the same in the next. A patched bundle is therefore not the bytes of a full
build (its tables are numbered differently and keep rows no frame uses any more) but
shows exactly the same map: ``tests/test_rebuild.py`` resolves both to values and
compares them, after every kind of edit.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

import shapely

from mapapp.core import fronts
from mapapp.core.model import Dataset
from mapapp.core.timeline import PlaceState
from mapapp.draw import popups
from mapapp.draw.i18n import LANGS, Lang
from mapapp.draw.style import (
    Palette,
    front_legend_for,
    front_styles,
    legend_factions,
    legend_items_for,
    side_name,
    status_sample,
)
from mapapp.web.incremental import MarkerParts, PlaceParts, Trace, dumps

#: a day of the slider's range, or None for its first day (every place's initial state)
Day = date | None


class Marker(NamedTuple):
    """A circle marker: where, its style, and its popup and tooltip (html indexes)."""

    lon: float
    lat: float
    style: int
    popup: int
    tooltip: int


class Stripe(NamedTuple):
    """One band of a place's stripes: a geometry and a style (indexes)."""

    geometry: int
    style: int


class Entry(NamedTuple):
    """How one place looks in one state and language (indexes into the bundle's tables)."""

    fill: int
    outline: int
    popup: int
    tooltip: int
    stripes: tuple[Stripe, ...]
    markers: tuple[int, ...]


class Table:
    """Values stored once, referred to by index."""

    def __init__(self) -> None:
        self.items: list[Any] = []
        self._index: dict[Any, int] = {}

    def add(self, key: Any, value: Any = None) -> int:
        found = self._index.get(key)
        if found is None:
            found = self._index[key] = len(self.items)
            self.items.append(key if value is None else value)
        return found

    def copy(self) -> Table:
        """A table that goes on from this one's rows (this one stays as it is: a bundle
        built before refers to its list)."""
        other = Table()
        other.items, other._index = list(self.items), dict(self._index)
        return other


@dataclass(frozen=True)
class Variant:
    """One language under one rule: a key of the bundle's frames (``en``, ``ar@reliable``)."""

    lang: Lang
    rule: str
    key: str
    #: the source whose events alone the variant shows ("as source X"), or None: all
    source_id: str | None


Side = fronts.Side | None


@dataclass
class _Record:
    """What one place added: the traces it was counted from (by rule), its entry index in
    each variant from each day that entry changes, and its side (newest report's) from
    each day that changes."""

    traces: dict[str, Trace]
    entries: dict[str, list[tuple[Day, int]]] = field(default_factory=dict)
    sides: list[tuple[Day, Side]] = field(default_factory=list)


#: draws a place's state: (trace, state, the day of the state in the trace, language)
Draw = Callable[[Trace, PlaceState, Day, Lang], PlaceParts]
#: a legend's html for a rule and language, from (factions shown, swatch colours by status)
LegendKey = tuple[frozenset[str], tuple[tuple[str, tuple[str, ...]], ...]]


class BundleState:
    """The sums one bundle is assembled from, kept for the next version's patch. One
    :class:`~mapapp.web.incremental.BundleCache` holds it while the data's shared parts
    (factions, sources, places, range, palette...) stay the same."""

    def __init__(
        self,
        ds: Dataset,
        palette: Palette,
        variants: list[Variant],
        borders: list[Any],
    ) -> None:
        self.palette = palette
        self.variants = variants
        self.rules = list(dict.fromkeys(v.rule for v in variants))
        self.positions = {pid: i for i, pid in enumerate(ds.places)}
        self.geometries, self.styles = Table(), Table()
        self.html, self.markers, self.entries = Table(), Table(), Table()
        self.records: dict[str, _Record] = {}
        #: each place's outline (a row of ``geometries``) and the names layer's records
        self.place_geometry: dict[str, int] = {}
        self.labels: list[Any] = []
        #: by variant and day: place position -> its entry from that day
        self.sets: dict[str, dict[Day, dict[int, int]]] = {v.key: {} for v in variants}
        #: by rule and day: how many places each legend input gains (or loses)
        self.looks: dict[str, dict[Day, Counter[tuple[Any, ...]]]] = {r: {} for r in self.rules}
        #: (rule, place) states that change look, by day: the days a frame may start
        self.moves: Counter[date] = Counter()
        #: places whose newest-report signature changes, by day (the map's change days)
        self.signature_changes: Counter[date] = Counter()
        #: by day: (area units, cells) -> places counted in (or out) of the ground held
        self.ground: dict[Day, Counter[tuple[int, tuple[tuple[str, str], ...]]]] = {}
        self.tally = fronts.GroundTally(ds)
        #: the front lines: each border's front from each day it changes, and by day how
        #: many borders change and how many (pair, kind) fronts come or go
        self.borders = borders
        self.of_place: dict[str, list[int]] = {}
        for i, (a, b, _, _) in enumerate(borders):
            self.of_place.setdefault(a, []).append(i)
            self.of_place.setdefault(b, []).append(i)
        self.runs: dict[int, list[tuple[Day, fronts.Front | None]]] = {}
        self.front_moves: Counter[date] = Counter()
        self.front_kinds: dict[Day, Counter[tuple[str, str]]] = {}
        #: table rows of each front line drawn (by border and front)
        self.line_rows: dict[tuple[int, fronts.Front], dict[str, Any]] = {}
        #: the lines of each border as the last assembly made them, for the days it
        #: numbered its frames by, and the borders worked out again since
        self._border_lines: dict[int, list[dict[str, Any]]] = {}
        self._numbered: list[Day] = []
        self._touched: set[int] = set()
        #: the map's bounds (the places' outlines only: kept while the places are)
        self.bounds: list[list[float]] | None = None
        #: legend html rows by (variant, factions, swatches) and by (language, pairs, tentative)
        self.legend_rows: dict[tuple[str, LegendKey], int] = {}
        self.front_legend_rows: dict[tuple[Lang, tuple[str, ...], bool], int] = {}

    def copy_tables(self) -> None:
        """Go on from copies of the tables (the previous bundle keeps the old lists)."""
        self.geometries, self.styles = self.geometries.copy(), self.styles.copy()
        self.html, self.markers = self.html.copy(), self.markers.copy()
        self.entries = self.entries.copy()

    # -- places ---------------------------------------------------------------------

    def remove(self, ds: Dataset, pid: str) -> None:
        """Take out everything the place added (counted again from its record)."""
        record = self.records.pop(pid, None)
        if record is None:
            return
        pos = self.positions[pid]
        for vkey, changes in record.entries.items():
            by_day = self.sets[vkey]
            for day, _ in changes:
                found = by_day[day]
                del found[pos]
                if not found:
                    del by_day[day]
        self._count(ds, record, -1)

    def add(self, ds: Dataset, pid: str, traces: dict[str, Trace], draw: Draw) -> None:
        """Add a place as its traces (one per rule) show it."""
        record = _Record(traces)
        pos = self.positions[pid]
        for variant in self.variants:
            trace = traces[variant.rule]
            by_day = self.sets[variant.key]
            changes = record.entries[variant.key] = []
            last = -1
            for day, state in _states(trace):
                parts = draw(trace, state, day, variant.lang)
                if pid not in self.place_geometry:  # a place's outline, whatever its state
                    self.place_geometry[pid] = self.geometries.add(*parts.geometry)
                index = self.entry(parts)
                if index != last:
                    changes.append((day, index))
                    by_day.setdefault(day, {})[pos] = index
                    last = index
        newest = traces["newest"]
        for day, state in _states(newest):
            side = fronts.side_of(ds, state)
            if not record.sides or side != record.sides[-1][1]:
                record.sides.append((day, side))
        self.records[pid] = record
        self._count(ds, record, 1)

    def _count(self, ds: Dataset, record: _Record, sign: int) -> None:
        """Count a record's states into the sums (``sign=-1``: out again)."""
        for rule in self.rules:
            looks = self.looks[rule]
            before: PlaceState | None = None
            for day, state in _states(record.traces[rule]):
                if day is not None:
                    self.moves[day] += sign
                shift = looks.setdefault(day, Counter())
                if before is not None:
                    for key in self._look(ds, before):
                        shift[key] -= sign
                for key in self._look(ds, state):
                    shift[key] += sign
                before = state
        before = None
        for day, state in _states(record.traces["newest"]):
            shift = self.ground.setdefault(day, Counter())
            if before is not None:
                shift[self.tally.parts(before)] -= sign
                if day is not None and state.signature() != before.signature():
                    self.signature_changes[day] += sign
            shift[self.tally.parts(state)] += sign
            before = state

    def _look(self, ds: Dataset, state: PlaceState) -> list[tuple[Any, ...]]:
        """What a state adds to its day's legend: its factions and its status's colours."""
        keys: list[tuple[Any, ...]] = [("faction", f) for f in legend_factions(state)]
        colours = status_sample(ds, state, self.palette)
        if colours is not None:
            keys.append(("status", state.status, colours))
        return keys

    def entry(self, parts: PlaceParts) -> int:
        """The entries table's row for a place drawn as ``parts`` (its tables' rows added)."""
        styles = self.styles
        entry = Entry(
            fill=styles.add(*parts.fill),
            outline=styles.add(*parts.outline),
            popup=self.html.add(parts.popup),
            tooltip=self.html.add(parts.tooltip),
            stripes=tuple(
                Stripe(self.geometries.add(*geometry), styles.add(*style))
                for geometry, style in parts.stripes
            ),
            markers=tuple(self.marker(m) for m in parts.markers),
        )
        rows = [list(s) for s in entry.stripes]
        return self.entries.add(entry, [*entry[:4], rows, list(entry.markers)])

    def marker(self, parts: MarkerParts) -> int:
        key = Marker(
            parts.lon,
            parts.lat,
            self.styles.add(*parts.style),
            self.html.add(parts.popup),
            self.html.add(parts.tooltip),
        )
        return self.markers.add(key, list(key))

    # -- front lines ----------------------------------------------------------------

    def refresh_borders(self, ds: Dataset, pids: Iterable[str]) -> None:
        """Work out again the fronts of every border of these places (from the places'
        sides in their records)."""
        for i in sorted({i for pid in pids for i in self.of_place.get(pid, [])}):
            old = self.runs.pop(i, None)
            if old is not None:
                self._count_run(old, -1)
            run = self._run(i)
            self.runs[i] = run
            self._count_run(run, 1)
            self._touched.add(i)

    def _run(self, i: int) -> list[tuple[Day, fronts.Front | None]]:
        """The border's front from each day it changes (the first day's first)."""
        border = self.borders[i]
        sides_a = dict(self.records[border[0]].sides)
        sides_b = dict(self.records[border[1]].sides)
        side_a, side_b = sides_a[None], sides_b[None]
        run: list[tuple[Day, fronts.Front | None]] = []
        for day in [None, *sorted(d for d in sides_a.keys() | sides_b.keys() if d is not None)]:
            side_a, side_b = sides_a.get(day, side_a), sides_b.get(day, side_b)
            front = fronts.front_of_sides(border, side_a, side_b)
            if not run or front != run[-1][1]:
                run.append((day, front))
        return run

    def _count_run(self, run: list[tuple[Day, fronts.Front | None]], sign: int) -> None:
        before: fronts.Front | None = None
        for day, front in run:
            if day is not None:
                self.front_moves[day] += sign
            kinds = self.front_kinds.setdefault(day, Counter())
            if before is not None:
                kinds[before.pair, before.kind] -= sign
            if front is not None:
                kinds[front.pair, front.kind] += sign
            before = front

    # -- assembly -------------------------------------------------------------------

    def frames(
        self,
        ds: Dataset,
        first: date,
        event_days: Iterable[date],
        events: Callable[[date, Variant], list[int]],
    ) -> tuple[list[dict[str, Any]], list[str]]:
        """The frames (see :mod:`mapapp.web.export`) and the change days."""
        days = sorted({d for d, n in self.moves.items() if n} | set(event_days))
        event_set = set(event_days)
        counts: dict[str, Counter[tuple[Any, ...]]] = {r: Counter() for r in self.rules}
        keys: dict[str, LegendKey] = {}
        shown: dict[str, tuple[list[int], int]] = {}
        frames: list[dict[str, Any]] = []
        for day in [None, *days]:
            frame: dict[str, Any] = {"start": (day or first).isoformat()}
            for rule in self.rules:
                shift = self.looks[rule].get(day)
                count = counts[rule]
                if shift:
                    count.update(shift)
                # the inputs change only when one of them comes or goes
                if day is None or (
                    shift and any((count[k] > 0) != (count[k] > n) for k, n in shift.items())
                ):
                    keys[rule] = _legend_key(count)
            changed = False
            values: dict[str, dict[str, Any]] = {}
            for variant in self.variants:
                updates = self.sets[variant.key].get(day)
                if day is None or day in event_set:
                    marks = events(day or first, variant)
                else:
                    marks = shown[variant.key][0]
                legend = self._legend(ds, variant, keys[variant.rule])
                value = (marks, legend)
                if day is None or updates or value != shown[variant.key]:
                    changed = True
                shown[variant.key] = value
                values[variant.key] = {
                    "set": [[pos, updates[pos]] for pos in sorted(updates)] if updates else [],
                    "events": marks,
                    "legend": legend,
                }
            if changed:
                frames.append(frame | values)
        changes = sorted(d for d, n in self.signature_changes.items() if n)
        return frames, [d.isoformat() for d in changes]

    def _legend(self, ds: Dataset, variant: Variant, key: LegendKey) -> int:
        found = self.legend_rows.get((variant.key, key))
        if found is None:
            text = legend_html(ds, self.palette, variant, key)
            found = self.legend_rows[variant.key, key] = self.html.add(text)
        return found

    def ground_rows(self, first: date) -> list[fronts.Ground]:
        """The ground held on the first day and on every change day."""
        wanted = {d for d, n in self.signature_changes.items() if n}
        tally = fronts.GroundTally(self.tally.ds, units=self.tally.units)
        rows = []
        for day in [None, *sorted(d for d in self.ground if d is not None)]:
            for (area, cells), places in self.ground[day].items():
                if places:
                    tally.shift(area, cells, places)
            if day is None or day in wanted:
                rows.append(tally.ground(day or first))
        return rows

    def front_lines(
        self, ds: Dataset, first: date
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """The front frames (``{start, legend: {en, ar}}``) and the lines, each with the
        frames it is drawn in (see :class:`mapapp.web.export` ``frontLines``)."""
        days = [None, *sorted(d for d, n in self.front_moves.items() if n)]
        number = {day: k for k, day in enumerate(days)}
        counts: Counter[tuple[str, str]] = Counter()
        frames = []
        for day in days:
            counts.update(self.front_kinds.get(day, Counter()))
            shown = [key for key, n in counts.items() if n > 0]
            pairs = tuple(sorted({pair for pair, _ in shown}))
            tentative = any(kind != "firm" for _, kind in shown)
            legend = {lang: self._front_legend(ds, lang, pairs, tentative) for lang in LANGS}
            frames.append({"start": (day or first).isoformat(), "legend": legend})
        if days != self._numbered:  # frames came or went: every line is numbered again
            self._border_lines.clear()
            self._numbered = days
        lines: list[dict[str, Any]] = []
        for i in sorted(self.runs):
            built = None if i in self._touched else self._border_lines.get(i)
            if built is None:
                run = self.runs[i]
                built = self._border_lines[i] = []
                for k, (day, front) in enumerate(run):
                    if front is None:
                        continue
                    end = number[run[k + 1][0]] if k + 1 < len(run) else len(days)
                    rows = self._line_rows(ds, i, front)
                    built.append({**rows, "frames": [number[day], end]})
            lines.extend(built)
        self._touched.clear()
        return frames, lines

    def _front_legend(
        self, ds: Dataset, lang: Lang, pairs: tuple[str, ...], tentative: bool
    ) -> int:
        key = (lang, pairs, tentative)
        found = self.front_legend_rows.get(key)
        if found is None:
            items = front_legend_for(ds, pairs, tentative, "bloc", self.palette, lang)
            text = popups.legend_html(items, lang, note=False) if items else ""
            found = self.front_legend_rows[key] = self.html.add(text)
        return found

    def _line_rows(self, ds: Dataset, i: int, front: fronts.Front) -> dict[str, Any]:
        """A front line's table rows (drawn once per border and front)."""
        found = self.line_rows.get((i, front))
        if found is None:
            names = {
                lang: (
                    side_name(ds, front.side_a.key, "bloc", lang),
                    side_name(ds, front.side_b.key, "bloc", lang),
                )
                for lang in LANGS
            }
            geometry = json.loads(shapely.to_geojson(front.geometry))
            found = self.line_rows[i, front] = {
                "geometry": self.geometries.add(dumps(geometry), geometry),
                "styles": [
                    self.styles.add(dumps(x), x)
                    for x in front_styles(ds, front, "bloc", self.palette)
                ],
                "tooltip": {
                    lang: self.html.add(popups.front_tooltip(ds, front, names[lang], lang))
                    for lang in LANGS
                },
                "kind": front.kind,
                "pair": front.pair,
            }
        return found


def _states(trace: Trace) -> list[tuple[Day, PlaceState]]:
    """A trace's states from each day (None: the first day's)."""
    return [(None, trace.initial), *sorted(trace.moves.items())]


def _legend_key(counts: Counter[tuple[Any, ...]]) -> LegendKey:
    """The legend's inputs from a day's counts: the factions shown, and for each status
    the first (smallest) colours a place of it is drawn in (see
    :func:`mapapp.draw.style.status_samples`)."""
    factions = frozenset(key[1] for key, n in counts.items() if n > 0 and key[0] == "faction")
    samples: dict[str, tuple[str, ...]] = {}
    for key, n in counts.items():
        if n > 0 and key[0] == "status":
            status, colours = key[1], key[2]
            if status not in samples or colours < samples[status]:
                samples[status] = colours
    return factions, tuple(sorted(samples.items()))


def legend_html(ds: Dataset, palette: Palette, variant: Variant, key: LegendKey) -> str:
    """The legend of a variant on a day whose legend inputs are ``key``."""
    factions, samples = key
    sample = {status: list(colours) for status, colours in samples}
    items = legend_items_for(ds, factions, sample, palette, variant.lang, variant.rule)
    return popups.legend_html(items, variant.lang)
