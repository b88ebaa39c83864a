"""Run the app as a local server and drive Debian's Chromium: for the browser tests, the
screenshot script and benchmarks. Nothing here is used by the app itself."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
#: Debian's Chromium; never a downloaded browser
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
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
#: file: too, for pages opened from disk (a static export)
LOCAL_SCHEMES = {"data", "blob", "about", "file"}
#: the map iframe streamlit-folium mounts (same origin as the page)
MAP_IFRAME = 'iframe[src*="streamlit_folium.st_folium"]'


def is_local(url: str) -> bool:
    """Whether a browser request stays on this machine."""
    parts = urlsplit(url)
    return parts.scheme in LOCAL_SCHEMES or parts.hostname in LOCAL_HOSTS


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


def start_app(
    log: Path,
    *,
    data: Path | None = None,
    tiles: bool = False,
    env: Mapping[str, str] | None = None,
    timeout: float = 60.0,
    app: str = "mapapp/app.py",
    port: int | None = None,
    args: Sequence[str] = (),
) -> Server:
    """``streamlit run <app>`` (by default ``mapapp/app.py``; a path relative to the repo
    root) on a free local port, from the repo root (so .streamlit/config.toml is read);
    waits until it is healthy. Tiles off unless asked. ``port``: a port chosen beforehand
    (a login's redirect address names it); ``args``: more ``streamlit run`` options."""
    port = port or free_port()
    environ = {**os.environ, **(env or {})}
    environ.pop("MAPAPP_DATA", None)
    if data is not None:
        environ["MAPAPP_DATA"] = str(data)
    if tiles:
        environ.pop("MAPAPP_TILES", None)
    else:
        environ["MAPAPP_TILES"] = "none"
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        app,
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        *args,
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=environ,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(process, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=2) as response:
                if response.read().decode().strip() == "ok":
                    return server
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.25)
    server.stop()
    raise RuntimeError(
        f"streamlit did not become healthy on port {port}:\n"
        + log.read_text(encoding="utf-8", errors="replace")
    )
