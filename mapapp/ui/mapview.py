"""The folium map: a static base (tiles, view, assets) and a per-day layer group.

The base map is built once per language and tile setting; only the :func:`state_group`
changes with the date, so the page can repaint without remounting the map (keeping the
reader's zoom and pan). Popups and tooltips use ``GeoJsonPopup`` / ``GeoJsonTooltip``
over pre-escaped HTML in the features' properties -- never ``folium.Popup``, whose text
is pasted into a JavaScript template literal -- and no element needs jQuery.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import folium
import shapely

from mapapp.core import fronts
from mapapp.core.model import Dataset
from mapapp.core.timeline import PlaceState
from mapapp.draw import popups
from mapapp.draw.escape import esc
from mapapp.draw.i18n import Lang, t
from mapapp.draw.labels import place_labels
from mapapp.draw.layers import FeatureCollection, StateLayers
from mapapp.draw.shapes import geometry_bounds, place_geometry
from mapapp.draw.style import Palette, front_styles, side_name

OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = (
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
)
CDN_LEAFLET = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist"
STATIC_DIR = Path(__file__).resolve().parents[1] / "static"
#: where Streamlit serves mapapp/static/ (with server.enableStaticServing)
STATIC_URL = "/app/static"


@dataclass(frozen=True)
class Tiles:
    """The basemap: a URL template and its attribution, or none at all."""

    url: str | None
    attribution: str

    @classmethod
    def from_env(cls, value: str | None = None) -> Tiles:
        """``MAPAPP_TILES``: unset for OpenStreetMap, ``none`` for no tiles, or a URL template
        (attribution from ``MAPAPP_TILES_ATTRIBUTION``)."""
        raw = (os.environ.get("MAPAPP_TILES", "") if value is None else value).strip()
        if not raw:
            return cls(OSM_TILES, OSM_ATTRIBUTION)
        if raw.lower() == "none":
            return cls(None, "")
        return cls(raw, os.environ.get("MAPAPP_TILES_ATTRIBUTION", "Map tiles"))


def install_leaflet(static_dir: Path = STATIC_DIR) -> bool:
    """Copy Leaflet from the xstatic-leaflet package into ``static_dir/leaflet``.

    Returns False when the package is missing (then the CDN is used).
    """
    try:
        from xstatic.pkg import leaflet  # type: ignore[import-untyped]
    except ImportError:
        return False
    source = Path(leaflet.BASE_DIR)
    target = static_dir / "leaflet"
    if not (target / "leaflet.js").is_file():
        target.mkdir(parents=True, exist_ok=True)
        for name in ("leaflet.js", "leaflet.css"):
            shutil.copyfile(source / name, target / name)
        shutil.copytree(source / "images", target / "images", dirs_exist_ok=True)
    return True


def leaflet_urls(local: bool, base: str = STATIC_URL) -> tuple[str, str]:
    """(JS, CSS) addresses of Leaflet: served by us when ``local``, else from the CDN."""
    root = f"{base}/leaflet" if local else CDN_LEAFLET
    return f"{root}/leaflet.js", f"{root}/leaflet.css"


def base_map(ds: Dataset, tiles: Tiles, assets: tuple[str, str]) -> folium.Map:
    """The map without any data layer: view, basemap and the only script it needs."""
    m = folium.Map(
        location=[33.465, 36.315],
        zoom_start=14,
        tiles=None,
        control_scale=True,
        attribution_control=True,
        zoom_snap=0.25,
        zoom_delta=0.5,
    )
    js, css = assets
    m.default_js = [("leaflet", js)]
    m.default_css = [("leaflet_css", css)]
    if tiles.url:
        folium.TileLayer(
            tiles=tiles.url, attr=tiles.attribution, name="basemap", max_zoom=19
        ).add_to(m)
    bounds = _bounds(ds)
    if bounds:
        m.fit_bounds(bounds, padding=(10, 10))
    return m


def _bounds(ds: Dataset) -> list[list[float]] | None:
    return geometry_bounds(place_geometry(p) for p in ds.places.values())


def _geojson(data: FeatureCollection, name: str, details: bool) -> folium.GeoJson:
    popup = tooltip = None
    if details:
        popup = folium.GeoJsonPopup(fields=["popup"], labels=False, max_width=440)
        tooltip = folium.GeoJsonTooltip(fields=["tooltip"], labels=False, sticky=True)
    return folium.GeoJson(
        data,
        name=name,
        popup=popup,
        tooltip=tooltip,
        marker=folium.CircleMarker() if name == "markers" else None,
        control=False,
        # style comes from each feature's properties.style (see mapapp.draw.layers)
    )


def state_group(layers: StateLayers) -> folium.FeatureGroup:
    """The date-dependent part of the map, as one group the page can swap in place."""
    group = folium.FeatureGroup(name="state", control=False)
    _geojson(layers.places, "places", details=True).add_to(group)
    if layers.patterns["features"]:
        _geojson(layers.patterns, "patterns", details=False).add_to(group)
    _geojson(layers.outlines, "outlines", details=False).add_to(group)
    if layers.markers["features"]:
        _geojson(layers.markers, "markers", details=True).add_to(group)
    return group


def names_group(ds: Dataset, lang: Lang = "en") -> folium.FeatureGroup:
    """The places' names (a layer the map's layer control can hide): at each place's
    label anchor, along the axis of a long thin place, never catching a click."""
    group = folium.FeatureGroup(name=t("names", lang), control=True, show=True)
    for label in place_labels(ds):
        style = (
            "position:absolute;white-space:nowrap;"
            f"transform:translate(-50%,-50%) rotate({label.angle}deg);"
            "font:600 12px/1.1 system-ui,sans-serif;color:#111;pointer-events:none;"
            "text-shadow:0 0 2px #fff,0 0 3px #fff,0 0 4px #fff"
        )
        direction = "rtl" if lang == "ar" else "ltr"
        folium.Marker(
            [label.lat, label.lon],
            icon=folium.DivIcon(
                html=f'<span dir="{direction}" style="{style}">{esc(label.name[lang])}</span>',
                class_name="mapapp-label",
                icon_size=(0, 0),
            ),
            interactive=False,
            keyboard=False,
        ).add_to(group)
    return group


def fronts_group(
    ds: Dataset, states: dict[str, PlaceState], palette: Palette, lang: Lang = "en"
) -> folium.FeatureGroup:
    """The day's front lines (see :mod:`mapapp.core.fronts`), each with a tooltip."""
    group = folium.FeatureGroup(name=t("fronts", lang), control=True, show=True)
    for front in fronts.fronts_on(ds, states):
        sides = (
            side_name(ds, front.side_a.key, "bloc", lang),
            side_name(ds, front.side_b.key, "bloc", lang),
        )
        tip = popups.front_tooltip(ds, front, sides, lang)
        lines = shapely.get_parts(front.geometry)
        for n, style in enumerate(front_styles(ds, front, "bloc", palette)):
            for line in lines:
                folium.PolyLine(  # type: ignore[no-untyped-call]
                    [(y, x) for x, y in line.coords],
                    tooltip=folium.Tooltip(tip, sticky=True) if n == 0 else None,
                    interactive=n == 0,
                    **{_SNAKE.get(k, k): v for k, v in style.items()},
                ).add_to(group)
    return group


#: Leaflet path options under the names folium's Python keywords use
_SNAKE = {"dashArray": "dash_array", "dashOffset": "dash_offset", "lineCap": "line_cap"}


def full_map(
    ds: Dataset,
    layers: StateLayers,
    tiles: Tiles,
    assets: tuple[str, str],
    states: dict[str, PlaceState] | None = None,
    lang: Lang = "en",
    palette: Palette = "conventional",
) -> folium.Map:
    """A standalone map with the day's layers in it (for notebooks, tests and static
    HTML): with ``states``, also the day's front lines; the names always; a control to
    hide either."""
    m = base_map(ds, tiles, assets)
    state_group(layers).add_to(m)
    if states is not None:
        fronts_group(ds, states, palette, lang).add_to(m)
    names_group(ds, lang).add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    return m
