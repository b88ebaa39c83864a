"""Where each place's name goes on the map, and the map's light context layer.

A label sits at the place's pole of inaccessibility (the inside point farthest from its
edges, so it stays on the place's own colour), not at its reference point, where markers
sit. A long thin place (the airport road) is labelled along its axis: ``angle`` is the
rotation of its longest side, in degrees clockwise on screen. The renderer places the
labels, drops those that would overlap a larger place's label (trying a short name
first) and never lets a label catch a click.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from shapely.geometry import shape
from shapely.ops import polylabel

from mapapp.core.fronts import local_crs, metric_shapes
from mapapp.core.geometry import transform_one
from mapapp.core.model import Dataset, Place

#: a place at least this many times longer than wide is labelled along its axis
ELONGATED = 3.0
#: words dropped from a name to make its short form (articles and kinds of place)
_SHORT_DROP = {"camp", "neighbourhood", "road", "town", "district", "مخيم", "حي", "طريق"}


@dataclass(frozen=True)
class Label:
    place_id: str
    lon: float
    lat: float
    #: degrees clockwise on screen; 0 for horizontal
    angle: float
    name: dict[str, str]
    short: dict[str, str]
    #: the place's area in km²: larger places keep their label when two collide
    area_km2: float


def short_name(name: str) -> str:
    """A shorter form of a name for tight spots: kind words dropped (``Yarmouk Camp`` ->
    ``Yarmouk``), else the name itself."""
    name = re.sub(r"\s*\([^)]*\)", "", name).strip() or name
    words = name.split()
    kept = [w for w in words if w.lower() not in _SHORT_DROP]
    return " ".join(kept) if kept and len(kept) < len(words) else name


def _axis_angle(metric: Any) -> float:
    """The screen angle of a shape's long axis, if it is elongated; else 0."""
    rect = metric.minimum_rotated_rectangle
    coords = list(rect.exterior.coords)
    if len(coords) < 4:
        return 0.0
    sides = [(coords[i], coords[i + 1]) for i in range(2)]
    lengths = [math.dist(a, b) for a, b in sides]
    if min(lengths) <= 0 or max(lengths) / min(lengths) < ELONGATED:
        return 0.0
    (x0, y0), (x1, y1) = sides[lengths.index(max(lengths))]
    # y grows north in metres but south on screen: negate; then keep text upright
    angle = -math.degrees(math.atan2(y1 - y0, x1 - x0))
    while angle > 90:
        angle -= 180
    while angle <= -90:
        angle += 180
    return round(angle, 1)


def _label(place: Place, metric: Any, crs: str) -> Label:
    anchor = polylabel(metric, tolerance=5.0) if metric.geom_type == "Polygon" else None
    if anchor is None:  # a multipolygon: its largest part's pole
        largest = max(getattr(metric, "geoms", [metric]), key=lambda g: g.area)
        anchor = polylabel(largest, tolerance=5.0)
    point = transform_one(anchor, crs, "EPSG:4326")
    return Label(
        place_id=place.id,
        lon=round(point.x, 6),
        lat=round(point.y, 6),
        angle=_axis_angle(metric),
        name={"en": place.name_en, "ar": place.name_ar},
        short={"en": short_name(place.name_en), "ar": short_name(place.name_ar)},
        area_km2=round(metric.area / 1e6, 4),
    )


def place_labels(ds: Dataset) -> list[Label]:
    """Every place's label, in the places file's order."""
    crs = local_crs(ds)
    shapes = metric_shapes(ds)
    return [_label(ds.places[pid], shapes[pid], crs) for pid in ds.places]


def label_record(label: Label) -> dict[str, Any]:
    return {
        "id": label.place_id,
        "lon": label.lon,
        "lat": label.lat,
        "angle": label.angle,
        "name": label.name,
        "short": label.short,
        "area": label.area_km2,
    }


@lru_cache(maxsize=1)
def context_layer() -> dict[str, Any]:
    """The light context layer (a GeoJSON FeatureCollection shipped with the package): a few
    approximate outlines of Damascus for orientation, each feature with ``name`` {en, ar};
    the collection's ``credit`` {en, ar} says how approximate they are."""
    text = resources.files("mapapp").joinpath("web", "context.geojson").read_text("utf-8")
    doc: dict[str, Any] = json.loads(text)
    for feature in doc["features"]:
        shape(feature["geometry"])  # fail loudly on a broken shipped file
    return doc
