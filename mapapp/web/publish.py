"""The page's map bundles, published as static files Streamlit serves (the live page's
side of the bundle; the static site is :mod:`mapapp.web.export`).

A bundle (:func:`mapapp.web.export.build_bundle`) is written once per data version under
a name made from its content, its ``html`` table cut into files the map fetches when a
popup of them first opens.
"""

from __future__ import annotations

import hashlib
import itertools
from pathlib import Path
from typing import Any

from mapapp.web.assets import write_once
from mapapp.web.export import first_view, to_json

#: how many published bundles :func:`publish_bundle` keeps (the newest)
KEEP_BUNDLES = 16
#: and how many bytes of them at most (the newest is always kept): Streamlit switches
#: static serving off at start when its folder passes 1 GB, and a bundle of 10,000 places
#: is ~450 MB, so two versions of it there would leave the next start with no map
MAX_BUNDLE_BYTES = 512 * 1024 * 1024
#: entries per file of a published bundle's html table
HTML_FILE_SIZE = 2000
#: the layout of published files; part of their names, so files an older version left in
#: the folder (same data, another layout) are never taken for this one
PUBLISHED_LAYOUT = f"html-files/{HTML_FILE_SIZE}/variant-files"


def publish_bundle(bundle: dict[str, Any], folder: Path, max_bytes: int = MAX_BUNDLE_BYTES) -> Path:
    """Write the bundle for the page's map component into ``folder``: ``<hash>.json``
    without its html table, which goes into ``<hash>-h<k>.json`` files of
    :data:`HTML_FILE_SIZE` entries (the map fetches one when a popup of it first opens;
    the citations are most of a bundle's bytes), and with the frames of English under the
    newest report only: each other variant's are ``<hash>-v<n>.json`` (``variants``).
    Names come from the content, so a browser can cache them for good. Written atomically;
    all but the newest :data:`KEEP_BUNDLES` bundles, and older ones past ``max_bytes`` (the
    newest stays), are removed. Returns the main file. Raises ``OSError`` if it cannot
    write."""
    # every part is serialised once: the name hashes the parts' texts (and the layout),
    # not a serialisation of the whole bundle besides (at 10,000 places, 575 MB of JSON)
    digest = hashlib.sha256(f"{PUBLISHED_LAYOUT}\n".encode())
    table: list[str] = bundle["html"]
    chunks = [
        to_json(table[k : k + HTML_FILE_SIZE]) for k in range(0, max(len(table), 1), HTML_FILE_SIZE)
    ]
    for text in chunks:
        digest.update(f"{len(text)}\n{text}".encode())
    # the frames of the variant a page opens in and the opening day's front lines stay in
    # the main file; each other language's and rule's frames (12 variants at 6 rules) and
    # all the front lines are files, fetched when a reader asks for them
    parts: list[tuple[str, str]] = []  # (suffix, text), in the order first_view stores them

    def collect(name: str, value: Any) -> str:
        text = to_json(value)
        parts.append(("fronts" if name == "frontLines" else f"v{len(parts)}", text))
        digest.update(f"{name}\n{len(text)}\n{text}".encode())
        return str(len(parts) - 1)

    digest.update(to_json({**first_view(bundle, collect), "html": len(chunks)}).encode())
    base = digest.hexdigest()[:20]
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for k, text in enumerate(chunks):
        name = f"{base}-h{k}.json"
        write_once(folder / name, text)
        files.append(name)
    numbers = itertools.count()

    def store(name: str, value: Any) -> str:
        suffix, text = parts[next(numbers)]  # the same calls in the same order
        path = f"{base}-{suffix}.json"
        write_once(folder / path, text)
        return path

    main = {**first_view(bundle, store), "html": {"size": HTML_FILE_SIZE, "files": files}}
    target = folder / f"{base}.json"
    write_once(target, to_json(main))
    mains = [p for p in folder.glob("*.json") if "-" not in p.stem and p != target]
    mains.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    kept, size = 1, _bytes(target, folder)
    for older in mains:
        size += _bytes(older, folder)
        if kept < KEEP_BUNDLES and size <= max_bytes:
            kept += 1
            continue
        for part in folder.glob(f"{older.stem}-*.json"):
            part.unlink(missing_ok=True)
        older.unlink(missing_ok=True)
    return target


def _bytes(main: Path, folder: Path) -> int:
    """A published bundle's size: its main file and its parts."""
    return sum(p.stat().st_size for p in (main, *folder.glob(f"{main.stem}-*.json")))


#: how many chart data files :func:`publish_rows` keeps (the newest): a data version has
#: two charts per palette, language and rule
KEEP_ROWS = 64


def publish_rows(rows: list[dict[str, Any]], folder: Path) -> Path:
    """Write a chart's rows into ``folder`` as ``<hash>.json`` (named by content, so a
    browser can cache it for good) for a chart that loads its data by address. Written
    atomically; all but the newest :data:`KEEP_ROWS` files are removed. Raises ``OSError``
    if it cannot write."""
    text = to_json(rows)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{hashlib.sha256(text.encode()).hexdigest()[:20]}.json"
    write_once(target, text)
    files = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for stale in files[KEEP_ROWS:]:
        stale.unlink(missing_ok=True)
    return target
