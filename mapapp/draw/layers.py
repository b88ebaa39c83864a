"""The map's content for one day as plain GeoJSON, with style, popup and tooltip written
into each feature's properties (the geopandas ``explore`` approach: styling is data).

Four collections, drawn in this order:

* ``places``   -- one polygon per place: the fill, the popup and the tooltip;
* ``patterns`` -- stripe and hatch bands over the fills (not clickable);
* ``outlines`` -- each place's outline: dashed when uncertain, thick when besieged;
* ``markers``  -- conditions (besieged, under attack) and recent events as points.

Nothing here knows about folium or Streamlit, so the same layers can feed any renderer.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from mapapp.core.model import Dataset, Event
from mapapp.core.resolve import resolve
from mapapp.core.timeline import PlaceState
from mapapp.draw import popups
from mapapp.draw.i18n import Lang
from mapapp.draw.shapes import place_geometry, stripe_parts
from mapapp.draw.style import CONDITION, EVENT, Palette, place_style

#: events are shown on the map for this many days up to the selected date
EVENT_WINDOW_DAYS = 60
#: event markers drawn around one place on a day, the most recent first: thousands in the
#: window would be one unreadable blob, and every day of the map would have to list them
EVENT_MARKERS_PER_PLACE = 20

FeatureCollection = dict[str, Any]


@dataclass(frozen=True)
class StateLayers:
    places: FeatureCollection
    patterns: FeatureCollection
    outlines: FeatureCollection
    markers: FeatureCollection


def _fc(features: list[dict[str, Any]]) -> FeatureCollection:
    return {"type": "FeatureCollection", "features": features}


def _feature(geometry: dict[str, Any], **properties: Any) -> dict[str, Any]:
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def recent_events(ds: Dataset, day: date, days: int = EVENT_WINDOW_DAYS) -> list[Event]:
    """Events (not conditions) whose date window overlaps the ``days`` up to ``day``."""
    return EventIndex(ds).recent(day, days)


class EventIndex:
    """The dataset's events by date, and their popups, for asking many days.

    Asking one day looks only at the events that start in or just before its window
    (a binary search), not at every event; each event's popup and tooltip are written
    once a language. Building the map's bundle asks every day: with 100,000 events the
    scan of every event each day took 133 s and 2.7 GB.
    """

    def __init__(self, ds: Dataset) -> None:
        self.ds = ds
        self.events = [e for e in ds.events if not e.is_condition]
        self.order = sorted(range(len(self.events)), key=lambda i: self.events[i].date.earliest)
        self.starts = [self.events[i].date.earliest.toordinal() for i in self.order]
        self.longest = max(((e.date.latest - e.date.earliest).days for e in self.events), default=0)
        self._texts: dict[tuple[str, Lang], tuple[str, str]] = {}
        # per place: its events' indices by (first day, file order), and those first days
        self.by_place: dict[str, tuple[list[int], list[int]]] = {}
        for i in self.order:
            mine = self.by_place.setdefault(self.events[i].place_id, ([], []))
            mine[0].append(i)
            mine[1].append(self.events[i].date.earliest.toordinal())

    def latest_by_place(
        self, day: date, limit: int = EVENT_MARKERS_PER_PLACE, days: int = EVENT_WINDOW_DAYS
    ) -> dict[str, list[Event]]:
        """For each place, at most ``limit`` of the events in the window up to ``day``, the
        latest by date (in file order). Each place's events are walked back from ``day``
        and the walk stops at ``limit``: the cost follows the limit, not how many events
        the window holds."""
        start = day - timedelta(days=days)
        floor = start.toordinal() - self.longest
        picked: list[list[int]] = []
        for indices, firsts in self.by_place.values():
            k = bisect.bisect_right(firsts, day.toordinal()) - 1
            kept: list[int] = []
            while k >= 0 and len(kept) < limit and firsts[k] >= floor:
                if self.events[indices[k]].date.latest >= start:
                    kept.append(indices[k])
                k -= 1
            if kept:
                picked.append(sorted(kept))
        picked.sort(key=lambda kept: kept[0])  # places in the order their events come
        return {self.events[kept[0]].place_id: [self.events[i] for i in kept] for kept in picked}

    def recent(self, day: date, days: int = EVENT_WINDOW_DAYS) -> list[Event]:
        """Events whose date window overlaps the ``days`` up to ``day``, in file order."""
        start = day - timedelta(days=days)
        lo = bisect.bisect_left(self.starts, start.toordinal() - self.longest)
        hi = bisect.bisect_right(self.starts, day.toordinal())
        found = sorted(i for i in self.order[lo:hi] if self.events[i].date.latest >= start)
        return [self.events[i] for i in found]

    def texts(self, event: Event, lang: Lang) -> tuple[str, str]:
        """(popup, tooltip) of an event, written once."""
        key = (event.id, lang)
        if key not in self._texts:
            self._texts[key] = (
                popups.event_popup(self.ds, event, lang),
                popups.event_tooltip(self.ds, event, lang),
            )
        return self._texts[key]


def _offset(lat: float, lon: float, index: int, count: int, metres: float = 170.0) -> list[float]:
    """Spread several markers of one place around its reference point."""
    if count <= 1:
        return [round(lon, 5), round(lat, 5)]
    angle = 2 * math.pi * index / count
    dlat = metres * math.cos(angle) / 111_320
    dlon = metres * math.sin(angle) / (111_320 * math.cos(math.radians(lat)))
    return [round(lon + dlon, 5), round(lat + dlat, 5)]


def state_layers(
    ds: Dataset,
    states: dict[str, PlaceState],
    day: date,
    palette: Palette,
    lang: Lang,
    selected: str | None = None,
    index: EventIndex | None = None,
    events: bool = True,
) -> StateLayers:
    """The layers of the places in ``states`` on ``day``; ``index`` (one for many days)
    saves finding the day's events and writing their popups again. ``events=False``
    leaves out the day's event markers (the places' own conditions stay)."""
    places, patterns, outlines, markers = [], [], [], []
    for pid, state in states.items():
        place = ds.places[pid]
        geometry = place_geometry(place)
        record = resolve(ds, state)  # drawing takes the state with what it names joined
        style = place_style(record, palette)
        places.append(
            _feature(
                geometry,
                id=pid,
                status=state.status,
                factions=list(state.faction_ids),
                popup=popups.place_popup(record, lang),
                tooltip=popups.place_tooltip(record, lang),
                style={
                    "fillColor": style.fill,
                    "fillOpacity": style.fill_opacity,
                    "stroke": False,
                    "className": f"mapapp-place mapapp-place-{pid}",
                },
            )
        )
        if style.stripes:
            parts = stripe_parts(place, len(style.stripes))
            for colour, part in zip(style.stripes, parts, strict=True):
                if colour is None or part is None:
                    continue
                patterns.append(
                    _feature(
                        part,
                        id=pid,
                        style={
                            "fillColor": colour,
                            "fillOpacity": style.stripe_opacity,
                            "stroke": False,
                            "interactive": False,
                            "className": f"mapapp-stripe mapapp-stripe-{pid}",
                        },
                    )
                )
        outline_style: dict[str, Any] = {
            "color": style.outline,
            "weight": style.weight + (2 if pid == selected else 0),
            "fill": False,
            "interactive": False,
            "className": f"mapapp-outline mapapp-outline-{pid}",
        }
        if style.dash:
            outline_style["dashArray"] = style.dash
        outlines.append(_feature(geometry, id=pid, style=outline_style))
        for i, event in enumerate(state.conditions):
            markers.append(
                _feature(
                    {
                        "type": "Point",
                        "coordinates": _offset(
                            place.ref_lat, place.ref_lon, i, len(state.conditions), 140
                        ),
                    },
                    id=event.id,
                    popup=popups.event_popup(ds, event, lang),
                    tooltip=popups.event_tooltip(ds, event, lang),
                    style={
                        "radius": 9,
                        # a ring: a click inside it reaches the place under it (whose
                        # popup tells the condition too); only the ring opens its own
                        "fill": False,
                        "color": CONDITION,
                        "weight": 4,
                        "className": f"mapapp-condition mapapp-condition-{event.kind}",
                    },
                )
            )
    index = index or EventIndex(ds)
    for pid, place_events in index.latest_by_place(day).items() if events else ():
        place = ds.places[pid]
        for i, event in enumerate(place_events):
            popup, tooltip = index.texts(event, lang)
            markers.append(
                _feature(
                    {
                        "type": "Point",
                        "coordinates": _offset(
                            place.ref_lat, place.ref_lon, i, len(place_events) + 1
                        ),
                    },
                    id=event.id,
                    popup=popup,
                    tooltip=tooltip,
                    style={
                        "radius": 7,
                        "fill": True,
                        "color": "#ffffff",
                        "weight": 2,
                        "fillColor": EVENT,
                        "fillOpacity": 0.95,
                        "className": f"mapapp-event mapapp-event-{event.kind}",
                    },
                )
            )
    return StateLayers(_fc(places), _fc(patterns), _fc(outlines), _fc(markers))
