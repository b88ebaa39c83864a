"""Reprojection: the per-geometry fast path agrees with the GeoSeries one."""

from __future__ import annotations

import json

from shapely.geometry import shape

from mapapp.core.geometry import reproject, transform_one

from .conftest import DATA


def test_transform_one_matches_the_geoseries_reprojection() -> None:
    doc = json.loads((DATA / "neighbourhoods.geojson").read_text(encoding="utf-8"))
    geoms = [shape(f["geometry"]) for f in doc["features"]]
    for geom, expected in zip(geoms, reproject(geoms), strict=True):
        metric = transform_one(geom, "EPSG:4326", "EPSG:32637")
        assert metric.equals_exact(expected, tolerance=1e-6)
        assert not metric.equals_exact(geom, tolerance=1.0), "it did move"
        back = transform_one(metric, "EPSG:32637", "EPSG:4326")
        assert back.equals_exact(geom, tolerance=1e-9)
