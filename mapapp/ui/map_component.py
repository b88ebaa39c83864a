"""The page's map: a Streamlit custom component (``st.components.v2``) running the same
renderer as the static export (``mapapp/web/map.js``).

Why not ``st_folium``: streamlit-folium sends the whole map -- every polygon with its
popup -- over the websocket on each date change and re-renders it in an iframe. Here the
map's bundle (geometry, styles, escaped popups and per-day frames, built by
:func:`mapapp.web.export.build_bundle`) is published once per data version as a static file
under its content hash (``mapapp/static/bundles/``, served by Streamlit's static file
serving), fetched once by the browser, and each rerun sends only the view: day, language,
selected place.

There is one renderer. Where static files cannot be served (static serving off, e.g.
``streamlit run /abs/path/mapapp/app.py`` from another folder, which does not read the
project's ``.streamlit/config.toml``; or a read-only install) the component gets its
script, Leaflet and the bundle *inline* with every rerun (:func:`inline_source`) and the
page says so, with what to switch on; a bundle too big for that is refused, loudly.
"""

from __future__ import annotations

import functools
import hashlib
import re
import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import streamlit as st

from mapapp.draw.i18n import Lang, t
from mapapp.draw.style import Palette
from mapapp.ui.shell import DataVersion
from mapapp.web import export
from mapapp.web.assets import (
    STATIC_DIR,
    STATIC_URL,
    Tiles,
    install_leaflet,
    leaflet_files,
    leaflet_urls,
    web_file,
    write_once,
)
from mapapp.web.incremental import BundleCache
from mapapp.web.publish import publish_bundle

ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
#: the page's words the component shows (as text, never as HTML)
COMPONENT_TEXT = ("date", "prev", "next", "tiles_failed", "map_failed")
BUNDLE_DIR = STATIC_DIR / "bundles"
BUNDLE_URL = f"{STATIC_URL}/bundles"
#: the largest inline map (bytes of script, Leaflet and bundle resent on every rerun)
INLINE_LIMIT = 4_000_000
#: the files the component loads from this app (see :func:`static_asset`)
WEB_ASSETS = ("component.js", "component.css", "map.js")

#: the component as Streamlit sends it with every rerun's element (so kept short): a loader
#: of the real module (mapapp/web/component.js: a static file the browser fetches once, or
#: its text in inline mode, made a module once per version so the mounted map survives
#: reruns). With static files it first asks for all of the map's files at once (preload
#: links: the module, Leaflet, map.js, the styles and the bundle download together instead
#: of one after another as each script runs); fetch() asks in CORS mode, so the bundle's
#: preload does too (else it is fetched twice). If the module cannot be loaded it still
#: reports "drawn", so the page shows the rest of itself (see map_page: the first run).
_LOADER = """const asked = new Set();
export default function (component) {
  const data = component.data[0];
  let url;
  if (data.inline) {
    const made = (window.mapappModules = window.mapappModules || new Map());
    if (!made.has(data.inline.key)) {
      const blob = new Blob([data.inline.module], { type: "text/javascript" });
      made.set(data.inline.key, URL.createObjectURL(blob));
    }
    url = made.get(data.inline.key);
  } else {
    const [js, css] = data.leaflet;
    for (const [href, as] of [[data.module], [js, "script"], [data.core, "script"],
        [data.css, "style"], [css, "style"], [data.bundle, "fetch"]]) {
      if (asked.has(href)) continue;
      asked.add(href);
      const link = document.createElement("link");
      link.rel = as ? "preload" : "modulepreload";
      link.href = href;
      if (as) link.as = as;
      if (as === "fetch") link.crossOrigin = "anonymous";
      document.head.append(link);
    }
    url = new URL(data.module, document.baseURI).href;
  }
  return import(url)
    .then((module) => module.default(component))
    .catch((error) => {
      component.setTriggerValue("drawn", true);
      throw error;
    });
}
"""


_map_component = st.components.v2.component("mapapp_map", js=_LOADER, isolate_styles=False)


@functools.cache
def static_asset(name: str) -> str:
    """``mapapp/web/<name>``, served by this app under a name that changes with its
    content (so a browser can cache it for good and never runs a stale copy)."""
    text = web_file(name)
    stem, dot, ext = name.rpartition(".")
    served = f"{stem}-{hashlib.sha256(text.encode('utf-8')).hexdigest()[:12]}{dot}{ext}"
    target = STATIC_DIR / "mapapp" / served
    target.parent.mkdir(parents=True, exist_ok=True)
    write_once(target, text)
    return f"{STATIC_URL}/mapapp/{served}"


@st.cache_resource(show_spinner=False)
def leaflet_assets() -> tuple[str, str]:
    """Leaflet served by this app when possible (works offline), else from the CDN."""
    try:
        local = install_leaflet() and bool(st.get_option("server.enableStaticServing"))
    except OSError:
        local = False
    return leaflet_urls(local)


#: per data folder, palette and basemap: what the newest bundle's build kept, so the next
#: version of that folder (an editor's save) rebuilds only what the edit changed
_caches: dict[tuple[str, Palette, Tiles], tuple[threading.Lock, BundleCache]] = {}
_caches_lock = threading.Lock()


def build_bundle(version: DataVersion, tiles: Tiles, palette: Palette) -> dict[str, Any]:
    """The version's bundle: built from what the previous version of the same folder kept
    (equal to a full build, see :func:`mapapp.web.export.rebuild_bundle`)."""
    with _caches_lock:
        lock, cache = _caches.setdefault(
            (version.folder, palette, tiles), (threading.Lock(), BundleCache())
        )
    with lock:  # a cache serves one build at a time
        return export.build_bundle(version.dataset, tiles, palette, cache=cache)


def bundle_url(version: DataVersion, palette: Palette, tiles: Tiles) -> str | None:
    """The address of this data version's bundle, published once per version, palette and
    basemap; None when it cannot be served (static serving off, Leaflet not local, or the
    folder not writable: then see :func:`inline_source`)."""
    if leaflet_assets()[0].startswith("http"):
        return None
    key = ("bundle", palette, tiles)

    def publish() -> Path:
        bundle = build_bundle(version, tiles, palette)
        return publish_bundle(bundle, BUNDLE_DIR)

    try:
        for name in WEB_ASSETS:  # written now, so a read-only install goes inline
            static_asset(name)
        path = version.made(key, publish)
        if not path.is_file():  # removed behind our back: publish it again
            version.forget(key)
            path = version.made(key, publish)
    except OSError:
        return None
    return f"{BUNDLE_URL}/{path.name}"


def static_source(url: str) -> dict[str, Any]:
    """The component's files and bundle as addresses this app serves."""
    return {
        "leaflet": list(leaflet_assets()),
        "module": static_asset("component.js"),
        "css": static_asset("component.css"),
        "core": static_asset("map.js"),
        "bundle": url,
    }


def inline_source(version: DataVersion, palette: Palette, tiles: Tiles) -> dict[str, Any] | None:
    """The component's files, Leaflet and bundle as text, for a page that cannot serve
    files (made once per data version); None when they would be larger than
    :data:`INLINE_LIMIT` bytes (then the page refuses, saying what to switch on)."""

    def make() -> dict[str, Any] | None:
        bundle = build_bundle(version, tiles, palette)
        parts = {name: web_file(name) for name in WEB_ASSETS}
        leaflet = leaflet_files()
        text = export.to_json(bundle)
        size = len(text) + sum(len(p) for p in parts.values()) + sum(map(len, leaflet or ()))
        if size > INLINE_LIMIT:
            return None
        key = hashlib.sha256(
            "\n".join([text, *parts.values(), *(leaflet or ())]).encode("utf-8")
        ).hexdigest()[:20]
        inline: dict[str, Any] = {
            "key": key,
            "module": parts["component.js"],
            "css": parts["component.css"],
            "core": parts["map.js"],
            "bundle": bundle,
        }
        if leaflet is not None:
            inline["leaflet"] = list(leaflet)
        return {
            "leaflet": list(leaflet_urls(local=False)),  # only without xstatic-leaflet
            "bundle": f"inline:{key}",
            "inline": inline,
        }

    made: dict[str, Any] | None = version.made(("inline", palette, tiles), make)
    return made


def show_map(
    source: dict[str, Any],
    day: date,
    lang: Lang,
    place: str | None,
    on_day: Callable[[], None],
    compare: date | None = None,
    rule: str = "newest",
    on_drawn: Callable[[], None] | None = None,
) -> None:
    """Mount (first run) or update (later runs) the map to show ``day``, its files and bundle
    from ``source`` (:func:`static_source` or :func:`inline_source`). When the reader picks
    another day on the map, ``on_day`` runs before the rerun (see :func:`map_day`); when
    the map has first drawn (or failed to), ``on_drawn`` runs, then the page reruns."""
    data: dict[str, Any] = {
        **source,
        "day": day.isoformat(),
        "lang": lang,
        "place": place,
        # a second day: the places that differ are outlined, its map drawn beside
        "compare": compare.isoformat() if compare else None,
        "rule": rule,
        "text": {key: t(key, lang) for key in COMPONENT_TEXT},
    }
    _map_component(
        # in a one-item list: of a dict Streamlit checks every key's value for a dataframe
        # (~0.05 ms each, on every rerun); a list it sends as it is
        data=[data],
        key="map",
        default={"day": day.isoformat()},
        on_day_change=on_day,
        on_drawn_change=on_drawn or (lambda: None),
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
