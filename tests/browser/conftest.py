"""Real-browser fixtures: a Streamlit server per data folder, Debian's Chromium, no internet.

* :func:`app_server` starts ``streamlit run mapapp/app.py`` on a free port with the
  basemap tiles off, once per data folder per session, and kills it at the end;
* the browser is ``/usr/bin/chromium`` (never a downloaded one);
* :func:`watch` blocks every request that does not go to this machine and records it,
  with the page's uncaught errors and any dialog it opens.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Dialog, Frame, Page, Position, Route

from mapapp.ui.launch import CHROMIUM, CHROMIUM_ARGS, Server, is_local, start_app

HEALTH_TIMEOUT = 60.0
PLACE_COUNT = 12


@pytest.fixture(scope="session")
def app_server() -> Iterator[Callable[[Path | None], str]]:
    """A factory: the base URL of an app serving ``data`` (None: the shipped data)."""
    servers: dict[Path | None, Server] = {}
    with tempfile.TemporaryDirectory(prefix="mapapp-browser-") as logs:

        def get(data: Path | None = None) -> str:
            key = data.resolve() if data is not None else None
            if key not in servers:
                log = Path(logs) / f"streamlit-{len(servers)}.log"
                servers[key] = start_app(log, data=key, timeout=HEALTH_TIMEOUT)
            return servers[key].url

        try:
            yield get
        finally:
            for server in servers.values():
                server.stop()


@pytest.fixture(scope="session")
def app_url(app_server: Callable[[Path | None], str]) -> str:
    """The app on the shipped data."""
    return app_server(None)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": {"width": 1400, "height": 1000}}


@dataclass
class Watch:
    """What a page did that it should not: external requests, uncaught errors, dialogs."""

    page: Page
    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    #: console messages of type "error" (from the page and its frames)
    console_errors: list[str] = field(default_factory=list)


@pytest.fixture
def watch(context: BrowserContext, page: Page) -> Watch:
    """The test's page, offline: non-local requests are aborted and recorded."""
    seen = Watch(page)

    def route(route: Route) -> None:
        url = route.request.url
        if is_local(url):
            route.continue_()
        else:
            seen.blocked.append(url)
            route.abort()

    def dialog(d: Dialog) -> None:
        seen.dialogs.append(f"{d.type}: {d.message}")
        d.dismiss()

    context.route("**/*", route)
    page.on("pageerror", lambda error: seen.errors.append(str(error)))
    page.on("dialog", dialog)
    page.on(
        "console",
        lambda message: (
            seen.console_errors.append(f"{message.text} @ {message.location}")
            if message.type == "error"
            else None
        ),
    )
    page.set_default_timeout(30_000)
    return seen


def map_frame(page: Page, count: int = PLACE_COUNT) -> Frame:
    """The frame the map is drawn in (the page's own document: the map is a component,
    not an iframe), once ``count`` place polygons are drawn in it."""
    frame = page.main_frame
    frame.wait_for_function(
        "n => document.querySelectorAll('.mapapp-map path.mapapp-place').length === n",
        arg=count,
        timeout=120_000,
    )
    settle(frame)
    return frame


def mark_map(frame: Frame, token: str) -> None:
    """Tag the Leaflet map and its element, so :func:`map_kept` can tell a remount."""
    frame.evaluate(
        "t => { window.mapappMap.__mark = t; window.mapappMap.getContainer().__mark = t; }",
        token,
    )


def map_kept(frame: Frame, token: str) -> bool:
    """The map tagged by :func:`mark_map` is still the one on the page, in the same element."""
    result: bool = frame.evaluate(
        """t => window.mapappMap.__mark === t
              && window.mapappMap.getContainer().__mark === t
              && window.mapappMap.getContainer().isConnected
              && document.querySelectorAll('.mapapp-map').length === 1""",
        token,
    )
    return result


def settle(frame: Frame) -> None:
    """Wait for the map to stop moving (folium's fit_bounds zooms in with an animation),
    then remember the view so :func:`close_popup` can go back to it."""
    frame.wait_for_function("document.querySelector('.leaflet-zoom-anim') === null")
    frame.evaluate(
        """async () => {
            const frame = () => new Promise(resolve => requestAnimationFrame(resolve));
            const boxes = () => JSON.stringify([...document.querySelectorAll('path')].map(
                p => p.getBoundingClientRect()));
            let last = boxes(), still = 0;
            for (let i = 0; i < 200 && still < 3; i++) {
                await frame();
                const now = boxes();
                still = now === last ? still + 1 : 0;
                last = now;
            }
            const map = window.mapappMap;
            window.__testHome = [map.getCenter(), map.getZoom()];
        }"""
    )


def fills(frame: Frame) -> dict[str, str]:
    """Place id -> the ``fill`` attribute of its polygon."""
    result: dict[str, str] = frame.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('path.mapapp-place')].map(
            p => [[...p.classList].find(c => c.startsWith('mapapp-place-')).slice(13),
                  p.getAttribute('fill')]))"""
    )
    return result


def wait_fill(frame: Frame, place: str, colour: str, timeout: float = 30_000) -> None:
    frame.wait_for_function(
        """([place, colour]) => {
            const p = document.querySelector('path.mapapp-place-' + place);
            return p !== null && p.getAttribute('fill') === colour;
        }""",
        arg=[place, colour],
        timeout=timeout,
    )


def place(place_id: str) -> str:
    """The selector of a place's fill polygon."""
    return f"path.mapapp-place-{place_id}"


def inside(frame: Frame, selector: str) -> tuple[int, Position]:
    """The first element matching ``selector`` with a point where nothing else (a marker,
    a popup) is on top: its index and the point, relative to its bounding box.

    The whole map is scrolled into view first: on mousedown Leaflet focuses the map, and
    if the iframe sticks out of the viewport the page scrolls it in between mousedown and
    mouseup, so the click lands elsewhere and no popup opens.
    """
    if frame.parent_frame is None:  # a page of its own (the static export)
        frame.locator(".leaflet-container").first.scroll_into_view_if_needed()
    else:
        frame.frame_element().scroll_into_view_if_needed()
    found: tuple[int, Position] | None = frame.evaluate(
        """selector => {
            const targets = [...document.querySelectorAll(selector)];
            for (const n of [2, 4, 8, 16]) {
                for (const [index, target] of targets.entries()) {
                    const box = target.getBoundingClientRect();
                    for (let i = 1; i < n; i++) {
                        for (let j = 1; j < n; j++) {
                            const x = box.width * i / n, y = box.height * j / n;
                            if (document.elementFromPoint(box.left + x, box.top + y) === target) {
                                return [index, {x, y}];
                            }
                        }
                    }
                }
            }
            return null;
        }""",
        selector,
    )
    assert found is not None, f"no clickable point inside {selector}"
    return found


def close_popup(frame: Frame) -> None:
    """Close the open popup, if any, and undo the pan that opening it caused."""
    close = frame.locator(".leaflet-popup-close-button")
    if not close.count():
        return
    # Leaflet's own close, not a click on the button: a tall popup (the hostile fixture's)
    # can put its close button under the map's controls, and this helper only resets the view
    frame.evaluate(
        """() => {
            const map = window.mapappMap;
            map.closePopup();
            if (window.__testHome) map.setView(...window.__testHome, {animate: false});
        }"""
    )
    frame.locator(".leaflet-popup").wait_for(state="detached")
    settle(frame)


def open_popup(frame: Frame, selector: str) -> str:
    """Close any open popup, click inside ``selector`` and return the popup's visible text."""
    close_popup(frame)
    index, point = inside(frame, selector)
    frame.locator(selector).nth(index).click(position=point, force=True)
    content = frame.locator(".leaflet-popup-content")
    content.wait_for(state="visible")
    _filled(frame, ".leaflet-popup-content")
    return content.inner_text()


def hover_tooltip(frame: Frame, selector: str) -> str:
    """Hover inside ``selector`` and return the tooltip's visible text."""
    index, point = inside(frame, selector)
    frame.locator(selector).nth(index).hover(position=point, force=True)
    tooltip = frame.locator(".leaflet-tooltip")
    tooltip.wait_for(state="visible")
    _filled(frame, ".leaflet-tooltip")
    return tooltip.inner_text()


def wait_html(frame: Frame, selector: str) -> None:
    """Wait until the element's HTML has arrived: the static site loads a popup's text, a
    selected place's citation and a legend of another language or rule from a chunk
    script, showing "…" until then."""
    _filled(frame, selector)


def _filled(frame: Frame, selector: str) -> None:
    """Wait until the element's content has arrived: the page's map fetches citations when
    their popup or tooltip first opens, showing "…" until then."""
    frame.wait_for_function(
        """sel => {
            const element = document.querySelector(sel);
            return element !== null && element.textContent.trim() !== '…';
        }""",
        arg=selector,
    )
