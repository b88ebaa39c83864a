"""What the Streamlit pages share: where the data is, and loading it once per version.

A *data version* is the folder as its files stand (names, modification times, sizes): it
is read and checked once, and what the pages derive from it (the timeline, the chart, the
map's bundle) is made once and kept with it. Plain ``functools`` caches, not Streamlit's:
their keys are small tuples, hashed in microseconds on every rerun.

If the files go bad while the app runs (an editor's half-saved file, a deleted file), the
page keeps showing the last good version with a warning (:func:`current_version`).
"""

from __future__ import annotations

import functools
import gc
import os
import threading
from collections.abc import Callable, Hashable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from types import CodeType
from typing import Any, TypeVar

import streamlit as st

from mapapp.core.evidence import ARCHIVE_DIR
from mapapp.core.model import Dataset
from mapapp.core.report import Issue, Report
from mapapp.core.schema import DEFAULT_DATA_DIR, SchemaError
from mapapp.core.timeline import Timeline
from mapapp.core.validate import LoadResult, load_dataset

Stamp = tuple[tuple[str, int, int], ...]
T = TypeVar("T")
_MISSING = object()


@functools.lru_cache(maxsize=8)
def _compiled(path: Path, mtime_ns: int) -> CodeType:
    code: CodeType = compile(path.read_bytes(), str(path), "exec", dont_inherit=True)
    return code


def run_page(path: Path) -> None:
    """Run the page script at ``path`` as Streamlit runs a file page, its source compiled
    once per version of the file (kept here, in a module imported once, not in the app's
    script, which runs anew each time). Streamlit's test harness (AppTest, which the
    benchmarks time a rerun with) compiles a file page on every run: a few ms a rerun."""
    code = _compiled(path, path.stat().st_mtime_ns)
    exec(code, {"__name__": "__main__", "__file__": str(path)})


def data_dir() -> Path:
    return Path(os.environ.get("MAPAPP_DATA") or DEFAULT_DATA_DIR)


def _listed(path: Path) -> list[os.DirEntry[str]]:
    """The entries of a folder by name (a DirEntry costs less than a Path a file, per rerun)."""
    with os.scandir(path) as entries:
        return sorted(entries, key=lambda entry: entry.name)


def file_stamp(folder: Path) -> Stamp:
    """Changes whenever a data file is edited, so the cache picks edits up at once."""
    try:
        entries = [("", entry) for entry in _listed(folder)]
    except OSError:
        return ()
    # an archived source edited in place changes its own stamp, not its folder's
    with suppress(OSError):
        entries += [(f"{ARCHIVE_DIR}/", entry) for entry in _listed(folder / ARCHIVE_DIR)]
    stamp = []
    for prefix, entry in entries:
        if entry.name.startswith("."):
            continue
        try:
            info = entry.stat()
        except OSError:  # removed between the listing and now
            continue
        stamp.append((prefix + entry.name, info.st_mtime_ns, info.st_size))
    return tuple(stamp)


@dataclass(eq=False)
class DataVersion:
    """One state of the data folder: its check, and everything made from it, made once."""

    folder: str
    stamp: Stamp
    result: LoadResult
    _made: dict[Hashable, Any] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    #: one lock per key being made: a session waits only for the thing it asks for
    _making: dict[Hashable, threading.Lock] = field(default_factory=dict, repr=False)

    @property
    def dataset(self) -> Dataset:
        assert self.result.dataset is not None, "only a valid version has a dataset"
        return self.result.dataset

    def made(self, key: Hashable, make: Callable[[], T]) -> T:
        """``make()``, once per key for this version (concurrent sessions asking for the same
        key wait for it). Each key has its own lock: a new reader's first run, which needs
        the map's bundle (made long ago), never waits behind another session's chart being
        made for the first time (a minute at 10,000 places)."""
        found = self._made.get(key, _MISSING)  # made: no lock (a dict lookup is atomic)
        if found is not _MISSING:
            value: T = found
            return value
        with self._lock:
            lock = self._making.setdefault(key, threading.Lock())
        with lock:
            if key not in self._made:
                self._made[key] = make()
                # what a version makes lives as long as it, like its dataset (see
                # load_version): moved out of the collector's reach. The map's bundle leaves
                # its build's cache behind (for the next version's rebuild): at 10,000 places
                # every full collection walked it, 6-23 s each, landing in any reader's
                # run, a new visitor's first one too (its map waited that long)
                gc.freeze()
            made: T = self._made[key]
            return made

    def forget(self, key: Hashable) -> None:
        with self._lock:
            self._made.pop(key, None)

    @property
    def timeline(self) -> Timeline:
        """The timeline of a valid version, built once, not on every rerun."""
        return self.made("timeline", lambda: Timeline(self.dataset))


@functools.lru_cache(maxsize=4)
def load_version(folder: str, stamp: Stamp) -> DataVersion:
    """The folder as of ``stamp``, read and checked (once per stamp)."""
    try:
        result = load_dataset(Path(folder))
    except SchemaError as exc:  # datapackage.json itself unusable: say so, do not crash
        issue = Issue("datapackage.json", None, None, "bad-schema", str(exc))
        result = LoadResult(None, Report([issue]))
    # what is loaded now (the dataset, and the app's modules before it) lives as long as
    # the server: moved out of the collector's reach, a full collection no longer walks it
    # (~0.4 s under load, landing in some reader's rerun)
    gc.freeze()
    return DataVersion(folder, stamp, result)


_last_good: dict[str, DataVersion] = {}
_last_good_lock = threading.Lock()


def current_version(folder: Path) -> tuple[DataVersion, Report | None]:
    """The version to show, and the problems of the files on disk if they are not it.

    When the files are valid: their version and None. When they are not, but an earlier
    version of this folder was valid in this process: that version (the last good data)
    and the new files' report. Otherwise the invalid version (its ``result.dataset`` is
    None) and None.
    """
    version = load_version(str(folder), file_stamp(folder))
    with _last_good_lock:
        if version.result.dataset is not None:
            _last_good[version.folder] = version
            return version, None
        good = _last_good.get(version.folder)
    if good is None:
        return version, None
    return good, version.result.report


def show_report(report: Report) -> None:
    """The validator's problems as a table: file, line, column, message, code."""
    st.dataframe(
        [
            {
                "file": i.file,
                "line": i.line,
                "column": i.column,
                "problem": i.message,
                "code": i.code,
            }
            for i in report.sorted()
        ],
        hide_index=True,
    )
