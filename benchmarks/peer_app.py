"""The naive peer: the Streamlit + folium pattern most tutorials show, for the benchmarks.

On every rerun it reads the data folder (``MAPAPP_DATA``, default ``data/``) into a
GeoDataFrame and pandas tables, finds each place's controlling faction on the slider's day
with plain pandas filtering, builds a fresh folium map from the GeoDataFrame
(``folium.GeoJson(gdf, style_function=..., tooltip=...)``) and hands it to ``st_folium``
with its defaults. No caching, no validation, no uncertainty, no sources.

Two things differ from a tutorial, both so the same benchmark driver can measure it:

* Leaflet is served by this app (the benchmark browser is offline): copied from the
  ``xstatic-leaflet`` package into ``benchmarks/static/`` and served by Streamlit's static
  serving, exactly as mapapp does;
* the widgets match mapapp's: a date slider with ``key="date"``, ``?date=`` in the address
  as the first day, "◀ Previous change" / "Next change ▶" buttons, and each polygon has
  the classes ``mapapp-place mapapp-place-<id>`` so the driver can watch its ``fill``.

Run from the repo root: ``streamlit run benchmarks/peer_app.py`` (``MAPAPP_TILES=none``
for no basemap).
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from mapapp.web.assets import install_leaflet

HERE = Path(__file__).resolve().parent
DATA = Path(os.environ.get("MAPAPP_DATA") or HERE.parent / "data")
NO_DATA_COLOUR = "#bdbdbd"
#: Streamlit serves <this script's folder>/static/ here (server.enableStaticServing)
LEAFLET = "/app/static/leaflet"

install_leaflet(HERE / "static")
st.set_page_config(page_title="Southern Damascus control (peer)", layout="wide")
st.title("Southern Damascus: who controlled what")

# -- read everything, every rerun ------------------------------------------------------------
gdf = gpd.read_file(DATA / "neighbourhoods.geojson")
control = pd.read_csv(DATA / "control.csv", dtype=str, keep_default_na=False)
factions = pd.read_csv(DATA / "factions.csv", dtype=str, keep_default_na=False)
sources = pd.read_csv(DATA / "sources.csv", dtype=str, keep_default_na=False)

published = dict(zip("source:" + sources["id"], sources["published"], strict=True))


def to_day(column: pd.Series) -> pd.Series:
    """Date cells to days: "source:x" -> x's published date; "~" dropped; "2015" is
    1 Jan 2015, "2015-09" 1 Sep 2015; empty -> NaT."""
    text = column.str.rstrip("~").replace(published)
    return pd.to_datetime(text.where(text != ""), format="ISO8601")


control["start_day"] = to_day(control["start"])
control["end_day"] = to_day(control["end"])
days = sorted(
    {t.date() for t in pd.concat([control["start_day"], control["end_day"]]).dropna().unique()}
)
first, last = (min(days), max(days)) if days else (date(2015, 1, 1), date(2015, 12, 31))

if "date" not in st.session_state:
    try:
        st.session_state["date"] = date.fromisoformat(st.query_params.get("date", ""))
    except ValueError:
        st.session_state["date"] = last


def step(direction: int) -> None:
    now = st.session_state["date"]
    later = [d for d in days if d > now]
    earlier = [d for d in days if d < now]
    if direction > 0 and later:
        st.session_state["date"] = later[0]
    elif direction < 0 and earlier:
        st.session_state["date"] = earlier[-1]


day = st.slider("Date", min_value=first, max_value=last, key="date", format="YYYY-MM-DD")
left, right = st.columns(2)
left.button("◀ Previous change", on_click=step, args=(-1,), key="prev")
right.button("Next change ▶", on_click=step, args=(1,), key="next")

# -- who holds what on the day: plain pandas filtering -------------------------------------
starts, ends, now = control["start_day"], control["end_day"], pd.Timestamp(day)
active = control[(starts.isna() | (starts <= now)) & (ends.isna() | (ends > now))]
state = (
    active.groupby("place_id")
    .agg(
        faction_id=("faction_id", "first"),
        factions=("faction_id", ", ".join),
        status=("status", lambda s: s.iloc[0] if s.nunique() == 1 else "mixed"),
    )
    .reset_index()
)
colours = dict(zip(factions["id"], factions["colour"], strict=True))
state["colour"] = state["faction_id"].map(colours)
places = gdf.merge(state, left_on="id", right_on="place_id", how="left")
places["status"] = places["status"].fillna("no data")
places["factions"] = places["factions"].fillna("")
places["colour"] = places["colour"].fillna(NO_DATA_COLOUR)
places = places[["id", "name_en", "name_ar", "status", "factions", "colour", "geometry"]]

# -- a fresh folium map, every rerun -----------------------------------------------------------
tiles = None if os.environ.get("MAPAPP_TILES", "").lower() == "none" else "OpenStreetMap"
minx, miny, maxx, maxy = places.total_bounds
m = folium.Map(location=[(miny + maxy) / 2, (minx + maxx) / 2], zoom_start=13, tiles=tiles)
m.default_js = [("leaflet", f"{LEAFLET}/leaflet.js")]
m.default_css = [("leaflet_css", f"{LEAFLET}/leaflet.css")]
m.fit_bounds([[miny, minx], [maxy, maxx]])


def style(feature: dict[str, Any]) -> dict[str, Any]:
    props = feature["properties"]
    return {
        "fillColor": props["colour"],
        "color": "#333333",
        "weight": 1,
        "fillOpacity": 0.7,
        "className": f"mapapp-place mapapp-place-{props['id']}",
    }


folium.GeoJson(
    places,
    style_function=style,
    tooltip=folium.GeoJsonTooltip(fields=["name_en", "status", "factions"]),
).add_to(m)
st_folium(m)
st.caption(f"{len(active)} control rows hold on {day.isoformat()}.")
