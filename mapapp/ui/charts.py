"""The page's charts (ground held, timeline of control) as Streamlit elements, each marking
the day shown.

The day's marker is bound to the map's hidden input (``draw.chart.day_marked``), so a
chart's spec is the same on every day: Streamlit sends it once, then a reference, and the
browser only moves the marker. Where the app serves static files, each chart's rows are
published once per data version as a content-named JSON file (``mapapp/static/charts/``)
and the spec loads them by address, so even the first message is small and the browser
keeps the rows; where it cannot serve files (the map is inline then too), they go inline.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any

import streamlit as st

from mapapp.draw.chart import chart_rows, data_by_url, day_marked
from mapapp.ui.shell import DataVersion
from mapapp.web.assets import STATIC_DIR, STATIC_URL
from mapapp.web.publish import publish_rows

CHART_DIR = STATIC_DIR / "charts"
CHART_URL = f"{STATIC_URL}/charts"


def served_spec(
    version: DataVersion, key: Hashable, make: Callable[[], dict[str, Any]]
) -> dict[str, Any] | None:
    """The chart ``make()`` builds (once per version and ``key``), its rows published as a
    static file and loaded by address; None when the file cannot be written."""
    spec = version.made(key, make)
    published = ("served", key)

    def publish() -> tuple[dict[str, Any], Path]:
        path = publish_rows(chart_rows(spec), CHART_DIR)
        return data_by_url(spec, f"{CHART_URL}/{path.name}"), path

    try:
        served, path = version.made(published, publish)
        if not path.is_file():  # removed behind our back (or pruned): publish it again
            version.forget(published)
            served, path = version.made(published, publish)
    except OSError:
        return None
    return served


def show_chart(
    version: DataVersion,
    key: Hashable,
    make: Callable[[], dict[str, Any]],
    static: bool,
) -> None:
    """The chart with the day shown marked: its data by address when ``static`` (the app
    serves files) and the file could be written, else inline."""
    spec = served_spec(version, key, make) if static else None
    if spec is None:
        spec = version.made(key, make)
    st.vega_lite_chart(day_marked(spec), width="stretch")
