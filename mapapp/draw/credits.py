"""The map's attribution, built from the data: who the sources are, how the boundaries were
drawn and where each place's reference point comes from (``ref_basis`` of each place), so
that it never says of all places what is true of some.

Plain text: the page and the static export escape it where it reaches HTML.
"""

from __future__ import annotations

from mapapp.core.model import Dataset
from mapapp.draw.i18n import Lang, t

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
    """The whole credit line (without the basemap's, which the page adds)."""
    return f"{t('attribution', lang)} {boundaries(ds, lang)} {reference_points(ds, lang)}"
