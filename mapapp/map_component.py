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

import hashlib
import re
from collections.abc import Callable
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import streamlit as st

from mapapp import export, mapview
from mapapp.i18n import Lang, t
from mapapp.shell import DataVersion
from mapapp.style import Palette

ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
#: the page's words the component shows (as text, never as HTML)
COMPONENT_TEXT = ("date", "prev", "next", "tiles_failed", "map_failed")
BUNDLE_DIR = mapview.STATIC_DIR / "bundles"
BUNDLE_URL = f"{mapview.STATIC_URL}/bundles"
HEIGHT = 620

_HTML = """<div class="mapapp-controls">
<label class="mapapp-date"><span class="mapapp-date-label"></span>
<output class="mapapp-day"></output></label>
<input type="range" class="mapapp-slider" min="0" max="0" step="1" value="0">
<div class="mapapp-buttons"><button type="button" class="mapapp-prev"></button>
<button type="button" class="mapapp-next"></button></div>
</div>
<div class="mapapp-map" role="region"></div><p class="mapapp-notice" hidden></p>"""
_CSS = f"""
.mapapp-controls {{ display: grid; grid-template-columns: 1fr; gap: 0.3rem;
  margin-bottom: 0.5rem; }}
.mapapp-date {{ font-size: 0.9rem; }}
.mapapp-day {{ font-weight: 600; margin-inline-start: 0.4rem; }}
.mapapp-slider {{ width: 100%; accent-color: #c0392b; }}
.mapapp-buttons {{ display: flex; justify-content: space-between; gap: 0.5rem; }}
.mapapp-buttons button {{ font: inherit; padding: 0.35rem 0.8rem; border-radius: 0.5rem;
  border: 1px solid rgba(49, 51, 63, 0.2); background: white; cursor: pointer; }}
.mapapp-buttons button:disabled {{ opacity: 0.45; cursor: default; }}
.mapapp-map {{ height: {HEIGHT}px; width: 100%; }}
.mapapp-notice {{ margin: 0.4rem 0 0; padding: 0.4rem 0.6rem; border-radius: 0.3rem;
  background: #fff3cd; color: #533f03; }}
"""


def _web(name: str) -> str:
    return resources.files("mapapp").joinpath("web", name).read_text(encoding="utf-8")


def _module(text: str) -> str:
    """The component's module without its comment lines: Streamlit sends the component's
    code with every rerun's element, so every byte counts on each date change."""
    keep = [line for line in text.splitlines() if not line.lstrip().startswith(("/*", "*", "//"))]
    return "\n".join(keep) + "\n"


_map_component = st.components.v2.component(
    "mapapp_map", html=_HTML, css=_CSS, js=_module(_web("component.js")), isolate_styles=False
)


@st.cache_resource(show_spinner=False)
def renderer_url() -> str:
    """``map.js`` (the renderer shared with the static export), served by this app under a
    name that changes with its content, so a browser never runs a stale copy."""
    text = _web("map.js")
    name = f"map-{hashlib.sha256(text.encode('utf-8')).hexdigest()[:12]}.js"
    target = mapview.STATIC_DIR / "mapapp" / name
    if not target.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return f"{mapview.STATIC_URL}/mapapp/{name}"


@st.cache_resource(show_spinner=False)
def leaflet_assets() -> tuple[str, str]:
    """Leaflet served by this app when possible (works offline), else from the CDN."""
    try:
        local = mapview.install_leaflet() and bool(st.get_option("server.enableStaticServing"))
    except OSError:
        local = False
    return mapview.leaflet_urls(local)


def bundle_url(version: DataVersion, palette: Palette, tiles: mapview.Tiles) -> str | None:
    """The address of this data version's bundle, published once per version, palette and
    basemap; None when it cannot be served (static serving off, Leaflet not local, or the
    folder not writable)."""
    if leaflet_assets()[0].startswith("http"):
        return None
    key = ("bundle", palette, tiles)

    def publish() -> Path:
        bundle = export.build_bundle(version.dataset, tiles, palette)
        return export.publish_bundle(bundle, BUNDLE_DIR)

    try:
        renderer_url()
        path = version.made(key, publish)
        if not path.is_file():  # removed behind our back: publish it again
            version.forget(key)
            path = version.made(key, publish)
    except OSError:
        return None
    return f"{BUNDLE_URL}/{path.name}"


def show_map(
    url: str, day: date, lang: Lang, place: str | None, on_day: Callable[[], None]
) -> None:
    """Mount (first run) or update (later runs) the map to show ``day``. When the reader
    picks another day on the map, ``on_day`` runs before the rerun (see :func:`map_day`)."""
    data: dict[str, Any] = {
        "leaflet": list(leaflet_assets()),
        "core": renderer_url(),
        "bundle": url,
        "day": day.isoformat(),
        "lang": lang,
        "place": place,
        "text": {key: t(key, lang) for key in COMPONENT_TEXT},
    }
    _map_component(
        data=data,
        key="map",
        default={"day": day.isoformat()},
        on_day_change=on_day,
    )


def map_day(state: Any, first: date, last: date) -> date | None:
    """The day the map's own controls picked, from the component's state in the session
    (``st.session_state["map"]``); None unless it is a real day in ``[first, last]``."""
    try:
        text = state["day"]
        if not isinstance(text, str) or not ISO_DAY.fullmatch(text):
            return None
        picked = date.fromisoformat(text)
    except (KeyError, TypeError, ValueError):
        return None
    return picked if first <= picked <= last else None
