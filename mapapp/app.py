"""The Streamlit app. Run: ``python -m streamlit run mapapp/app.py``.

Two pages: the map (default) and "Edit data" for allow-listed editors.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from mapapp.ui.shell import run_page

HERE = Path(__file__).resolve().parent


def map_page() -> None:
    """The map page: ui/map_page.py, its source compiled once (see ``run_page``)."""
    run_page(HERE / "ui" / "map_page.py")


# Streamlit's own exports (a table's "Download as CSV" and copy, a chart's data view) would
# hand viewers the data's text as it is, spreadsheet formulas (`=HYPERLINK(…)`) included:
# they are off, here and in .streamlit/config.toml. The page's own downloads escape formulas.
st.set_option("client.disableDataExport", True)
st.set_page_config(page_title="Southern Damascus control map", layout="wide")
st.navigation(
    [
        st.Page(map_page, title="Map", default=True),
        st.Page(HERE / "ui" / "edit_page.py", title="Edit data", url_path="edit"),
    ]
).run()
