"""A self-contained static copy of the map: ``index.html``, ``data.js``, our JS and CSS, and
Leaflet, for any static host (or a double-click on ``index.html``); no server, no CDN.

The map's content comes from :func:`mapapp.draw.layers.state_layers`, so colours, stripes,
outlines, markers, popups and tooltips are exactly the app's. What changes with the date is
precomputed as *frames*: the day range of the app's slider (:meth:`Timeline.view_range`) is
cut at every day on which anything the map shows may change (a period's or condition's
start and end, the end of an imprecise date's window, an event entering or leaving the
60-day window); consecutive days that draw the same map share one frame.

The bundle (``window.MAPAPP_DATA`` in ``data.js``) stores each thing once and refers to it
by index:

* ``geometries`` -- GeoJSON geometries: each place's outline, and the stripe bands its
  patterns use (see :mod:`mapapp.draw.shapes`);
* ``styles`` -- Leaflet path options (the ``style`` of the layers' features);
* ``html`` -- popup, tooltip and legend HTML, already escaped by :mod:`mapapp.draw.popups`;
* ``markers`` -- :class:`Marker` rows ``[lon, lat, style, popup, tooltip]``;
* ``entries`` -- how one place looks in one state and language, :class:`Entry` rows
  ``[fill, outline, popup, tooltip, stripes, markers]``: fill and outline styles, popup and
  tooltip html, ``stripes`` as ``[[geometry, style], ...]`` and ``markers`` the condition
  markers;
* ``fields`` -- the names of those rows' columns, in order (:data:`FIELDS`): ``map.js``
  reads every column by its name from here, and refuses a bundle whose ``format`` is not
  :data:`FORMAT` (tests on both sides keep the two in step);
* ``places`` -- ``{id, name: {en, ar}, geometry}`` in the data's order;
* ``frames`` -- ``{start, en: {set, events, legend}, ar: {...}, "en@reliable": {...},
  ...}``: from ``start`` (an ISO day) to the next frame's; one *variant* per language and
  rule (``en``/``ar`` for the newest report, ``<lang>@reliable`` for the most reliable
  source, ``<lang>@source:<id>`` for one source alone); ``set`` is ``[[place index, entry],
  ...]`` for the places that look different from the frame before (every place in the
  first frame), ``events`` the event markers shown, ``legend`` the legend's HTML;
* ``rules`` -- ``[{key, label: {en, ar}}]``: the rules a viewer can pick;
* ``fronts`` -- ``[{start, legend: {en, ar}}]``: the front lines' frames (from each day
  the fronts change), and ``frontLines`` each line once with the frames it is drawn in
  (see :class:`_FrontFrames`).

Every ``<`` in ``data.js`` is written ``\\u003c``, so no text in it can close a script.
"""

from __future__ import annotations

import gc
import hashlib
import json
import re
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from mapapp.core import fronts
from mapapp.core.model import Dataset
from mapapp.core.timeline import PlaceState, Rule, Timeline
from mapapp.draw import credits
from mapapp.draw.escape import esc
from mapapp.draw.i18n import LANGS, STATUS, Lang, label, t
from mapapp.draw.labels import context_layer, label_record, place_labels
from mapapp.draw.layers import EVENT_WINDOW_DAYS, EventIndex, state_layers
from mapapp.draw.shapes import geometry_bounds
from mapapp.draw.style import (
    Palette,
    side_colour,
    side_name,
)
from mapapp.web.assets import OSM_ATTRIBUTION, OSM_TILES, Tiles, install_leaflet, web_file
from mapapp.web.incremental import BundleCache, PlaceParts, Trace, draw_place
from mapapp.web.patch import BundleState, Variant
from mapapp.web.patch import Entry as Entry
from mapapp.web.patch import Marker as Marker
from mapapp.web.patch import Stripe as Stripe

#: the bundle's format, checked by map.js (change it with the layout of the bundle)
FORMAT = "mapapp-bundle/3"


#: the columns of the bundle's rows, by name (the bundle's ``fields``)
FIELDS = {
    "entry": list(Entry._fields),
    "marker": list(Marker._fields),
    "stripe": list(Stripe._fields),
}
#: the site's own files, copied from mapapp/web/ (index.html is filled in, not copied)
WEB_FILES = ("map.js", "app.js", "app.css")
#: every path an export writes, relative to its folder; a re-export replaces exactly these
MANIFEST = ".mapapp-export"
#: the GIS download of every day (written by a ``gis`` writer, see :func:`write_site`)
GPKG_FILE = "southern-damascus.gpkg"
#: the folder of the popup and tooltip scripts (see :func:`split_site`)
CHUNKS = "chunks"
OUTPUTS = ("index.html", "data.js", *WEB_FILES, "leaflet", CHUNKS, GPKG_FILE, MANIFEST)
#: html entries per chunk script (as the page's files, :data:`mapapp.web.publish.HTML_FILE_SIZE`)
CHUNK_SIZE = 2000
#: the function a chunk script calls with its key and its entries (defined by map.js)
CHUNK_CALLBACK = "__mapappChunk"
_CHUNK_SCRIPT = re.compile(r'window\.__mapappChunk\("([0-9a-f]+)",(.*)\);\n', re.DOTALL)
#: writes a file for GIS users into the given path (web/ does not import geopandas: the
#: caller hands it in, e.g. the CLI passes :mod:`mapapp.notebook`'s)
GisWriter = Callable[[Path], None]
#: the page's words, shown as text (never as HTML)
UI_TEXT = (
    "title",
    "subtitle",
    "date",
    "prev",
    "next",
    "change_dates",
    "place",
    "all_places",
    "legend",
    "attribution",
    "basemap",
    "no_basemap",
    "bad_link",
    "tiles_failed",
    "rule",
    "names",
    "fronts",
    "compare",
    "differs",
    "no_difference",
    "ground",
    "north",
)
Progress = Callable[[int, int], None]
#: the most "as source X says" rules the static export offers (the newest sources)
MAX_SOURCE_RULES = 12


class ExportError(Exception):
    """The export cannot be written; the message says why."""


@dataclass(frozen=True)
class ExportResult:
    out: Path
    frames: int
    places: int
    data_bytes: int


def event_days(ds: Dataset) -> set[date]:
    """The days an event enters and leaves the map's event window."""
    return {
        day
        for event in ds.events
        if not event.is_condition
        for day in (
            event.date.earliest,
            event.date.latest + timedelta(days=EVENT_WINDOW_DAYS + 1),
        )
    }


def frame_days(
    ds: Dataset, first: date, last: date, own: dict[str, set[date]] | None = None
) -> list[date]:
    """``first``, then every day in ``(first, last]`` on which what the map shows may change:
    each place's own days (``own``, :meth:`Timeline.state_days`) and :func:`event_days`."""
    if own is None:
        own = Timeline(ds).state_days()
    days = event_days(ds).union(*own.values())
    return [first, *sorted(d for d in days if first < d <= last)]


def _tile_source(url: str) -> str:
    """The CSP source that allows a tile template's images."""
    parts = urlsplit(url)
    host = parts.netloc
    plain = r"[A-Za-z0-9.-]+(:\d+)?"
    if re.fullmatch(plain, host):
        return f"{parts.scheme}://{host}"
    if host.startswith("{s}.") and re.fullmatch(plain, host[4:]):
        return f"{parts.scheme}://*.{host[4:]}"
    return f"{parts.scheme}:"


def _attribution_html(tiles: Tiles) -> str:
    """The basemap's credit as HTML: OpenStreetMap's is ours; any other is text."""
    if tiles.url == OSM_TILES:
        return OSM_ATTRIBUTION
    return esc(tiles.attribution)


def _basemap_text(tiles: Tiles, lang: Lang) -> str:
    return tiles.credit() or t("no_basemap", lang)


def _bounds(geometries: Iterable[dict[str, Any]]) -> list[list[float]] | None:
    return geometry_bounds(geometries)


def variant_key(lang: Lang, rule: Rule) -> str:
    """A frame's key for a language under a rule: ``en`` (newest), ``en@reliable``..."""
    return lang if rule.key == "newest" else f"{lang}@{rule.key}"


def build_bundle(
    ds: Dataset,
    tiles: Tiles,
    palette: Palette = "conventional",
    progress: Progress | None = None,
    cache: BundleCache | None = None,
) -> dict[str, Any]:
    """Everything the static page shows, as one JSON-able value (see the module's doc).
    ``cache`` (kept from the build of the previous version of the same data, see
    :func:`rebuild_bundle`) saves working out and drawing again what did not change."""
    # the build makes millions of small objects and no cycles: the cycle collector would
    # walk the whole heap (the kept cache included) again and again for nothing
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _build_bundle(ds, tiles, palette, progress, cache)
    finally:
        if collecting:
            gc.enable()


def _build_bundle(
    ds: Dataset,
    tiles: Tiles,
    palette: Palette,
    progress: Progress | None,
    cache: BundleCache | None,
) -> dict[str, Any]:
    timeline = Timeline(ds)
    first, last, default = timeline.view_range()
    if cache is None:
        cache = BundleCache()
    cache.begin(ds, palette, first, last)
    try:
        return _assemble(ds, tiles, palette, progress, cache, timeline, (first, last, default))
    except BaseException:
        cache.reset()  # a build stopped half-way must not leave half-patched sums
        raise


def _assemble(
    ds: Dataset,
    tiles: Tiles,
    palette: Palette,
    progress: Progress | None,
    cache: BundleCache,
    timeline: Timeline,
    view: tuple[date, date, date],
) -> dict[str, Any]:
    """The bundle from the cache's sums, patched for the places the edit changed (every
    place when the cache is cold), see :mod:`mapapp.web.patch`."""
    first, last, default = view
    # every rule is precomputed (frames per rule and language); "as source X" for at most
    # MAX_SOURCE_RULES sources (the newest ones), so a data set of hundreds of sources does
    # not multiply the bundle by hundreds
    rules = credits.rules_for(ds, MAX_SOURCE_RULES)
    variants = [
        Variant(lang, rule.key, variant_key(lang, rule), rule.source_id)
        for rule in rules
        for lang in LANGS
    ]
    timelines = {
        rule.key: timeline if rule.key == "newest" else Timeline(ds, rule) for rule in rules
    }
    state = cache.state
    if state is None:
        if cache.borders is None:  # kept while no place's geometry changes
            cache.borders = fronts.borders(ds)
        state = cache.state = BundleState(ds, palette, variants, cache.borders)
        state.labels = [label_record(label) for label in place_labels(ds)]
    else:
        state.copy_tables()  # the previous bundle keeps its own lists
        state.tally.ds = ds
    dirty = [pid for pid in ds.places if pid in cache.dirty]
    # a place is looked at only on its own days: the work follows the changes
    if len(dirty) * 4 > len(ds.places):
        own_days = timeline.state_days()
    else:
        own_days = {pid: timeline.place_days(pid) for pid in dirty}
    traces = {key: cache.traces(key, tl, first, last, own_days) for key, tl in timelines.items()}
    event_index = EventIndex(ds)  # events by date and their popups, once for every day
    # drawn parts by place, language, day and state, shared by the rules (see draw_place)
    shared: dict[tuple[Any, ...], PlaceParts] = {}

    def draw(trace: Trace, place_state: PlaceState, day: date | None, lang: Lang) -> PlaceParts:
        return draw_place(ds, trace, place_state, day, palette, lang, event_index, shared)

    for number, pid in enumerate(dirty, start=1):
        if progress is not None:
            progress(number, len(dirty))
        state.remove(ds, pid)
        state.add(ds, pid, {key: traces[key][pid] for key in timelines}, draw)
    state.refresh_borders(ds, dirty)

    def events(day: date, variant: Variant) -> list[int]:
        return [
            state.marker(seen)
            for feature, seen in cache.event_markers(ds, day, palette, variant.lang, event_index)
            if variant.source_id in (None, _event_source(ds, feature))
        ]

    frames, changes = state.frames(
        ds, first, sorted(d for d in event_days(ds) if first < d <= last), events
    )
    front_frames, front_lines = state.front_lines(ds, first)
    if state.bounds is None:  # the places' outlines: kept while the places are
        state.bounds = _bounds(state.geometries.items[state.place_geometry[p]] for p in ds.places)
    ground_rows = state.ground_rows(first)
    place_ids = list(ds.places)
    bundle = {
        "format": FORMAT,
        "fields": FIELDS,
        "palette": palette,
        "range": {
            "first": first.isoformat(),
            "last": last.isoformat(),
            "default": default.isoformat(),
        },
        # the same days as Timeline.change_dates(), found on the way (tests compare them)
        "changes": changes,
        "rules": [
            {
                "key": rule.key,
                "label": {lang: credits.rule_label(ds, rule, lang) for lang in LANGS},
            }
            for rule in rules
        ],
        "bounds": state.bounds,
        "tiles": (
            {"url": tiles.url, "attribution": _attribution_html(tiles)} if tiles.url else None
        ),
        "selectedWeight": _selected_weight(ds, timeline, first, palette),
        "text": {
            lang: {
                **{key: t(key, lang) for key in UI_TEXT},
                # built from the sources in the data, not fixed words
                "subtitle": credits.subtitle(ds, lang),
                "attribution": credits.attribution(ds, lang),
                "data_stops": credits.data_stops(ds, lang),
                "basemap_name": _basemap_text(tiles, lang),
            }
            for lang in LANGS
        },
        "places": [
            {
                "id": pid,
                "name": {"en": ds.places[pid].name_en, "ar": ds.places[pid].name_ar},
                "geometry": state.place_geometry[pid],
            }
            for pid in place_ids
        ],
        "geometries": state.geometries.items,
        "styles": state.styles.items,
        "html": state.html.items,
        "markers": state.markers.items,
        "entries": state.entries.items,
        "frames": frames,
        # added by issue 13 (names, fronts, context, ground held)
        "labels": state.labels,
        "fronts": front_frames,
        "frontLines": front_lines,
        "context": _context(),
        "ground": _ground(ds, first, last, palette, ground_rows),
    }
    _remember(bundle, cache)
    return bundle


#: the caches of the newest bundles built, by the bundle's id (see :func:`rebuild_bundle`)
_CACHES: dict[int, BundleCache] = {}
_CACHES_LOCK = threading.Lock()
#: how many bundles' caches are kept (each holds its data version's drawn parts)
KEEP_CACHES = 2


def _remember(bundle: dict[str, Any], cache: BundleCache) -> None:
    with _CACHES_LOCK:
        _CACHES[id(bundle)] = cache
        while len(_CACHES) > KEEP_CACHES:
            del _CACHES[next(iter(_CACHES))]


def rebuild_bundle(
    previous: dict[str, Any],
    ds: Dataset,
    tiles: Tiles,
    palette: Palette = "conventional",
    progress: Progress | None = None,
) -> dict[str, Any]:
    """The bundle of ``ds``, a new version of the data ``previous`` (a bundle built in this
    process) was built from: it shows exactly what ``build_bundle(ds, tiles, palette)``
    shows, but only the places the edit changed are worked out, drawn and counted again,
    and the previous bundle's tables go on (see :mod:`mapapp.web.patch`; ``previous``
    itself is left as it was). Without ``previous``'s cache (built elsewhere, or too long
    ago) it is a full build."""
    with _CACHES_LOCK:
        # taken out while it is used: a cache serves one build at a time; an id reused by
        # another bundle only costs speed, never correctness (the cache compares the data)
        cache = _CACHES.pop(id(previous), None)
    return build_bundle(ds, tiles, palette, progress, cache)


def _context() -> dict[str, Any]:
    """The light context layer and its credit (see :func:`mapapp.draw.labels.context_layer`)."""
    layer = context_layer()
    return {
        "features": [
            {"name": f["properties"]["name"], "geometry": f["geometry"]} for f in layer["features"]
        ],
        "credit": layer["credit"],
    }


def _ground(
    ds: Dataset,
    first: date,
    last: date,
    palette: Palette,
    rows: list[fronts.Ground] | None = None,
) -> dict[str, Any]:
    """Ground held by bloc over the slider's range, for the chart under the map:
    ``{series: [{key, side, status, colour, name: {en, ar}}], rows: [{date, values}]}``;
    ``rows``: :func:`fronts.ground_over`'s, when the caller has them."""
    if rows is None:
        rows = fronts.ground_over(ds, first, last, "bloc")
    columns = fronts.ground_columns(ds, rows, "bloc")
    series = [
        {
            "key": f"{side}:{status}",
            "side": side,
            "status": status,
            "colour": side_colour(ds, side, "bloc", palette),
            "name": {
                lang: f"{side_name(ds, side, 'bloc', lang)} · {label(STATUS, status, lang)}"
                for lang in LANGS
            },
        }
        for side, status in columns
    ]
    return {
        "series": series,
        "noData": {lang: label(STATUS, "no-data", lang) for lang in LANGS},
        "title": {lang: t("ground", lang) for lang in LANGS},
        "rows": [
            {
                "date": g.day.isoformat(),
                "values": [round(g.held.get(k, {}).get(st, 0.0), 3) for k, st in columns],
                "noData": round(g.no_data_km2, 3),
            }
            for g in rows
        ],
    }


_SOURCES_BY_EVENT: dict[int, tuple[Dataset, dict[str, str]]] = {}


def _event_source(ds: Dataset, feature: dict[str, Any]) -> str | None:
    """The source of an event marker (by its event id): looked up in a table built once a
    dataset, not by scanning every event for every marker of every day."""
    cached = _SOURCES_BY_EVENT.get(id(ds))
    if cached is None or cached[0] is not ds:
        _SOURCES_BY_EVENT.clear()
        cached = _SOURCES_BY_EVENT[id(ds)] = (ds, {e.id: e.source_id for e in ds.events})
    return cached[1].get(feature["properties"]["id"])


def _selected_weight(ds: Dataset, timeline: Timeline, day: date, palette: Palette) -> float:
    """How much thicker the layers draw the selected place's outline."""
    if not ds.places:
        return 0.0
    pid = next(iter(ds.places))
    states = {pid: timeline.place_state(pid, day)}
    plain, picked = (
        state_layers(ds, states, day, palette, "en", selected).outlines["features"][0]
        for selected in (None, pid)
    )
    return float(picked["properties"]["style"]["weight"] - plain["properties"]["style"]["weight"])


def to_js(bundle: dict[str, Any]) -> str:
    """``data.js``: the bundle as a script, with no ``<`` (nor line separators) in it."""
    return f"window.MAPAPP_DATA = {to_json(bundle)};\n"


def to_json(bundle: Any) -> str:
    """The bundle as JSON text, with no ``<`` (nor line separators) in it."""
    text = json.dumps(bundle, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


#: the variant a page opens in unless its link says otherwise (English, the newest report)
FIRST_VARIANT: Lang = "en"


def _eager(bundle: dict[str, Any]) -> tuple[list[int], list[int]]:
    """The html entries the page shows before any popup opens, in the variant it opens in
    (:data:`FIRST_VARIANT`): the legends of its opening frame and front-line frame (in
    ``data.js``), and those of every other frame and front-line frame (a chunk loaded once
    the map has painted, so moving the slider does not wait for a chunk of popups; at
    10,000 places 150 legends of ~33 KB). The other languages' and rules' legends are in
    the chunks of the table."""
    frames, fronts = bundle["frames"], bundle.get("fronts", [])
    now: set[int] = set()
    if frames:
        now.add(frames[opening_frame(bundle)][FIRST_VARIANT]["legend"])
    if fronts:
        now.add(fronts[opening_lines(bundle)[0]]["legend"][FIRST_VARIANT])
    later = {frame[FIRST_VARIANT]["legend"] for frame in frames}
    later.update(front["legend"][FIRST_VARIANT] for front in fronts)
    return sorted(now), sorted(later - now)


def opening_lines(bundle: dict[str, Any]) -> tuple[int, list[dict[str, Any]]]:
    """The front-line frame the map opens on (its default day's) and the lines drawn in it:
    a first visit needs only those (at 10,000 places a tenth of the 137,311 lines)."""
    opening = bundle["range"]["default"]
    shown = max(
        (k for k, f in enumerate(bundle.get("fronts", [])) if f["start"] <= opening), default=0
    )
    lines = [x for x in bundle.get("frontLines", []) if x["frames"][0] <= shown < x["frames"][1]]
    return shown, lines


def opening_frame(bundle: dict[str, Any]) -> int:
    """The frame the map opens on: the one in force on the default day (as map.js's
    ``frameIndex``: the last that starts on or before it, the first if none does)."""
    opening = bundle["range"]["default"]
    return max((k for k, f in enumerate(bundle["frames"]) if f["start"] <= opening), default=0)


def _opening_parts(bundle: dict[str, Any]) -> tuple[set[int], set[int]]:
    """The entries the opening frame of :data:`FIRST_VARIANT` shows, and the geometries it
    draws (every place's outline, the shown entries' stripes)."""
    shown: dict[int, int] = {}
    for frame in bundle["frames"][: opening_frame(bundle) + 1]:
        shown.update((place, entry) for place, entry in frame[FIRST_VARIANT]["set"])
    entries = set(shown.values())
    stripe = FIELDS["entry"].index("stripes")
    geometries = {place["geometry"] for place in bundle["places"]}
    geometries.update(part[0] for e in entries for part in bundle["entries"][e][stripe])
    return entries, geometries


def first_view(bundle: dict[str, Any], store: Callable[[str, Any], str]) -> dict[str, Any]:
    """The bundle as a first visit needs it (the page's and the static site's): the frames
    of :data:`FIRST_VARIANT`, and of the ``geometries`` and ``entries`` tables only what
    its opening frame draws, as ``{index: row}`` (at 10,000 places 10,000 of 231,338
    entries and 17,762 of 64,408 geometries). Handed to ``store(name, value)``, which
    writes them where the map fetches them and returns their address:

    * ``rest``: ``{geometries, entries}`` (the other rows, by index), ``labels`` and
      ``frontLines`` (the lines of the opening day): the map loads it as soon as its
      places have been painted, and draws the names and front lines from it (``restAt``:
      the opening frame; showing another frame or variant waits for it);
    * ``variants``: ``{key: address}``, each other language's and rule's frames;
    * ``frontLinesFile``: every front line (``frontLinesAt``: the front frame of the
      opening lines), loaded when another front frame is shown."""
    frames = bundle["frames"]
    kept = ("start", FIRST_VARIANT)
    view = {
        **bundle,
        "frames": [{k: v for k, v in frame.items() if k in kept} for frame in frames],
        "variants": {
            key: store(key, [frame[key] for frame in frames])
            for key in (frames[0] if frames else {})
            if key not in kept
        },
    }
    if not {"places", "geometries", "entries"} <= bundle.keys():  # not a map's bundle
        return view
    entries, geometries = _opening_parts(bundle) if frames else (set(), set())
    rest: dict[str, Any] = {
        "geometries": {i: g for i, g in enumerate(bundle["geometries"]) if i not in geometries},
        "entries": {i: e for i, e in enumerate(bundle["entries"]) if i not in entries},
        "frontLines": [],
    }
    if "labels" in bundle:
        rest["labels"] = bundle["labels"]
    view |= {
        "geometries": {i: bundle["geometries"][i] for i in sorted(geometries)},
        "entries": {i: bundle["entries"][i] for i in sorted(entries)},
        "counts": {"geometries": len(bundle["geometries"]), "entries": len(bundle["entries"])},
        "restAt": opening_frame(bundle),
    }
    view.pop("labels", None)
    if bundle.get("frontLines"):
        shown, rest["frontLines"] = opening_lines(bundle)
        address = store("frontLines", bundle["frontLines"])
        view |= {"frontLines": [], "frontLinesAt": shown, "frontLinesFile": address}
    view["rest"] = store("rest", rest)
    return view


def restore_view(view: dict[str, Any], read: Callable[[str], Any]) -> dict[str, Any]:
    """The bundle :func:`first_view` was made from, given ``view`` and ``read(address)``
    returning what was stored there: ``restore_view(first_view(b, store), read) == b``."""
    bundle = dict(view)
    bundle["frames"] = [dict(frame) for frame in bundle["frames"]]
    for key, address in bundle.pop("variants").items():
        for frame, variant in zip(bundle["frames"], read(address), strict=True):
            frame[key] = variant
    if "rest" not in bundle:  # not a map's bundle: only the variants were taken out
        return bundle
    rest = read(bundle.pop("rest"))
    counts = bundle.pop("counts")
    del bundle["restAt"]
    for name in ("geometries", "entries"):
        rows = {int(i): row for i, row in bundle[name].items()}
        rows.update((int(i), row) for i, row in rest[name].items())
        if sorted(rows) != list(range(counts[name])):
            raise ExportError(f"the map data's {name} are not whole")
        bundle[name] = [rows[i] for i in range(counts[name])]
    if "labels" in rest:
        bundle["labels"] = rest["labels"]
    if "frontLinesFile" in bundle:
        del bundle["frontLinesAt"]
        bundle["frontLines"] = read(bundle.pop("frontLinesFile"))
    return bundle


def split_site(bundle: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The bundle as the static site stores it: ``data.js``'s bundle, whose ``html`` is
    ``{size, files, load: "script", eager: {index: html}}``, and the chunk scripts
    ``{path: text}`` holding the table, :data:`CHUNK_SIZE` entries each.

    Popups and tooltips are 80 % of a bundle's bytes and none is needed before one opens:
    the map loads a chunk when one of its popups or tooltips first opens. A chunk is a
    script (``window.__mapappChunk("<key>", [...]);``) added to the page as a ``<script>``
    tag, which a page opened from disk (``file://``, where ``fetch`` of local files is
    refused) can still load. Its name is its key, a hash of its content, so a CDN may cache
    it for good.

    The frames likewise: ``data.js`` keeps those of :data:`FIRST_VARIANT` (English, the
    newest report); each other language and rule is a chunk of its frames, listed in the
    bundle's ``variants`` (``{key: path}``), loaded when a reader picks it."""
    table: list[str] = bundle["html"]
    chunks: dict[str, str] = {}

    def store(name: str, value: Any) -> str:
        """A chunk script of ``value``, named by a hash of ``name`` and its content."""
        items = to_json(value)
        key = hashlib.sha256(f"{name}\n{items}".encode()).hexdigest()[:20]
        path = f"{CHUNKS}/{key}.js"
        chunks[path] = f'window.{CHUNK_CALLBACK}("{key}",{items});\n'
        return path

    files = [
        store(str(start), table[start : start + CHUNK_SIZE])
        for start in range(0, len(table), CHUNK_SIZE)
    ]
    now, later = _eager(bundle)
    html = {
        "size": CHUNK_SIZE,
        "files": files,
        "load": "script",
        "eager": {str(i): table[i] for i in now},
        "later": store("legends", {str(i): table[i] for i in later}),
    }
    # the frames of every other language and rule and all the front lines: a chunk each
    page = {**first_view(bundle, store), "html": html}
    return page, chunks


def read_site(out: Path) -> dict[str, Any]:
    """The bundle a site written by :func:`write_site` holds, read back whole (its html
    table from the chunk scripts): ``read_site(out) == bundle``."""
    text = (out / "data.js").read_text(encoding="utf-8")
    prefix = "window.MAPAPP_DATA = "
    if not (text.startswith(prefix) and text.endswith(";\n")):
        raise ExportError(f"{out / 'data.js'} is not a data.js written by mapapp export")
    bundle: dict[str, Any] = json.loads(text[len(prefix) : -2])
    table: list[str] = []
    for path in bundle["html"]["files"]:
        table.extend(json.loads(_chunk(out, path)))
    later = json.loads(_chunk(out, bundle["html"]["later"]))
    for index, item in [*bundle["html"]["eager"].items(), *later.items()]:
        if table[int(index)] != item:
            raise ExportError(f"{out}: entry {index} differs between data.js and its chunk")
    bundle = restore_view(bundle, lambda path: json.loads(_chunk(out, path)))
    return {**bundle, "html": table}


def _chunk(out: Path, path: str) -> str:
    """The JSON a chunk script written by :func:`split_site` carries."""
    found = _CHUNK_SCRIPT.fullmatch((out / path).read_text(encoding="utf-8"))
    if found is None or not path.endswith(f"/{found.group(1)}.js"):
        raise ExportError(f"{out / path} is not a chunk written by mapapp export")
    return found.group(2)


def _csp(tiles: Tiles) -> str:
    images = "'self' data:" + (f" {_tile_source(tiles.url)}" if tiles.url else "")
    return (
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        f"img-src {images}; base-uri 'none'; form-action 'none'"
    )


def _version(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def index_html(tiles: Tiles, files: dict[str, str], downloads: str = "") -> str:
    """The page: ``mapapp/web/index.html`` with the policy and the files' versions filled in
    (so a cache never pairs a new page with old data)."""
    page = web_file("index.html").replace("{{csp}}", esc(_csp(tiles)))
    for name, text in files.items():
        page = page.replace(f"{{{{{name}}}}}", f"{name}?v={_version(text)}")
    return page.replace("{{downloads}}", downloads)  # our own markup, never data


def _check_target(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise ExportError(f"{out} exists and is not a folder")
    if not out.is_dir() or (out / MANIFEST).is_file():
        return
    clash = [name for name in OUTPUTS if (out / name).exists()]
    if clash:
        raise ExportError(
            f"{out} already has {', '.join(clash)}, not written by mapapp export; "
            "choose an empty folder"
        )


def write_site(
    out: Path, bundle: dict[str, Any], tiles: Tiles, gis: GisWriter | None = None
) -> int:
    """Write the site into ``out``, replacing a previous export there (and nothing else).
    Returns the size of ``data.js`` in bytes (the popups and tooltips are in ``chunks/``,
    see :func:`split_site`)."""
    _check_target(out)
    out.mkdir(parents=True, exist_ok=True)
    page_bundle, chunks = split_site(bundle)
    data = to_js(page_bundle)
    files = {"data.js": data, **{name: web_file(name) for name in WEB_FILES}}
    download = f'<a id="gpkg" href="{GPKG_FILE}" download>GeoPackage</a>' if gis else ""
    files["index.html"] = index_html(tiles, files, download)
    files[MANIFEST] = "".join(f"{name}\n" for name in OUTPUTS)
    files.update(chunks)  # named by their content: the page never refers to them itself
    with tempfile.TemporaryDirectory(prefix=".mapapp-export-", dir=out) as tmp:
        staging = Path(tmp)
        if not install_leaflet(staging):
            raise ExportError("the xstatic-leaflet package is not installed (pip install it)")
        (staging / CHUNKS).mkdir()
        for name, text in files.items():
            (staging / name).write_text(text, encoding="utf-8", newline="\n")
        if gis is not None:
            gis(staging / GPKG_FILE)
        for name in OUTPUTS:
            target = out / name
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target)
            elif target.exists() or target.is_symlink():
                target.unlink()
            if (staging / name).exists():
                (staging / name).replace(target)
    return len(data.encode("utf-8"))


def export_site(
    ds: Dataset,
    out: Path,
    tiles: Tiles,
    palette: Palette = "conventional",
    progress: Progress | None = None,
    gis: GisWriter | None = None,
) -> ExportResult:
    """Build the bundle and write the site (see :func:`build_bundle`, :func:`write_site`)."""
    _check_target(out)
    bundle = build_bundle(ds, tiles, palette, progress)
    size = write_site(out, bundle, tiles, gis)
    return ExportResult(out, len(bundle["frames"]), len(bundle["places"]), size)
