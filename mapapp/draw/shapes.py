"""Geometry prepared for drawing: rounded GeoJSON, and stripe bands for patterned fills.

Stripes are real geometry (diagonal bands clipped to the place), not a browser plugin, so
they need no extra JavaScript and look the same in every renderer. Everything here is
cached per geometry: it is computed once, not on every rerun.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import shapely
from shapely import affinity
from shapely.geometry import box, mapping, shape
from shapely.geometry.base import BaseGeometry

from mapapp.core.geometry import to_metric, transform_one
from mapapp.core.model import Place

#: width of one stripe band on the ground (metres) and its angle (degrees)
STRIPE_WIDTH_M = 110.0
STRIPE_ANGLE = 45.0
#: the most bands across one place: a larger place gets wider bands, so the work (and the
#: bundle) follows the place's vertices, not its extent (an 8 by 8 degree square took 34 s)
MAX_STRIPE_BANDS = 64
#: about 1 m at this latitude
GRID = 1e-5


def rounded(geom: BaseGeometry) -> dict[str, Any]:
    """A GeoJSON geometry with coordinates on a ~1 m grid (lists, as JSON reads them)."""
    return {k: _lists(v) for k, v in mapping(shapely.set_precision(geom, GRID)).items()}


def _lists(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [_lists(v) for v in value]
    if isinstance(value, dict):
        return {k: _lists(v) for k, v in value.items()}
    return value


@lru_cache(maxsize=32768)
def _shape(key: str) -> BaseGeometry:
    """The geometry written as ``key`` (its GeoJSON text), parsed once into shapely."""
    return shape(json.loads(key))


@lru_cache(maxsize=32768)
def _stripe_parts(key: str, groups: int, metric_crs: str) -> tuple[dict[str, Any] | None, ...]:
    geom = _shape(key)
    metric = to_metric(geom, metric_crs)
    centre = metric.centroid
    turned = affinity.rotate(metric, -STRIPE_ANGLE, origin=centre)
    minx, miny, maxx, maxy = turned.bounds
    width = max(STRIPE_WIDTH_M, (maxy - miny) / MAX_STRIPE_BANDS)
    count = math.ceil((maxy - miny) / width) + 1
    bands: list[list[BaseGeometry]] = [[] for _ in range(groups)]
    for i in range(count):
        y = miny + i * width
        bands[i % groups].append(box(minx - 1, y, maxx + 1, y + width))
    parts: list[dict[str, Any] | None] = []
    for group in bands:
        if not group:
            parts.append(None)
            continue
        stripes = affinity.rotate(
            turned.intersection(shapely.union_all(group)), STRIPE_ANGLE, origin=centre
        )
        back = transform_one(stripes, metric_crs, "EPSG:4326")
        parts.append(None if back.is_empty else rounded(back))
    return tuple(parts)


def stripe_parts(
    place: Place, groups: int, metric_crs: str = "EPSG:32637"
) -> list[dict[str, Any] | None]:
    """The place cut into diagonal bands, dealt out into ``groups`` interleaved sets
    (band i goes to set i mod groups); None for a set that falls outside the place. The
    GeoJSON objects are made once per place and shared (read them, never change them)."""
    return list(_stripe_parts(_key(place), groups, metric_crs))


@lru_cache(maxsize=32768)
def _rounded(key: str) -> dict[str, Any]:
    return rounded(_shape(key))


def _key(place: Place) -> str:
    return place.geometry_json or json.dumps(place.geometry, sort_keys=True)


def place_geometry(place: Place) -> dict[str, Any]:
    """The place's own geometry, rounded; made once per geometry, then shared (read it,
    never change it)."""
    return _rounded(_key(place))


def geometry_bounds(geometries: Iterable[dict[str, Any]]) -> list[list[float]] | None:
    """[[south, west], [north, east]] of GeoJSON (Multi)Polygons, or None when empty."""
    xs: list[float] = []
    ys: list[float] = []
    for geometry in geometries:
        polygons = (
            [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        )
        for polygon in polygons:
            for ring in polygon:
                xs.extend(c[0] for c in ring)
                ys.extend(c[1] for c in ring)
    if not xs:
        return None
    return [[min(ys), min(xs)], [max(ys), max(xs)]]
