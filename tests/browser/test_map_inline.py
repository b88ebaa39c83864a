"""The page without static file serving (e.g. ``streamlit run /abs/path/mapapp/app.py`` from
another folder): the same renderer draws, from files and a bundle sent inline, offline, and
the page says what to switch on. No second, silent renderer."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from mapapp.ui.launch import start_app

from .conftest import PLACE_COUNT, Watch, fills, map_frame, map_kept, mark_map

pytestmark = pytest.mark.browser

ISIS = "#1a1a1a"


def test_without_static_serving_the_map_draws_inline_and_says_so(
    watch: Watch, tmp_path: Path
) -> None:
    server = start_app(
        tmp_path / "streamlit.log", env={"STREAMLIT_SERVER_ENABLE_STATIC_SERVING": "false"}
    )
    try:
        page = watch.page
        page.goto(f"{server.url}/?date=2015-09-15")
        frame = map_frame(page)
        colours = fills(frame)
        assert len(colours) == PLACE_COUNT
        assert colours["yarmouk"] == ISIS
        assert frame.locator("path.mapapp-stripe").count() > 0
        expect(page.get_by_text("enableStaticServing", exact=False).first).to_be_visible()
        assert page.locator("iframe").count() == 0, "no folium iframe"
        # the map's own controls repaint at once; the page follows without a remount
        mark_map(frame, "inline")
        page.locator(".mapapp-prev").click()
        frame.wait_for_function("document.querySelector('.mapapp-map').dataset.day < '2015-09-15'")
        assert map_kept(frame, "inline")
        assert watch.blocked == [], "Leaflet and the bundle come inline: nothing off this machine"
        assert watch.errors == []
    finally:
        server.stop()
