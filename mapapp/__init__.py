"""mapapp: a source-traceable, time-aware control map of southern Damascus.

Folders by runtime (a test keeps the boundaries, tests/test_layout.py):

* ``core/`` -- pure data: read the files, the schema, the problem codes, validate, the typed
  model, dates, the timeline (state on a day), geometry checks. Imports nothing else of mapapp.
* ``draw/`` -- drawing: styles, shapes, popups, layers, words (i18n), escaping, output formats.
* ``web/`` -- the browser side: assets (tiles, Leaflet), the bundle and static site, the
  page's published bundles, and the JS/CSS renderer.
* ``editing/`` -- the write path: CSV store, review of an edit, revisions, the column docs.
* ``ui/`` -- the Streamlit pages and what only they use. The only folder that imports streamlit.
* ``notebook.py`` -- :func:`folium_map`, :func:`geodataframe` and GeoPackage files; the only
  module that imports folium and geopandas.

Data flows one way: files (:mod:`mapapp.core.read`) -> validated tables
(:mod:`mapapp.core.validate`, :mod:`mapapp.core.model`) -> state at a date
(:mod:`mapapp.core.timeline`) -> output (:mod:`mapapp.draw.formats`, the map) -> the page
(``app.py``) and the CLI (``cli.py``).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import folium
    import geopandas as gpd

    from mapapp.core.model import Dataset

__version__ = "0.1.0"
__all__ = ["folium_map", "geodataframe"]


def folium_map(
    day: date | str, data: Dataset | str | Path | None = None, **options: Any
) -> folium.Map:
    """The map of ``day`` as a ``folium.Map``; ``options``: ``lang``, ``palette``, ``place``,
    ``tiles`` (see :func:`mapapp.notebook.folium_map`)."""
    from mapapp import notebook  # folium only when asked for

    return notebook.folium_map(day, data, **options)


def geodataframe(day: date | str, data: Dataset | str | Path | None = None) -> gpd.GeoDataFrame:
    """The places joined with their state on ``day``, CRS EPSG:4326 (see
    :func:`mapapp.notebook.geodataframe`)."""
    from mapapp import notebook  # geopandas only when asked for

    return notebook.geodataframe(day, data)
