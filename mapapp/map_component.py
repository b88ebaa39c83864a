"""The page's map: a Streamlit custom component (``st.components.v2``) running the same
renderer as the static export (``mapapp/web/map.js``).

Why not ``st_folium``: streamlit-folium sends the whole map -- every polygon with its
popup -- over the websocket on each date change and re-renders it in an iframe. Here the
map's bundle (geometry, styles, escaped popups and per-day frames, built by
:func:`mapapp.export.build_bundle`) is published once per data version as a static file
under its content hash (``mapapp/static/bundles/``, served by Streamlit's static file
serving), fetched once by the browser, and each rerun sends only the view: day, language,
selected place. The page falls back to folium (:mod:`mapapp.mapview`) when the bundle
cannot be published (static serving off, or a read-only install).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import streamlit as st

from mapapp import export, mapview
from mapapp.i18n import Lang, t
from mapapp.shell import cached_load
from mapapp.style import Palette

BUNDLE_DIR = mapview.STATIC_DIR / "bundles"
BUNDLE_URL = f"{mapview.STATIC_URL}/bundles"
HEIGHT = 620

_HTML = '<div class="mapapp-map" role="region"></div><p class="mapapp-notice" hidden></p>'
_CSS = f"""
.mapapp-map {{ height: {HEIGHT}px; width: 100%; }}
.mapapp-notice {{ margin: 0.4rem 0 0; padding: 0.4rem 0.6rem; border-radius: 0.3rem;
  background: #fff3cd; color: #533f03; }}
"""


def _web(name: str) -> str:
    return resources.files("mapapp").joinpath("web", name).read_text(encoding="utf-8")


_map_component = st.components.v2.component(
    "mapapp_map",
    html=_HTML,
    css=_CSS,
    js=_web("map.js") + "\n" + _web("component.js"),
    isolate_styles=False,
)


@st.cache_resource(show_spinner=False)
def leaflet_assets() -> tuple[str, str]:
    """Leaflet served by this app when possible (works offline), else from the CDN."""
    try:
        local = mapview.install_leaflet() and bool(st.get_option("server.enableStaticServing"))
    except OSError:
        local = False
    return mapview.leaflet_urls(local)


@st.cache_resource(show_spinner=False, max_entries=8)
def _published(
    folder: str,
    stamp: tuple[tuple[str, int, int], ...],
    palette: Palette,
    tiles_url: str | None,
    tiles_attribution: str,
) -> Path:
    dataset = cached_load(folder, stamp).dataset
    assert dataset is not None
    bundle = export.build_bundle(dataset, mapview.Tiles(tiles_url, tiles_attribution), palette)
    return export.publish_bundle(bundle, BUNDLE_DIR)


def bundle_url(
    folder: str,
    stamp: tuple[tuple[str, int, int], ...],
    palette: Palette,
    tiles: mapview.Tiles,
) -> str | None:
    """The address of this data version's bundle, published if need be; None when it
    cannot be served (static serving off, Leaflet not local, or the folder not writable)."""
    if leaflet_assets()[0].startswith("http"):
        return None
    args = (folder, stamp, palette, tiles.url, tiles.attribution)
    try:
        path = _published(*args)
        if not path.is_file():  # removed behind our back: publish it again
            _published.clear()
            path = _published(*args)
    except OSError:
        return None
    return f"{BUNDLE_URL}/{path.name}"


def show_map(url: str, day: str, lang: Lang, place: str | None) -> None:
    """Mount (first run) or update (later runs) the map to show ``day``."""
    data: dict[str, Any] = {
        "leaflet": list(leaflet_assets()),
        "bundle": url,
        "day": day,
        "lang": lang,
        "place": place,
        "text": {"tiles_failed": t("tiles_failed", lang), "failed": t("map_failed", lang)},
    }
    _map_component(data=data, key="map")
