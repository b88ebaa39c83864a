"""The Streamlit page (run: python -m streamlit run mapapp/app.py).

A thin shell over the pure core. Until the map page lands this is a placeholder that
shows the state of every place on the chosen day as a table, with its sources, and the
validation report instead of a traceback when the data is broken.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import streamlit as st

from mapapp import formats
from mapapp.schema import DEFAULT_DATA_DIR
from mapapp.timeline import Timeline
from mapapp.validate import LoadResult, load_dataset


def data_dir() -> Path:
    return Path(os.environ.get("MAPAPP_DATA") or DEFAULT_DATA_DIR)


def file_stamp(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """Changes whenever a data file is edited, so the cache picks edits up at once."""
    if not folder.is_dir():
        return ()
    return tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(folder.iterdir()))


@st.cache_resource(show_spinner=False)
def cached_load(folder: str, stamp: tuple[tuple[str, int, int], ...]) -> LoadResult:
    return load_dataset(Path(folder))


st.set_page_config(page_title="Southern Damascus: who held what, when", layout="wide")
st.title("Southern Damascus: who held what, when")
st.caption(
    "From one Arabic news article (Elaph, September 2015). Boundaries are approximate. "
    "The interactive map is being built; this page shows the same answers as a table."
)

folder = data_dir()
result = cached_load(str(folder), file_stamp(folder))
if result.dataset is None:
    st.error(f"The data in {folder} has problems, so nothing is shown until they are fixed.")
    st.dataframe(
        [
            {
                "file": i.file,
                "line": i.line,
                "column": i.column,
                "problem": i.message,
                "code": i.code,
            }
            for i in result.report.sorted()
        ],
        hide_index=True,
    )
    st.stop()

dataset = result.dataset
timeline = Timeline(dataset)
changes = timeline.change_dates()
first, last = (changes[0], changes[-1]) if changes else (date(2015, 1, 1), date(2015, 12, 31))
default = min(max(timeline.latest_reported_day() or last, first), last)
day = st.slider(
    "Date", min_value=first, max_value=last, value=default, key="date", format="YYYY-MM-DD"
)
records = [formats.state_record(dataset, s) for s in timeline.state_at(day).values()]
st.dataframe(
    [
        {
            "place": r["name_en"],
            "status": r["status"],
            "factions": ", ".join(f["name_en"] for f in r["factions"]),
            "since": (r["since"] or {}).get("label", ""),
            "uncertain": "yes" if r["uncertain"] else "",
            "conditions": ", ".join(c["kind"] for c in r["conditions"]),
            "sources": ", ".join(r["source_ids"]),
        }
        for r in records
    ],
    hide_index=True,
)
