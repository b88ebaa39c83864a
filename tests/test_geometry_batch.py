"""The geometry check builds simple polygons (one closed ring of numbers) in one vectorised
call: the same polygons ``shape`` builds, and anything else still read by ``shape``."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from shapely.geometry import shape

from benchmarks import synth
from mapapp.core import geometry
from mapapp.core.geometry import _simple_polygons, check_features
from mapapp.core.read import RawFeature, RawGeoJSON, read_geojson

from .conftest import ROOT


def test_batch_polygons_are_shapes_polygons(tmp_path: Path) -> None:
    for folder in (ROOT / "data", synth.generate(tmp_path / "s", 40, 100)):
        geo = read_geojson(folder / "neighbourhoods.geojson", "neighbourhoods.geojson")
        built = _simple_polygons(geo)
        assert built, "the places are simple polygons"
        for index, feature in enumerate(geo.features):
            if index in built:
                assert built[index].wkb == shape(feature.geometry).wkb


def test_odd_rings_are_left_to_shape(monkeypatch: pytest.MonkeyPatch) -> None:
    nan = math.nan
    odd = [
        [[[nan, 0], [1, 0], [1, 1], [nan, 0]]],  # not finite (and NaN == NaN as one object)
        [[[0, 0], [1, 0], [1, 1]]],  # too short
        [[[0, 0], [1, 0], [1, "1"], [0, 0]]],  # text
        [[[0, 0], [True, 0], [1, 1], [0, 0]]],  # a boolean
        [[[0, 0], [1, 0, 5], [1, 1], [0, 0]]],  # ragged
        [[[0, 0], [1, 0], [1, 1], [0, 0]], [[0.2, 0.2], [0.3, 0.2], [0.3, 0.3], [0.2, 0.2]]],
    ]
    features = [
        RawFeature(i, i + 2, {"id": f"p{i}"}, {"type": "Polygon", "coordinates": c})
        for i, c in enumerate(odd)
    ]
    geo = RawGeoJSON("places.geojson", {"type": "FeatureCollection"}, features)
    assert _simple_polygons(geo) == {}
    found = list(check_features(geo, "EPSG:32637"))
    assert {"bad-geometry", "overlapping-polygons"} <= {i.code for i in found}
    # the same findings as with every polygon read by shape
    monkeypatch.setattr(geometry, "_simple_polygons", lambda geo: {})
    assert list(check_features(geo, "EPSG:32637")) == found


def test_batch_findings_equal_shapes_findings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("overlapping-polygons", "invalid-geometry", "reference-point-outside"):
        path = ROOT / "tests" / "data" / "invalid" / f"{name}.neighbourhoods.geojson"
        geo = read_geojson(path, "neighbourhoods.geojson")
        fast = list(check_features(geo, "EPSG:32637"))
        with monkeypatch.context() as patch:
            patch.setattr(geometry, "_simple_polygons", lambda geo: {})
            assert list(check_features(geo, "EPSG:32637")) == fast
        assert name in {i.code for i in fast}
