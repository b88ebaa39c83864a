"""What one bundle build keeps for the next, so a new data version after an edit rebuilds
only what the edit changed (see :func:`mapapp.web.export.rebuild_bundle`).

Kept here, per place, and reused while what they are made of is unchanged:

* a place's **trace** under a rule (its state on the slider's first day and every later
  state that looks different, with its drawn parts) is reused while the place's control
  rows and its conditions are equal to the previous version's; the places whose rows or
  conditions changed are the build's ``dirty`` ones;
* the **sums** the previous bundle was assembled from (:class:`~mapapp.web.patch.BundleState`):
  the next build takes the dirty places out of them and puts them back as they are now;
* everything is dropped (a full build) when anything shared by every place changes: the
  factions, sources, claimants, horizon, events that are not conditions, the places
  themselves (their outlines and names), the slider's range or the palette. Those edits
  are rare and touch every frame;
* the front lines' borders are kept while no place's geometry changed.

The keys compare values (``==`` on the model's frozen records), never identities, so a
kept part is exactly what drawing the same input again would give.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from mapapp.core.model import ControlRow, Dataset, Event, Place
from mapapp.core.timeline import PlaceState, Timeline
from mapapp.draw.i18n import Lang
from mapapp.draw.layers import EventIndex, state_layers
from mapapp.draw.style import Palette

if TYPE_CHECKING:
    from mapapp.web.patch import BundleState

#: a JSON value with its text (the key the bundle's tables store it under)
Json = tuple[str, Any]


def dumps(value: Any) -> str:
    """The text a bundle table keys a JSON value by."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def state_key(state: PlaceState, ds: Dataset) -> tuple[Any, ...]:
    """Everything of a place's state the map shows (all but the day itself): the day
    counts only through which claims are stale on it (a popup marks each source's)."""
    horizon = timedelta(days=ds.horizon_days)
    return (
        tuple(
            state.day > (r.as_of or ds.sources[r.source_id].published).latest + horizon
            for r in state.claims
        ),
        state.status,
        state.rows,
        state.conditions,
        state.uncertainty,
        state.claims,
        state.agreement,
        state.stale,
        state.stale_conditions,
        state.as_of,
    )


@dataclass(frozen=True)
class MarkerParts:
    lon: float
    lat: float
    style: Json
    popup: str
    tooltip: str


@dataclass(frozen=True)
class PlaceParts:
    """One place drawn in one state and language: what its bundle entry is made of."""

    geometry: Json
    fill: Json
    outline: Json
    popup: str
    tooltip: str
    stripes: tuple[tuple[Json, Json], ...]
    markers: tuple[MarkerParts, ...]


def marker_parts(feature: dict[str, Any]) -> MarkerParts:
    props = feature["properties"]
    lon, lat = feature["geometry"]["coordinates"]
    style = props["style"]
    return MarkerParts(lon, lat, (dumps(style), style), props["popup"], props["tooltip"])


@dataclass
class Trace:
    """A place's states under one rule over the slider's range: the state on its first day,
    and each later state that looks different (by :func:`state_key`), by day."""

    initial: PlaceState
    moves: dict[date, PlaceState]
    #: drawn parts, by (language, the day of the state: ``None`` for the initial one)
    parts: dict[tuple[Lang, date | None], PlaceParts] = field(default_factory=dict)


@dataclass
class _PlaceInput:
    place: Place
    rows: tuple[ControlRow, ...]
    conditions: tuple[Event, ...]


def _global_key(ds: Dataset, palette: Palette, first: date, last: date) -> tuple[Any, ...]:
    """What every place's drawing shares: a change here rebuilds everything."""
    return (
        palette,
        first,
        last,
        ds.horizon_days,
        ds.factions,
        ds.sources,
        ds.claimants,
        tuple(e for e in ds.events if not e.is_condition),
        tuple(ds.places),
    )


def _inputs(ds: Dataset) -> dict[str, _PlaceInput]:
    rows: dict[str, list[ControlRow]] = {pid: [] for pid in ds.places}
    for row in ds.control:
        rows[row.place_id].append(row)
    conditions: dict[str, list[Event]] = {pid: [] for pid in ds.places}
    for event in ds.events:
        if event.is_condition:
            conditions[event.place_id].append(event)
    return {
        pid: _PlaceInput(place, tuple(rows[pid]), tuple(conditions[pid]))
        for pid, place in ds.places.items()
    }


class BundleCache:
    """Kept from one :func:`~mapapp.web.export.build_bundle` for the next (one data
    folder's successive versions). Not thread-safe: one build at a time uses it."""

    def __init__(self) -> None:
        self._global: tuple[Any, ...] | None = None
        self._inputs: dict[str, _PlaceInput] = {}
        self._traces: dict[str, dict[str, Trace]] = {}
        #: places whose input changed since the previous build (all of them when cold)
        self.dirty: set[str] = set()
        self._geometry: tuple[str, ...] | None = None
        self.borders: list[Any] | None = None
        #: event markers (not conditions) by (day, language)
        self.events: dict[tuple[date, Lang], list[tuple[dict[str, Any], MarkerParts]]] = {}
        #: the sums the previous bundle was assembled from (see :mod:`mapapp.web.patch`),
        #: None when the next build is a full one
        self.state: BundleState | None = None

    def begin(self, ds: Dataset, palette: Palette, first: date, last: date) -> None:
        """Start a build of ``ds``: drop what its differences from the previous one
        invalidate. ``state`` is None after it when the build is a full one."""
        key = _global_key(ds, palette, first, last)
        inputs = _inputs(ds)
        self.dirty = {pid for pid, new in inputs.items() if self._inputs.get(pid) != new}
        # a place itself edited (its outline, its names) changes its neighbours' front
        # lines, the names layer and the map's bounds: rare, and a full build
        moved = any(
            pid not in self._inputs or self._inputs[pid].place != inputs[pid].place
            for pid in self.dirty
        )
        if key != self._global or moved:
            # shared data changed (or the first build): nothing kept is safe to reuse
            self._traces.clear()
            self.events.clear()
            self.state = None
            self.dirty = set(inputs)
        else:
            for traces in self._traces.values():
                for pid in self.dirty:
                    traces.pop(pid, None)
        geometry = tuple(p.geometry_json or dumps(p.geometry) for p in ds.places.values())
        if key != self._global or geometry != self._geometry:
            self.borders = None
        self._global, self._inputs = key, inputs
        self._geometry = geometry

    def reset(self) -> None:
        """Forget everything (a build that failed half-way leaves no half-patched sums)."""
        self.__init__()  # type: ignore[misc]

    def traces(
        self,
        rule_key: str,
        timeline: Timeline,
        first: date,
        last: date,
        own_days: dict[str, set[date]],
    ) -> dict[str, Trace]:
        """Every place's :class:`Trace` under the timeline's rule: kept ones for places
        whose input is unchanged, worked out for the others (``own_days`` has their
        :meth:`~Timeline.state_days`)."""
        ds = timeline.dataset
        kept = self._traces.setdefault(rule_key, {})
        missing = [pid for pid in timeline.dataset.places if pid not in kept]
        if missing:
            if len(missing) * 4 > len(timeline.dataset.places):
                start = timeline.state_at(first)  # one vectorised pass for many places
            else:
                start = {pid: timeline.place_state(pid, first) for pid in missing}
            for pid in missing:
                current = initial = start[pid]
                moves: dict[date, PlaceState] = {}
                for day in sorted(d for d in own_days[pid] if first < d <= last):
                    state = timeline.place_state(pid, day)
                    if state_key(state, ds) != state_key(current, ds):
                        moves[day] = current = state
                kept[pid] = Trace(initial, moves)
        return kept

    def event_markers(
        self, ds: Dataset, day: date, palette: Palette, lang: Lang, index: EventIndex
    ) -> list[tuple[dict[str, Any], MarkerParts]]:
        """The event markers (not conditions) shown on ``day``, with their parts."""
        found = self.events.get((day, lang))
        if found is None:
            features = state_layers(ds, {}, day, palette, lang, index=index).markers["features"]
            found = self.events[day, lang] = [(f, marker_parts(f)) for f in features]
        return found


def draw_place(
    ds: Dataset,
    trace: Trace,
    state: PlaceState,
    when: date | None,
    palette: Palette,
    lang: Lang,
    index: EventIndex,
    shared: dict[tuple[Any, ...], PlaceParts] | None = None,
) -> PlaceParts:
    """The parts of one place's entry in ``state`` (its trace's state of day ``when``),
    drawn once per trace. ``shared`` (one build's, across rules) keeps what was drawn by
    language and :func:`_drawn_from`: a state another rule has on the same day draws the
    same (drawing reads the state alone, not the rule that chose it), and most places'
    states are the same under most rules."""
    found = trace.parts.get((lang, when))
    if found is not None:
        return found
    pid = state.place_id
    key = (lang, *_drawn_from(state))
    if shared is not None:
        found = shared.get(key)
        if found is not None:
            trace.parts[lang, when] = found
            return found
    layers = state_layers(ds, {pid: state}, state.day, palette, lang, index=index, events=False)
    (place,) = layers.places["features"]
    (outline,) = layers.outlines["features"]
    geometry, fill = place["geometry"], shared_style(place["properties"]["style"], pid)
    outline_style = shared_style(outline["properties"]["style"], pid)
    parts = PlaceParts(
        geometry=(dumps(geometry), geometry),
        fill=(dumps(fill), fill),
        outline=(dumps(outline_style), outline_style),
        popup=place["properties"]["popup"],
        tooltip=place["properties"]["tooltip"],
        stripes=tuple(
            (_json(f["geometry"]), _json(shared_style(f["properties"]["style"], pid)))
            for f in layers.patterns["features"]
        ),
        markers=tuple(marker_parts(f) for f in layers.markers["features"]),
    )
    trace.parts[lang, when] = parts
    if shared is not None:
        shared[key] = parts
    return parts


#: the place's own class in a style's ``className`` (``mapapp-place-<id>`` and the like),
#: written with this in the bundle and filled in by map.js (see :func:`shared_style`)
PLACE_ID = "{id}"
_OWN_CLASSES = ("place", "stripe", "outline")


def shared_style(style: dict[str, Any], pid: str) -> dict[str, Any]:
    """``style`` with the place's own class (``mapapp-place-<id>``, ``-stripe-``,
    ``-outline-``) written ``mapapp-place-{id}``: the styles of places drawn alike are one
    style in the bundle (else every place has its own: 114,593 styles at 10,000 places),
    and map.js puts each place's id back when it draws it."""
    own = {f"mapapp-{kind}-{pid}": f"mapapp-{kind}-{PLACE_ID}" for kind in _OWN_CLASSES}
    classes = style.get("className")
    if not isinstance(classes, str):
        return style
    return {**style, "className": " ".join(own.get(c, c) for c in classes.split(" "))}


#: a state's fields but the rule that chose it (which no drawing reads)
_DRAWN_FIELDS = tuple(f.name for f in fields(PlaceState) if f.name != "rule")


def _drawn_from(state: PlaceState) -> tuple[Any, ...]:
    """Everything of a state that drawing it may read: equal ones draw the same."""
    return tuple(getattr(state, name) for name in _DRAWN_FIELDS)


def _json(value: Any) -> Json:
    return dumps(value), value
