"""Draw the approximate boundary polygons of southern Damascus places.

Running ``python scripts/draw_boundaries.py`` deterministically regenerates
``data/neighbourhoods.geojson``: one GeoJSON Polygon feature per place, in the
order of :data:`PLACES`.

None of these boundaries is surveyed.  They are hand-drawn approximations
built around each place's reference point so that the neighbours listed in
the project brief share a boundary, the relative layout follows the brief's
geography notes, and the polygons form an exact coverage (no overlaps, and
neighbours share identical vertices along every common edge).

How the polygons are built
--------------------------
* All geometry is drafted in metres in a local frame: easting/northing
  offsets from the Yarmouk Camp reference point projected to UTM zone 37N
  (EPSG:32637).
* :data:`NODES` is a single set of named boundary nodes.  Every district
  polygon is a ring of node names (:data:`RINGS`), so two neighbours that
  share an edge reference exactly the same nodes and therefore end up with
  bit-identical coordinates after projection and rounding.
* The airport road is not a district: it is a straight corridor
  (:data:`ROAD_HALF_WIDTH_M` either side of an axis through its reference
  point, pointing at Damascus International Airport).  Its nodes are computed
  and added to the node set, and Beit Sahm and Aqraba use its southern edge
  as their northern boundary.
* Space not covered by any polygon stands for districts that are not
  modelled (al-Zahira, al-Midan, al-Zain, al-Hajira, ...).
* Each place records where its reference point comes from (``ref_source``,
  in words, and ``ref_basis``, one of a few kinds the map's attribution is
  built from): seven OCHA place points, the centroid of one OCHA admin5
  polygon (al-Qadam), three encyclopedia values (Yarmouk -- not OCHA's
  C1002, which lies about 600 m east --, al-Tadamon, al-Asali) and one
  inferred point (the airport road).
* al-Qadam is drawn north-west of al-Asali, where OCHA's admin5 layer puts
  its built-up area, so that al-Asali lies between it and Yarmouk.

Nodes are projected back to WGS84 and rounded to 5 decimal places (about a
metre); rings are written counter-clockwise as RFC 7946 requires.  Before the
file is written the result is re-checked (validity, coverage, containment of
the reference points) and the script fails loudly if a check does not hold.

This module is a stand-alone script and must not be imported by the app.
"""

from __future__ import annotations

import json
import math
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import shapely
from pyproj import Transformer
from shapely.geometry import Point, Polygon

# --------------------------------------------------------------------------
# Place table (reference points are WGS84 latitude / longitude)
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """One modelled place and the provenance of its reference point."""

    id: str
    name_en: str
    name_ar: str
    kind: str
    ref_lat: float
    ref_lon: float
    ref_source: str
    ref_confidence: str
    #: the kind of provenance, for the map's attribution (see data/datapackage.json)
    ref_basis: str
    #: said of this place's outline in addition to the general note
    boundary_extra: str = ""


#: where the OCHA positions were read: a public mirror, used as a reference for positions
#: only (no licence is stated, so none of its data is shipped)
OCHA_MIRROR: Final = "as mirrored in alahwa/Syria-GeoJson-Maps"


def _ocha_point(pcode: str) -> str:
    return f"OCHA place point {pcode} (layer syr_admin4_point, {OCHA_MIRROR})"


PLACES: Final[tuple[Place, ...]] = (
    Place("yarmouk", "Yarmouk Camp", "مخيم اليرموك", "camp",
          33.47417, 36.30306,
          "encyclopedia infobox value; not an OCHA point: OCHA's own 'Yarmuk' place point "
          f"C1002 (33.47382, 36.30952; {OCHA_MIRROR}) lies about 600 m further east",
          "high", "encyclopedia"),
    Place("tadamon", "al-Tadamon", "حي التضامن", "neighbourhood",
          33.47778, 36.30944, "encyclopedia infobox value", "medium", "encyclopedia"),
    Place("hajar_aswad", "al-Hajar al-Aswad", "الحجر الأسود", "town",
          33.46060, 36.30400, _ocha_point("C2502"), "high", "ocha-place-point"),
    Place("yalda", "Yalda", "يلدا", "town",
          33.46269, 36.32492, _ocha_point("C2302"), "high", "ocha-place-point"),
    Place("babbila", "Babbila", "ببيلا", "town",
          33.46924, 36.33047, _ocha_point("C2300"), "high", "ocha-place-point"),
    Place("beit_sahm", "Beit Sahm", "بيت سحم", "town",
          33.47125, 36.33834, _ocha_point("C2295"), "medium", "ocha-place-point"),
    Place("qadam", "al-Qadam", "القدم", "neighbourhood",
          33.47748, 36.28538,
          "centroid of OCHA's admin5 polygon 'Al Qadam' (C10011068, layer syr_admin5, "
          f"{OCHA_MIRROR})",
          "medium", "ocha-polygon-centroid",
          "Drawn north-west of al-Asali, as OCHA's admin5 layer places al-Qadam's built-up "
          "area (about 0.6 km further north than an outline drawn around the point alone): "
          "al-Asali lies between it and Yarmouk, and the two do not touch."),
    Place("asali", "al-Asali", "العسالي", "neighbourhood",
          33.46833, 36.28972, "encyclopedia infobox value", "medium", "encyclopedia",
          "al-Asali, al-Qadam's 'eastern gate', runs along Yarmouk's whole western edge, "
          "between al-Qadam and Yarmouk / al-Hajar al-Aswad."),
    Place("sayyida_zaynab", "Sayyida Zaynab", "السيدة زينب", "town",
          33.44631, 36.33807, _ocha_point("C2299"), "high", "ocha-place-point"),
    Place("sbeineh", "al-Sbeineh (al-Sabinah)", "السبينة", "town",
          33.43845, 36.28590, _ocha_point("C2301"), "medium", "ocha-place-point"),
    Place("aqraba", "Aqraba", "عقربا", "town",
          33.47125, 36.35192, _ocha_point("C2292"), "medium", "ocha-place-point"),
    Place("airport_road", "Airport road", "طريق المطار", "road",
          33.47800, 36.35000,
          "inferred: a point on the airport road between Jaramana and Aqraba, placed by "
          "hand; no published coordinate",
          "low", "inferred"),
)  # fmt: skip

DISTRICT_NOTE: Final = (
    "Hand-drawn approximation, not a surveyed boundary; drawn around the "
    "reference point to respect the neighbours listed in the project brief."
)
ROAD_NOTE: Final = (
    "A road corridor, not a district: a ~100 m buffer along the airport road "
    "beside Beit Sahm and Aqraba."
)

# --------------------------------------------------------------------------
# Drafting frame and the airport road corridor
# --------------------------------------------------------------------------

UTM_37N: Final = "EPSG:32637"
WGS84: Final = "EPSG:4326"
DECIMALS: Final = 5

#: Origin of the local drafting frame: the Yarmouk Camp reference point.
ORIGIN_LAT: Final = 33.47417
ORIGIN_LON: Final = 36.30306

#: Damascus International Airport (lat, lon): the road axis points at it.
AIRPORT_LAT: Final = 33.41152
AIRPORT_LON: Final = 36.51556

#: Half the corridor width, so the corridor is 100 m wide.
ROAD_HALF_WIDTH_M: Final = 50.0
#: Signed distances along the axis from the road reference point (metres,
#: positive towards the airport): west end beside Beit Sahm, the Beit Sahm /
#: Aqraba junction, east end beside Aqraba.
ROAD_STATIONS_M: Final[dict[str, float]] = {
    "west": -1800.0,
    "bs_aq": -350.0,
    "east": 1100.0,
}

# --------------------------------------------------------------------------
# Hand-drawn boundary nodes, metres east / north of the drafting origin.
# Names hint at the places meeting there (Y yarmouk, T tadamon, HA hajar
# aswad, YL yalda, B babbila, BS beit sahm, Q qadam, A asali, SZ sayyida
# zaynab, SB sbeineh, AQ aqraba, X unmodelled surroundings).
# --------------------------------------------------------------------------

NODES: Final[dict[str, tuple[float, float]]] = {
    # Yarmouk: north edge, Palestine Street (boundary with Tadamon) ...
    "Y_A_X": (-650.0, 1100.0),
    "Y_X_1": (-150.0, 1130.0),
    "Y_T_X": (330.0, 1150.0),
    "Y_T_1": (300.0, 500.0),
    "Y_T_2": (330.0, -100.0),
    "Y_T_3": (600.0, -380.0),
    "Y_T_YL": (900.0, -650.0),
    "Y_HA_YL": (750.0, -950.0),
    "Y_HA_1": (50.0, -880.0),
    "Y_HA_A": (-650.0, -850.0),
    "Y_A_2": (-650.0, -50.0),
    "Y_A_1": (-560.0, 480.0),
    # Tadamon: north-east edge towards its southern tip.
    "T_X_1": (750.0, 1260.0),
    "T_X_2": (1150.0, 1000.0),
    "T_X_3": (1550.0, 520.0),
    "T_B_X": (2050.0, 200.0),
    "T_B_1": (2100.0, -250.0),
    "T_B_YL": (1700.0, -750.0),
    "T_YL_1": (1300.0, -650.0),
    # Hajar al-Aswad / Yalda, with al-Zain (unmodelled) wedged in between.
    "HA_YL_X": (850.0, -1400.0),
    "HA_X_1": (750.0, -1950.0),
    "HA_X_2": (250.0, -2150.0),
    "HA_SB_X": (-600.0, -2200.0),
    "HA_SB_1": (-900.0, -2150.0),
    "HA_SB_X2": (-1150.0, -2080.0),
    "HA_X_3": (-1650.0, -1650.0),
    "HA_A_X": (-1500.0, -1250.0),
    "HA_A_1": (-1000.0, -1300.0),
    "HA_A_2": (-700.0, -1050.0),
    # Yalda.
    "YL_B_1": (2200.0, -1000.0),
    "YL_B_2": (2400.0, -1500.0),
    "YL_B_SZ": (2500.0, -2250.0),
    "YL_SZ_X": (2250.0, -2280.0),
    "YL_X_1": (1700.0, -2200.0),
    "YL_X_2": (1200.0, -2000.0),
    # Babbila.
    "B_SZ_X": (2950.0, -2300.0),
    "B_X_1": (2950.0, -1700.0),
    "B_BS_X": (2900.0, -1200.0),
    "B_BS_1": (2950.0, -450.0),
    "B_BS_X2": (2850.0, 250.0),
    "B_X_2": (2450.0, 300.0),
    # Beit Sahm / Aqraba (the road nodes R_* are added by road_nodes()).
    "BS_X_1": (2800.0, 700.0),
    "BS_AQ_1": (3950.0, -400.0),
    "BS_AQ_X": (3900.0, -1200.0),
    "BS_X_2": (3400.0, -1300.0),
    "AQ_X_1": (5350.0, -800.0),
    "AQ_X_2": (5000.0, -1350.0),
    "AQ_X_3": (4400.0, -1400.0),
    # Qadam and al-Asali.  al-Asali runs along Yarmouk's whole western edge, so
    # al-Qadam, drawn north-west of it (OCHA's admin5 "Al Qadam" lies about
    # 0.6 km further north than an outline around the point alone), never
    # touches Yarmouk; the strip south-west of al-Asali is unmodelled.
    "Q_A_S": (-1800.0, -650.0),
    "Q_A_1": (-1450.0, 150.0),
    "Q_A_2": (-1150.0, 700.0),
    "Q_A_N": (-950.0, 1250.0),
    "Q_X_1": (-1300.0, 1850.0),
    "Q_X_2": (-1950.0, 1900.0),
    "Q_X_3": (-2400.0, 1350.0),
    "Q_X_4": (-2450.0, 500.0),
    "Q_X_5": (-2250.0, -300.0),
    # Sayyida Zaynab.
    "SZ_X_1": (2300.0, -3000.0),
    "SZ_X_2": (2500.0, -3800.0),
    "SZ_X_3": (3250.0, -3950.0),
    "SZ_X_4": (3900.0, -3650.0),
    "SZ_X_5": (3950.0, -2900.0),
    "SZ_X_6": (3650.0, -2350.0),
    # al-Sbeineh.
    "SB_X_1": (-750.0, -2900.0),
    "SB_X_2": (-1000.0, -3600.0),
    "SB_X_3": (-1150.0, -4300.0),
    "SB_X_4": (-1700.0, -4600.0),
    "SB_X_5": (-2200.0, -4300.0),
    "SB_X_6": (-2350.0, -3650.0),
    "SB_X_7": (-1950.0, -2950.0),
    "SB_X_8": (-1600.0, -2450.0),
}

#: Each place's boundary as a ring of node names (either orientation; the
#: ring is oriented counter-clockwise on output).
RINGS: Final[dict[str, tuple[str, ...]]] = {
    "yarmouk": (
        "Y_A_X", "Y_A_1", "Y_A_2", "Y_HA_A", "Y_HA_1", "Y_HA_YL", "Y_T_YL",
        "Y_T_3", "Y_T_2", "Y_T_1", "Y_T_X", "Y_X_1",
    ),
    "tadamon": (
        "Y_T_X", "Y_T_1", "Y_T_2", "Y_T_3", "Y_T_YL", "T_YL_1", "T_B_YL",
        "T_B_1", "T_B_X", "T_X_3", "T_X_2", "T_X_1",
    ),
    "hajar_aswad": (
        "Y_HA_A", "HA_A_2", "HA_A_1", "HA_A_X", "HA_X_3", "HA_SB_X2",
        "HA_SB_1", "HA_SB_X", "HA_X_2", "HA_X_1", "HA_YL_X", "Y_HA_YL",
        "Y_HA_1",
    ),
    "yalda": (
        "Y_HA_YL", "HA_YL_X", "YL_X_2", "YL_X_1", "YL_SZ_X", "YL_B_SZ",
        "YL_B_2", "YL_B_1", "T_B_YL", "T_YL_1", "Y_T_YL",
    ),
    "babbila": (
        "T_B_YL", "YL_B_1", "YL_B_2", "YL_B_SZ", "B_SZ_X", "B_X_1", "B_BS_X",
        "B_BS_1", "B_BS_X2", "B_X_2", "T_B_X", "T_B_1",
    ),
    "beit_sahm": (
        "R_S_west", "BS_X_1", "B_BS_X2", "B_BS_1", "B_BS_X", "BS_X_2",
        "BS_AQ_X", "BS_AQ_1", "R_S_bs_aq",
    ),
    "qadam": (
        "Q_A_S", "Q_A_1", "Q_A_2", "Q_A_N", "Q_X_1", "Q_X_2", "Q_X_3", "Q_X_4",
        "Q_X_5",
    ),
    "asali": (
        "Y_A_X", "Y_A_1", "Y_A_2", "Y_HA_A", "HA_A_2", "HA_A_1", "HA_A_X",
        "Q_A_S", "Q_A_1", "Q_A_2", "Q_A_N",
    ),
    "sayyida_zaynab": (
        "YL_SZ_X", "SZ_X_1", "SZ_X_2", "SZ_X_3", "SZ_X_4", "SZ_X_5",
        "SZ_X_6", "B_SZ_X", "YL_B_SZ",
    ),
    "sbeineh": (
        "HA_SB_X2", "SB_X_8", "SB_X_7", "SB_X_6", "SB_X_5", "SB_X_4",
        "SB_X_3", "SB_X_2", "SB_X_1", "HA_SB_X", "HA_SB_1",
    ),
    "aqraba": (
        "R_S_bs_aq", "BS_AQ_1", "BS_AQ_X", "AQ_X_3", "AQ_X_2", "AQ_X_1",
        "R_S_east",
    ),
    "airport_road": (
        "R_S_west", "R_S_bs_aq", "R_S_east", "R_N_east", "R_N_west",
    ),
}  # fmt: skip

#: Minimum distance of a reference point from its polygon's edge (metres).
#: The road corridor is only 100 m wide, so its point sits on the centre line.
MIN_INSET_M: Final = 100.0
MIN_INSET_ROAD_M: Final = 0.9 * ROAD_HALF_WIDTH_M

OUTPUT_PATH: Final = Path(__file__).resolve().parents[1] / "data" / "neighbourhoods.geojson"

LonLat = tuple[float, float]

_TO_UTM: Final = Transformer.from_crs(WGS84, UTM_37N, always_xy=True)
_TO_WGS84: Final = Transformer.from_crs(UTM_37N, WGS84, always_xy=True)


_ORIGIN_UTM: Final[tuple[float, float]] = _TO_UTM.transform(ORIGIN_LON, ORIGIN_LAT)


def to_local(lat: float, lon: float) -> tuple[float, float]:
    """Project a WGS84 point to the local drafting frame (metres)."""
    x, y = _TO_UTM.transform(lon, lat)
    return (x - _ORIGIN_UTM[0], y - _ORIGIN_UTM[1])


def to_lonlat(x: float, y: float) -> LonLat:
    """Convert a local-frame point (metres) to rounded WGS84 (lon, lat)."""
    lon, lat = _TO_WGS84.transform(x + _ORIGIN_UTM[0], y + _ORIGIN_UTM[1])
    return (round(lon, DECIMALS), round(lat, DECIMALS))


def road_nodes() -> dict[str, tuple[float, float]]:
    """Corner and junction nodes of the airport road corridor (metres).

    The axis runs through the road's reference point towards the airport.
    ``R_S_*`` nodes lie on the southern edge (shared with Beit Sahm and
    Aqraba), ``R_N_*`` nodes on the northern edge.
    """
    road = next(p for p in PLACES if p.kind == "road")
    ax, ay = to_local(road.ref_lat, road.ref_lon)
    bx, by = to_local(AIRPORT_LAT, AIRPORT_LON)
    length = math.hypot(bx - ax, by - ay)
    dx, dy = (bx - ax) / length, (by - ay) / length
    nx, ny = -dy, dx  # left-hand normal: points north-east of the axis
    nodes: dict[str, tuple[float, float]] = {}
    for name, station in ROAD_STATIONS_M.items():
        cx, cy = ax + station * dx, ay + station * dy
        h = ROAD_HALF_WIDTH_M
        nodes[f"R_S_{name}"] = (cx - h * nx, cy - h * ny)
        nodes[f"R_N_{name}"] = (cx + h * nx, cy + h * ny)
    return nodes


def ring_lonlat(names: tuple[str, ...], nodes: dict[str, LonLat]) -> list[LonLat]:
    """Closed, counter-clockwise WGS84 ring for a tuple of node names."""
    coords = [nodes[name] for name in names]
    signed_area2 = sum(
        x0 * y1 - x1 * y0
        for (x0, y0), (x1, y1) in zip(coords, coords[1:] + coords[:1], strict=True)
    )
    if signed_area2 < 0:
        coords.reverse()
    return [*coords, coords[0]]


def build_rings() -> dict[str, list[LonLat]]:
    """Every place's closed, counter-clockwise, rounded WGS84 ring."""
    local = {**NODES, **road_nodes()}
    lonlat = {name: to_lonlat(x, y) for name, (x, y) in local.items()}
    return {place.id: ring_lonlat(RINGS[place.id], lonlat) for place in PLACES}


def self_check(rings: dict[str, list[LonLat]]) -> None:
    """Raise ``ValueError`` unless the rounded polygons are a sane coverage."""
    polygons = [Polygon(rings[p.id]) for p in PLACES]
    problems: list[str] = []
    for place, polygon in zip(PLACES, polygons, strict=True):
        if not shapely.is_valid(polygon):
            problems.append(f"{place.id}: invalid ({shapely.is_valid_reason(polygon)})")
        utm = shapely.transform(polygon, _project_utm, interleaved=False)
        ref = shapely.transform(
            Point(place.ref_lon, place.ref_lat), _project_utm, interleaved=False
        )
        inset = MIN_INSET_ROAD_M if place.kind == "road" else MIN_INSET_M
        if not utm.contains(ref) or float(utm.exterior.distance(ref)) < inset:
            problems.append(f"{place.id}: reference point not {inset} m inside")
    if not bool(shapely.coverage_is_valid(polygons)):
        problems.append("polygons are not an exact coverage")
    if problems:
        raise ValueError("; ".join(problems))


def _project_utm(lon: Any, lat: Any) -> tuple[Any, Any]:
    """Vectorised WGS84 -> UTM 37N projection for ``shapely.transform``."""
    return _TO_UTM.transform(lon, lat)


def _note(place: Place) -> str:
    """The general note for a district or the road, and what is said of this place."""
    note = ROAD_NOTE if place.kind == "road" else DISTRICT_NOTE
    return f"{note} {place.boundary_extra}" if place.boundary_extra else note


def feature_collection(rings: dict[str, list[LonLat]]) -> dict[str, Any]:
    """The GeoJSON FeatureCollection (RFC 7946: no ``crs`` member)."""
    features = [
        {
            "type": "Feature",
            "properties": {
                "id": place.id,
                "name_en": place.name_en,
                "name_ar": place.name_ar,
                "kind": place.kind,
                "ref_lat": place.ref_lat,
                "ref_lon": place.ref_lon,
                "ref_source": place.ref_source,
                "ref_confidence": place.ref_confidence,
                "ref_basis": place.ref_basis,
                "boundary_approximate": True,
                "boundary_note": _note(place),
            },
            "geometry": {
                "type": "Polygon",
                "coordinates": [[list(xy) for xy in rings[place.id]]],
            },
        }
        for place in PLACES
    ]
    return {"type": "FeatureCollection", "features": features}


def to_json(collection: dict[str, Any]) -> str:
    """Readable JSON with every coordinate pair kept on one line."""
    text = json.dumps(collection, ensure_ascii=False, indent=2)
    pair = re.compile(r"\[\s*(-?\d+(?:\.\d+)?),\s*(-?\d+(?:\.\d+)?)\s*\]")
    return pair.sub(r"[\1, \2]", text) + "\n"


def main() -> int:
    """Regenerate ``data/neighbourhoods.geojson``."""
    rings = build_rings()
    self_check(rings)
    OUTPUT_PATH.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT_PATH.write_text(to_json(feature_collection(rings)), encoding="utf-8")
    print(f"wrote {len(rings)} polygons to {OUTPUT_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
