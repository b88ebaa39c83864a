"""The charts under the map: ground held by bloc over time (stacked areas), and the timeline
of control (one row per place, one bar per control period, coloured by faction). Both mark
the day shown (:func:`day_marked`), name their months with the year, and speak the page's
language. The timeline also shows the spans in which a place is disputed (violet)
or stale (grey)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import altair as alt
import pandas as pd
import pyarrow as pa

from mapapp.core import fronts
from mapapp.core.model import Dataset
from mapapp.core.timeline import DISPUTED, Timeline
from mapapp.draw.i18n import STATUS, Lang, date_label, label, t
from mapapp.draw.style import DISPUTED as DISPUTED_COLOUR
from mapapp.draw.style import NEUTRAL, STALE, Palette, faction_colour, side_colour, side_name, wash

_AR_MONTHS = [
    "كانون الثاني",
    "شباط",
    "آذار",
    "نيسان",
    "أيار",
    "حزيران",
    "تموز",
    "آب",
    "أيلول",
    "تشرين الأول",
    "تشرين الثاني",
    "كانون الأول",
]
#: how strongly each status is drawn in the ground chart (sole full, presence faint)
STATUS_STRENGTH = {"sole": 1.0, "shared": 0.75, "partial": 0.5, "presence": 0.3}


def month_axis(lang: Lang) -> alt.Axis:
    """A time axis of months with their year, in the page's language."""
    if lang == "ar":
        names = ", ".join(f"'{m}'" for m in _AR_MONTHS)
        return alt.Axis(
            labelExpr=f"[{names}][month(datum.value)] + ' ' + year(datum.value)",
            tickCount="month",
            labelOverlap=True,
        )
    return alt.Axis(format="%b %Y", tickCount="month", labelOverlap=True)


def ground_rows(
    ds: Dataset,
    first: date,
    last: date,
    palette: Palette,
    lang: Lang,
    timeline: Timeline | None = None,
) -> tuple[list[dict[str, Any]], list[str], list[str]]:
    """The ground chart's rows (one per day and series, km² constant until the next
    row's day), the series' names in stacking order, and their colours. ``timeline``: the
    dataset's (newest-report rule), when the caller has it worked out."""
    days = fronts.ground_over(ds, first, last, "bloc", timeline)
    columns = fronts.ground_columns(ds, days, "bloc")
    names = [
        f"{side_name(ds, side, 'bloc', lang)} · {label(STATUS, status, lang)}"
        for side, status in columns
    ]
    colours = [
        wash(side_colour(ds, side, "bloc", palette), STATUS_STRENGTH.get(status, 0.5))
        for side, status in columns
    ]
    no_data = label(STATUS, "no-data", lang)
    rows = []
    # drawn as steps (each day's km² hold until the next row's day); the last day repeats
    # the last values so the final step reaches the end of the range
    for g, when in [*((g, g.day) for g in days), *((g, last) for g in days[-1:])]:
        for (side, status), name in zip(columns, names, strict=True):
            km2 = round(g.held.get(side, {}).get(status, 0.0), 3)
            rows.append({"day": when.isoformat(), "series": name, "km2": km2})
        km2 = round(g.no_data_km2, 3)
        rows.append({"day": when.isoformat(), "series": no_data, "km2": km2})
    return rows, [*names, no_data], [*colours, NEUTRAL]


def ground_spec(
    ds: Dataset,
    first: date,
    last: date,
    palette: Palette,
    lang: Lang,
    timeline: Timeline | None = None,
) -> dict[str, Any]:
    """The ground chart's Vega-Lite spec: km² held by each bloc, by status, stacked."""
    rows, names, colours = ground_rows(ds, first, last, palette, lang, timeline)
    order = {name: i for i, name in enumerate(names)}
    for row in rows:
        row["order"] = order[row["series"]]
    chart = (
        alt.Chart(pd.DataFrame(rows))
        .mark_area(interpolate="step-after", line=False)
        .encode(
            x=alt.X("day:T", title=None, axis=month_axis(lang)),
            y=alt.Y("km2:Q", stack="zero", title="km²"),
            color=alt.Color(
                "series:N",
                scale=alt.Scale(domain=names, range=colours),
                legend=alt.Legend(orient="bottom", title=None, columns=3, labelLimit=260),
            ),
            order=alt.Order("order:Q"),
            tooltip=["day:T", "series:N", "km2:Q"],
        )
        .properties(height=180)
    )
    # a row per change day and series: past ~1,000 places more than Altair's 5,000-row
    # guard, which would crash the page (the data is ours, bounded by the files)
    with alt.data_transformers.disable_max_rows():
        spec: dict[str, Any] = one_line(chart.to_dict())
    return spec


_LAYER_KEYS = ("mark", "encoding", "transform", "params")


def one_line(value: Any) -> Any:
    """The spec with every string on one line (white space runs as one space).

    Vega compiles parts of a spec (sort orders, scale domains, legends) into JavaScript
    expressions; a line break or line separator from the data in a name there is a syntax
    error ("Unexpected token ILLEGAL") and the chart is blank. A chart label shows white
    space as one space anyway."""
    if isinstance(value, str):
        return " ".join(value.split()) if any(c.isspace() and c != " " for c in value) else value
    if isinstance(value, list):
        return [one_line(v) for v in value]
    if isinstance(value, dict):
        return {k: one_line(v) for k, v in value.items()}
    return value


#: the page's hidden input holding the day shown (``web/component.js`` keeps it), and the
#: chart parameter bound to it
DAY_INPUT = "mapapp-chart-day"
DAY_PARAM = "mapapp_day"


def day_marked(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec with the day shown marked: a red rule and the date, in a layer of their own.

    The day is not in the spec: a parameter bound to the page's hidden input
    (:data:`DAY_INPUT`, which the map's component sets as it draws a day) carries it into
    the chart. The spec is then the same on every day, so a date change neither re-sends
    the chart nor re-draws it: Vega moves the marker. Without the input (no map), no
    marker is drawn rather than a wrong one."""
    base = {k: v for k, v in spec.items() if k in _LAYER_KEYS}
    top = {k: v for k, v in spec.items() if k not in _LAYER_KEYS}
    param = {"name": DAY_PARAM, "value": "", "bind": {"element": f"#{DAY_INPUT}"}}
    marker: dict[str, Any] = {
        "data": {"values": [{}]},
        "transform": [
            {"filter": f"test(/^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}$/, {DAY_PARAM})"},
            {"calculate": f"toDate({DAY_PARAM})", "as": "day"},
            # the date as text in a field of its own: the temporal ``day`` is a timestamp,
            # which the text mark would show as milliseconds
            {"calculate": DAY_PARAM, "as": "label"},
        ],
    }
    rule = {
        **marker,
        "mark": {"type": "rule", "color": "#c0392b", "strokeWidth": 2},
        "encoding": {"x": {"field": "day", "type": "temporal"}},
    }
    text = {
        **marker,
        "mark": {
            "type": "text",
            "color": "#c0392b",
            "align": "left",
            "dx": 4,
            "dy": -4,
            "baseline": "bottom",
            "y": 0,
        },
        "encoding": {
            "x": {"field": "day", "type": "temporal"},
            "text": {"field": "label", "type": "nominal"},
        },
    }
    # the chart's own parameters (if any) stay with its layer (``_LAYER_KEYS``)
    return {**top, "params": [param], "layer": [base, rule, text]}


def chart_rows(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows of the spec's one inline dataset (Altair's ``datasets`` + ``data.name``)."""
    name = spec.get("data", {}).get("name")
    rows: list[dict[str, Any]] = spec.get("datasets", {}).get(name, [])
    return rows


def data_by_url(spec: dict[str, Any], url: str) -> dict[str, Any]:
    """The spec with its data loaded from ``url`` (a JSON file of :func:`chart_rows`)
    instead of carried inline. The spec then stays small, so marking another day
    (:func:`day_marked`) resends a few KB, not the chart's rows; the browser fetches the
    file once and keeps it (its name changes with its content)."""
    rest = {k: v for k, v in spec.items() if k != "datasets"}
    rest["data"] = {"url": url, "format": {"type": "json"}}
    return rest


def timeline_rows(ds: Dataset, first: date, last: date, lang: Lang) -> list[dict[str, Any]]:
    """One record per control period, open ends clipped to ``[first, last]``."""
    rows = []
    order = {pid: i for i, pid in enumerate(ds.places)}
    for row in ds.control:
        place = ds.places[row.place_id]
        faction = ds.factions[row.faction_id]
        begin = row.start or row.as_of  # without a start, from the report's date
        start = begin.earliest if begin else first
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
                "as_of": date_label(row.as_of, lang) if row.as_of else "",
                "to": date_label(row.end, lang) if row.end else "…",
                "source": row.source_id,
            }
        )
    return rows


def span_rows(
    ds: Dataset, timeline: Timeline, first: date, last: date, lang: Lang
) -> list[dict[str, Any]]:
    """The spans of ``[first, last]`` in which each place is disputed or stale: one record
    per span, drawn as bars of their own beside the control periods."""
    rows = []
    kinds = (("disputed", t("disputed", lang)), ("stale", t("stale", lang)))
    order = {p: i for i, p in enumerate(ds.places)}
    for pid, own in timeline.state_days().items():
        days = [first, *sorted(d for d in own if first < d <= last)]
        place = ds.places[pid]
        open_: dict[str, date] = {}
        for i, day in enumerate(days):
            state = timeline.place_state(pid, day)
            flags = {"disputed": state.agreement == DISPUTED, "stale": state.stale}
            end = days[i + 1] if i + 1 < len(days) else last
            for key, name in kinds:
                if flags[key] and key not in open_:
                    open_[key] = day
                if (not flags[key] or i + 1 == len(days)) and key in open_:
                    start = open_.pop(key)
                    stop = end if flags[key] else day
                    if stop > start:
                        rows.append(
                            {
                                "place": place.name_ar if lang == "ar" else place.name_en,
                                "place_order": order[pid],
                                "faction": name,
                                "faction_id": f"-{key}",
                                "status": name,
                                "start": start.isoformat(),
                                "end": stop.isoformat(),
                                "from": start.isoformat(),
                                "to": stop.isoformat(),
                                "source": "",
                            }
                        )
    return rows


def timeline_spec(
    ds: Dataset,
    first: date,
    last: date,
    palette: Palette,
    lang: Lang,
    timeline: Timeline | None = None,
) -> dict[str, Any]:
    """The chart's Vega-Lite spec. It does not mark the slider's day: built once per data
    version and unchanged between reruns, Streamlit sends it once and then only a reference
    to it (its forward-message cache), instead of ~20 KB on every date change."""
    lo, hi = first - timedelta(days=1), last + timedelta(days=1)
    rows = timeline_rows(ds, lo, hi, lang)
    rows += span_rows(ds, timeline or Timeline(ds), lo, hi, lang)
    factions = list(dict.fromkeys(r["faction_id"] for r in rows))
    special = {
        "-disputed": (t("disputed", lang), DISPUTED_COLOUR),
        "-stale": (t("stale", lang), STALE),
    }
    names = [
        special[f][0]
        if f in special
        else (ds.factions[f].name_ar if lang == "ar" else ds.factions[f].name_en)
        for f in factions
    ]
    colours = [special[f][1] if f in special else faction_colour(ds, f, palette) for f in factions]
    places = [p.name_ar if lang == "ar" else p.name_en for p in ds.places.values()]
    bars = (
        alt.Chart(pd.DataFrame(rows))
        .mark_bar(opacity=0.85)
        .encode(
            x=alt.X("start:T", title=None, axis=month_axis(lang)),
            x2="end:T",
            y=alt.Y(
                "place:N", sort=alt.EncodingSortField(field="place_order", op="min"), title=None
            ),
            yOffset=alt.YOffset("faction:N"),
            color=alt.Color(
                "faction:N",
                scale=alt.Scale(domain=names, range=colours),
                legend=alt.Legend(orient="bottom", title=None, columns=3, labelLimit=260),
            ),
            tooltip=["place:N", "faction:N", "status:N", "from:N", "to:N", "source:N"],
        )
        .properties(height=34 * len(places))
    )
    # the data is ours and bounded by the files; Altair's 5,000-row guard would crash the page
    with alt.data_transformers.disable_max_rows():
        spec: dict[str, Any] = one_line(bars.to_dict())
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
