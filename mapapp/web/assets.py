"""What the browser side of the map is made of, shared by the page and the static export:
the basemap (:class:`Tiles` and OpenStreetMap's credit), Leaflet (copied from the
``xstatic-leaflet`` package, or the CDN's address), our own files in ``mapapp/web/``, and
the folder Streamlit serves static files from.

No streamlit, no folium: the CLI's ``export`` and the page both use this.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = (
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
)
#: the credit as plain text (tables, captions)
OSM_NAME = "OpenStreetMap contributors"
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

    def credit(self) -> str | None:
        """Who to credit for the basemap, as text; None without one."""
        if self.url is None:
            return None
        return OSM_NAME if self.url == OSM_TILES else self.attribution


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


def web_file(name: str) -> str:
    """A file of ``mapapp/web/`` (the browser's side of the map), as text."""
    return resources.files("mapapp").joinpath("web", name).read_text(encoding="utf-8")


def write_once(target: Path, text: str) -> None:
    """Write ``text`` to ``target`` atomically unless it is there already (content-named
    files: the same name, the same text); either way mark it as just used."""
    if not target.is_file():
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=target.parent, prefix=".", suffix=".tmp", delete=False
        ) as handle:
            handle.write(text)
        Path(handle.name).replace(target)
    target.touch()


def leaflet_files() -> tuple[str, str] | None:
    """Leaflet's (JS, CSS) as text from the xstatic-leaflet package, for a page that cannot
    serve files (the map component's inline mode); None when the package is missing."""
    try:
        from xstatic.pkg import leaflet
    except ImportError:
        return None
    source = Path(leaflet.BASE_DIR)
    return tuple(  # type: ignore[return-value]
        (source / name).read_text(encoding="utf-8") for name in ("leaflet.js", "leaflet.css")
    )
