"""How states look: colours per faction, stripes, hatching, dashes, condition outlines."""

from __future__ import annotations

from datetime import date

import pytest

from mapapp.core.model import Dataset
from mapapp.core.timeline import Timeline
from mapapp.core.validate import load_dataset
from mapapp.draw.style import (
    CONDITION,
    HATCH,
    NEUTRAL,
    UNCERTAIN_DASH,
    faction_colour,
    legend_items,
    place_style,
)

from .conftest import DATA


@pytest.fixture(scope="module")
def ds() -> Dataset:
    dataset = load_dataset(DATA).dataset
    assert dataset is not None
    return dataset


@pytest.mark.parametrize(
    ("day", "place", "fill", "stripes"),
    [
        (date(2015, 9, 15), "qadam", "#66c2a4", ()),
        (date(2015, 9, 15), "yarmouk", "#1a1a1a", ("#1a1a1a", "#b8860b")),
        (date(2015, 9, 15), "yalda", "#1b7837", ("#1b7837", "#00441b", "#5aae61")),
        (date(2015, 9, 15), "sbeineh", "#d62728", ("#d62728", None)),
        (date(2015, 9, 15), "sayyida_zaynab", "#d62728", ()),
        (date(2015, 5, 1), "yarmouk", "#1a1a1a", ("#1a1a1a", None)),
        (date(2015, 5, 1), "tadamon", NEUTRAL, (HATCH, None, None)),
        (date(2015, 2, 15), "yarmouk", "#4daf4a", ()),
    ],
)
def test_colours_and_patterns_follow_the_state(
    ds: Dataset, day: date, place: str, fill: str, stripes: tuple[str | None, ...]
) -> None:
    style = place_style(ds, Timeline(ds).place_state(place, day), "conventional")
    assert (style.fill, style.stripes) == (fill, stripes)


def test_weaker_fills_for_partial_and_presence(ds: Dataset) -> None:
    timeline = Timeline(ds)
    day = date(2015, 9, 15)
    sole = place_style(ds, timeline.place_state("qadam", day), "conventional")
    partial = place_style(ds, timeline.place_state("sbeineh", day), "conventional")
    presence = place_style(ds, timeline.place_state("aqraba", day), "conventional")
    assert partial.fill_opacity < presence.fill_opacity < sole.fill_opacity


def test_uncertain_answers_are_dashed_and_conditions_outlined(ds: Dataset) -> None:
    timeline = Timeline(ds)
    inside = place_style(ds, timeline.place_state("asali", date(2015, 8, 20)), "conventional")
    after = place_style(ds, timeline.place_state("asali", date(2015, 9, 15)), "conventional")
    assert inside.dash == UNCERTAIN_DASH
    assert after.dash is None
    qadam = place_style(ds, timeline.place_state("qadam", date(2015, 9, 15)), "conventional")
    assert (qadam.outline, qadam.marker) == (CONDITION, True)
    assert qadam.weight > after.weight


def test_colour_blind_palette_uses_the_other_column(ds: Dataset) -> None:
    state = Timeline(ds).place_state("qadam", date(2015, 9, 15))
    assert place_style(ds, state, "colour-blind").fill == ds.factions["ajnad_sham"].colour_cb
    assert faction_colour(ds, "regime", "colour-blind") == "#d55e00"


def test_legend_names_the_factions_on_the_map_and_every_pattern(ds: Dataset) -> None:
    states = list(Timeline(ds).state_at(date(2015, 5, 1)).values())
    keys = [i.key for i in legend_items(ds, states, "conventional", "en")]
    assert keys[:1] == ["faction-isis"]
    assert {"sole", "shared", "partial", "presence", "no-data", "uncertain", "condition"} <= set(
        keys
    )
    arabic = legend_items(ds, states, "conventional", "ar")
    assert arabic[0].label == "تنظيم داعش"
