"""Popup and tooltip HTML: every colour one click away from the words that justify it.

Every value from the data passes through :func:`mapapp.draw.escape.esc`; links only through
:func:`mapapp.draw.escape.safe_url`. The markup around them is ours.
"""

from __future__ import annotations

from datetime import timedelta

from mapapp.core.fronts import Front
from mapapp.core.model import ControlRow, Dataset, Event
from mapapp.core.resolve import Lookups, PlaceRecord
from mapapp.core.timeline import DISPUTED, PlaceState
from mapapp.draw.escape import esc, isolate, safe_url
from mapapp.draw.i18n import CLAIMANT, KIND, STATUS, Lang, date_label, label, t, uncertainty_text
from mapapp.draw.style import LegendItem


def _ar(text: str) -> str:
    return f'<span lang="ar" dir="rtl">{esc(text)}</span>'


def faction_name(ds: Lookups, faction_id: str, lang: Lang) -> str:
    f = ds.factions[faction_id]
    return f.name_ar if lang == "ar" else f.name_en


def citation(ds: Lookups, source_id: str, lang: Lang) -> str:
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


def claimant_name(ds: Lookups, claimant: str, lang: Lang) -> str:
    """Who speaks, as claimants.csv names them (the built-in words for tables without it)."""
    c = ds.claimants.get(claimant)
    if c is None:
        return label(CLAIMANT, claimant, lang)
    return c.name_ar if lang == "ar" and c.name_ar else c.name_en


def rating(ds: Lookups, row: ControlRow, lang: Lang) -> str:
    """The Admiralty rating of a claim: its source's letter and the report's number."""
    letter = ds.sources[row.source_id].reliability
    text = f"{letter or '–'}{row.credibility or '–'}"
    return text if letter or row.credibility else t("unrated", lang)


def verification(ds: Lookups, item: ControlRow | Event, lang: Lang) -> str:
    """Whether the quote was checked against an archived copy of its source, and where
    (the source by name, as everywhere readers look: never a raw id or file name)."""
    if not item.quote_archive or item.quote_start is None or item.quote_end is None:
        return f'<p class="mapapp-unverified">{t("quote_unverified", lang)}</p>'
    src = ds.sources.get(item.quote_archive)
    outlet = (src.outlet_ar if lang == "ar" and src.outlet_ar else src.outlet) if src else ""
    text = t("quote_verified", lang).format(
        source=isolate(f"{outlet}, {date_label(src.published, lang)}" if src else ""),
        start=item.quote_start,
        end=item.quote_end,
    )
    return f'<p class="mapapp-verified">{text}</p>'


def _quote_block(ds: Lookups, item: ControlRow | Event, lang: Lang) -> str:
    """The quote, its translation, who says it in which source, and whether the quote was
    verified against an archived copy of the source."""
    return (
        '<blockquote class="mapapp-quote" lang="ar" dir="rtl">'
        f"{isolate(item.quote_ar)}</blockquote>"
        f'<p class="mapapp-translation" lang="en" dir="ltr">“{isolate(item.quote_en)}”</p>'
        f'<p class="mapapp-cite">{t("claim_by", lang)}: '
        f"{isolate(claimant_name(ds, item.claimant, lang))}. "
        f"{t('source', lang)}: {citation(ds, item.source_id, lang)}</p>"
        + verification(ds, item, lang)
    )


def place_title(ds: Lookups, place_id: str) -> str:
    place = ds.places[place_id]
    return f"<b>{isolate(place.name_en)}</b> · {_ar(place.name_ar)}"


def _holders(ds: Lookups, state: PlaceState, lang: Lang) -> str:
    """The shown side's factions, a named ally after the holders: "ISIS, with its ally
    al-Nusra Front"."""
    allied = {r.faction_id for r in state.rows if r.status == "allied"}
    holders = [f for f in state.faction_ids if f not in allied]
    text = ", ".join(isolate(faction_name(ds, f, lang)) for f in holders)
    if allied:
        allies = ", ".join(
            isolate(faction_name(ds, f, lang)) for f in state.faction_ids if f in allied
        )
        text += (
            f"، {t('with_ally', lang)} " if lang == "ar" else f", {t('with_ally', lang)} "
        ) + allies
    return text


def place_popup(record: PlaceRecord, lang: Lang) -> str:
    """The full story of one place on one day, with citations."""
    ds, state = record, record.state
    direction = "rtl" if lang == "ar" else "ltr"
    parts = [f'<div class="mapapp-popup" lang="{lang}" dir="{direction}">']
    parts.append(f"<h4>{place_title(ds, state.place_id)}</h4>")
    parts.append(f"<p><b>{esc(label(STATUS, state.status, lang))}</b>")
    if state.rows:
        names = _holders(ds, state, lang)
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
    parts.append(_age_html(ds, state, lang))
    parts.append(claims_html(ds, state, lang))
    for event in state.conditions:
        stale = (
            f'<p class="mapapp-stale"><b>{t("stale", lang)}</b></p>'
            if event.id in state.stale_conditions
            else ""
        )
        parts.append(f'<div class="mapapp-condition">{stale}{event_body(ds, event, lang)}</div>')
    parts.append("</div>")
    return "".join(parts)


def _age_html(ds: Lookups, state: PlaceState, lang: Lang) -> str:
    """As of which report the answer is known, and whether that report is stale."""
    if state.as_of is None:
        return ""
    when = esc(date_label(state.as_of, lang))
    if state.stale:
        text = t("stale_note", lang).format(when=when, days=ds.horizon_days)
        return f'<p class="mapapp-stale"><b>{text}</b></p>'
    first = state.first_reported
    extra = ""
    if first is not None and first != state.as_of:
        extra = f" ({t('first_reported', lang)} {esc(date_label(first, lang))})"
    return f'<p class="mapapp-as-of">{t("as_of", lang)} {when}{extra}</p>'


def claims_html(ds: Lookups, state: PlaceState, lang: Lang) -> str:
    """Every claim covering the day, one column per source side by side (the side the map
    shows first): outlet, report date, who says it, rating, the Arabic words and English."""
    if not state.claims:
        return ""
    by_source: dict[str, list[ControlRow]] = {}
    shown = {r.source_id for r in state.rows}
    ordered = sorted(
        state.claims, key=lambda r: (r.source_id not in shown, r not in state.deciding)
    )
    for row in ordered:
        by_source.setdefault(row.source_id, []).append(row)
    horizon = timedelta(days=ds.horizon_days)
    heading = t("claims_heading", lang)
    if state.agreement == DISPUTED:
        heading = f"{t('disputed', lang)} · {heading}"
    else:
        heading = f"{t('agreed', lang)} · {heading}" if len(by_source) > 1 else heading
    parts = [f'<div class="mapapp-claims-block"><p><b>{heading}</b></p><div class="mapapp-claims">']
    for source_id, rows in by_source.items():
        src = ds.sources[source_id]
        outlet = src.outlet_ar if lang == "ar" and src.outlet_ar else src.outlet
        parts.append(
            # ids are [a-z0-9_]: safe as a class name, which tests and styles select by
            f'<div class="mapapp-side mapapp-source-{esc(source_id)}">'
            f"<p><b>{isolate(outlet)}</b> {t('claim_says', lang)}: "
            + ", ".join(
                f"{isolate(faction_name(ds, r.faction_id, lang))} "
                f"({esc(label(STATUS, r.status, lang))})"
                for r in rows
            )
            + "</p>"
        )
        as_of = rows[0].as_of or src.published
        stale = state.day > as_of.latest + horizon
        parts.append(
            f'<p class="mapapp-cite">{t("reported", lang)}: {esc(date_label(as_of, lang))}'
            + (f" · <b>{t('stale', lang)}</b>" if stale else "")
            + f" · {t('rating', lang)}: {esc(rating(ds, rows[0], lang))}</p>"
        )
        seen: set[tuple[str, str]] = set()
        for row in rows:
            if (row.quote_ar, row.claimant) in seen:
                continue
            seen.add((row.quote_ar, row.claimant))
            parts.append(_quote_block(ds, row, lang))
        parts.append("</div>")
    parts.append("</div></div>")
    return "".join(parts)


def place_tooltip(record: PlaceRecord, lang: Lang) -> str:
    ds, state = record, record.state
    place = ds.places[state.place_id]
    name = place.name_ar if lang == "ar" else place.name_en
    text = f"<b>{isolate(name)}</b>: {esc(label(STATUS, state.status, lang))}"
    if state.rows:
        text += " — " + _holders(ds, state, lang)
    if state.conditions:
        text += " · " + ", ".join(esc(label(KIND, c.kind, lang)) for c in state.conditions)
    if state.agreement == DISPUTED:
        says = "; ".join(
            f"{isolate(_outlet(ds, sid, lang))} {t('claim_says', lang)} "
            + ", ".join(isolate(faction_name(ds, f, lang)) for f in fids)
            for sid, fids in state.sides.items()
        )
        text += f" · <b>{t('disputed', lang)}</b>: {says}"
    if state.stale and state.as_of is not None:
        text += f" · {t('stale', lang)} ({t('as_of', lang)} {esc(date_label(state.as_of, lang))})"
    elif state.uncertain:
        text += f" · {t('uncertain', lang)}"
    return text


def _outlet(ds: Lookups, source_id: str, lang: Lang) -> str:
    src = ds.sources[source_id]
    return src.outlet_ar if lang == "ar" and src.outlet_ar else src.outlet


def event_body(ds: Lookups, event: Event, lang: Lang) -> str:
    kind = esc(label(KIND, event.kind, lang))
    actors = ", ".join(isolate(faction_name(ds, f, lang)) for f in event.actors)
    head = f"<p><b>{kind}</b> · {esc(date_label(event.date, lang))}"
    if actors:
        head += f" · {actors}"
    if event.against:
        head += " → " + ", ".join(isolate(faction_name(ds, f, lang)) for f in event.against)
    head += "</p>"
    note = f'<p class="mapapp-note">{isolate(event.note)}</p>' if event.note else ""
    quote = _quote_block(ds, event, lang)
    return head + quote + note


def event_popup(ds: Lookups, event: Event, lang: Lang) -> str:
    direction = "rtl" if lang == "ar" else "ltr"
    return (
        f'<div class="mapapp-popup" lang="{lang}" dir="{direction}">'
        f"<h4>{place_title(ds, event.place_id)}</h4>{event_body(ds, event, lang)}</div>"
    )


def event_tooltip(ds: Lookups, event: Event, lang: Lang) -> str:
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


def change_line(before: PlaceRecord, after: PlaceRecord, lang: Lang) -> str:
    """One place's change as one list item, for a long list: the place, what it was, what
    it is and who holds it (its citations: :func:`change_html`, and its popup)."""
    state = after.state
    was = esc(label(STATUS, before.state.status, lang))
    now = esc(label(STATUS, state.status, lang))
    holders = f": {_holders(after, state, lang)}" if state.rows else ""
    return f"<li>{place_title(after, state.place_id)}: {was} → <b>{now}</b>{holders}</li>"


def change_html(before: PlaceRecord, after: PlaceRecord, lang: Lang) -> str:
    """One place's change: what it was, then the new state with its citations."""
    was = esc(label(STATUS, before.state.status, lang))
    return (
        f"<p>{place_title(after, after.state.place_id)}: {t('before', lang)}: {was} →</p>"
        + place_popup(after, lang)
    )
