"""The timeline chart: one row per place, one bar per control period, coloured by faction."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import altair as alt
import pandas as pd

from mapapp.i18n import STATUS, Lang, date_label, label
from mapapp.model import Dataset
from mapapp.style import CONDITION as DAY_COLOUR
from mapapp.style import Palette, faction_colour


def timeline_rows(ds: Dataset, first: date, last: date, lang: Lang) -> list[dict[str, Any]]:
    """One record per control period, open ends clipped to ``[first, last]``."""
    rows = []
    for row in ds.control:
        place = ds.places[row.place_id]
        faction = ds.factions[row.faction_id]
        start = row.start.earliest if row.start else first
        end = row.end.earliest if row.end else last
        rows.append(
            {
                "place": place.name_ar if lang == "ar" else place.name_en,
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
    """The chart's Vega-Lite spec without the day marker (build once, reuse every day)."""
    rows = timeline_rows(ds, first - timedelta(days=1), last + timedelta(days=1), lang)
    factions = list(dict.fromkeys(r["faction_id"] for r in rows))
    names = [ds.factions[f].name_ar if lang == "ar" else ds.factions[f].name_en for f in factions]
    colours = [faction_colour(ds, f, palette) for f in factions]
    places = [p.name_ar if lang == "ar" else p.name_en for p in ds.places.values()]
    bars = (
        alt.Chart(pd.DataFrame(rows))
        .mark_bar(opacity=0.85)
        .encode(
            x=alt.X("start:T", title=None),
            x2="end:T",
            y=alt.Y("place:N", sort=places, title=None),
            yOffset=alt.YOffset("faction:N"),
            color=alt.Color("faction:N", scale=alt.Scale(domain=names, range=colours), legend=None),
            tooltip=["place:N", "faction:N", "status:N", "from:N", "to:N", "source:N"],
        )
        .properties(height=28 * len(places))
    )
    # the data is ours and bounded by the files; Altair's 5,000-row guard would crash the page
    with alt.data_transformers.disable_max_rows():
        spec: dict[str, Any] = bars.to_dict()
    return spec


def with_day(spec: dict[str, Any], day: date) -> dict[str, Any]:
    """The spec with a rule marking ``day`` (cheap: no Altair involved)."""
    rule = {
        "mark": {"type": "rule", "color": DAY_COLOUR, "strokeWidth": 2},
        "encoding": {
            "x": {
                "datum": {"year": day.year, "month": day.month, "date": day.day},
                "type": "temporal",
            }
        },
    }
    top = {k: v for k, v in spec.items() if k in ("$schema", "datasets", "config", "height")}
    layer = {k: v for k, v in spec.items() if k not in top}
    return {**top, "layer": [layer, rule]}
