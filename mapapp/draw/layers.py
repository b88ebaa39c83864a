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
    start = day - timedelta(days=days)
    return [
        e
        for e in ds.events
        if not e.is_condition and e.date.earliest <= day and e.date.latest >= start
    ]


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
) -> StateLayers:
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
    events = recent_events(ds, day)
    by_place: dict[str, list[Event]] = {}
    for event in events:
        by_place.setdefault(event.place_id, []).append(event)
    for pid, place_events in by_place.items():
        place = ds.places[pid]
        for i, event in enumerate(place_events):
            markers.append(
                _feature(
                    {
                        "type": "Point",
                        "coordinates": _offset(
                            place.ref_lat, place.ref_lon, i, len(place_events) + 1
                        ),
                    },
                    id=event.id,
                    popup=popups.event_popup(ds, event, lang),
                    tooltip=popups.event_tooltip(ds, event, lang),
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
