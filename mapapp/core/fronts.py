"""Front lines and ground held, computed from the places' shared borders and the day's state.

Pure functions over a :class:`Dataset` and a day's states (:meth:`Timeline.state_at`).

*Sides.* A place's side on a day is the set of factions (``by="faction"``) or of blocs
(``by="bloc"``, the factions file's ``bloc`` column) whose rows hold it, written
``a+b`` in the factions file's order. A place with no row (*no data*) has no side.

*Fronts.* Where two places with different sides touch, the border they share is a front
segment: its two places, their sides, statuses and length in metres, measured in a local
metric CRS (:func:`local_crs`). A front is ``firm`` when both places are held outright
(sole or shared control) and certainly so; otherwise it is ``tentative`` and ``because``
names why: a side that is only ``partial`` or ``present``, an ``uncertain`` answer, or
any other status a place has (``disputed``, ``stale``...), each named as it is.

*Ground.* The area of every place (km², in the local Lambert azimuthal equal-area CRS)
is counted for each side that holds it, *under the status it holds it with*: sole control
counts whole under ``sole``; shared, partial, presence (and any other status) each in
their own column, never split between the sharers (each sharer's ``shared`` column counts
the place whole, so the columns of a day do not add up to the total when a place is
shared). By bloc, a place shared only among one bloc's factions is that bloc's ``sole``
ground: the bloc holds it alone.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any, Literal

import shapely
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

from mapapp.core.geometry import transform_one
from mapapp.core.model import Dataset
from mapapp.core.timeline import MIXED, NO_DATA, PlaceState, Timeline

By = Literal["faction", "bloc"]
BY: tuple[By, ...] = ("bloc", "faction")
#: statuses by which a side holds a place outright
HELD = ("sole", "shared")
#: the order statuses are listed in (others follow, sorted)
STATUS_ORDER = ("sole", "shared", "partial", "presence")
#: borders closer than this (m) count as shared when they do not share vertices exactly
SNAP_M = 0.5
#: front pieces shorter than this (m) are rounding noise where two borders only meet
MIN_FRONT_M = 1.0


@dataclass(frozen=True)
class Side:
    """Who holds a place on a day, grouped by faction or by bloc."""

    key: str
    members: tuple[str, ...]
    status: str
    uncertain: bool


@dataclass(frozen=True)
class Front:
    """The border two places held by different sides share on a day."""

    place_a: str
    place_b: str
    side_a: Side
    side_b: Side
    length_m: float
    #: ``firm`` or ``tentative``
    kind: str
    #: why a front is tentative: ``partial``, ``presence``, ``uncertain``, ``disputed``...
    because: tuple[str, ...]
    #: the shared border in WGS84 longitude/latitude (a LineString or MultiLineString)
    geometry: BaseGeometry = field(compare=False)

    @property
    def pair(self) -> str:
        """The two sides, ``a|b`` in sorted order: what the map styles a front by."""
        return "|".join(sorted((self.side_a.key, self.side_b.key)))


def local_crs(ds: Dataset) -> str:
    """A Lambert azimuthal equal-area projection centred on the places: areas are exact,
    and lengths over a few kilometres are true to well under 0.1 %."""
    return _laea(_geometry_key(ds))


def _geometry_key(ds: Dataset) -> tuple[tuple[str, str], ...]:
    """The places' geometries as text: the cache key of everything measured here."""
    return tuple(
        (pid, p.geometry_json or json.dumps(p.geometry, sort_keys=True))
        for pid, p in ds.places.items()
    )


@lru_cache(maxsize=8)
def _laea(key: tuple[tuple[str, str], ...]) -> str:
    shapes = [shape(json.loads(text)) for _, text in key]
    lon, lat = 36.3, 33.5  # no places: southern Damascus
    if shapes:
        minx, miny, maxx, maxy = shapely.GeometryCollection(shapes).bounds
        lon, lat = (minx + maxx) / 2, (miny + maxy) / 2
    return f"+proj=laea +lat_0={lat:.5f} +lon_0={lon:.5f} +datum=WGS84 +units=m +no_defs"


@lru_cache(maxsize=8)
def _metric_shapes(geometry_json: tuple[tuple[str, str], ...], crs: str) -> dict[str, BaseGeometry]:
    return {
        pid: transform_one(shape(json.loads(text)), "EPSG:4326", crs) for pid, text in geometry_json
    }


def metric_shapes(ds: Dataset) -> dict[str, BaseGeometry]:
    """Every place's polygon in :func:`local_crs` metres (cached by the geometry's text)."""
    key = _geometry_key(ds)
    return _metric_shapes(key, _laea(key))


def place_areas_km2(ds: Dataset) -> dict[str, float]:
    """Every place's area in km² (equal-area CRS)."""
    return {pid: geom.area / 1e6 for pid, geom in metric_shapes(ds).items()}


def _group_order(ds: Dataset, by: By) -> list[str]:
    if by == "faction":
        return list(ds.factions)
    return list(dict.fromkeys(f.bloc for f in ds.factions.values()))


def _key_of(ds: Dataset, faction_id: str, by: By) -> str:
    return faction_id if by == "faction" else ds.factions[faction_id].bloc


def side_of(ds: Dataset, state: PlaceState, by: By = "bloc") -> Side | None:
    """The side holding a place, or None where there is no data."""
    if state.status == NO_DATA or not state.rows:
        return None
    order = {k: i for i, k in enumerate(_group_order(ds, by))}
    members = sorted(
        {_key_of(ds, r.faction_id, by) for r in state.rows}, key=lambda k: order.get(k, 1 << 30)
    )
    return Side("+".join(members), tuple(members), state.status, state.uncertain)


def _shared_border(a: BaseGeometry, b: BaseGeometry) -> BaseGeometry | None:
    """The line two polygons (in metres) share, or None if they only meet at points."""
    if a.distance(b) > SNAP_M:
        return None
    common = a.boundary.intersection(b.boundary)
    lines = [g for g in shapely.get_parts(common) if g.geom_type in ("LineString", "LinearRing")]
    if not lines:  # near but not vertex-exact: the part of a's edge within SNAP_M of b
        near = a.boundary.intersection(b.buffer(SNAP_M))
        lines = [g for g in shapely.get_parts(near) if g.geom_type == "LineString"]
    merged = shapely.line_merge(shapely.MultiLineString(lines)) if lines else None
    if merged is None or merged.is_empty or merged.length < MIN_FRONT_M:
        return None
    return merged


@lru_cache(maxsize=8)
def _borders(
    geometry_json: tuple[tuple[str, str], ...], crs: str
) -> tuple[tuple[str, str, BaseGeometry], ...]:
    """Every pair of places that share a border, with that border in metres."""
    shapes = _metric_shapes(geometry_json, crs)
    ids = list(shapes)
    geoms = [shapes[i] for i in ids]
    if len(geoms) < 2:
        return ()
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="dwithin", distance=SNAP_M)
    out = []
    for i, j in sorted(zip(left.tolist(), right.tolist(), strict=True)):
        if i >= j:
            continue
        line = _shared_border(geoms[i], geoms[j])
        if line is not None:
            out.append((ids[i], ids[j], line))
    return tuple(out)


def shared_borders(ds: Dataset) -> list[tuple[str, str, BaseGeometry]]:
    """``(place a, place b, border in local metres)`` for every pair that shares one, in the
    places file's order."""
    key = _geometry_key(ds)
    return list(_borders(key, _laea(key)))


def _because(sides: Iterable[Side]) -> tuple[str, ...]:
    reasons: list[str] = []
    for side in sides:
        if side.status not in HELD:
            reasons.append("partial or presence" if side.status == MIXED else side.status)
        if side.uncertain:
            reasons.append("uncertain")
    return tuple(dict.fromkeys(reasons))


@lru_cache(maxsize=8)
def _borders_wgs84(
    geometry_json: tuple[tuple[str, str], ...], crs: str
) -> tuple[BaseGeometry, ...]:
    return tuple(
        transform_one(line, crs, "EPSG:4326") for _, _, line in _borders(geometry_json, crs)
    )


def borders(ds: Dataset) -> list[tuple[str, str, BaseGeometry, BaseGeometry]]:
    """``(place a, place b, border in local metres, border in WGS84)`` for every pair of
    places that share one (computed once per set of geometries)."""
    key = _geometry_key(ds)
    crs = _laea(key)
    return [
        (a, b, metric, wgs)
        for (a, b, metric), wgs in zip(_borders(key, crs), _borders_wgs84(key, crs), strict=True)
    ]


def front_between(
    ds: Dataset,
    border: tuple[str, str, BaseGeometry, BaseGeometry],
    state_a: PlaceState,
    state_b: PlaceState,
    by: By = "bloc",
) -> Front | None:
    """The front along one shared border, or None if both sides are the same (or either
    place has no data)."""
    return front_of_sides(border, side_of(ds, state_a, by), side_of(ds, state_b, by))


def front_of_sides(
    border: tuple[str, str, BaseGeometry, BaseGeometry], side_a: Side | None, side_b: Side | None
) -> Front | None:
    """:func:`front_between` of the places' sides (worked out once for all their borders)."""
    a, b, metric, wgs = border
    if side_a is None or side_b is None or side_a.key == side_b.key:
        return None
    because = _because((side_a, side_b))
    return Front(
        place_a=a,
        place_b=b,
        side_a=side_a,
        side_b=side_b,
        length_m=float(metric.length),
        kind="tentative" if because else "firm",
        because=because,
        geometry=wgs,
    )


def fronts_on(ds: Dataset, states: dict[str, PlaceState], by: By = "bloc") -> list[Front]:
    """Every front segment on the day of ``states`` (see the module's doc)."""
    out = []
    for border in borders(ds):
        a, b = border[0], border[1]
        if a in states and b in states:
            front = front_between(ds, border, states[a], states[b], by)
            if front is not None:
                out.append(front)
    return out


def front_record(ds: Dataset, front: Front) -> dict[str, Any]:
    """One front segment as JSON-ready data (length rounded to the metre)."""

    def side(s: Side, pid: str) -> dict[str, Any]:
        place = ds.places[pid]
        return {
            "place_id": pid,
            "name_en": place.name_en,
            "name_ar": place.name_ar,
            "side": s.key,
            "members": list(s.members),
            "status": s.status,
            "uncertain": s.uncertain,
        }

    return {
        "a": side(front.side_a, front.place_a),
        "b": side(front.side_b, front.place_b),
        "sides": front.pair,
        "length_m": round(front.length_m),
        "kind": front.kind,
        "because": list(front.because),
    }


def fronts_geojson(ds: Dataset, fronts: list[Front], day: date) -> dict[str, Any]:
    """The fronts as a GeoJSON FeatureCollection of lines (WGS84), one feature a segment."""
    return {
        "type": "FeatureCollection",
        "properties": {"date": day.isoformat()},
        "features": [
            {
                "type": "Feature",
                "geometry": mapping(shapely.set_precision(f.geometry, 1e-7)),
                "properties": {"date": day.isoformat(), **front_record(ds, f)},
            }
            for f in fronts
        ],
    }


@dataclass(frozen=True)
class Ground:
    """Who held how much ground on one day, in km²."""

    day: date
    #: side key -> status -> km² (see the module's doc for how shared ground counts)
    held: dict[str, dict[str, float]]
    no_data_km2: float
    total_km2: float


def _bloc_status(ds: Dataset, state: PlaceState) -> dict[str, str]:
    """Each bloc holding the place and the status it holds it with."""
    statuses: dict[str, set[str]] = {}
    for row in state.rows:
        statuses.setdefault(ds.factions[row.faction_id].bloc, set()).add(row.status)
    out = {}
    for bloc, found in statuses.items():
        if len(statuses) == 1 and found <= set(HELD):
            out[bloc] = "sole"  # shared among one bloc's factions: the bloc holds it alone
        else:
            out[bloc] = found.pop() if len(found) == 1 else MIXED
    return out


def _holders(ds: Dataset, state: PlaceState, by: By) -> dict[str, str]:
    """Side key -> status for one place; a status of the whole place that is not one of
    its rows' (a claims model's ``disputed``, say) applies to every holder."""
    row_statuses = {r.status for r in state.rows}
    if state.status not in row_statuses and state.status != MIXED:
        return {_key_of(ds, r.faction_id, by): state.status for r in state.rows}
    if by == "bloc":
        return _bloc_status(ds, state)
    return {r.faction_id: r.status for r in state.rows}


#: areas are summed as whole numbers of this many km² (10⁻⁹ km² = 0.001 m²): a sum of
#: integers is exact in any order, so a day's tally kept up to date place by place (see
#: :class:`GroundTally`) equals the one counted afresh, to the last digit
AREA_UNIT_KM2 = 1e-9


class GroundTally:
    """The ground held, kept as places are added and taken away: the bundle's chart adds
    the places that change on a day instead of counting every place again."""

    def __init__(self, ds: Dataset, by: By = "bloc", units: dict[str, int] | None = None) -> None:
        self.ds, self.by = ds, by
        #: each place's area in whole :data:`AREA_UNIT_KM2` (``units``: another tally's)
        self.units = units if units is not None else self.area_units(ds)
        #: (side key, status) -> [places, area units]
        self.held: dict[tuple[str, str], list[int]] = {}
        self.no_data = 0
        self.total = 0

    @staticmethod
    def area_units(ds: Dataset) -> dict[str, int]:
        return {pid: round(a / AREA_UNIT_KM2) for pid, a in place_areas_km2(ds).items()}

    def parts(self, state: PlaceState) -> tuple[int, tuple[tuple[str, str], ...]]:
        """What a place's state counts: its area (units) and the (side, status) cells it
        counts in (none: no data)."""
        holders = _holders(self.ds, state, self.by)
        return self.units.get(state.place_id, 0), tuple(holders.items())

    def add(self, state: PlaceState, sign: int = 1) -> None:
        """Count a place's state in (``sign=-1``: take it out again)."""
        area, cells = self.parts(state)
        self.shift(area, cells, sign)

    def shift(self, area: int, cells: tuple[tuple[str, str], ...], places: int) -> None:
        """Count ``places`` places (negative: take them out) of ``area`` units each in
        ``cells`` (none: no data)."""
        self.total += places * area
        if not cells:
            self.no_data += places * area
        for cell_key in cells:
            cell = self.held.setdefault(cell_key, [0, 0])
            cell[0] += places
            cell[1] += places * area
            if cell[0] == 0:
                del self.held[cell_key]

    def ground(self, day: date) -> Ground:
        held: dict[str, dict[str, float]] = {}
        for (key, status), (_, area) in self.held.items():
            held.setdefault(key, {})[status] = area * AREA_UNIT_KM2
        return Ground(day, held, self.no_data * AREA_UNIT_KM2, self.total * AREA_UNIT_KM2)


def ground_on(
    ds: Dataset, states: dict[str, PlaceState], by: By = "bloc", day: date | None = None
) -> Ground:
    """The km² each side holds on the day of ``states``, by status."""
    tally = GroundTally(ds, by)
    for state in states.values():
        tally.add(state)
    return tally.ground(day or next((s.day for s in states.values()), date.min))


def ground_over(
    ds: Dataset, start: date, end: date, by: By = "bloc", timeline: Timeline | None = None
) -> list[Ground]:
    """The ground held on ``start`` and on every change day in ``(start, end]``.

    Counted once on ``start``, then kept up to date with the places that change on each
    day (a tally of whole area units: equal to counting every place again, see
    :data:`AREA_UNIT_KM2`): at 10,000 places and 377 change days, seconds instead of every
    place's state and area worked out again each day (two minutes). ``timeline``: the
    dataset's timeline under the newest-report rule, when the caller has one (its days and
    states already worked out)."""
    timeline = timeline or Timeline(ds)
    days = [start, *(d for d in timeline.change_dates() if start < d <= end)]
    tally = GroundTally(ds, by)
    for state in timeline.state_at(start).values():
        tally.add(state)
    out = [tally.ground(start)]
    # between two change days nothing a tally reads changes (a place's holders follow from
    # what its signature holds: its status and its rows' factions and statuses)
    for before, day in itertools.pairwise(days):
        for change in timeline.changes_between(before, day):
            tally.add(change.before, -1)
            tally.add(change.after)
        out.append(tally.ground(day))
    return out


def status_order(statuses: Iterable[str]) -> list[str]:
    found = set(statuses)
    return [s for s in STATUS_ORDER if s in found] + sorted(found - set(STATUS_ORDER))


def ground_columns(ds: Dataset, rows: list[Ground], by: By) -> list[tuple[str, str]]:
    """The (side, status) pairs any row has ground under, sides in the factions file's order
    (sides of several members after the single ones)."""
    order = {k: i for i, k in enumerate(_group_order(ds, by))}
    keys = {k for g in rows for k in g.held}
    statuses = {k: {s for g in rows for s in g.held.get(k, {})} for k in keys}

    def rank(key: str) -> tuple[int, int, str]:
        return (key.count("+"), order.get(key, 1 << 30), key)

    return [(k, s) for k in sorted(keys, key=rank) for s in status_order(statuses[k])]


def ground_record(g: Ground, columns: list[tuple[str, str]]) -> dict[str, Any]:
    """One day's ground as JSON-ready data (km² to three decimals, i.e. to 1,000 m²)."""
    held: dict[str, dict[str, float]] = {}
    for key, status in columns:
        held.setdefault(key, {})[status] = round(g.held.get(key, {}).get(status, 0.0), 3)
    return {
        "date": g.day.isoformat(),
        "held_km2": held,
        "no_data_km2": round(g.no_data_km2, 3),
        "total_km2": round(g.total_km2, 3),
    }
