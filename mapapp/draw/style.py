"""How a place's state looks on the map: colours, patterns, outlines, and the legend.

Pure data in, plain style values out; the map and the legend read the same values.

* sole control: the faction's colour, solid;
* shared control: stripes of the factions' colours;
* partial control: the faction's colour in stripes over a faint wash ("part of it");
* forces present: the faction's colour, lighter;
* a named ally of the holder (status ``allied``): a thin band of the ally's colour over the
  holder's;
* no data: neutral grey, hatched;
* uncertain (inside an imprecise date's window, or start unknown): dashed outline;
* disputed (the sources name different holders): the rule's side as the fill, the other
  sides' colours as stripes over it, and a dotted violet outline;
* stale (every report behind it is older than the horizon): everything faded, with a
  sparse grey dotted outline;
* besieged or under attack: a thick outline in the condition colour, plus a marker.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from mapapp.core.fronts import By, Front
from mapapp.core.model import Dataset
from mapapp.core.resolve import Lookups, PlaceRecord
from mapapp.core.timeline import DISPUTED as DISPUTED_STATE
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
DISPUTED = "#6a1b9a"
DISPUTED_DASH = "1 5"
STALE = "#8a8a8a"
STALE_DASH = "2 7"
#: how much of its strength a stale place keeps (fill and stripes)
STALE_FADE = 0.35


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


def faction_colour(ds: Lookups, faction_id: str, palette: Palette) -> str:
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
    "allied": "ally",
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
    "ally": _stripes_css([_LIGHT, _GREY, _GREY], 3),
    "hatch": _stripes_css([HATCH, "#e6e6e6", "#e6e6e6"], 3),
}


def place_style(record: PlaceRecord, palette: Palette) -> PlaceStyle:
    ds, state = record, record.state
    look = STATUS_LOOK.get(state.status)
    if look is None:
        raise ValueError(
            f"no style for the status {state.status!r}: add it to STATUS_LOOK in "
            "mapapp/draw/style.py, its label to mapapp/draw/i18n.py and its legend line"
        )
    # a named ally is drawn as a thin band over the holder's colour, not as a co-holder
    allied = {r.faction_id for r in state.rows if r.status == "allied"}
    holders = [f for f in state.faction_ids if f not in allied] or list(state.faction_ids)
    colours = [faction_colour(ds, f, palette) for f in holders]
    allies = [faction_colour(ds, f, palette) for f in state.faction_ids if f not in holders]
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
    if allies and not stripes:
        stripes = (*allies, None, None)
    dash = UNCERTAIN_DASH if state.uncertain else None
    outline, weight = OUTLINE, 1.5
    if state.agreement == DISPUTED_STATE:
        # the other sides' holders as stripes over the rule's side: both are on the map
        shown = set(state.faction_ids)
        others = [
            faction_colour(ds, f, palette)
            for fids in state.sides.values()
            for f in fids
            if f not in shown
        ]
        stripes = (*dict.fromkeys(others), None)
        stripe_opacity = 0.75
        outline, weight, dash = DISPUTED, 3.0, DISPUTED_DASH
    if state.stale:
        opacity *= STALE_FADE
        stripe_opacity *= STALE_FADE
        if state.agreement != DISPUTED_STATE:
            outline, dash = STALE, STALE_DASH
    if state.conditions:
        outline, weight = CONDITION, 4.0
    return PlaceStyle(
        fill=fill,
        fill_opacity=round(opacity, 3),
        stripes=stripes,
        stripe_opacity=round(stripe_opacity, 3),
        outline=outline,
        weight=weight,
        dash=dash,
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


def legend_factions(state: PlaceState) -> tuple[str, ...]:
    """The factions a place shows: the rule's side, and every side of a dispute (striped)."""
    sides = (f for fids in state.sides.values() for f in fids) if state.agreement else ()
    return tuple(dict.fromkeys((*state.faction_ids, *sides)))


def legend_items(
    ds: Dataset, states: list[PlaceState], palette: Palette, lang: Lang, rule: str = "newest"
) -> list[LegendItem]:
    """The factions shown on this date (in the factions file's order, so the legend of a
    set of factions is always the same), then every pattern the map uses."""
    present = {f for s in states for f in legend_factions(s)}
    return legend_items_for(ds, present, status_samples(ds, states, palette), palette, lang, rule)


def legend_items_for(
    ds: Dataset,
    present: Iterable[str],
    sample: dict[str, list[str]],
    palette: Palette,
    lang: Lang,
    rule: str = "newest",
) -> list[LegendItem]:
    """:func:`legend_items` of the factions ``present`` and the status swatches' colours
    ``sample`` (:func:`status_samples`): all that the legend reads of a day's states."""
    items = []
    present = set(present)
    for fid in (f for f in ds.factions if f in present):
        faction = ds.factions[fid]
        name = faction.name_ar if lang == "ar" else faction.name_en
        colour = faction_colour(ds, fid, palette)
        items.append(LegendItem(f"faction-{fid}", name, colour, f"1px solid {OUTLINE}"))
    # a line per look, named by the first status drawn that way (mixed looks like shared),
    # its swatch drawn as on the map: in the colours of a place shown with it this day
    shown: set[str] = set()
    for status, look in STATUS_LOOK.items():
        if look not in shown:
            shown.add(look)
            colours = sample.get(status) or [
                c for s, cs in sample.items() if STATUS_LOOK.get(s) == look for c in cs
            ]
            items.append(
                LegendItem(
                    status,
                    label(STATUS, status, lang),
                    _look_swatch(look, colours),
                    _BORDER,
                    EXPLAIN.get(status, {}).get(lang, ""),
                )
            )
    items += [
        LegendItem(
            "uncertain",
            t("uncertain", lang),
            "#ffffff",
            f"2px dashed {OUTLINE}",
            EXPLAIN["uncertain"][lang],
        ),
        LegendItem(
            "disputed",
            disputed_label(lang, rule),
            _stripes_css([_GREY, "#ffffff"]),
            f"3px dotted {DISPUTED}",
        ),
        LegendItem(
            "stale",
            t("stale_legend", lang).format(days=ds.horizon_days),
            "rgba(136,136,136,0.25)",
            f"2px dotted {STALE}",
        ),
        LegendItem(
            "condition",
            _condition_label(lang),
            "#ffffff",
            f"3px solid {CONDITION}",
            EXPLAIN["condition"][lang],
        ),
        LegendItem("event", t("events", lang), EVENT, f"2px solid {EVENT}", EXPLAIN["event"][lang]),
    ]
    return items


def disputed_label(lang: Lang, rule: str) -> str:
    """The legend's words for a disputed place, naming the rule that picks its colour."""
    if rule.startswith("source:"):
        return (
            t("disputed_legend", lang)
            + " — "
            + t("rule_source", lang).format(source=rule[len("source:") :])
        )
    return t("disputed_legend", lang) + " — " + t(f"rule_{rule}", lang)


#: a colour to show a look in when no place has it this day
_SAMPLE = ("#4a7ab5", "#e8a33d")


def _look_swatch(look: str, colours: list[str]) -> str:
    """A look's legend swatch, in ``colours`` (a place's factions) as the map draws it."""
    one = colours[0] if colours else _SAMPLE[0]
    if look == "solid":
        return one
    if look == "stripes":
        pair = [*colours, *_SAMPLE][:2]
        if pair[0] == pair[1]:
            pair[1] = _SAMPLE[1] if pair[0] != _SAMPLE[1] else _SAMPLE[0]
        return _stripes_css(pair)
    if look == "faded":
        return _stripes_css([one, wash(one, 0.15)])
    if look == "wash":
        return wash(one, 0.4)
    return LOOK_SWATCH.get(look, _GREY)


def wash(colour: str, opacity: float) -> str:
    """``colour`` at ``opacity`` over white, as an opaque colour (how a wash looks)."""
    rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    mixed = [round(c * opacity + 255 * (1 - opacity)) for c in rgb]
    return "#" + "".join(f"{c:02x}" for c in mixed)


def status_sample(ds: Dataset, state: PlaceState, palette: Palette) -> tuple[str, ...] | None:
    """The colours a place's status is drawn in (its factions'), or None without rows."""
    if not state.rows:
        return None
    return tuple(faction_colour(ds, f, palette) for f in state.faction_ids)


def status_samples(
    ds: Dataset, states: Iterable[PlaceState], palette: Palette
) -> dict[str, list[str]]:
    """For each status, the colours of a place shown with it: of all the places' colours,
    the first in order (a choice that does not depend on the places' order, so the
    bundle's legend, kept up to date place by place, is the page's)."""
    out: dict[str, tuple[str, ...]] = {}
    for state in states:
        colours = status_sample(ds, state, palette)
        if colours is not None and (state.status not in out or colours < out[state.status]):
            out[state.status] = colours
    return {status: list(colours) for status, colours in out.items()}


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
    pairs = {f.pair for f in fronts}
    return front_legend_for(ds, pairs, any(f.kind != "firm" for f in fronts), by, palette, lang)


def front_legend_for(
    ds: Dataset, pairs: Iterable[str], tentative: bool, by: By, palette: Palette, lang: Lang
) -> list[LegendItem]:
    """:func:`front_legend_items` of the ``pairs`` facing each other, in their sorted
    order (the same whatever order the fronts come in), and whether any is tentative."""
    items: list[LegendItem] = []
    for pair in sorted(set(pairs)):
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
    if tentative:
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
