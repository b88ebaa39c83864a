"""What the Streamlit pages share: where the data is, and loading it cached on file state."""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from mapapp.report import Report
from mapapp.schema import DEFAULT_DATA_DIR
from mapapp.timeline import Timeline
from mapapp.validate import LoadResult, load_dataset


def data_dir() -> Path:
    return Path(os.environ.get("MAPAPP_DATA") or DEFAULT_DATA_DIR)


def file_stamp(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """Changes whenever a data file is edited, so the cache picks edits up at once."""
    if not folder.is_dir():
        return ()
    return tuple(
        (p.name, p.stat().st_mtime_ns, p.stat().st_size)
        for p in sorted(folder.iterdir())
        if not p.name.startswith(".")
    )


@st.cache_resource(show_spinner=False, max_entries=4)
def cached_load(folder: str, stamp: tuple[tuple[str, int, int], ...]) -> LoadResult:
    return load_dataset(Path(folder))


@st.cache_resource(show_spinner=False, max_entries=4)
def cached_timeline(folder: str, stamp: tuple[tuple[str, int, int], ...]) -> Timeline:
    """The timeline of a valid dataset, built once per data version, not on every rerun."""
    dataset = cached_load(folder, stamp).dataset
    assert dataset is not None
    return Timeline(dataset)


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
