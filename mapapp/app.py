"""The Streamlit app. Run: ``python -m streamlit run mapapp/app.py``.

Two pages: the map (default) and "Edit data" for allow-listed editors.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

HERE = Path(__file__).resolve().parent

st.set_page_config(page_title="Southern Damascus control map", layout="wide")
st.navigation(
    [
        st.Page(HERE / "ui" / "map_page.py", title="Map", default=True),
        st.Page(HERE / "ui" / "edit_page.py", title="Edit data", url_path="edit"),
    ]
).run()
