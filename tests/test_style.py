"""How states look: colours per faction, stripes, hatching, dashes, condition outlines."""

from __future__ import annotations

from datetime import date

import pytest

from mapapp.core.model import Dataset
from mapapp.core.resolve import resolve
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
        # ISIS holds it; al-Nusra, its ally, is a thin band
        (date(2015, 9, 15), "yarmouk", "#1a1a1a", ("#7b3294", None, None)),
        (date(2015, 9, 15), "yalda", "#1b7837", ("#1b7837", "#00441b", "#5aae61")),
        (date(2015, 9, 15), "sbeineh", "#d62728", ()),  # present in parts of it
        (date(2015, 9, 15), "sayyida_zaynab", "#d62728", ()),
        (date(2015, 5, 1), "yarmouk", "#1a1a1a", ("#1a1a1a", None)),
        (date(2015, 5, 1), "tadamon", NEUTRAL, (HATCH, None, None)),
        (date(2015, 3, 5), "yarmouk", "#4daf4a", ("#4daf4a", "#7b3294")),
        (date(2015, 2, 15), "yarmouk", NEUTRAL, (HATCH, None, None)),
    ],
)
def test_colours_and_patterns_follow_the_state(
    ds: Dataset, day: date, place: str, fill: str, stripes: tuple[str | None, ...]
) -> None:
    style = place_style(resolve(ds, Timeline(ds).place_state(place, day)), "conventional")
    assert (style.fill, style.stripes) == (fill, stripes)


def test_weaker_fills_for_partial_and_presence(ds: Dataset) -> None:
    timeline = Timeline(ds)
    day = date(2015, 9, 15)
    sole = place_style(resolve(ds, timeline.place_state("qadam", day)), "conventional")
    partial = place_style(
        resolve(ds, timeline.place_state("yarmouk", date(2015, 5, 1))), "conventional"
    )
    presence = place_style(resolve(ds, timeline.place_state("aqraba", day)), "conventional")
    assert partial.fill_opacity < presence.fill_opacity < sole.fill_opacity


def test_uncertain_answers_are_dashed_and_conditions_outlined(ds: Dataset) -> None:
    timeline = Timeline(ds)
    inside = place_style(
        resolve(ds, timeline.place_state("asali", date(2015, 8, 20))), "conventional"
    )
    after = place_style(
        resolve(ds, timeline.place_state("asali", date(2015, 9, 15))), "conventional"
    )
    assert inside.dash == UNCERTAIN_DASH
    assert after.dash is None
    qadam = place_style(
        resolve(ds, timeline.place_state("qadam", date(2015, 9, 15))), "conventional"
    )
    assert (qadam.outline, qadam.marker) == (CONDITION, True)
    assert qadam.weight > after.weight


def test_colour_blind_palette_uses_the_other_column(ds: Dataset) -> None:
    state = Timeline(ds).place_state("qadam", date(2015, 9, 15))
    assert (
        place_style(resolve(ds, state), "colour-blind").fill == ds.factions["ajnad_sham"].colour_cb
    )
    assert faction_colour(ds, "regime", "colour-blind") == "#d55e00"


def test_legend_names_the_factions_on_the_map_and_every_pattern(ds: Dataset) -> None:
    states = list(Timeline(ds).state_at(date(2015, 5, 1)).values())
    keys = [i.key for i in legend_items(ds, states, "conventional", "en")]
    assert keys[:1] == ["faction-isis"]
    assert {
        "sole",
        "shared",
        "partial",
        "presence",
        "allied",
        "no-data",
        "uncertain",
        "disputed",
        "stale",
        "condition",
    } <= set(keys)
    arabic = legend_items(ds, states, "conventional", "ar")
    assert arabic[0].label == "تنظيم داعش"


def test_disputed_and_stale_places_have_their_own_look() -> None:
    from mapapp.core.timeline import Rule
    from mapapp.draw.style import DISPUTED, STALE, STALE_FADE

    from .conftest import ROOT

    multi = load_dataset(ROOT / "tests" / "data" / "multi-source").dataset
    assert multi is not None
    day = date(2015, 9, 26)
    newest = Timeline(multi).place_state("tadamon", day)
    style = place_style(resolve(multi, newest), "conventional")
    # the rule's side (Charlie: ISIS) fills it; the other side (Bravo: the regime) stripes it
    assert style.fill == multi.factions["isis"].colour
    assert multi.factions["regime"].colour in style.stripes
    assert (style.outline, style.dash) == (DISPUTED, "1 5")
    reliable_state = Timeline(multi, Rule("reliable")).place_state("tadamon", day)
    reliable = place_style(resolve(multi, reliable_state), "conventional")
    assert reliable.fill == multi.factions["regime"].colour
    agreed = place_style(resolve(multi, Timeline(multi).place_state("yalda", day)), "conventional")
    assert agreed.outline != DISPUTED
    fresh = Timeline(multi).place_state("yalda", date(2015, 12, 9))
    stale = Timeline(multi).place_state("yalda", date(2015, 12, 10))
    assert not fresh.stale and stale.stale
    a, b = (
        place_style(resolve(multi, fresh), "conventional"),
        place_style(resolve(multi, stale), "conventional"),
    )
    assert b.fill == a.fill and b.fill_opacity == round(a.fill_opacity * STALE_FADE, 3)
    assert b.outline == STALE
