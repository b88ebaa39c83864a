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


def test_vectorised_checks_equal_one_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every per-place check made for all simple polygons at once (range, validity, the
    reference point, and which pairs share ground) finds what the one-at-a-time way finds,
    with mistakes of each kind mixed among good places."""
    folder = synth.generate(tmp_path / "s", 30, 60)
    read = read_geojson(folder / "neighbourhoods.geojson", "neighbourhoods.geojson")
    shapes = {f.index: f.geometry for f in read.features}
    props = {f.index: dict(f.properties) for f in read.features}

    def ring(i: int) -> list[list[float]]:
        geometry_ = read.features[i].geometry
        assert isinstance(geometry_, dict)
        coords: list[list[float]] = geometry_["coordinates"][0]
        return coords

    def polygon(coords: list[list[float]]) -> dict[str, object]:
        return {"type": "Polygon", "coordinates": [coords]}

    shapes[1] = polygon([[x + 200, y] for x, y in ring(1)])  # out of range
    x0, y0 = ring(2)[0]
    shapes[2] = polygon(  # a bow tie: not valid
        [[x0, y0], [x0 + 0.01, y0 + 0.01], [x0 + 0.01, y0], [x0, y0 + 0.01], [x0, y0]]
    )
    props[3]["ref_lat"] = 10.0  # the reference point outside
    props[4]["ref_lon"] = "36.9"  # as text, and outside
    props[5]["ref_lat"] = "north"  # not a number: not tested here
    props[6].pop("ref_lon")
    shapes[7] = polygon(ring(8))  # the same polygon twice
    inner = ring(9)
    cx = sum(x for x, _ in inner[:-1]) / (len(inner) - 1)
    cy = sum(y for _, y in inner[:-1]) / (len(inner) - 1)
    shapes[10] = polygon(  # within its neighbour, touching nothing
        [[cx + (x - cx) / 4, cy + (y - cy) / 4] for x, y in inner]
    )
    shapes[11] = polygon([[x - 0.004, y] for x, y in ring(11)])  # shifted over its neighbour
    features = [RawFeature(f.index, f.line, props[f.index], shapes[f.index]) for f in read.features]
    geo = RawGeoJSON(read.file, read.document, features)
    fast = list(check_features(geo, "EPSG:32637"))
    assert {"wrong-crs", "invalid-geometry", "reference-point-outside"} <= {i.code for i in fast}
    assert sum(i.code == "overlapping-polygons" for i in fast) >= 3, [i.message for i in fast]
    monkeypatch.setattr(geometry, "_simple_polygons", lambda geo: {})
    assert list(check_features(geo, "EPSG:32637")) == fast
