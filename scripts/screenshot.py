"""Take ``docs/screenshot.png``: the page on 15 September 2015 with al-Qadam selected, its
places named and the day's front lines drawn.

``--disputed`` takes ``docs/screenshot-disputed.png`` instead: the multi-source test fixture
(``tests/data/multi-source``) on 26 September 2015 with al-Asali selected, a place its
sources dispute.

Run from anywhere: ``python scripts/screenshot.py`` (basemap tiles off, works offline)
or ``python scripts/screenshot.py --tiles`` (OpenStreetMap tiles, needs the internet).
It starts the app on a free port, drives Debian's Chromium (``/usr/bin/chromium``) at
1400x1000 (``--size 390x844 --view '?date=2015-09-15&lang=ar'`` for a phone in Arabic),
waits for the map, its names and front lines to be drawn, saves the PNG and stops the app.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from playwright.sync_api import Route, sync_playwright

from mapapp.ui.launch import CHROMIUM, CHROMIUM_ARGS, is_local, start_app

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "docs" / "screenshot.png"
VIEW = "?date=2015-09-15&place=qadam&lang=en"
DISPUTED_OUTPUT = ROOT / "docs" / "screenshot-disputed.png"
DISPUTED_VIEW = "?date=2015-09-26&place=asali&lang=en"
DISPUTED_DATA = ROOT / "tests" / "data" / "multi-source"
PLACES = 12


def shoot(
    url: str, output: Path, tiles: bool, size: tuple[int, int] = (1400, 1000), view: str = VIEW
) -> None:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": size[0], "height": size[1]})

        def offline(route: Route) -> None:
            if tiles or is_local(route.request.url):
                route.continue_()
            else:
                route.abort()

        context.route("**/*", offline)
        page = context.new_page()
        page.goto(f"{url}/{view}")
        # the map is a component in the page itself (mapapp/ui/map_component.py)
        page.wait_for_function(
            "n => document.querySelectorAll('.mapapp-map path.mapapp-place').length === n",
            arg=PLACES,
            timeout=60_000,
        )
        page.wait_for_function(
            "n => document.querySelectorAll('.mapapp-label span').length === n"
            " && document.querySelectorAll('path.mapapp-front').length > 0",
            arg=PLACES,
            timeout=60_000,
        )
        page.wait_for_function("document.querySelector('.leaflet-zoom-anim') === null")
        if tiles:
            page.wait_for_load_state("networkidle")
        page.wait_for_timeout(1000)  # the rest of the page (legend, captions) settles
        output.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(output))
        browser.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--tiles", action="store_true", help="keep the OpenStreetMap tiles (needs the internet)"
    )
    parser.add_argument("--output", type=Path, default=None, help=f"default: {OUTPUT}")
    parser.add_argument("--size", default="1400x1000", help="the window, WIDTHxHEIGHT")
    parser.add_argument("--view", default=VIEW, help=f"the address's query (default: {VIEW})")
    parser.add_argument(
        "--disputed",
        action="store_true",
        help=f"a disputed place from the multi-source fixture (default: {DISPUTED_OUTPUT})",
    )
    args = parser.parse_args(argv)
    width, _, height = args.size.partition("x")
    output = args.output or (DISPUTED_OUTPUT if args.disputed else OUTPUT)
    data = DISPUTED_DATA if args.disputed else None
    with tempfile.TemporaryDirectory() as tmp:
        server = start_app(Path(tmp) / "streamlit.log", data=data, tiles=args.tiles)
        try:
            if args.disputed:  # tall enough for the place's claims
                shoot(server.url, output, args.tiles, (1400, 1700), DISPUTED_VIEW)
            else:
                shoot(server.url, output, args.tiles, (int(width), int(height)), args.view)
        finally:
            server.stop()
    print(f"wrote {output}")


if __name__ == "__main__":
    main()
