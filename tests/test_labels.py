"""Label anchors, short names and the context layer (mapapp.draw.labels), the charts'
day marker and axes (mapapp.draw.chart), and what the bundle carries for issue 13."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from shapely.geometry import Point, shape

from mapapp.core import fronts
from mapapp.core.timeline import Timeline
from mapapp.core.validate import load_dataset
from mapapp.draw.chart import day_marked, ground_rows, ground_spec, timeline_spec
from mapapp.draw.labels import context_layer, place_labels, short_name
from mapapp.draw.style import legend_items, wash
from mapapp.web.assets import Tiles
from mapapp.web.export import build_bundle

from .conftest import DATA


def _ds(folder: Path = DATA):  # type: ignore[no-untyped-def]
    result = load_dataset(folder)
    assert result.dataset is not None
    return result.dataset


def test_short_names_drop_kind_words_and_parentheses() -> None:
    assert short_name("Yarmouk Camp") == "Yarmouk"
    assert short_name("al-Sbeineh (al-Sabinah)") == "al-Sbeineh"
    assert short_name("مخيم اليرموك") == "اليرموك"
    assert short_name("Yalda") == "Yalda"
    assert short_name("Camp") == "Camp", "never an empty name"


def test_every_label_sits_inside_its_place_away_from_its_edges() -> None:
    ds = _ds()
    labels = place_labels(ds)
    assert [x.place_id for x in labels] == list(ds.places)
    for label in labels:
        polygon = shape(ds.places[label.place_id].geometry)
        point = Point(label.lon, label.lat)
        assert polygon.contains(point), label.place_id
        # the pole of inaccessibility is at least as far from the edge as the centroid is
        centroid = polygon.centroid
        if polygon.contains(centroid):
            depth = polygon.exterior.distance(point)
            assert depth >= polygon.exterior.distance(centroid) * 0.9, label.place_id


def test_long_thin_places_are_labelled_along_their_axis(valid_copy: Path) -> None:
    """A 0.04 x 0.004 degree strip tilted north-east: its label turns with it."""
    doc = json.loads((valid_copy / "neighbourhoods.geojson").read_text(encoding="utf-8"))
    strip = [[36.30, 33.40], [36.34, 33.42], [36.3392, 33.4216], [36.2992, 33.4016], [36.30, 33.40]]
    doc["features"][0]["geometry"] = {"type": "Polygon", "coordinates": [strip]}
    doc["features"][0]["properties"]["ref_lat"] = 33.4105
    doc["features"][0]["properties"]["ref_lon"] = 36.3196
    (valid_copy / "neighbourhoods.geojson").write_text(json.dumps(doc), encoding="utf-8")
    labels = {x.place_id: x for x in place_labels(_ds(valid_copy))}
    tilted = labels[doc["features"][0]["properties"]["id"]]
    # rising to the east: on screen (y down) that is a negative, counter-clockwise angle
    assert -40 < tilted.angle < -15, tilted.angle
    assert all(x.angle == 0 for pid, x in labels.items() if pid != tilted.place_id)


def test_context_layer_is_credited_and_clear_of_the_places() -> None:
    layer = context_layer()
    assert layer["credit"]["en"] and layer["credit"]["ar"]
    assert "approximate" in layer["credit"]["en"]
    ds = _ds()
    for feature in layer["features"]:
        outline = shape(feature["geometry"])
        assert feature["properties"]["name"]["ar"]
        for place in ds.places.values():
            assert not outline.intersects(shape(place.geometry)), place.id


def test_legend_gives_each_state_a_sentence_and_its_own_swatch() -> None:
    ds = _ds()
    states = list(Timeline(ds).state_at(date(2015, 9, 15)).values())
    for lang in ("en", "ar"):
        items = {i.key: i for i in legend_items(ds, states, "conventional", lang)}
        for key in ("sole", "shared", "partial", "presence", "no-data", "uncertain"):
            assert len(items[key].sentence) > 15, (lang, key)
        looks = [items[k].background for k in ("sole", "shared", "partial", "presence", "no-data")]
        assert len(set(looks)) == len(looks)
    # presence is drawn as on the map: the colour of the faction present, washed
    present = next(s for s in states if s.status == "presence").faction_ids[0]
    assert items["presence"].background == wash(ds.factions[present].colour, 0.4)


def test_charts_mark_the_day_and_speak_the_language() -> None:
    ds = _ds()
    first, last = date(2015, 1, 1), date(2015, 12, 31)
    spec = day_marked(ground_spec(ds, first, last, "conventional", "ar"))
    rule = spec["layer"][1]
    assert rule["mark"]["type"] == "rule"
    assert rule["encoding"]["x"] == {"field": "day", "type": "temporal"}
    axis = spec["layer"][0]["encoding"]["x"]["axis"]
    assert "أيلول" in axis["labelExpr"] and "year(datum.value)" in axis["labelExpr"]
    timeline = timeline_spec(ds, first, last, "conventional", "en")
    assert timeline["encoding"]["color"]["legend"]["orient"] == "bottom"
    assert timeline["encoding"]["x"]["axis"]["format"] == "%b %Y"


def test_ground_chart_rows_are_the_stats_and_add_up_to_the_whole() -> None:
    ds = _ds()
    first, last = date(2015, 1, 1), date(2015, 12, 31)
    rows, names, colours = ground_rows(ds, first, last, "conventional", "en")
    assert len(names) == len(colours)
    total = sum(fronts.place_areas_km2(ds).values())
    days = sorted({r["day"] for r in rows})
    assert days[-1] == last.isoformat()
    expected = {g.day.isoformat() for g in fronts.ground_over(ds, first, last)}
    assert expected <= set(days)
    areas = fronts.place_areas_km2(ds)
    timeline = Timeline(ds)
    for day in days:  # a place two blocs hold (Yarmouk in March 2015) counts for each
        states = timeline.state_at(date.fromisoformat(day))
        extra = sum(
            areas[pid] * (len({ds.factions[r.faction_id].bloc for r in s.rows}) - 1)
            for pid, s in states.items()
            if s.rows
        )
        assert abs(sum(r["km2"] for r in rows if r["day"] == day) - total - extra) < 0.01


def test_bundle_carries_labels_fronts_context_and_ground() -> None:
    ds = _ds()
    bundle = build_bundle(ds, Tiles(None, ""))
    assert [x["id"] for x in bundle["labels"]] == list(ds.places)
    assert bundle["context"]["credit"]["en"]
    timeline = Timeline(ds)
    # each line listed once, with the frames it is drawn in: [first, end)
    spans = [line["frames"] for line in bundle["frontLines"]]
    assert all(0 <= a < b <= len(bundle["fronts"]) for a, b in spans)

    def lines_of(k: int) -> list[dict[str, Any]]:
        return [x for x in bundle["frontLines"] if x["frames"][0] <= k < x["frames"][1]]

    for k, frame in enumerate(bundle["fronts"]):
        day = date.fromisoformat(frame["start"])
        expected = fronts.fronts_on(ds, timeline.state_at(day))
        assert [line["pair"] for line in lines_of(k)] == [f.pair for f in expected]
        assert [line["kind"] for line in lines_of(k)] == [f.kind for f in expected]
        for line in lines_of(k):
            geometry = bundle["geometries"][line["geometry"]]
            assert geometry["type"] in ("LineString", "MultiLineString")
            assert " m" in bundle["html"][line["tooltip"]["en"]]
            assert " م" in bundle["html"][line["tooltip"]["ar"]]
    # every frame day draws the fronts of that day
    starts = [date.fromisoformat(f["start"]) for f in bundle["fronts"]]
    for frame in bundle["frames"]:
        day = date.fromisoformat(frame["start"])
        shown = max((i for i, s in enumerate(starts) if s <= day), default=None)
        expected = fronts.fronts_on(ds, timeline.state_at(day))
        got = lines_of(shown) if shown is not None else []
        assert [(x["pair"], x["kind"]) for x in got] == [(f.pair, f.kind) for f in expected], day
    ground = bundle["ground"]
    assert [r["date"] for r in ground["rows"]] == [
        g.day.isoformat()
        for g in fronts.ground_over(
            ds,
            date.fromisoformat(bundle["range"]["first"]),
            date.fromisoformat(bundle["range"]["last"]),
        )
    ]


def test_the_ground_chart_takes_more_rows_than_altairs_guard(tmp_path: Path) -> None:
    """A row per change day and series: past Altair's 5,000-row guard at a few hundred
    places (the page crashed at 1,000); every row is in the spec."""
    from benchmarks import synth
    from mapapp.draw.chart import ground_rows

    ds = load_dataset(synth.generate(tmp_path / "data", 300, 3000)).dataset
    assert ds is not None
    first, last, _ = Timeline(ds).view_range()
    rows = ground_rows(ds, first, last, "conventional", "en")[0]
    assert len(rows) > 5000
    spec = ground_spec(ds, first, last, "conventional", "en")
    assert sum(len(v) for v in spec["datasets"].values()) == len(rows)
