"""Geometry for drawing: rounding, stripes, bounds."""

from __future__ import annotations

from dataclasses import replace

import shapely
from shapely.geometry import shape

from mapapp.core.model import Place
from mapapp.core.validate import load_dataset
from mapapp.draw.shapes import geometry_bounds, place_geometry, rounded, stripe_parts

from .conftest import VALID


def _place() -> Place:
    ds = load_dataset(VALID).dataset
    assert ds is not None
    return next(iter(ds.places.values()))


def test_stripes_tile_the_place_in_interleaved_sets() -> None:
    place = _place()
    outline = shape(place_geometry(place))
    parts = stripe_parts(place, 2)
    assert len(parts) == 2 and all(p is not None for p in parts)
    a, b = (shape(p) for p in parts if p is not None)
    # the two sets cover the place (to the ~1 m grid) and do not overlap
    assert abs((a.area + b.area) - outline.area) / outline.area < 0.01
    assert a.intersection(b).area / outline.area < 0.001
    assert stripe_parts(place, 2) == parts, "the same place, the same stripes"


def test_rounding_keeps_about_a_metre() -> None:
    square = shapely.box(36.3, 33.4, 36.300001234, 33.400001234)
    coords = rounded(shapely.box(36.3, 33.4, 36.31234567, 33.41234567))["coordinates"][0]
    assert all(round(x, 5) == x and round(y, 5) == y for x, y in coords)
    assert rounded(square)["type"] in {"Polygon", "MultiPolygon"}


def test_bounds_of_polygons_and_of_nothing() -> None:
    place = _place()
    geometry = place_geometry(place)
    (south, west), (north, east) = geometry_bounds([geometry]) or [[0, 0], [0, 0]]
    minx, miny, maxx, maxy = shape(geometry).bounds
    assert (south, west, north, east) == (miny, minx, maxy, maxx)
    assert geometry_bounds([]) is None
    multi = {"type": "MultiPolygon", "coordinates": [geometry["coordinates"]]}
    assert geometry_bounds([multi]) == geometry_bounds([geometry])
    moved = replace(place, geometry_json="", geometry=dict(geometry))
    assert shape(place_geometry(moved)).equals(shape(geometry)), "rounding again changes nothing"
