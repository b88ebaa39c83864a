"""The map page (the default page of ``mapapp/app.py``).

A thin shell: it reads the URL and the widgets, calls the pure core (validate ->
timeline -> layers -> map), and lays out the result. No joins, styling or validation
happen here.
"""

from __future__ import annotations

import time
from datetime import date
from typing import Any

import streamlit as st

from mapapp.core.timeline import Timeline
from mapapp.draw import credits, formats
from mapapp.draw.chart import ground_spec as ground_spec_for
from mapapp.draw.chart import timeline_spec
from mapapp.draw.escape import esc
from mapapp.draw.i18n import LANGS, Lang, t
from mapapp.draw.style import Palette
from mapapp.ui.charts import show_chart
from mapapp.ui.map_component import (
    bundle_url,
    inline_source,
    map_day,
    show_map,
    static_source,
)
from mapapp.ui.page_parts import side_parts, state_table
from mapapp.ui.permalink import View, parse_view, view_params
from mapapp.ui.shell import current_version, data_dir, show_report
from mapapp.web.assets import Tiles

LANG_NAMES = {"en": "English", "ar": "العربية"}
#: seconds between steps while playing through the changes
PLAY_SECONDS = 2.5


def html_block(body: str, lang: Lang) -> None:
    """Our HTML as one Markdown HTML block. Streamlit reads it as Markdown, where a blank
    line would end the block: data text has none (``esc`` encodes line breaks) and our own
    line breaks are folded here, so the block is one line and nothing in it is Markdown."""
    direction = "rtl" if lang == "ar" else "ltr"
    one_line = body.replace("\r", " ").replace("\n", " ")  # Markdown's only line endings
    st.markdown(f'<div dir="{direction}" lang="{lang}">{one_line}</div>', unsafe_allow_html=True)


def language_switch() -> None:
    st.radio(
        "Language / اللغة", LANGS, format_func=LANG_NAMES.__getitem__, key="lang", horizontal=True
    )


ss = st.session_state
query = st.query_params.to_dict()
if "lang" not in ss:
    ss["lang"] = "ar" if query.get("lang") == "ar" else "en"

# The view is read from the session (the URL fills it on a session's first run, the sidebar's
# widgets keep it), so the map's element is the first this run sends: its code and files
# are then the first the browser asks for, ahead of the sidebar widgets' (made after it).
lang: Lang = ss["lang"]
# The page's styles and its title, one element (each element costs every rerun). The map
# first: little room above the title, the title on one line.
styles = (
    "section.stMain .block-container, [data-testid='stMainBlockContainer']"
    " {padding: 2.6rem 1.5rem 2rem !important}"
    " h1.mapapp-title {font-size: clamp(1rem, 0.6rem + 1.3vw, 1.6rem); white-space: nowrap;"
    " overflow: hidden; text-overflow: ellipsis; padding: 0 0 0.2rem; margin: 0}"
    # Streamlit's header (60 px, white, above the page) covered the title's top half: it is
    # see-through and lets clicks pass, but for its own buttons (menu, sidebar)
    " header[data-testid='stHeader'], header[data-testid='stHeader'] *"
    " {background: transparent; pointer-events: none}"
    " header[data-testid='stHeader'] button, header[data-testid='stHeader']"
    " [data-testid='stMainMenu'] {pointer-events: auto}"
)
if lang == "ar":
    styles += (
        " section.stMain .block-container, section[data-testid='stSidebar']"
        " {direction: rtl; text-align: right;}"
    )
html_block(f'<style>{styles}</style><h1 class="mapapp-title">{esc(t("title", lang))}</h1>', lang)

folder = data_dir()
version, problems = current_version(folder)
if version.result.dataset is None:
    st.error(t("bad_data", lang))
    show_report(version.result.report)
    with st.sidebar:
        language_switch()
    st.stop()
if problems is not None:  # the files went bad while we were running: keep the good data
    st.warning(t("stale_data", lang))
    with st.expander(t("stale_problems", lang)):
        show_report(problems)

ds = version.dataset
rules = {rule.key: rule for rule in credits.rules_for(ds)}
if ss.get("rule") not in rules:
    asked_rule = query.get("rule")
    ss["rule"] = asked_rule if asked_rule in rules else "newest"
    if asked_rule is not None and asked_rule not in rules:
        st.warning(t("bad_link", lang) + "rule")
rule_key: str = ss["rule"]
timeline = (
    version.timeline
    if rule_key == "newest"
    else version.made(("timeline", rule_key), lambda: Timeline(ds, rules[rule_key]))
)
changes = timeline.change_dates()
first, last, default_day = timeline.view_range()

if "play_next" in ss:
    ss["date"] = ss.pop("play_next")
if "date" not in ss:
    view, ignored = parse_view(query, ds.places, first, last, default_day)
    ss["date"], ss["place"], ss["ignored"] = view.day, view.place or "", ignored
    ss["compare"] = view.compare
ss["date"] = min(max(ss["date"], first), last)
if ss.get("ignored"):
    st.warning(t("bad_link", lang) + ", ".join(ss["ignored"]))


def from_map() -> None:
    """The reader moved the map's own slider (or its buttons): take its day."""
    picked = map_day(ss.get("map"), first, last)
    if picked is not None:
        ss["date"] = picked


palette: Palette = "colour-blind" if ss.get("cb") else "conventional"
compare_day: date | None = ss.get("compare")
selected: str | None = ss.get("place") or None

tiles = Tiles.from_env()
# one renderer: the map draws in the browser from the day's bundle, with its own date
# slider and buttons (a day repaints at once, then tells this script). The bundle is a
# static file when the app can serve one; else it is sent inline, and the page says so.
url = bundle_url(version, palette, tiles)
source = static_source(url) if url is not None else inline_source(version, palette, tiles)
if source is None:
    st.error(t("map_too_big", lang))
elif url is None:
    st.warning(t("map_inline", lang))
day = ss["date"]


def player() -> None:
    """While playing (a fragment run every few seconds), step to the next change, then wrap
    around."""
    now = time.monotonic()
    if not ss.get("playing"):
        ss.pop("played_at", None)
        return
    if now - ss.setdefault("played_at", now) < PLAY_SECONDS * 0.9:
        return  # a full run, or too soon: only the timer steps
    ss["played_at"] = now
    # the slider is already drawn: hand the next day to the next run, which sets it first
    ss["play_next"] = timeline.adjacent_change(day, 1) or (changes[0] if changes else first)
    st.rerun()


def seen() -> None:
    """The map has drawn in the reader's browser: the next runs show the whole page."""
    ss["seen"] = True


# Everything but the map waits for the session's second run (the map reports its first
# paint, which reruns the page; any other rerun does too): see where the first run stops.
whole_page = source is None or bool(ss.get("seen"))
params = view_params(View(day, selected, lang, compare_day))
if rule_key != "newest":  # the rule that colours disputed places is part of the view
    params["rule"] = rule_key
st.query_params.from_dict(params)

map_col, side_col = st.columns([3, 1])
with map_col:
    if source is not None:
        show_map(
            source,
            day,
            lang,
            selected,
            on_day=from_map,
            compare=compare_day,
            rule=rule_key,
            on_drawn=seen,
        )

# A session's first run ends here: the map alone (with the title and any warning above it),
# so the browser's first requests are the map's code and files. Every other element needs
# browser code of its own (Streamlit loads each kind's script on first use: the sidebar's
# widgets, the side panel's HTML, the downloads, the charts and the table), which would
# otherwise queue ahead of the map's on a new visitor's few connections. The rest follows
# on the run the map's report of its first paint starts (or any other rerun).
if not whole_page:
    ss["seen"] = True
    st.stop()
with st.sidebar:
    language_switch()
    st.selectbox(
        t("rule", lang),
        list(rules),
        key="rule",
        format_func=lambda k: credits.rule_label(ds, rules[k], lang),
    )
    st.toggle(t("palette", lang), key="cb")
    st.selectbox(
        t("place", lang),
        ["", *ds.places],
        key="place",
        format_func=lambda p: (
            (ds.places[p].name_ar if lang == "ar" else ds.places[p].name_en)
            if p
            else t("all_places", lang)
        ),
    )
    st.date_input(
        t("compare", lang), min_value=first, max_value=last, key="compare", format="YYYY-MM-DD"
    )

with side_col:
    # one element while the places are few (each element costs the rerun and the
    # websocket); past that a summary, what it leaves out behind expanders filled only
    # while open. Made once per version, rule, day and view (page_parts)
    for part in side_parts(version, timeline, rule_key, day, lang, palette, selected, compare_day):
        if part.more is None:
            html_block(part.html, lang)
            continue
        box = st.expander(t(part.more, lang), key=f"more_{part.more}", on_change="rerun")
        if box.open:
            with box:
                html_block(part.html, lang)

# a row: one block (columns are a block each and one for the row)
play_row = st.container(horizontal=True, vertical_alignment="center")
play_row.toggle(t("play", lang), key="playing", disabled=not changes, width="content")
play_row.caption(f"{t('change_dates', lang)}: " + " · ".join(d.isoformat() for d in changes))
if ss.get("playing"):  # the timer only while playing: a fragment costs every run it is in
    st.fragment(run_every=PLAY_SECONDS)(player)()
else:
    ss.pop("played_at", None)

st.subheader(t("ground", lang))
# the charts mark the day from the map's hidden input, so their spec is the same every
# day; their rows are a static file the spec loads by address (cached by the browser),
# inline only where the map is inline too. (Handed to Streamlit as a separate dataset,
# Vega first draws them empty and warns of an "infinite extent" in the console.)
show_chart(
    version,
    ("ground", palette, lang),
    lambda: ground_spec_for(ds, first, last, palette, lang, version.timeline),
    static=url is not None,
)

st.subheader(t("state_table", lang))
table, total = state_table(version, timeline, rule_key, day, lang, selected)
if total is not None:
    st.caption(t("table_limited", lang).format(shown=len(table), total=total))
st.dataframe(table, hide_index=True)

st.subheader(t("timeline", lang))
show_chart(
    version,
    ("chart", palette, lang, rule_key),
    lambda: timeline_spec(ds, first, last, palette, lang, timeline),
    static=url is not None,
)

st.subheader(t("downloads", lang))
downloads = st.container(horizontal=True)


def records() -> list[dict[str, Any]]:
    return [formats.state_record(ds, s) for s in timeline.state_at(day).values()]


# made only when clicked (on its own thread), not on every rerun
downloads.download_button(
    "GeoJSON",
    lambda: formats.states_to_geojson(ds, records()),
    file_name=f"southern-damascus-{day.isoformat()}.geojson",
    mime="application/geo+json",
    on_click="ignore",
)
downloads.download_button(
    "CSV",
    lambda: formats.states_to_csv(records()),
    file_name=f"southern-damascus-{day.isoformat()}.csv",
    mime="text/csv",
    on_click="ignore",
)


def geopackage() -> bytes:
    from mapapp import notebook  # geopandas: only when the file is asked for

    return notebook.geopackage(day, ds)


downloads.download_button(
    "GeoPackage",
    geopackage,
    file_name=f"southern-damascus-{day.isoformat()}.gpkg",
    mime="application/geopackage+sqlite3",
    on_click="ignore",
)
basemap = tiles.credit() or t("no_basemap", lang)
# the page credits the data it shows, built from the sources in the data: data, so
# HTML-escaped text (a caption is markdown)
html_block(
    f"<p><small>{esc(credits.subtitle(ds, lang))} "
    f"{esc(credits.attribution(ds, lang))} {esc(t('basemap', lang))}: "
    f"{esc(basemap)}.</small></p>",
    lang,
)
