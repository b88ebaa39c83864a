"""Where a new visitor's first paint goes, ours beside the naive peer (warm servers).

Each app is started, warmed by one visit, then visited ``--visits`` times, each in a new
browser context (nothing cached), as ``run.py --only browser`` does. Per visit, in ms after
navigation (medians printed): the page's scripts run (DOMContentLoaded), the websocket
open, the first message and the end of the script run as the browser handles them, the
last of the element scripts Streamlit loads for the first run's elements (ours: the
component's ``BidiComponent`` with Arrow, the title's HTML; the peer: also its map's iframe
document), the map's own files (those under ``/app/static/`` the page or the
peer's iframe asked for before the map drew), the map's element made, and the places
drawn (run.py's first paint). Run from the repo root:

    python -m benchmarks.first_paint [--data FOLDER] [--visits 5]

Without ``--data`` it uses a synthetic folder of 12 places (what run.py's browser section
uses at 12). Times are wall clock: on a loaded machine compare the apps in one run.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks import synth
from benchmarks.run import APPS, MAP_HOST, OFFLINE_ARGS, VIEWPORT, Wire
from mapapp.ui.launch import CHROMIUM, CHROMIUM_ARGS, start_app

#: (init script) page-side marks: the map's element made, the places drawn
MARKS = """(() => {
    const T = (window.__marks = {});
    new MutationObserver(() => {
        const host = document.querySelector(%s);
        if (!host) return;
        if (!T.element) T.element = performance.now();
    }).observe(document, {subtree: true, childList: true});
})()"""
DRAWN = """([sel, n]) => {
    const host = document.querySelector(sel);
    const doc = host && (host.tagName === 'IFRAME' ? host.contentDocument : host);
    const count = doc ? doc.querySelectorAll('path.mapapp-place').length : 0;
    return count >= n ? performance.now() : false;
}"""
#: (main page) the page's requests, and those of the map's iframe (the peer's) on the
#: page's clock: [path, start, end]; the iframe's own document as "(iframe)"
RESOURCES = """sel => {
    const own = w => w.performance.getEntriesByType('resource').map(
        e => [new URL(e.name).pathname, e.startTime, e.responseEnd]);
    const host = document.querySelector(sel);
    if (!host || host.tagName !== 'IFRAME') return own(window);
    const w = host.contentWindow, shift = w.performance.timeOrigin - performance.timeOrigin;
    const nav = w.performance.getEntriesByType('navigation')[0];
    const inner = [['(iframe)', nav.startTime, nav.responseEnd]].concat(own(w));
    return own(window).concat(inner.map(([name, a, b]) => [name, a + shift, b + shift]));
}"""
COLUMNS = (
    "scripts run (DCL)",
    "websocket open",
    "first message",
    "script run ended",
    "element's script",
    "map's files",
    "map element",
    "places drawn",
)


def visit(browser: Any, url: str, host: str, places: int) -> dict[str, float | None]:
    """One new visitor: when each step ended, in ms after navigation."""
    wire = Wire()
    context = browser.new_context(viewport=VIEWPORT)
    try:
        context.add_init_script(MARKS % repr(host))
        page = context.new_page()
        opened: list[float] = []
        page.on("websocket", lambda ws: opened.append(time.monotonic()))
        page.on("websocket", lambda ws: ws.on("framereceived", wire.on_frame))
        started = time.monotonic()
        page.goto(url, wait_until="commit")
        drawn = float(page.wait_for_function(DRAWN, arg=[host, places]).json_value())
        timing = page.evaluate(
            "(() => { const n = performance.getEntriesByType('navigation')[0];"
            " return [n.domContentLoadedEventEnd, performance.timeOrigin]; })()"
        )
        marks = page.evaluate("window.__marks")
        resources = page.evaluate(RESOURCES, host)
    finally:
        context.close()

    # the browser's clock starts at navigation; Python's monotonic clock at goto(): the
    # small gap between them is left in the websocket figures
    def since(moment: float) -> float:
        return (moment - started) * 1000

    ended = [since(t) for t, _, end, _ in wire.frames if end]
    # after the page's own scripts ran, Streamlit asks for an element's script when the
    # first one of its kind arrives (ours: the component's, with Arrow; the title's HTML)
    chunks = [
        end
        for name, start, end in resources
        if (name == "(iframe)" or name.startswith("/static/js/")) and timing[0] < start < drawn
    ]
    files = [end for name, _, end in resources if name.startswith("/app/static/") and end < drawn]
    return {
        COLUMNS[0]: timing[0],
        COLUMNS[1]: since(opened[0]) if opened else None,
        COLUMNS[2]: since(wire.frames[0][0]) if wire.frames else None,
        COLUMNS[3]: ended[0] if ended else None,
        COLUMNS[4]: max(chunks) if chunks else None,
        COLUMNS[5]: max(files) if files else None,
        COLUMNS[6]: marks.get("element"),
        COLUMNS[7]: drawn,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, help="data folder (default: synthetic, 12 places)")
    parser.add_argument("--places", type=int, default=12, help="places the map draws")
    parser.add_argument("--visits", type=int, default=5)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as work:
        data = args.data
        if data is None:
            data = Path(work) / "synth"
            synth.generate(data, args.places, 100)
        rows: dict[str, list[dict[str, float | None]]] = {}
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS + OFFLINE_ARGS
            )
            for name, app in APPS.items():
                server = start_app(Path(work) / f"{name}.log", data=data, app=app, timeout=120)
                try:
                    url = f"{server.url}/"
                    visit(browser, url, MAP_HOST[name], args.places)  # warm the server
                    rows[name] = [
                        visit(browser, url, MAP_HOST[name], args.places) for _ in range(args.visits)
                    ]
                finally:
                    server.stop()
            browser.close()
    print(f"medians of {args.visits} visits, ms after navigation")
    print(f"| step | {' | '.join(rows)} |")
    print(f"|---|{'---|' * len(rows)}")
    for column in COLUMNS:
        cells = []
        for name in rows:
            values = [v for r in rows[name] if (v := r[column]) is not None]
            cells.append(f"{statistics.median(values):,.0f}" if values else "—")
        print(f"| {column} | {' | '.join(cells)} |")


if __name__ == "__main__":
    main()
