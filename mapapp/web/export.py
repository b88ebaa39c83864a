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
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import shapely

from mapapp.core import fronts
from mapapp.core.model import Dataset
from mapapp.core.timeline import PlaceState, Rule, Timeline
from mapapp.draw import credits, popups
from mapapp.draw.escape import esc
from mapapp.draw.i18n import LANGS, STATUS, Lang, label, t
from mapapp.draw.labels import context_layer, label_record, place_labels
from mapapp.draw.layers import EVENT_WINDOW_DAYS, EventIndex, state_layers
from mapapp.draw.shapes import geometry_bounds
from mapapp.draw.style import (
    Palette,
    front_legend_items,
    front_styles,
    legend_factions,
    legend_items,
    side_colour,
    side_name,
)
from mapapp.web.assets import OSM_ATTRIBUTION, OSM_TILES, Tiles, install_leaflet, web_file
from mapapp.web.incremental import (
    BundleCache,
    MarkerParts,
    PlaceParts,
    draw_place,
    dumps,
)

#: the bundle's format, checked by map.js (change it with the layout of the bundle)
FORMAT = "mapapp-bundle/3"


class Marker(NamedTuple):
    """A circle marker: where, its style, and its popup and tooltip (html indexes)."""

    lon: float
    lat: float
    style: int
    popup: int
    tooltip: int


class Stripe(NamedTuple):
    """One band of a place's stripes: a geometry and a style (indexes)."""

    geometry: int
    style: int


class Entry(NamedTuple):
    """How one place looks in one state and language (indexes into the bundle's tables)."""

    fill: int
    outline: int
    popup: int
    tooltip: int
    stripes: tuple[Stripe, ...]
    markers: tuple[int, ...]


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


class _Table:
    """Values stored once, referred to by index."""

    def __init__(self) -> None:
        self.items: list[Any] = []
        self._index: dict[Any, int] = {}

    def add(self, key: Any, value: Any = None) -> int:
        found = self._index.get(key)
        if found is None:
            found = self._index[key] = len(self.items)
            self.items.append(key if value is None else value)
        return found


class _JsonTable(_Table):
    """A table of JSON values keyed by their text. The objects the layers hand out are
    cached and shared (see :mod:`mapapp.draw.shapes`), so an object seen before is looked up by
    identity first and serialised only once; the table keeps it alive, so its id stays its
    own."""

    def __init__(self) -> None:
        super().__init__()
        self._seen: dict[int, tuple[Any, int]] = {}

    def add_json(self, value: Any) -> int:
        hit = self._seen.get(id(value))
        if hit is not None and hit[0] is value:
            return hit[1]
        index = self.add(json.dumps(value, sort_keys=True, separators=(",", ":")), value)
        self._seen[id(value)] = (value, index)
        return index


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
    place_ids = list(ds.places)
    position = {pid: i for i, pid in enumerate(place_ids)}

    geometries, styles = _JsonTable(), _JsonTable()
    html, markers, entries = _Table(), _Table(), _Table()

    def add_marker(parts: MarkerParts) -> int:
        key = Marker(
            parts.lon,
            parts.lat,
            styles.add(*parts.style),
            html.add(parts.popup),
            html.add(parts.tooltip),
        )
        return markers.add(key, list(key))

    # every rule is precomputed (frames per rule and language); "as source X" for at most
    # MAX_SOURCE_RULES sources (the newest ones), so a data set of hundreds of sources does
    # not multiply the bundle by hundreds
    rules = credits.rules_for(ds, MAX_SOURCE_RULES)
    variants = [(lang, rule, variant_key(lang, rule)) for rule in rules for lang in LANGS]
    timelines = {
        rule.key: timeline if rule.key == "newest" else Timeline(ds, rule) for rule in rules
    }
    current: dict[str, list[int]] = {key: [-1] * len(place_ids) for _, _, key in variants}
    shown: dict[str, tuple[list[int], int]] = {key: ([], -1) for _, _, key in variants}
    place_geometry: dict[str, int] = {}
    frames: list[dict[str, Any]] = []
    changes: list[str] = []
    # a place is looked at again only on its own days: the work follows the changes
    own_days = timeline.state_days()
    due: dict[date, list[str]] = {}
    for pid, own in own_days.items():
        for day in own:
            if first < day <= last:
                due.setdefault(day, []).append(pid)
    # each place's states over the range, by rule (kept in the cache for unchanged places)
    traces = {key: cache.traces(key, tl, first, last, own_days) for key, tl in timelines.items()}
    states = {key: {pid: tr.initial for pid, tr in traces[key].items()} for key in timelines}
    # the day of each place's current state in its trace (None: the first day's)
    since: dict[str, dict[str, date | None]] = {key: dict.fromkeys(place_ids) for key in timelines}
    # how many places each faction holds, kept up to date as places change: the legend is
    # rebuilt (over every place, for its order) only when the set of factions shown changes
    holders: dict[str, Counter[str]] = {
        key: Counter(f for s in st.values() for f in legend_factions(s))
        for key, st in states.items()
    }
    legends: dict[tuple[str, frozenset[str]], int] = {}
    days = frame_days(ds, first, last, own_days)
    event_index = EventIndex(ds)  # events by date and their popups, once for every day
    front_frames = _FrontFrames(ds, palette, geometries, styles, html, cache)
    ground_rows: list[fronts.Ground] = []
    # the ground held, kept up to date as the newest report's places change
    ground = fronts.GroundTally(ds)
    for initial in states["newest"].values():
        ground.add(initial)
    # drawn parts by place, language, day and state, shared by the rules (see draw_place)
    shared_parts: dict[tuple[Any, ...], PlaceParts] = {}
    for number, day in enumerate(days, start=1):
        if progress is not None:
            progress(number, len(days))
        changed: dict[str, dict[str, PlaceState]] = {}
        for key in timelines:
            if number == 1:
                changed[key] = dict(states[key])
                continue
            trace = traces[key]
            moved = {}
            for pid in due.get(day, []):
                state = trace[pid].moves.get(day)
                if state is not None:
                    moved[pid] = state
                    since[key][pid] = day
            if key == "newest" and any(
                s.signature() != states[key][pid].signature() for pid, s in moved.items()
            ):
                changes.append(day.isoformat())
            for pid, state in moved.items():
                holders[key].subtract(legend_factions(states[key][pid]))
                holders[key].update(legend_factions(state))
                if key == "newest":
                    ground.add(states[key][pid], -1)
                    ground.add(state)
            states[key].update(moved)
            changed[key] = moved
        frame: dict[str, Any] = {"start": day.isoformat()}
        for lang, rule, vkey in variants:
            factions = frozenset(f for f, n in holders[rule.key].items() if n > 0)
            drawn = [
                (
                    pid,
                    draw_place(
                        ds,
                        traces[rule.key][pid],
                        state,
                        since[rule.key][pid],
                        palette,
                        lang,
                        event_index,
                        shared_parts,
                    ),
                )
                for pid, state in changed[rule.key].items()
            ]
            # the tables are filled in the order one state_layers call over the changed
            # places would give: stripes, outlines, markers, places
            stripes: dict[str, list[Stripe]] = {}
            for pid, parts in drawn:
                for geometry, style in parts.stripes:
                    stripes.setdefault(pid, []).append(
                        Stripe(geometries.add(*geometry), styles.add(*style))
                    )
            outline = {pid: styles.add(*parts.outline) for pid, parts in drawn}
            place_markers: dict[str, list[int]] = {}
            for pid, parts in drawn:
                for condition in parts.markers:
                    place_markers.setdefault(pid, []).append(add_marker(condition))
            events = []
            for feature, seen in cache.event_markers(ds, day, palette, lang, event_index):
                if rule.source_id in (None, _event_source(ds, feature)):
                    events.append(add_marker(seen))
            updates = []
            for pid, parts in drawn:
                place_geometry[pid] = geometries.add(*parts.geometry)
                entry = Entry(
                    fill=styles.add(*parts.fill),
                    outline=outline[pid],
                    popup=html.add(parts.popup),
                    tooltip=html.add(parts.tooltip),
                    stripes=tuple(stripes.get(pid, [])),
                    markers=tuple(place_markers.get(pid, [])),
                )
                stripe_rows = [list(s) for s in entry.stripes]
                index = entries.add(entry, [*entry[:4], stripe_rows, list(entry.markers)])
                if current[vkey][position[pid]] != index:
                    current[vkey][position[pid]] = index
                    updates.append([position[pid], index])
            if (vkey, factions) not in legends:
                items = legend_items(ds, list(states[rule.key].values()), palette, lang, rule.key)
                legends[vkey, factions] = html.add(popups.legend_html(items, lang))
            legend = legends[vkey, factions]
            if updates or (events, legend) != shown[vkey]:
                shown[vkey] = (events, legend)
                frame[vkey] = {"set": updates, "events": events, "legend": legend}
        # the front lines follow the newest report's map (the default rule)
        front_frames.update(day, states["newest"], changed["newest"], number == 1)
        # the ground chart's rows: the first day and every change day (as ground_over)
        if number == 1 or (changes and changes[-1] == day.isoformat()):
            ground_rows.append(ground.ground(day))
        if frames and not any(vkey in frame for _, _, vkey in variants):
            continue  # nothing the map shows changes on this day
        for _, _, vkey in variants:
            if vkey not in frame:
                frame[vkey] = {"set": [], "events": shown[vkey][0], "legend": shown[vkey][1]}
        frames.append(frame)

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
        "bounds": _bounds(geometries.items[place_geometry[pid]] for pid in place_ids),
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
                "geometry": place_geometry[pid],
            }
            for pid in place_ids
        ],
        "geometries": geometries.items,
        "styles": styles.items,
        "html": html.items,
        "markers": markers.items,
        "entries": entries.items,
        "frames": frames,
        # added by issue 13 (names, fronts, context, ground held); see _FrontFrames
        "labels": [label_record(label) for label in place_labels(ds)],
        "fronts": front_frames.frames,
        "frontLines": front_frames.finish(),
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
    process) was built from: equal to ``build_bundle(ds, tiles, palette)``, but only what
    the edit changed is worked out and drawn again (see :mod:`mapapp.web.incremental`).
    Without ``previous``'s cache (built elsewhere, or too long ago) it is a full build."""
    with _CACHES_LOCK:
        # taken out while it is used: a cache serves one build at a time; an id reused by
        # another bundle only costs speed, never correctness (the cache compares the data)
        cache = _CACHES.pop(id(previous), None)
    return build_bundle(ds, tiles, palette, progress, cache)


class _FrontFrames:
    """The front lines of each frame day, kept up to date as places change: only the
    borders of a changed place are looked at again. ``frames`` is a list of ``{start,
    legend: {en, ar}}``, one item from each day the fronts change; ``lines`` lists each
    line once, with the frames it is drawn in: ``{geometry, styles: [style, ...], tooltip:
    {en, ar}, kind, pair, frames: [first, end]}`` (indexes into the bundle's tables; a line
    is drawn in frames ``first`` to ``end - 1``). A line that stays as it was is not
    repeated in every frame: past a few thousand places that made the fronts grow as
    places times frames."""

    def __init__(
        self,
        ds: Dataset,
        palette: Palette,
        geometries: _JsonTable,
        styles: _JsonTable,
        html: _Table,
        cache: BundleCache,
    ) -> None:
        self.ds, self.palette = ds, palette
        self.geometries, self.styles, self.html = geometries, styles, html
        if cache.borders is None:  # kept while no place's geometry changes
            cache.borders = fronts.borders(ds)
        self.borders = cache.borders
        self.cache = cache
        self.of_place: dict[str, list[int]] = {}
        for i, (a, b, _, _) in enumerate(self.borders):
            self.of_place.setdefault(a, []).append(i)
            self.of_place.setdefault(b, []).append(i)
        self.current: dict[int, fronts.Front] = {}
        self.frames: list[dict[str, Any]] = []
        self.lines: list[dict[str, Any]] = []
        #: each line's border (the lines are listed by border, as a frame draws them)
        self._border: list[int] = []
        #: how many lines drawn in the newest frame are of each (pair, kind)
        self._pairs: Counter[tuple[str, str]] = Counter()
        self._legends: dict[tuple[Lang, tuple[tuple[str, str], ...]], int] = {}
        #: each border's line drawn in the newest frame, with the front it was built for
        self._built: dict[int, tuple[fronts.Front, dict[str, Any]]] = {}

    def update(
        self, day: date, states: dict[str, PlaceState], changed: dict[str, Any], whole: bool
    ) -> None:
        look = (
            range(len(self.borders))
            if whole
            else sorted({i for pid in changed for i in self.of_place.get(pid, [])})
        )
        moved: list[int] = []
        sides: dict[str, fronts.Side | None] = {}  # each place's side, once for its borders

        def side(pid: str) -> fronts.Side | None:
            if pid not in sides:
                sides[pid] = fronts.side_of(self.ds, states[pid])
            return sides[pid]

        for i in look:
            a, b = self.borders[i][0], self.borders[i][1]
            front = fronts.front_of_sides(self.borders[i], side(a), side(b))
            if front != self.current.get(i):
                moved.append(i)
                if front is None:
                    del self.current[i]
                else:
                    self.current[i] = front
        if moved or whole:
            self.frames.append(self._frame(day, moved))

    def finish(self) -> list[dict[str, Any]]:
        """The lines by border and first frame (so a frame's lines come in the order of
        its borders), each still drawn at the end closed after the last frame."""
        for line in self.lines:
            if line["frames"][1] is None:
                line["frames"][1] = len(self.frames)
        order = sorted(range(len(self.lines)), key=lambda n: (self._border[n], n))
        return [self.lines[n] for n in order]

    def _frame(self, day: date, moved: list[int]) -> dict[str, Any]:
        """The frame of ``day``, the fronts of the borders ``moved`` (in order) changed."""
        ds, palette = self.ds, self.palette
        number = len(self.frames)  # the index of the frame being made
        for i in moved:
            if i not in self.current and i in self._built:
                gone = self._built.pop(i)[1]
                gone["frames"][1] = number  # the front is gone
                self._pairs[gone["pair"], gone["kind"]] -= 1
        for i in moved:
            front = self.current.get(i)
            if front is None:
                continue
            built = self._built.get(i)
            if built is not None and built[0] is front:
                # a front stays the same object while it does not change: its line goes
                # on being drawn
                continue
            if built is not None:
                built[1]["frames"][1] = number
                self._pairs[built[1]["pair"], built[1]["kind"]] -= 1
            drawn = self.cache.lines.get((i, front))
            if drawn is None:  # a line's drawing depends on its border and front alone
                names = {
                    lang: (
                        side_name(ds, front.side_a.key, "bloc", lang),
                        side_name(ds, front.side_b.key, "bloc", lang),
                    )
                    for lang in LANGS
                }
                geometry = json.loads(shapely.to_geojson(front.geometry))
                drawn = self.cache.lines[i, front] = {
                    "geometry": (dumps(geometry), geometry),
                    "styles": [(dumps(x), x) for x in front_styles(ds, front, "bloc", palette)],
                    "tooltip": {
                        lang: popups.front_tooltip(ds, front, names[lang], lang) for lang in LANGS
                    },
                }
            line = {
                "geometry": self.geometries.add(*drawn["geometry"]),
                "styles": [self.styles.add(*x) for x in drawn["styles"]],
                "tooltip": {lang: self.html.add(drawn["tooltip"][lang]) for lang in LANGS},
                "kind": front.kind,
                "pair": front.pair,
                "frames": [number, None],
            }
            self._built[i] = (front, line)
            self._pairs[front.pair, front.kind] += 1
            self.lines.append(line)
            self._border.append(i)
        key = tuple(sorted(pair for pair, n in self._pairs.items() if n > 0))
        shown = list(self.current.values())
        legend = {}
        for lang in LANGS:
            if (lang, key) not in self._legends:
                # the legend lists the pairs in the order the fronts came, and the
                # tentative style if any is tentative: drawn once for every build
                drawn_as = (
                    lang,
                    tuple(dict.fromkeys(self._built[i][1]["pair"] for i in self.current)),
                    any(f.kind != "firm" for f in shown),
                )
                text = self.cache.front_legends.get(drawn_as)
                if text is None:
                    items = front_legend_items(ds, shown, "bloc", palette, lang)
                    text = popups.legend_html(items, lang, note=False) if items else ""
                    self.cache.front_legends[drawn_as] = text
                self._legends[lang, key] = self.html.add(text)
            legend[lang] = self._legends[lang, key]
        return {"start": day.isoformat(), "legend": legend}


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
