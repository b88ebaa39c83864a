"""The timeline chart: one row per place, one bar per control period, coloured by faction."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import altair as alt
import pandas as pd
import pyarrow as pa

from mapapp.core.model import Dataset
from mapapp.draw.i18n import STATUS, Lang, date_label, label
from mapapp.draw.style import Palette, faction_colour


def timeline_rows(ds: Dataset, first: date, last: date, lang: Lang) -> list[dict[str, Any]]:
    """One record per control period, open ends clipped to ``[first, last]``."""
    rows = []
    order = {pid: i for i, pid in enumerate(ds.places)}
    for row in ds.control:
        place = ds.places[row.place_id]
        faction = ds.factions[row.faction_id]
        start = row.start.earliest if row.start else first
        end = row.end.earliest if row.end else last
        rows.append(
            {
                "place": place.name_ar if lang == "ar" else place.name_en,
                "place_id": row.place_id,
                "place_order": order[row.place_id],
                "faction": faction.name_ar if lang == "ar" else faction.name_en,
                "faction_id": row.faction_id,
                "status": label(STATUS, row.status, lang),
                "start": max(start, first).isoformat(),
                "end": min(end, last).isoformat(),
                "from": date_label(row.start, lang) if row.start else "?",
                "to": date_label(row.end, lang) if row.end else "…",
                "source": row.source_id,
            }
        )
    return rows


def timeline_spec(
    ds: Dataset, first: date, last: date, palette: Palette, lang: Lang
) -> dict[str, Any]:
    """The chart's Vega-Lite spec. It does not mark the slider's day: built once per data
    version and unchanged between reruns, Streamlit sends it once and then only a reference
    to it (its forward-message cache), instead of ~20 KB on every date change."""
    rows = timeline_rows(ds, first - timedelta(days=1), last + timedelta(days=1), lang)
    # Data text is only ever a value shown (axis labels, tooltips), never part of the spec's
    # logic: Vega-Lite compiles an explicit sort order into an expression, where a line break
    # in a name is a syntax error that blanks the chart. Sorting and colour go by numbers
    # and ids (the validator keeps their form) instead.
    factions = list(dict.fromkeys(r["faction_id"] for r in rows))
    colours = [faction_colour(ds, f, palette) for f in factions]
    bars = (
        alt.Chart(pd.DataFrame(rows))
        .mark_bar(opacity=0.85)
        .encode(
            x=alt.X("start:T", title=None),
            x2="end:T",
            y=alt.Y(
                "place:N", sort=alt.EncodingSortField(field="place_order", op="min"), title=None
            ),
            yOffset=alt.YOffset("faction_id:N"),
            color=alt.Color(
                "faction_id:N", scale=alt.Scale(domain=factions, range=colours), legend=None
            ),
            tooltip=["place:N", "faction:N", "status:N", "from:N", "to:N", "source:N"],
        )
        .properties(height=28 * len(ds.places))
    )
    # the data is ours and bounded by the files; Altair's 5,000-row guard would crash the page
    with alt.data_transformers.disable_max_rows():
        spec: dict[str, Any] = bars.to_dict()
    return spec


def split_data(spec: dict[str, Any]) -> tuple[pa.Table, dict[str, Any]]:
    """The spec's one inline dataset as an Arrow table, and the spec without it.

    Streamlit converts inline chart data to Arrow on every rerun (through pandas, ~5 ms
    here); handed a ready Arrow table it only serialises it."""
    rest = dict(spec)
    datasets = rest.pop("datasets", {})
    name = rest.pop("data", {}).get("name")
    rows = datasets.get(name, [])
    return pa.Table.from_pylist(rows), rest
