"""The page's credits, built from the sources in the data: subtitle, attribution and the
sentence saying where the data stops. Adding an outlet to sources.csv adds it here."""

from __future__ import annotations

from datetime import timedelta

from mapapp.core.model import Dataset, Source
from mapapp.core.timeline import Rule
from mapapp.draw.i18n import Lang, date_label, t


def _outlet(src: Source, lang: Lang) -> str:
    return src.outlet_ar if lang == "ar" and src.outlet_ar else src.outlet


def source_credit(ds: Dataset, src: Source, lang: Lang) -> str:
    """``Elaph, Jawad al-Sayegh, Sep 2015`` (plus where a quoted source was quoted)."""
    author = src.author_ar if lang == "ar" and src.author_ar else src.author
    bits = [_outlet(src, lang), *([author] if author else []), date_label(src.published, lang)]
    text = "، ".join(bits) if lang == "ar" else ", ".join(bits)
    base = ds.sources.get(src.quoted_in)
    if base is not None:
        text += f" ({t('quoted_in', lang)} {_outlet(base, lang)})"
    return text


def sources_line(ds: Dataset, lang: Lang) -> str:
    """Every source, newest first, joined for a sentence."""
    ordered = sorted(ds.sources.values(), key=lambda s: (s.published.latest, s.id), reverse=True)
    sep = "؛ " if lang == "ar" else "; "
    return sep.join(source_credit(ds, s, lang) for s in ordered)


def subtitle(ds: Dataset, lang: Lang) -> str:
    count = len(ds.sources)
    outlets = sorted({_outlet(s, lang) for s in ds.sources.values()})
    if lang == "ar":
        head = f"المصادر ({count}): {'، '.join(outlets)}"
        return f"{head}. لكل لون مصدره؛ والحدود تقريبية."
    noun = "source" if count == 1 else "sources"
    return (
        f"From {count} {noun} ({', '.join(outlets)}). Every colour cites its source; "
        "where sources disagree the map says so; boundaries are approximate."
    )


#: the kinds of provenance of a reference point, in the order the attribution lists them
BASIS: dict[str, dict[Lang, str]] = {
    "ocha-place-point": {"en": "OCHA place points", "ar": "نقاط الأماكن لدى أوتشا"},
    "ocha-polygon-centroid": {
        "en": "the centroid of an OCHA admin polygon",
        "ar": "مركز مضلع إداري لدى أوتشا",
    },
    "encyclopedia": {"en": "encyclopedia values", "ar": "قيم من موسوعة"},
    "inferred": {"en": "inferred by hand", "ar": "مقدّرة يدويًا"},
    "other": {"en": "other sources (see each place)", "ar": "مصادر أخرى (انظر كل مكان)"},
}

_TEXT: dict[str, dict[Lang, str]] = {
    "all_approximate": {
        "en": "Boundaries approximate, hand-drawn around reference points; not surveyed.",
        "ar": "الحدود تقريبية مرسومة يدويًا حول نقاط مرجعية، وليست مسحًا.",
    },
    "none_approximate": {
        "en": "Boundaries from the places file (see each place's note).",
        "ar": "الحدود من ملف الأماكن (انظر ملاحظة كل مكان).",
    },
    "some_approximate": {
        "en": "Boundaries of {names} approximate, hand-drawn around reference points; the "
        "others from the places file (see each place's note).",
        "ar": "حدود {names} تقريبية مرسومة يدويًا حول نقاط مرجعية؛ والباقي من ملف الأماكن "
        "(انظر ملاحظة كل مكان).",
    },
    "points": {"en": "Reference points: {groups}.", "ar": "النقاط المرجعية: {groups}."},
}


def _join(items: list[str], lang: Lang) -> str:
    return ("، " if lang == "ar" else ", ").join(items)


def reference_points(ds: Dataset, lang: Lang) -> str:
    """Where the places' reference points come from, grouped by kind, naming the places."""
    groups: dict[str, list[str]] = {}
    for place in ds.places.values():
        name = place.name_ar if lang == "ar" else place.name_en
        groups.setdefault(place.ref_basis or "other", []).append(name)
    order = [b for b in BASIS if b in groups] + sorted(set(groups) - set(BASIS))
    parts = [
        f"{BASIS.get(basis, {}).get(lang, basis)} ({_join(groups[basis], lang)})" for basis in order
    ]
    return _TEXT["points"][lang].format(groups=("؛ " if lang == "ar" else "; ").join(parts))


def boundaries(ds: Dataset, lang: Lang) -> str:
    approximate = [p for p in ds.places.values() if p.boundary_approximate]
    if len(approximate) == len(ds.places):
        return _TEXT["all_approximate"][lang]
    if not approximate:
        return _TEXT["none_approximate"][lang]
    names = [p.name_ar if lang == "ar" else p.name_en for p in approximate]
    return _TEXT["some_approximate"][lang].format(names=_join(names, lang))


def attribution(ds: Dataset, lang: Lang) -> str:
    """The whole credit line (without the basemap's, which the page adds): the sources, how
    the boundaries were drawn and where each place's reference point comes from, built from
    the places' own provenance (never one claim for all of them)."""
    label = "المصادر" if lang == "ar" else ("Source" if len(ds.sources) == 1 else "Sources")
    return f"{label}: {sources_line(ds, lang)}. {boundaries(ds, lang)} {reference_points(ds, lang)}"


def data_stops(ds: Dataset, lang: Lang) -> str:
    """Where the data stops: the newest report, and the day every state is stale."""
    if not ds.sources:
        return t("no_reports", lang)
    newest = max(ds.sources.values(), key=lambda s: (s.published.latest, s.id)).published
    stale = newest.latest + timedelta(days=ds.horizon_days + 1)
    return t("data_stops", lang).format(
        last=date_label(newest, lang),
        stale=stale.isoformat(),
        days=ds.horizon_days,
    )


def rules_for(ds: Dataset, max_sources: int | None = None) -> list[Rule]:
    """The rules a viewer can switch between: newest report, most reliable source, and
    "as source X says" for each source (for the newest ``max_sources`` only, if given; in
    the data's order)."""
    ids = list(ds.sources)
    if max_sources is not None and len(ids) > max_sources:
        newest = sorted(ids, key=lambda i: (ds.sources[i].published.latest, i), reverse=True)
        keep = set(newest[:max_sources])
        ids = [i for i in ids if i in keep]
    return [Rule("newest"), Rule("reliable"), *(Rule("source", sid) for sid in ids)]


def rule_label(ds: Dataset, rule: Rule, lang: Lang) -> str:
    """The rule in words, for the switch on the page and in the export."""
    if rule.source_id is not None:
        src = ds.sources[rule.source_id]
        outlet = _outlet(src, lang)
        name = f"{outlet} ({date_label(src.published, lang)})"
        return t("rule_source", lang).format(source=name)
    return t(f"rule_{rule.name}", lang)
