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

from mapapp.core.fronts import By, Front
from mapapp.core.model import Dataset
from mapapp.core.timeline import NO_DATA, PlaceState
from mapapp.draw.i18n import BLOC, EXPLAIN, STATUS, Lang, label, t

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


def place_style(ds: Dataset, state: PlaceState, palette: Palette) -> PlaceStyle:
    colours = [faction_colour(ds, f, palette) for f in state.faction_ids]
    fill, opacity = NEUTRAL, 0.25
    stripes: tuple[str | None, ...] = ()
    stripe_opacity = 0.75
    if state.status == NO_DATA:
        stripes, stripe_opacity = (HATCH, None, None), 0.55
    elif state.status == "sole":
        fill, opacity = colours[0], 0.7
    elif state.status == "presence" and len(colours) == 1:
        fill, opacity = colours[0], 0.4
    elif state.status == "partial" and len(colours) == 1:
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
    #: what it means, in one sentence (empty for a faction's colour)
    sentence: str = ""
    #: "line" for a front line's swatch (drawn as a short thick line)
    shape: str = "box"


def _stripes_css(colours: list[str], width: int = 5) -> str:
    stops = []
    for i, c in enumerate(colours):
        stops.append(f"{c} {i * width}px {(i + 1) * width}px")
    return f"repeating-linear-gradient(45deg, {', '.join(stops)})"


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
    # each pattern drawn as on the map: in the colour of a faction shown with it this day
    sample = _status_samples(ds, states, palette)
    one = sample.get("sole", ["#4a7ab5"])[0]
    pair = [*sample.get("shared", []), "#4a7ab5", "#e8a33d"][:2]
    if pair[0] == pair[1]:
        pair[1] = "#e8a33d"
    part = sample.get("partial", [one])[0]
    present_colour = sample.get("presence", [one])[0]
    border = f"1px solid {OUTLINE}"

    def item(key: str, background: str, edge: str = border, name: str = "") -> LegendItem:
        text = name or label(STATUS, key, lang)
        return LegendItem(key, text, background, edge, EXPLAIN[key][lang])

    items += [
        item("sole", one),
        item("shared", _stripes_css(list(pair))),
        item("partial", _stripes_css([part, wash(part, 0.15)])),
        item("presence", wash(present_colour, 0.4)),
        item("no-data", _stripes_css([HATCH, "#e6e6e6", "#e6e6e6"], 3)),
        item("uncertain", "#ffffff", f"2px dashed {OUTLINE}", t("uncertain", lang)),
        item("condition", "#ffffff", f"3px solid {CONDITION}", _condition_label(lang)),
        item("event", EVENT, f"2px solid {EVENT}", t("events", lang)),
    ]
    return items


def wash(colour: str, opacity: float) -> str:
    """``colour`` at ``opacity`` over white, as an opaque colour (how a wash looks)."""
    rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    mixed = [round(c * opacity + 255 * (1 - opacity)) for c in rgb]
    return "#" + "".join(f"{c:02x}" for c in mixed)


def _status_samples(
    ds: Dataset, states: list[PlaceState], palette: Palette
) -> dict[str, list[str]]:
    """For each status, the colours of the factions of the first place shown with it."""
    out: dict[str, list[str]] = {}
    for state in states:
        if state.rows and state.status not in out:
            out[state.status] = [faction_colour(ds, f, palette) for f in state.faction_ids]
    return out


def side_colour(ds: Dataset, key: str, by: By, palette: Palette) -> str:
    """A side's colour: its first faction's (by bloc: the bloc's first faction in the
    factions file)."""
    first = key.split("+")[0]
    if by == "faction" and first in ds.factions:
        return faction_colour(ds, first, palette)
    for fid, faction in ds.factions.items():
        if faction.bloc == first:
            return faction_colour(ds, fid, palette)
    return OUTLINE


def side_name(ds: Dataset, key: str, by: By, lang: Lang) -> str:
    """A side for people: bloc names (or faction names), joined with +."""
    names = []
    for part in key.split("+"):
        if by == "faction" and part in ds.factions:
            f = ds.factions[part]
            names.append(f.name_ar if lang == "ar" else f.name_en)
        else:
            names.append(label(BLOC, part, lang))
    return " + ".join(names)


#: a front's two colours alternate in dashes of this length (px)
FRONT_DASH = 9


def front_styles(ds: Dataset, front: Front, by: By, palette: Palette) -> list[dict[str, object]]:
    """Leaflet path styles for one front segment, drawn in order: side A's colour under
    side B's in alternating dashes, so the pair reads at a glance; a tentative front is
    thinner with gaps (a broken line)."""
    a = side_colour(ds, front.side_a.key, by, palette)
    b = side_colour(ds, front.side_b.key, by, palette)
    firm = front.kind == "firm"
    weight = 6 if firm else 4
    base: dict[str, object] = {
        "color": a,
        "weight": weight,
        "opacity": 0.95,
        "lineCap": "butt",
        "className": f"mapapp-front mapapp-front-{front.kind}",
    }
    top = dict(base, color=b, dashArray=f"{FRONT_DASH} {FRONT_DASH}", dashOffset="0")
    if not firm:
        base["dashArray"] = f"{FRONT_DASH} {FRONT_DASH * 2}"
        top["dashArray"] = f"{FRONT_DASH} {FRONT_DASH * 2}"
        top["dashOffset"] = str(FRONT_DASH)
    halo: dict[str, object] = {
        "color": "#ffffff",
        "weight": weight + 3,
        "opacity": 0.8,
        "lineCap": "butt",
    }
    return [halo, base, top]


def front_legend_items(
    ds: Dataset, fronts: list[Front], by: By, palette: Palette, lang: Lang
) -> list[LegendItem]:
    """One line per pair of sides facing each other this day, then the tentative style."""
    items: list[LegendItem] = []
    for pair in dict.fromkeys(f.pair for f in fronts):
        keys = pair.split("|")
        a, b = (side_colour(ds, k, by, palette) for k in keys)
        names = " | ".join(side_name(ds, k, by, lang) for k in keys)
        items.append(
            LegendItem(
                f"front-{pair}",
                f"{t('front', lang)}: {names}",
                f"repeating-linear-gradient(90deg, {a} 0 6px, {b} 6px 12px)",
                "0",
                EXPLAIN["front"][lang] if not items else "",
                "line",
            )
        )
    if any(f.kind != "firm" for f in fronts):
        items.append(
            LegendItem(
                "front-tentative",
                t("tentative_front", lang),
                f"repeating-linear-gradient(90deg, {OUTLINE} 0 6px, transparent 6px 12px)",
                "0",
                EXPLAIN["front-tentative"][lang],
                "line",
            )
        )
    return items


def _condition_label(lang: Lang) -> str:
    return "محاصر أو تحت الهجوم" if lang == "ar" else "Besieged or under attack"
