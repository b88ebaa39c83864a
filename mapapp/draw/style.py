"""How a place's state looks on the map: colours, patterns, outlines, and the legend.

Pure data in, plain style values out; the map and the legend read the same values.

* sole control: the faction's colour, solid;
* shared control: stripes of the factions' colours;
* partial control: the faction's colour in stripes over a faint wash ("part of it");
* forces present: the faction's colour, lighter;
* no data: neutral grey, hatched;
* uncertain (inside an imprecise date's window, or start unknown): dashed outline;
* besieged or under attack: a thick outline in the condition colour, plus a marker.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from mapapp.core.model import Dataset
from mapapp.core.timeline import NO_DATA, PlaceState
from mapapp.draw.i18n import STATUS, Lang, label, t

Palette = Literal["conventional", "colour-blind"]
PALETTES: tuple[Palette, ...] = ("conventional", "colour-blind")

NEUTRAL = "#bdbdbd"
HATCH = "#6b6b6b"
OUTLINE = "#333333"
CONDITION = "#c2185b"
EVENT = "#37474f"
UNCERTAIN_DASH = "6 5"


@dataclass(frozen=True)
class PlaceStyle:
    fill: str
    fill_opacity: float
    #: colours of the stripe bands drawn over the fill, cycling; None leaves a band empty
    stripes: tuple[str | None, ...]
    stripe_opacity: float
    outline: str
    weight: float
    dash: str | None
    marker: bool


def faction_colour(ds: Dataset, faction_id: str, palette: Palette) -> str:
    faction = ds.factions[faction_id]
    return faction.colour_cb if palette == "colour-blind" else faction.colour


#: how each status looks: every status of the schema (control.csv's ``status``) and the
#: timeline's own (``mixed``, ``no-data``) must be here; a test checks it, and an unknown
#: status is an error, never silently drawn as stripes
STATUS_LOOK: dict[str, str] = {
    "sole": "solid",
    "shared": "stripes",
    "partial": "faded",
    "presence": "wash",
    "mixed": "stripes",
    NO_DATA: "hatch",
}


_GREY, _LIGHT = "#888888", "#dddddd"
_BORDER = f"1px solid {OUTLINE}"


def _stripes_css(colours: list[str], width: int = 5) -> str:
    stops = []
    for i, c in enumerate(colours):
        stops.append(f"{c} {i * width}px {(i + 1) * width}px")
    return f"repeating-linear-gradient(45deg, {', '.join(stops)})"


#: the legend's swatch of each look (CSS background)
LOOK_SWATCH: dict[str, str] = {
    "solid": _GREY,
    "stripes": _stripes_css([_GREY, _LIGHT]),
    "faded": _stripes_css([_GREY, "#f4f4f4"]),
    "wash": "#c8c8c8",
    "hatch": _stripes_css([HATCH, "#e6e6e6", "#e6e6e6"], 3),
}


def place_style(ds: Dataset, state: PlaceState, palette: Palette) -> PlaceStyle:
    look = STATUS_LOOK.get(state.status)
    if look is None:
        raise ValueError(
            f"no style for the status {state.status!r}: add it to STATUS_LOOK in "
            "mapapp/draw/style.py, its label to mapapp/draw/i18n.py and its legend line"
        )
    colours = [faction_colour(ds, f, palette) for f in state.faction_ids]
    fill, opacity = NEUTRAL, 0.25
    stripes: tuple[str | None, ...] = ()
    stripe_opacity = 0.75
    if look == "hatch":
        stripes, stripe_opacity = (HATCH, None, None), 0.55
    elif look == "solid":
        fill, opacity = colours[0], 0.7
    elif look == "wash" and len(colours) == 1:
        fill, opacity = colours[0], 0.4
    elif look == "faded" and len(colours) == 1:
        fill, opacity = colours[0], 0.15
        stripes = (colours[0], None)
    else:  # shared, mixed, or several factions at once
        fill, opacity = colours[0], 0.7
        stripes = tuple(colours)
    if state.conditions:
        outline, weight = CONDITION, 4.0
    else:
        outline, weight = OUTLINE, 1.5
    return PlaceStyle(
        fill=fill,
        fill_opacity=opacity,
        stripes=stripes,
        stripe_opacity=stripe_opacity,
        outline=outline,
        weight=weight,
        dash=UNCERTAIN_DASH if state.uncertain else None,
        marker=bool(state.conditions),
    )


@dataclass(frozen=True)
class LegendItem:
    """One line of the legend: a swatch (CSS background and border) and its label."""

    key: str
    label: str
    background: str
    border: str


def legend_items(
    ds: Dataset, states: list[PlaceState], palette: Palette, lang: Lang
) -> list[LegendItem]:
    """The factions shown on this date (in the factions file's order, so the legend of a
    set of factions is always the same), then every pattern the map uses."""
    items = []
    present = {f for s in states for f in s.faction_ids}
    for fid in (f for f in ds.factions if f in present):
        faction = ds.factions[fid]
        name = faction.name_ar if lang == "ar" else faction.name_en
        colour = faction_colour(ds, fid, palette)
        items.append(LegendItem(f"faction-{fid}", name, colour, f"1px solid {OUTLINE}"))
    # a line per look, named by the first status drawn that way (mixed looks like shared)
    shown: set[str] = set()
    for status, look in STATUS_LOOK.items():
        if look not in shown:
            shown.add(look)
            items.append(
                LegendItem(status, label(STATUS, status, lang), LOOK_SWATCH[look], _BORDER)
            )
    items += [
        LegendItem("uncertain", t("uncertain", lang), "#ffffff", f"2px dashed {OUTLINE}"),
        LegendItem(
            "condition",
            _condition_label(lang),
            "#ffffff",
            f"3px solid {CONDITION}",
        ),
        LegendItem("event", t("events", lang), EVENT, f"2px solid {EVENT}"),
    ]
    return items


def _condition_label(lang: Lang) -> str:
    return "محاصر أو تحت الهجوم" if lang == "ar" else "Besieged or under attack"
