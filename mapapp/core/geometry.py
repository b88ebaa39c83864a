"""Geometry checks for the places file, measured in a metric CRS (UTM 37N by default)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
from pyproj import Transformer
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from mapapp.core.read import RawGeoJSON
from mapapp.core.report import Issue

#: overlaps smaller than this (m²) are rounding noise, not an editing mistake
OVERLAP_TOLERANCE_M2 = 1.0
_WGS84_NAMES = {
    "urn:ogc:def:crs:OGC:1.3:CRS84",
    "urn:ogc:def:crs:OGC::CRS84",
    "urn:ogc:def:crs:EPSG::4326",
    "EPSG:4326",
    "CRS84",
}


@lru_cache(maxsize=16)
def _transformer(source: str, target: str) -> Transformer:
    return Transformer.from_crs(source, target, always_xy=True)


def reproject(
    geoms: list[BaseGeometry], source: str = "EPSG:4326", target: str = "EPSG:32637"
) -> list[BaseGeometry]:
    """The geometries in another CRS (by default WGS84 lon/lat to UTM 37N metres): every
    coordinate moved in one call (the transformation is point by point, so this is the same
    as :func:`transform_one` on each)."""
    if not geoms:
        return []
    transformer = _transformer(source, target)

    def move(coords: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    moved: list[BaseGeometry] = shapely.transform(np.asarray(geoms, dtype=object), move).tolist()
    return moved


def transform_one(geom: BaseGeometry, source: str, target: str) -> BaseGeometry:
    """One geometry in another CRS (pyproj, lon/lat order; ~1 ms a call, the map's
    stripes do this per place)."""
    transformer = _transformer(source, target)

    def move(coords: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    moved: BaseGeometry = shapely.transform(geom, move)
    return moved


def to_metric(geom: BaseGeometry, metric_crs: str = "EPSG:32637") -> BaseGeometry:
    """One geometry in metres."""
    return transform_one(geom, "EPSG:4326", metric_crs)


def _crs_issue(doc: dict[str, Any], file: str) -> Issue | None:
    crs = doc.get("crs")
    if crs is None:
        return None
    props = crs.get("properties") if isinstance(crs, dict) else None
    name = props.get("name") if isinstance(props, dict) else None
    if name in _WGS84_NAMES:
        return None
    return Issue(
        file,
        None,
        "crs",
        "wrong-crs",
        f"the file declares the coordinate system '{name}', but it must be WGS84 "
        "longitude/latitude (EPSG:4326); re-export it as GeoJSON in EPSG:4326",
    )


def _number(value: Any) -> float | None:
    """A finite number from a property written as a number or as text; else None (the
    validator reports it)."""
    if type(value) is float:  # the usual case, first (10,000 places: two calls each)
        return value if math.isfinite(value) else None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except (ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def _out_of_range(geom: BaseGeometry) -> bool:
    minx, miny, maxx, maxy = geom.bounds
    return not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90)


def _ring_array(raw: Any) -> npt.NDArray[np.float64] | None:
    """The ring of the commonest geometry -- a Polygon of one closed ring of [x, y]
    numbers -- as an array; None for anything else (which ``shape`` reads)."""
    if not isinstance(raw, dict) or raw.get("type") != "Polygon":
        return None
    rings = raw.get("coordinates")
    if not isinstance(rings, list) or len(rings) != 1 or not isinstance(rings[0], list):
        return None
    ring = rings[0]
    if len(ring) < 4 or ring[0] != ring[-1]:
        return None
    try:
        coords = np.array(ring)
    except ValueError:  # ragged
        return None
    # numbers only (no text, no booleans), two per point
    if coords.ndim != 2 or coords.shape[1] != 2 or coords.dtype.kind not in "fi":
        return None
    if coords.dtype.kind == "i" and any(type(v) is bool for point in ring for v in point):
        return None
    floats = coords.astype(np.float64)
    return floats if bool(np.isfinite(floats).all()) else None


def _simple_polygons(geo: RawGeoJSON) -> dict[int, BaseGeometry]:
    """The features' simple polygons (see :func:`_ring_array`), by position, built in one
    vectorised call: ``shape`` walks every coordinate in Python (seconds for 10,000
    places) and builds the same polygons."""
    arrays = {i: _ring_array(f.geometry) for i, f in enumerate(geo.features)}
    simple = {i: a for i, a in arrays.items() if a is not None}
    if not simple:
        return {}
    coords = np.concatenate(list(simple.values()))
    owner = np.repeat(np.arange(len(simple)), [len(a) for a in simple.values()])
    try:
        polygons = shapely.polygons(shapely.linearrings(coords, indices=owner))
    except shapely.errors.GEOSException:  # anything odd: each is read by ``shape``
        return {}
    return dict(zip(simple, polygons.tolist(), strict=True))


def _ref_point(properties: dict[str, Any]) -> tuple[float | None, float | None]:
    """(latitude, longitude) of a place's reference point, each None when not a number."""
    return _number(properties.get("ref_lat")), _number(properties.get("ref_lon"))


def _prechecked(
    geo: RawGeoJSON, prebuilt: dict[int, BaseGeometry]
) -> dict[int, tuple[bool, bool, bool]]:
    """(in lon/lat range, valid, reference point covered or not given) of each prebuilt
    polygon, by position: the checks :func:`check_features` makes on one geometry at a time,
    made in three vectorised calls (a Python call per place and check cost 0.3 s at 10,000
    places). Each applies only when the one before passed, as in that loop: a point is not
    tested against a polygon out of range or not valid (GEOS may refuse those)."""
    if not prebuilt:
        return {}
    positions = list(prebuilt)
    array = np.asarray([prebuilt[p] for p in positions], dtype=object)
    minx, miny, maxx, maxy = shapely.bounds(array).T
    in_range = (minx >= -180) & (minx <= maxx) & (maxx <= 180)
    in_range &= (miny >= -90) & (miny <= maxy) & (maxy <= 90)
    valid = np.zeros(len(positions), dtype=bool)
    valid[in_range] = shapely.is_valid(array[in_range])
    points = [_ref_point(geo.features[p].properties) for p in positions]
    given = np.asarray([lat is not None and lon is not None for lat, lon in points], dtype=bool)
    tested = valid & given
    covered = np.ones(len(positions), dtype=bool)
    if tested.any():
        lats = np.asarray([lat for (lat, _), t in zip(points, tested, strict=True) if t])
        lons = np.asarray([lon for (_, lon), t in zip(points, tested, strict=True) if t])
        covered[tested] = shapely.covers(array[tested], shapely.points(lons, lats))
    return {
        p: (bool(r), bool(v), bool(c))
        for p, r, v, c in zip(
            positions, in_range.tolist(), valid.tolist(), covered.tolist(), strict=True
        )
    }


def _wrong_crs(file: str, line: int | None, fid: str, geom: BaseGeometry) -> Issue:
    return Issue(
        file,
        line,
        "geometry",
        "wrong-crs",
        f"place '{fid}' has coordinates outside longitude/latitude range "
        f"(bounds {tuple(round(b, 1) for b in geom.bounds)}); the file must be in "
        "WGS84 longitude/latitude (EPSG:4326), longitude first",
    )


def _invalid(file: str, line: int | None, fid: str, geom: BaseGeometry) -> Issue:
    return Issue(
        file,
        line,
        "geometry",
        "invalid-geometry",
        f"the polygon of '{fid}' is not valid ({shapely.is_valid_reason(geom)}); "
        "fix self-intersections and unclosed rings in a GIS editor",
    )


def _point_outside(file: str, line: int | None, fid: str, properties: dict[str, Any]) -> Issue:
    lat, lon = _ref_point(properties)
    return Issue(
        file,
        line,
        "geometry",
        "reference-point-outside",
        f"the reference point ({lat}, {lon}) of '{fid}' is not inside its "
        "polygon; move the boundary or correct ref_lat/ref_lon",
    )


def check_features(geo: RawGeoJSON, metric_crs: str) -> Iterator[Issue]:
    """Geometry type, validity, CRS, reference point inside, and no overlaps between places."""
    file = geo.file
    if geo.document is not None:
        issue = _crs_issue(geo.document, file)
        if issue:
            yield issue
            return
    found: list[tuple[str, int | None, BaseGeometry]] = []
    prebuilt = _simple_polygons(geo)
    checked = _prechecked(geo, prebuilt)
    for position, feature in enumerate(geo.features):
        fid = str(feature.properties.get("id", f"feature {feature.index + 1}"))
        raw = feature.geometry
        gtype = raw.get("type") if isinstance(raw, dict) else None
        if gtype not in ("Polygon", "MultiPolygon"):
            yield Issue(
                file,
                feature.line,
                "geometry",
                "bad-geometry",
                f"place '{fid}' has geometry type '{gtype}'; it must be a Polygon or MultiPolygon",
            )
            continue
        known = checked.get(position)
        if known is not None:  # a simple polygon, its checks made for all of them at once
            geom = prebuilt[position]
            in_range, valid, covered = known
            if not in_range:
                yield _wrong_crs(file, feature.line, fid, geom)
            elif not valid:
                yield _invalid(file, feature.line, fid, geom)
            else:
                if not covered:
                    yield _point_outside(file, feature.line, fid, feature.properties)
                found.append((fid, feature.line, geom))
            continue
        try:
            geom = shape(raw)
            finite = bool(shapely.get_coordinates(geom).size) and all(
                math.isfinite(c) for c in geom.bounds
            )
        except (
            ValueError,
            TypeError,
            AttributeError,
            IndexError,
            KeyError,
            RecursionError,
            shapely.errors.GEOSException,
        ):
            geom, finite = None, False
        if geom is None or not finite or geom.is_empty:
            yield Issue(
                file,
                feature.line,
                "geometry",
                "bad-geometry",
                f"place '{fid}' has coordinates that cannot be read as a polygon; each ring "
                "must be a closed list of [longitude, latitude] pairs",
            )
            continue
        if _out_of_range(geom):
            yield _wrong_crs(file, feature.line, fid, geom)
            continue
        if not geom.is_valid:
            yield _invalid(file, feature.line, fid, geom)
            continue
        lat, lon = _ref_point(feature.properties)
        if lat is not None and lon is not None and not geom.covers(shapely.Point(lon, lat)):
            yield _point_outside(file, feature.line, fid, feature.properties)
        found.append((fid, feature.line, geom))
    metric = reproject([g for _, _, g in found], target=metric_crs)
    shapes = [(fid, line, m) for (fid, line, _), m in zip(found, metric, strict=True)]
    yield from _overlaps(shapes, file)


def _overlaps(shapes: list[tuple[str, int | None, BaseGeometry]], file: str) -> Iterator[Issue]:
    if len(shapes) < 2:
        return  # an STRtree of no geometries cannot be queried (and one cannot overlap)
    geoms = [g for _, _, g in shapes]
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms)  # boxes that meet
    forward = left < right
    left, right = left[forward], right[forward]
    # only pairs whose interiors meet can share any area: neighbours that only share a
    # border (most pairs of a tiling) or only have boxes that meet are skipped before any
    # intersection is computed. "Interiors meet" (DE-9IM T********) is exactly "intersects
    # and not touches", in one relate per pair instead of two predicates
    array = np.asarray(geoms, dtype=object)
    inner = shapely.relate_pattern(array[left], array[right], "T********")
    for i, j in zip(left[inner].tolist(), right[inner].tolist(), strict=True):
        area = shapes[i][2].intersection(shapes[j][2]).area
        if area > OVERLAP_TOLERANCE_M2:
            yield Issue(
                file,
                shapes[j][1],
                "geometry",
                "overlapping-polygons",
                f"'{shapes[j][0]}' overlaps '{shapes[i][0]}' by {area:,.0f} m²; "
                "neighbouring polygons may share a border but not cover the same ground",
            )
