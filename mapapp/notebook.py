"""The map for Python users (Jupyter, QGIS): a ``folium.Map`` of a day, a GeoDataFrame of
the places joined with a day's state, and GeoPackage files of them.

The only module that imports folium and geopandas (a test keeps it so), and only inside
its functions: ``import mapapp`` and every ``mapapp`` command that does not ask for these
never pay for them. The map is built from the same layers as the page and the static
export (:func:`mapapp.draw.layers.state_layers`): the same styles, stripes, outlines,
markers, popups and legend.

    >>> import mapapp
    >>> m = mapapp.folium_map("2015-09-15")            # a folium.Map; show it in a notebook
    >>> gdf = mapapp.geodataframe("2015-09-15")        # places x state, EPSG:4326
"""

from __future__ import annotations

import itertools
import tempfile
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mapapp.core import fronts
from mapapp.core.dates import parse_iso_day
from mapapp.core.model import Dataset
from mapapp.core.schema import DEFAULT_DATA_DIR
from mapapp.core.timeline import PlaceState, Rule, Timeline
from mapapp.core.validate import load_dataset
from mapapp.draw import formats, popups
from mapapp.draw.escape import esc
from mapapp.draw.i18n import Lang, t
from mapapp.draw.labels import place_labels
from mapapp.draw.layers import FeatureCollection, StateLayers, state_layers
from mapapp.draw.shapes import geometry_bounds, place_geometry
from mapapp.draw.style import Palette, front_styles, legend_items, side_name
from mapapp.web.assets import Tiles, leaflet_urls

if TYPE_CHECKING:
    import folium
    import geopandas as gpd

#: the coordinate system of the data (and so of every frame and file made here)
CRS = "EPSG:4326"
#: the GeoPackage's layer name
GPKG_LAYER = "control"
Data = Dataset | str | Path | None
Day = date | str


class DataError(ValueError):
    """The data folder has problems; the message is the validator's report."""


def dataset(data: Data = None) -> Dataset:
    """``data`` as a dataset: a loaded one as it is, else the folder (default: the shipped
    ``data/``) read and validated. Raises :class:`DataError` with the report on problems."""
    if isinstance(data, Dataset):
        return data
    folder = Path(data) if data is not None else DEFAULT_DATA_DIR
    result = load_dataset(folder)
    if result.dataset is None:
        raise DataError(f"{folder} has problems:\n{result.report.to_text()}")
    return result.dataset


def _day(day: Day) -> date:
    return parse_iso_day(day) if isinstance(day, str) else day


def _geojson(data: FeatureCollection, name: str, details: bool) -> folium.GeoJson:
    import folium

    popup = tooltip = None
    if details:
        popup = folium.GeoJsonPopup(fields=["popup"], labels=False, max_width=440)
        tooltip = folium.GeoJsonTooltip(fields=["tooltip"], labels=False, sticky=True)
    # style comes from each feature's properties.style (see mapapp.draw.layers); popups use
    # GeoJsonPopup over pre-escaped HTML, never folium.Popup (a JavaScript template literal)
    return folium.GeoJson(
        data,
        name=name,
        popup=popup,
        tooltip=tooltip,
        marker=folium.CircleMarker() if name == "markers" else None,
        control=False,
    )


def _add_layers(m: folium.Map, layers: StateLayers) -> None:
    import folium

    group = folium.FeatureGroup(name="state", control=False)
    _geojson(layers.places, "places", details=True).add_to(group)
    if layers.patterns["features"]:
        _geojson(layers.patterns, "patterns", details=False).add_to(group)
    _geojson(layers.outlines, "outlines", details=False).add_to(group)
    if layers.markers["features"]:
        _geojson(layers.markers, "markers", details=True).add_to(group)
    group.add_to(m)


def _legend(ds: Dataset, states: dict[str, PlaceState], palette: Palette, lang: Lang) -> str:
    """The legend as a box in the map's corner (escaped by :mod:`mapapp.draw.popups`)."""
    body = popups.legend_html(legend_items(ds, list(states.values()), palette, lang), lang)
    direction = "rtl" if lang == "ar" else "ltr"
    return (
        f'<div class="mapapp-legend" dir="{direction}" lang="{lang}" style="position:absolute;'
        "bottom:24px;left:10px;z-index:1000;background:#fff;padding:6px 8px;max-width:280px;"
        'font:12px sans-serif;border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,.3)">'
        f"<b>{esc(t('legend', lang))}</b>{body}</div>"
    )


def folium_map(
    day: Day,
    data: Data = None,
    *,
    lang: Lang = "en",
    palette: Palette = "conventional",
    place: str | None = None,
    tiles: Tiles | None = None,
) -> folium.Map:
    """The map of ``day`` as a ``folium.Map``: each place styled as on the page (colours,
    stripes, hatching, outlines), condition and event markers, popups citing the source,
    and the legend. ``data``: a folder or a loaded dataset (default: the shipped data);
    ``tiles``: the basemap (default: ``MAPAPP_TILES``, else OpenStreetMap)."""
    import folium

    ds = dataset(data)
    when = _day(day)
    tiles = Tiles.from_env() if tiles is None else tiles
    states = Timeline(ds).state_at(when)
    m = folium.Map(
        location=[33.465, 36.315],
        zoom_start=14,
        tiles=None,
        control_scale=True,
        zoom_snap=0.25,
        zoom_delta=0.5,
    )
    js, css = leaflet_urls(local=False)  # a notebook has no static server of ours
    m.default_js = [("leaflet", js)]
    m.default_css = [("leaflet_css", css)]
    if tiles.url:
        folium.TileLayer(
            tiles=tiles.url, attr=tiles.attribution, name="basemap", max_zoom=19
        ).add_to(m)
    bounds = geometry_bounds(place_geometry(p) for p in ds.places.values())
    if bounds:
        m.fit_bounds(bounds, padding=(10, 10))
    _add_layers(m, state_layers(ds, states, when, palette, lang, place))
    _fronts_group(ds, states, palette, lang).add_to(m)
    _names_group(ds, lang).add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)  # names and fronts can be hidden
    root: Any = m.get_root()  # a branca Figure: the page the map is in
    root.html.add_child(folium.Element(_legend(ds, states, palette, lang)))
    return m


def _names_group(ds: Dataset, lang: Lang) -> folium.FeatureGroup:
    """The places' names: at each place's label anchor, along the axis of a long thin
    place, never catching a click (see :mod:`mapapp.draw.labels`)."""
    import folium

    group = folium.FeatureGroup(name=t("names", lang), control=True, show=True)
    direction = "rtl" if lang == "ar" else "ltr"
    for label in place_labels(ds):
        style = (
            "position:absolute;white-space:nowrap;"
            f"transform:translate(-50%,-50%) rotate({label.angle}deg);"
            "font:600 12px/1.1 system-ui,sans-serif;color:#111;pointer-events:none;"
            "text-shadow:0 0 2px #fff,0 0 3px #fff,0 0 4px #fff"
        )
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


#: Leaflet path options under the names folium's Python keywords use
_SNAKE = {"dashArray": "dash_array", "dashOffset": "dash_offset", "lineCap": "line_cap"}


def _fronts_group(
    ds: Dataset, states: dict[str, PlaceState], palette: Palette, lang: Lang
) -> folium.FeatureGroup:
    """The day's front lines (:mod:`mapapp.core.fronts`), each with its tooltip."""
    import folium
    import shapely

    group = folium.FeatureGroup(name=t("fronts", lang), control=True, show=True)
    for front in fronts.fronts_on(ds, states):
        sides = (
            side_name(ds, front.side_a.key, "bloc", lang),
            side_name(ds, front.side_b.key, "bloc", lang),
        )
        tip = popups.front_tooltip(ds, front, sides, lang)
        for n, style in enumerate(front_styles(ds, front, "bloc", palette)):
            for line in shapely.get_parts(front.geometry):
                folium.PolyLine(  # type: ignore[no-untyped-call]
                    [(y, x) for x, y in line.coords],
                    tooltip=folium.Tooltip(tip, sticky=True) if n == 0 else None,
                    interactive=n == 0,
                    **{_SNAKE.get(k, k): v for k, v in style.items()},
                ).add_to(group)
    return group


def _rows(ds: Dataset, states: dict[str, PlaceState]) -> list[dict[str, Any]]:
    rows = []
    for state in states.values():
        record = formats.state_record(ds, state)
        rows.append(
            {
                **formats.flat_state(record),
                "name_ar": record["name_ar"],
                "faction_names": "; ".join(f["name_en"] for f in record["factions"]),
            }
        )
    return rows


def geodataframe(day: Day, data: Data = None, rule: Rule | str = "newest") -> gpd.GeoDataFrame:
    """The places joined with their state on ``day`` under ``rule`` (``newest``,
    ``reliable``, ``source:<id>``): one row a place (id, names, status, factions, since,
    uncertainty, conditions, sources) with its polygon, CRS EPSG:4326."""
    import geopandas as gpd
    from shapely.geometry import shape

    ds = dataset(data)
    states = Timeline(ds, rule if isinstance(rule, Rule) else Rule.parse(rule)).state_at(_day(day))
    rows = _rows(ds, states)
    geometry = [shape(ds.places[pid].geometry) for pid in states]
    return gpd.GeoDataFrame(rows, geometry=geometry, crs=CRS)


def history_geodataframe(data: Data = None) -> gpd.GeoDataFrame:
    """Every place's state over the page's date range, one row per place and span of days
    in which it does not change (``valid_from`` inclusive, ``valid_to`` exclusive, ISO days):
    QGIS's Temporal Controller steps through it."""
    import geopandas as gpd
    from shapely.geometry import shape

    ds = dataset(data)
    timeline = Timeline(ds)
    first, last, _ = timeline.view_range()
    end = date.fromordinal(last.toordinal() + 1)
    rows, geometry = [], []
    for pid, own in timeline.state_days().items():
        days = [first, *sorted(d for d in own if first < d <= last), end]
        polygon = shape(ds.places[pid].geometry)
        for start, stop in itertools.pairwise(days):
            state = timeline.place_state(pid, start)
            (row,) = _rows(ds, {pid: state})
            rows.append({**row, "valid_from": start.isoformat(), "valid_to": stop.isoformat()})
            geometry.append(polygon)
    return gpd.GeoDataFrame(rows, geometry=geometry, crs=CRS)


def write_geopackage(frame: gpd.GeoDataFrame, path: Path) -> None:
    """``frame`` as a GeoPackage file (layer :data:`GPKG_LAYER`), replacing ``path``."""
    path.unlink(missing_ok=True)
    frame.to_file(path, driver="GPKG", layer=GPKG_LAYER)


def geopackage(day: Day, data: Data = None) -> bytes:
    """The day's map as the bytes of a GeoPackage file (for a download button)."""
    with tempfile.TemporaryDirectory(prefix="mapapp-gpkg-") as tmp:
        path = Path(tmp) / "map.gpkg"
        write_geopackage(geodataframe(day, data), path)
        return path.read_bytes()
