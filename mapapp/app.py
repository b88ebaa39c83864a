"""The Streamlit app. Run: ``python -m streamlit run mapapp/app.py``.

Two pages: the map (default) and "Edit data" for allow-listed editors.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

HERE = Path(__file__).resolve().parent

# Streamlit's own exports (a table's "Download as CSV" and copy, a chart's data view) would
# hand viewers the data's text as it is, spreadsheet formulas (`=HYPERLINK(…)`) included:
# they are off, here and in .streamlit/config.toml. The page's own downloads escape formulas.
st.set_option("client.disableDataExport", True)
st.set_page_config(page_title="Southern Damascus control map", layout="wide")
st.navigation(
    [
        st.Page(HERE / "ui" / "map_page.py", title="Map", default=True),
        st.Page(HERE / "ui" / "edit_page.py", title="Edit data", url_path="edit"),
    ]
).run()
