"""Take ``docs/screenshot.png``: the page on 15 September 2015 with al-Qadam selected.

Run from anywhere: ``python scripts/screenshot.py`` (basemap tiles off, works offline)
or ``python scripts/screenshot.py --tiles`` (OpenStreetMap tiles, needs the internet).
It starts the app on a free port, drives Debian's Chromium (``/usr/bin/chromium``) at
1400x1000, waits for the map to be drawn, saves the PNG and stops the app.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Route, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "docs" / "screenshot.png"
VIEW = "?date=2015-09-15&place=qadam&lang=en"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-quic",
    "--disable-sync",
]
MAP_IFRAME = 'iframe[src*="streamlit_folium.st_folium"]'
PLACES = 12


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_app(port: int, tiles: bool, log: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    if tiles:
        env.pop("MAPAPP_TILES", None)
    else:
        env["MAPAPP_TILES"] = "none"
    with log.open("wb") as out:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "mapapp/app.py",
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--server.headless",
                "true",
                "--browser.gatherUsageStats",
                "false",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def wait_healthy(process: subprocess.Popen[bytes], url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().decode().strip() == "ok":
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.25)
    raise RuntimeError(f"the app did not start at {url}")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def shoot(url: str, output: Path, tiles: bool) -> None:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})

        def offline(route: Route) -> None:
            parts = urlsplit(route.request.url)
            local = parts.scheme in ("data", "blob", "about") or parts.hostname in (
                "127.0.0.1",
                "localhost",
            )
            if local or tiles:
                route.continue_()
            else:
                route.abort()

        context.route("**/*", offline)
        page = context.new_page()
        page.goto(f"{url}/{VIEW}")
        handle = page.wait_for_selector(MAP_IFRAME, state="attached", timeout=60_000)
        frame = handle.content_frame() if handle else None
        if frame is None:
            raise RuntimeError("the map iframe did not load")
        frame.wait_for_function(
            "n => document.querySelectorAll('path.mapapp-place').length === n",
            arg=PLACES,
            timeout=60_000,
        )
        frame.wait_for_function("document.querySelector('.leaflet-zoom-anim') === null")
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
    parser.add_argument("--output", type=Path, default=OUTPUT, help=f"default: {OUTPUT}")
    args = parser.parse_args(argv)
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "streamlit.log"
        process = start_app(port, args.tiles, log)
        try:
            url = f"http://127.0.0.1:{port}"
            try:
                wait_healthy(process, url)
            except RuntimeError:
                sys.stderr.write(log.read_text(encoding="utf-8", errors="replace"))
                raise
            shoot(url, args.output, args.tiles)
        finally:
            stop(process)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
