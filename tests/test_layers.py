"""The day's map content as GeoJSON layers: a feature per place, stripes, outlines, markers."""

from __future__ import annotations

from datetime import date

from mapapp.core.model import Dataset
from mapapp.core.timeline import Timeline
from mapapp.core.validate import load_dataset
from mapapp.draw.layers import EVENT_WINDOW_DAYS, StateLayers, recent_events, state_layers

from .conftest import VALID


def _ds() -> Dataset:
    ds = load_dataset(VALID).dataset
    assert ds is not None
    return ds


def test_every_place_has_a_fill_and_an_outline_with_popups() -> None:
    ds = _ds()
    day = date(2015, 9, 15)
    layers = state_layers(ds, Timeline(ds).state_at(day), day, "conventional", "en")
    ids = [f["properties"]["id"] for f in layers.places["features"]]
    assert ids == list(ds.places)
    assert [f["properties"]["id"] for f in layers.outlines["features"]] == ids
    for feature in layers.places["features"]:
        props = feature["properties"]
        assert props["popup"] and props["tooltip"]
        assert set(props["style"]) >= {"fillColor", "fillOpacity"}


def test_the_selected_place_is_drawn_thicker() -> None:
    ds = _ds()
    day = date(2015, 9, 15)
    states = Timeline(ds).state_at(day)
    pid = next(iter(ds.places))
    plain = state_layers(ds, states, day, "conventional", "en")
    picked = state_layers(ds, states, day, "conventional", "en", pid)

    def weight(layers: StateLayers, place: str) -> float:
        return float(
            next(
                f["properties"]["style"]["weight"]
                for f in layers.outlines["features"]
                if f["properties"]["id"] == place
            )
        )

    assert weight(picked, pid) > weight(plain, pid)


def test_events_show_for_a_window_of_days_then_leave() -> None:
    ds = _ds()
    events = [e for e in ds.events if not e.is_condition]
    assert events, "the fixture has an event"
    event = events[0]
    start = event.date.earliest
    assert event in recent_events(ds, start)
    assert event in recent_events(ds, date.fromordinal(start.toordinal() + EVENT_WINDOW_DAYS))
    later = date.fromordinal(event.date.latest.toordinal() + EVENT_WINDOW_DAYS + 1)
    assert event not in recent_events(ds, later)
