"""Popup and tooltip HTML: every colour one click away from the words that justify it.

Every value from the data passes through :func:`mapapp.draw.escape.esc`; links only through
:func:`mapapp.draw.escape.safe_url`. The markup around them is ours.
"""

from __future__ import annotations

from mapapp.core.fronts import Front
from mapapp.core.model import Dataset, Event
from mapapp.core.timeline import Change, PlaceState
from mapapp.draw.escape import esc, isolate, safe_url
from mapapp.draw.i18n import CLAIMANT, KIND, STATUS, Lang, date_label, label, t, uncertainty_text
from mapapp.draw.style import LegendItem


def _ar(text: str) -> str:
    return f'<span lang="ar" dir="rtl">{esc(text)}</span>'


def faction_name(ds: Dataset, faction_id: str, lang: Lang) -> str:
    f = ds.factions[faction_id]
    return f.name_ar if lang == "ar" else f.name_en


def citation(ds: Dataset, source_id: str, lang: Lang) -> str:
    """Outlet, author, date, link, and where a quoted source was quoted."""
    src = ds.sources[source_id]
    outlet = src.outlet_ar if lang == "ar" and src.outlet_ar else src.outlet
    author = src.author_ar if lang == "ar" and src.author_ar else src.author
    bits = [isolate(outlet)]
    if author:
        bits.append(isolate(author))
    if src.title_ar:
        bits.append(_ar(src.title_ar))
    bits.append(esc(date_label(src.published, lang)))
    url = safe_url(src.url)
    if url:
        bits.append(
            f'<a href="{esc(url)}" target="_blank" rel="noopener noreferrer">{t("link", lang)}</a>'
        )
    text = ", ".join(bits)
    if src.quoted_in and src.quoted_in in ds.sources:
        text += f"; {t('quoted_in', lang)} {citation(ds, src.quoted_in, lang)}"
    return text


def _quote_block(
    ds: Dataset, source_id: str, claimant: str, quote_ar: str, quote_en: str, lang: Lang
) -> str:
    return (
        '<blockquote class="mapapp-quote" lang="ar" dir="rtl">'
        f"{isolate(quote_ar)}</blockquote>"
        f'<p class="mapapp-translation" lang="en" dir="ltr">“{isolate(quote_en)}”</p>'
        f'<p class="mapapp-cite">{t("claim_by", lang)}: {esc(label(CLAIMANT, claimant, lang))}. '
        f"{t('source', lang)}: {citation(ds, source_id, lang)}</p>"
    )


def place_title(ds: Dataset, place_id: str) -> str:
    place = ds.places[place_id]
    return f"<b>{isolate(place.name_en)}</b> · {_ar(place.name_ar)}"


def place_popup(ds: Dataset, state: PlaceState, lang: Lang) -> str:
    """The full story of one place on one day, with citations."""
    direction = "rtl" if lang == "ar" else "ltr"
    parts = [f'<div class="mapapp-popup" lang="{lang}" dir="{direction}">']
    parts.append(f"<h4>{place_title(ds, state.place_id)}</h4>")
    parts.append(f"<p><b>{esc(label(STATUS, state.status, lang))}</b>")
    if state.rows:
        names = ", ".join(isolate(faction_name(ds, f, lang)) for f in state.faction_ids)
        since = state.since
        when = (
            f"{t('since', lang)} {esc(date_label(since, lang))}"
            if since
            else t("since_unknown", lang)
        )
        parts.append(f": {names}<br>{when}")
    parts.append("</p>")
    if state.uncertain:
        reasons = "; ".join(
            isolate(
                uncertainty_text(u.kind, faction_name(ds, u.faction_id, lang), u.boundary, lang)
            )
            for u in state.uncertainty
        )
        parts.append(f'<p class="mapapp-uncertain"><b>{t("uncertain", lang)}</b>: {reasons}</p>')
    # one quote block per distinct claim (shared control usually rests on one sentence)
    seen: dict[tuple[str, str], list[str]] = {}
    for row in state.rows:
        seen.setdefault((row.source_id, row.quote_ar), []).append(row.faction_id)
    for (source_id, quote_ar), factions in seen.items():
        row = next(r for r in state.rows if (r.source_id, r.quote_ar) == (source_id, quote_ar))
        who = ", ".join(
            f"{isolate(faction_name(ds, f, lang))} ({esc(label(STATUS, row.status, lang))})"
            for f in factions
        )
        parts.append(f'<div class="mapapp-claim"><p><b>{who}</b></p>')
        parts.append(
            _quote_block(ds, source_id, row.claimant, quote_ar, row.quote_en, lang) + "</div>"
        )
    for event in state.conditions:
        parts.append(f'<div class="mapapp-condition">{event_body(ds, event, lang)}</div>')
    parts.append("</div>")
    return "".join(parts)


def place_tooltip(ds: Dataset, state: PlaceState, lang: Lang) -> str:
    place = ds.places[state.place_id]
    name = place.name_ar if lang == "ar" else place.name_en
    text = f"<b>{isolate(name)}</b>: {esc(label(STATUS, state.status, lang))}"
    if state.rows:
        text += " — " + ", ".join(isolate(faction_name(ds, f, lang)) for f in state.faction_ids)
    if state.conditions:
        text += " · " + ", ".join(esc(label(KIND, c.kind, lang)) for c in state.conditions)
    if state.uncertain:
        text += f" · {t('uncertain', lang)}"
    return text


def event_body(ds: Dataset, event: Event, lang: Lang) -> str:
    kind = esc(label(KIND, event.kind, lang))
    actors = ", ".join(isolate(faction_name(ds, f, lang)) for f in event.actors)
    head = f"<p><b>{kind}</b> · {esc(date_label(event.date, lang))}"
    if actors:
        head += f" · {actors}"
    if event.against:
        head += " → " + ", ".join(isolate(faction_name(ds, f, lang)) for f in event.against)
    head += "</p>"
    note = f'<p class="mapapp-note">{isolate(event.note)}</p>' if event.note else ""
    quote = _quote_block(ds, event.source_id, event.claimant, event.quote_ar, event.quote_en, lang)
    return head + quote + note


def event_popup(ds: Dataset, event: Event, lang: Lang) -> str:
    direction = "rtl" if lang == "ar" else "ltr"
    return (
        f'<div class="mapapp-popup" lang="{lang}" dir="{direction}">'
        f"<h4>{place_title(ds, event.place_id)}</h4>{event_body(ds, event, lang)}</div>"
    )


def event_tooltip(ds: Dataset, event: Event, lang: Lang) -> str:
    place = ds.places[event.place_id]
    name = place.name_ar if lang == "ar" else place.name_en
    return (
        f"<b>{esc(label(KIND, event.kind, lang))}</b>: {isolate(name)}, "
        f"{esc(date_label(event.date, lang))}"
    )


def legend_html(items: list[LegendItem], lang: Lang, note: bool = True) -> str:
    """The legend: a swatch, a label and, for a state, the sentence that explains it."""
    lines = []
    for i in items:
        if i.shape == "line":
            size = "width:1.8em;height:5px;margin:0 0.1em"
        else:
            size = "width:1.4em;height:1em"
        sentence = (
            f'<div class="mapapp-legend-sentence">{esc(i.sentence)}</div>' if i.sentence else ""
        )
        lines.append(
            f'<div class="mapapp-legend-item" data-key="{esc(i.key)}" style="margin:3px 0">'
            f'<span class="mapapp-swatch" style="display:inline-block;{size};'
            "vertical-align:middle;flex:none;"
            f'background:{esc(i.background)};border:{esc(i.border)}"></span> '
            f"<span>{isolate(i.label)}{sentence}</span></div>"
        )
    return "".join(lines) + (f"<small>{esc(t('events_note', lang))}</small>" if note else "")


def front_tooltip(ds: Dataset, front: Front, sides: tuple[str, str], lang: Lang) -> str:
    """A front segment for people: the two places, their sides and statuses, its length."""
    direction = "rtl" if lang == "ar" else "ltr"
    title = t("front", lang) if front.kind == "firm" else t("tentative_front", lang)
    parts = []
    for pid, side, name in (
        (front.place_a, front.side_a, sides[0]),
        (front.place_b, front.side_b, sides[1]),
    ):
        place = ds.places[pid]
        where = place.name_ar if lang == "ar" else place.name_en
        parts.append(f"{isolate(where)}: {isolate(name)} ({esc(label(STATUS, side.status, lang))})")
    metres = f"{round(front.length_m):,}" + (" م" if lang == "ar" else " m")
    reasons = ", ".join(
        esc(label(STATUS, r, lang))
        if r in STATUS
        else esc(t("uncertain", lang) if r == "uncertain" else r)
        for r in front.because
    )
    why = f"<br><small>{reasons}</small>" if reasons else ""
    return (
        f'<div class="mapapp-front-tip" lang="{lang}" dir="{direction}"><b>{title}</b> · '
        f'<span dir="ltr">{metres}</span><br>{"<br>".join(parts)}{why}</div>'
    )


def change_html(ds: Dataset, change: Change, lang: Lang) -> str:
    """One place's change: what it was, then the new state with its citations."""
    before = esc(label(STATUS, change.before.status, lang))
    return (
        f"<p>{place_title(ds, change.place_id)}: {t('before', lang)}: {before} →</p>"
        + place_popup(ds, change.after, lang)
    )
