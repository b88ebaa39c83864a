"""Checks on the shipped approximate boundary polygons.

Loads ``data/neighbourhoods.geojson`` as shipped (it does not import or run
``scripts/draw_boundaries.py``) and checks the constraints from the project
brief.  Lengths, distances and areas are measured in UTM zone 37N
(EPSG:32637).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
import shapely
from pyproj import Transformer
from shapely.geometry import Point, Polygon, shape

GEOJSON_PATH = Path(__file__).resolve().parents[1] / "data" / "neighbourhoods.geojson"

#: id -> (kind, reference latitude, reference longitude), in file order.
PLACES: dict[str, tuple[str, float, float]] = {
    "yarmouk": ("camp", 33.47417, 36.30306),
    "tadamon": ("neighbourhood", 33.47778, 36.30944),
    "hajar_aswad": ("town", 33.46060, 36.30400),
    "yalda": ("town", 33.46269, 36.32492),
    "babbila": ("town", 33.46924, 36.33047),
    "beit_sahm": ("town", 33.47125, 36.33834),
    "qadam": ("neighbourhood", 33.47748, 36.28538),
    "asali": ("neighbourhood", 33.46833, 36.28972),
    "sayyida_zaynab": ("town", 33.44631, 36.33807),
    "sbeineh": ("town", 33.43845, 36.28590),
    "aqraba": ("town", 33.47125, 36.35192),
    "airport_road": ("road", 33.47800, 36.35000),
}

#: Pairs of places that must share a boundary line (each pair listed once).
MUST_TOUCH: list[tuple[str, str]] = [
    ("yarmouk", "hajar_aswad"),
    ("yarmouk", "tadamon"),
    ("yarmouk", "yalda"),
    ("yarmouk", "asali"),
    ("tadamon", "yalda"),
    ("tadamon", "babbila"),
    ("hajar_aswad", "asali"),
    ("hajar_aswad", "yalda"),
    ("hajar_aswad", "sbeineh"),
    ("yalda", "babbila"),
    ("babbila", "beit_sahm"),
    ("babbila", "sayyida_zaynab"),
    ("beit_sahm", "aqraba"),
    ("beit_sahm", "airport_road"),
    ("qadam", "asali"),
    ("aqraba", "airport_road"),
]

#: Pairs that must not touch at all (not even at a point). OCHA's admin5 layer puts
#: al-Qadam about 0.6 km further north than an outline drawn around its point alone, with
#: al-Asali ("the eastern gate" of al-Qadam) between it and Yarmouk / al-Hajar al-Aswad.
MUST_NOT_TOUCH: list[tuple[str, str]] = [
    ("qadam", "yarmouk"),
    ("qadam", "hajar_aswad"),
]

#: Where each reference point comes from: (ref_basis, words its ref_source must contain).
PROVENANCE: dict[str, tuple[str, tuple[str, ...]]] = {
    "yarmouk": ("encyclopedia", ("encyclopedia", "C1002", "600 m")),
    "tadamon": ("encyclopedia", ("encyclopedia",)),
    "hajar_aswad": ("ocha-place-point", ("OCHA place point C2502",)),
    "yalda": ("ocha-place-point", ("OCHA place point C2302",)),
    "babbila": ("ocha-place-point", ("OCHA place point C2300",)),
    "beit_sahm": ("ocha-place-point", ("OCHA place point C2295",)),
    "qadam": ("ocha-polygon-centroid", ("centroid", "admin5", "Al Qadam", "C10011068")),
    "asali": ("encyclopedia", ("encyclopedia",)),
    "sayyida_zaynab": ("ocha-place-point", ("OCHA place point C2299",)),
    "sbeineh": ("ocha-place-point", ("OCHA place point C2301",)),
    "aqraba": ("ocha-place-point", ("OCHA place point C2292",)),
    "airport_road": ("inferred", ("inferred",)),
}

#: Relative layout from the geography notes: (place, direction, of place),
#: compared by the centroids of the polygons.
LAYOUT: list[tuple[str, str, str]] = [
    ("qadam", "west", "yarmouk"),
    ("qadam", "north", "asali"),
    ("asali", "west", "yarmouk"),
    ("tadamon", "east", "yarmouk"),
    ("hajar_aswad", "south", "yarmouk"),
    ("yalda", "east", "hajar_aswad"),
    ("babbila", "east", "yalda"),
    ("beit_sahm", "east", "babbila"),
    ("aqraba", "east", "beit_sahm"),
    ("sbeineh", "south", "hajar_aswad"),
    ("sbeineh", "west", "hajar_aswad"),
    ("sayyida_zaynab", "south", "babbila"),
    ("sayyida_zaynab", "south", "yalda"),
]

PROPERTY_KEYS = [
    "id",
    "name_en",
    "name_ar",
    "kind",
    "ref_lat",
    "ref_lon",
    "ref_source",
    "ref_confidence",
    "ref_basis",
    "boundary_approximate",
    "boundary_note",
]

MIN_INSET_M = 100.0
#: The road corridor is only 80-150 m wide, so its reference point can only
#: be required to sit on (near) the centre line.
MIN_INSET_ROAD_M = 40.0
MIN_SHARED_M = 100.0
MAX_OVERLAP_M2 = 1.0
DISTRICT_AREA_KM2 = (0.5, 3.0)
ROAD_AREA_KM2 = (0.2, 1.0)
ROAD_WIDTH_M = (80.0, 150.0)
MAX_VERTICES = 60
DECIMALS = 5

_TO_UTM = Transformer.from_crs("EPSG:4326", "EPSG:32637", always_xy=True)


def _project(lon: Any, lat: Any) -> tuple[Any, Any]:
    return _TO_UTM.transform(lon, lat)


def to_utm(geometry: Any) -> Any:
    """Project a WGS84 (lon, lat) shapely geometry to UTM 37N metres."""
    return shapely.transform(geometry, _project, interleaved=False)


def ref_point_utm(place_id: str) -> Point:
    _, lat, lon = PLACES[place_id]
    x, y = _TO_UTM.transform(lon, lat)
    return Point(x, y)


@pytest.fixture(scope="module")
def collection() -> dict[str, Any]:
    with GEOJSON_PATH.open(encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


@pytest.fixture(scope="module")
def features(collection: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["properties"]["id"]: f for f in collection["features"]}


@pytest.fixture(scope="module")
def polygons(features: dict[str, dict[str, Any]]) -> dict[str, Polygon]:
    """Rounded WGS84 polygons, exactly as shipped."""
    return {pid: shape(f["geometry"]) for pid, f in features.items()}


@pytest.fixture(scope="module")
def utm(polygons: dict[str, Polygon]) -> dict[str, Polygon]:
    return {pid: to_utm(poly) for pid, poly in polygons.items()}


# -- 1. structure ----------------------------------------------------------


def test_file_is_utf8_with_trailing_newline() -> None:
    raw = GEOJSON_PATH.read_bytes()
    text = raw.decode("utf-8")
    assert text.endswith("\n"), "file must end with a newline"
    assert "مخيم اليرموك" in text, "Arabic names must be written as UTF-8, unescaped"


def test_is_feature_collection_without_crs(collection: dict[str, Any]) -> None:
    assert collection["type"] == "FeatureCollection"
    assert "crs" not in collection, "RFC 7946 GeoJSON must not carry a crs member"
    ids = [f["properties"]["id"] for f in collection["features"]]
    assert ids == list(PLACES), f"features must be one per place in order, got {ids}"


@pytest.mark.parametrize("place_id", list(PLACES))
def test_geometry_is_single_ccw_ring(features: dict[str, dict[str, Any]], place_id: str) -> None:
    feature = features[place_id]
    assert feature["type"] == "Feature"
    geometry = feature["geometry"]
    assert geometry["type"] == "Polygon", f"{place_id}: geometry must be a Polygon"
    rings = geometry["coordinates"]
    assert len(rings) == 1, f"{place_id}: expected an exterior ring only, no holes"
    ring = rings[0]
    assert ring[0] == ring[-1], f"{place_id}: ring must be closed"
    assert all(len(xy) == 2 for xy in ring), f"{place_id}: positions must be 2D"
    assert len(ring) - 1 <= MAX_VERTICES, f"{place_id}: {len(ring) - 1} vertices"
    assert shapely.LinearRing(ring).is_ccw, f"{place_id}: exterior ring must be counter-clockwise"
    for lon, lat in ring:
        assert 36.2 < lon < 36.6, f"{place_id}: longitude {lon} (lon/lat order?)"
        assert 33.3 < lat < 33.6, f"{place_id}: latitude {lat} (lon/lat order?)"


# -- 2. properties ---------------------------------------------------------


@pytest.mark.parametrize("place_id", list(PLACES))
def test_properties(features: dict[str, dict[str, Any]], place_id: str) -> None:
    props = features[place_id]["properties"]
    kind, lat, lon = PLACES[place_id]
    assert list(props) == PROPERTY_KEYS, f"{place_id}: property keys/order"
    assert props["kind"] == kind, f"{place_id}: kind"
    assert props["ref_lat"] == lat, f"{place_id}: ref_lat {props['ref_lat']} != {lat}"
    assert props["ref_lon"] == lon, f"{place_id}: ref_lon {props['ref_lon']} != {lon}"
    assert props["boundary_approximate"] is True
    for key in ("name_en", "name_ar", "ref_source", "boundary_note"):
        assert isinstance(props[key], str), f"{place_id}: {key} must be a string"
        assert props[key].strip(), f"{place_id}: {key} is empty"
    assert props["ref_confidence"] in {"high", "medium", "low"}
    assert ("road corridor" in props["boundary_note"]) == (kind == "road"), (
        f"{place_id}: boundary_note does not match kind {kind}"
    )


@pytest.mark.parametrize("place_id", list(PLACES))
def test_reference_point_provenance(features: dict[str, dict[str, Any]], place_id: str) -> None:
    props = features[place_id]["properties"]
    basis, words = PROVENANCE[place_id]
    assert props["ref_basis"] == basis, place_id
    for word in words:
        assert word in props["ref_source"], f"{place_id}: {word!r} not in ref_source"
    if basis != "ocha-place-point":
        # only the seven OCHA place points may be called one
        assert not props["ref_source"].startswith("OCHA place point"), place_id


# -- 3. validity and reference points --------------------------------------


@pytest.mark.parametrize("place_id", list(PLACES))
def test_valid_and_contains_reference_point(
    polygons: dict[str, Polygon], utm: dict[str, Polygon], place_id: str
) -> None:
    assert shapely.is_valid(polygons[place_id]), (
        f"{place_id}: {shapely.is_valid_reason(polygons[place_id])}"
    )
    ref = ref_point_utm(place_id)
    poly = utm[place_id]
    assert poly.contains(ref), f"{place_id}: reference point outside its polygon"
    inset = poly.exterior.distance(ref)
    minimum = MIN_INSET_ROAD_M if PLACES[place_id][0] == "road" else MIN_INSET_M
    assert inset >= minimum, (
        f"{place_id}: reference point only {inset:.0f} m inside (need {minimum})"
    )


# -- 4. neighbours ---------------------------------------------------------


@pytest.mark.parametrize(("a", "b"), MUST_TOUCH, ids=[f"{a}-{b}" for a, b in MUST_TOUCH])
def test_must_touch_pairs_share_a_boundary(utm: dict[str, Polygon], a: str, b: str) -> None:
    shared = utm[a].boundary.intersection(utm[b].boundary).length
    assert shared >= MIN_SHARED_M, (
        f"{a} and {b} share only {shared:.0f} m of boundary (need {MIN_SHARED_M})"
    )


@pytest.mark.parametrize(("a", "b"), MUST_NOT_TOUCH, ids=[f"{a}-{b}" for a, b in MUST_NOT_TOUCH])
def test_must_not_touch_pairs_are_apart(utm: dict[str, Polygon], a: str, b: str) -> None:
    gap = utm[a].distance(utm[b])
    assert gap >= MIN_SHARED_M, f"{a} and {b} are only {gap:.0f} m apart"


def test_asali_lies_between_qadam_and_yarmouk(utm: dict[str, Polygon]) -> None:
    """The way from al-Qadam's point to Yarmouk's crosses al-Asali, and no other place."""
    way = shapely.LineString([ref_point_utm("qadam"), ref_point_utm("yarmouk")])
    crossed = {pid for pid, poly in utm.items() if poly.intersects(way)}
    assert crossed == {"qadam", "asali", "yarmouk"}, crossed


def test_qadam_is_drawn_north_of_its_point(utm: dict[str, Polygon]) -> None:
    """OCHA's admin5 "Al Qadam" lies about 0.6 km further north than an outline drawn
    around the point alone would: the outline's centre is well north of the point."""
    north = utm["qadam"].centroid.y - ref_point_utm("qadam").y
    assert 300.0 <= north <= 900.0, f"al-Qadam's centroid is {north:.0f} m north of its point"


@pytest.mark.parametrize(
    ("a", "direction", "b"), LAYOUT, ids=[f"{a}-{d}-of-{b}" for a, d, b in LAYOUT]
)
def test_layout_follows_geography_notes(
    utm: dict[str, Polygon], a: str, direction: str, b: str
) -> None:
    ca, cb = utm[a].centroid, utm[b].centroid
    offset = {
        "west": cb.x - ca.x,
        "east": ca.x - cb.x,
        "south": cb.y - ca.y,
        "north": ca.y - cb.y,
    }[direction]
    assert offset > 0, f"{a} should lie {direction} of {b}"


# -- 5. exact coverage ------------------------------------------------------


def test_no_overlaps(utm: dict[str, Polygon]) -> None:
    ids = list(utm)
    overlaps = [
        (a, b, area)
        for i, a in enumerate(ids)
        for b in ids[i + 1 :]
        if (area := utm[a].intersection(utm[b]).area) > MAX_OVERLAP_M2
    ]
    assert not overlaps, f"overlapping polygons (m²): {overlaps}"


def test_exact_coverage(polygons: dict[str, Polygon]) -> None:
    geoms = list(polygons.values())
    assert bool(shapely.coverage_is_valid(geoms)), (
        "polygons do not form a valid coverage (overlap or unmatched vertices); "
        f"offending edges: {shapely.coverage_invalid_edges(geoms)}"
    )


# -- 6. areas and shapes ---------------------------------------------------


@pytest.mark.parametrize("place_id", list(PLACES))
def test_area(utm: dict[str, Polygon], place_id: str) -> None:
    area_km2 = utm[place_id].area / 1e6
    low, high = ROAD_AREA_KM2 if PLACES[place_id][0] == "road" else DISTRICT_AREA_KM2
    assert low <= area_km2 <= high, f"{place_id}: area {area_km2:.2f} km² outside [{low}, {high}]"


def _rectangle_sides(poly: Polygon) -> tuple[float, float]:
    corners = list(shapely.minimum_rotated_rectangle(poly).exterior.coords)
    a, b = math.dist(corners[0], corners[1]), math.dist(corners[1], corners[2])
    return min(a, b), max(a, b)


@pytest.mark.parametrize("place_id", [p for p, v in PLACES.items() if v[0] != "road"])
def test_district_shape_is_plausible(utm: dict[str, Polygon], place_id: str) -> None:
    poly = utm[place_id]
    short, long = _rectangle_sides(poly)
    assert long / short <= 3.0, f"{place_id}: sliver (aspect {long / short:.1f})"
    compactness = 4 * math.pi * poly.area / poly.length**2
    assert 0.3 <= compactness <= 0.95, (
        f"{place_id}: compactness {compactness:.2f} (sliver or near-circle)"
    )


def test_road_is_a_narrow_corridor(utm: dict[str, Polygon]) -> None:
    short, long = _rectangle_sides(utm["airport_road"])
    low, high = ROAD_WIDTH_M
    assert low <= short <= high, f"airport_road corridor is {short:.0f} m wide"
    assert 1000.0 <= long <= 6000.0, f"airport_road corridor is {long:.0f} m long"


# -- 7. rounding -----------------------------------------------------------


@pytest.mark.parametrize("place_id", list(PLACES))
def test_coordinates_rounded(features: dict[str, dict[str, Any]], place_id: str) -> None:
    ring = features[place_id]["geometry"]["coordinates"][0]
    unrounded = [value for xy in ring for value in xy if round(value, DECIMALS) != value]
    assert not unrounded, f"{place_id}: not rounded to {DECIMALS} dp: {unrounded}"
