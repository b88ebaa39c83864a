"""The page's words in English and Arabic, and dates written for people in either."""

from __future__ import annotations

from typing import Literal

from mapapp.core.dates import FuzzyDate

Lang = Literal["en", "ar"]
LANGS: tuple[Lang, ...] = ("en", "ar")

_AR_MONTHS = [
    "",
    "كانون الثاني/يناير",
    "شباط/فبراير",
    "آذار/مارس",
    "نيسان/أبريل",
    "أيار/مايو",
    "حزيران/يونيو",
    "تموز/يوليو",
    "آب/أغسطس",
    "أيلول/سبتمبر",
    "تشرين الأول/أكتوبر",
    "تشرين الثاني/نوفمبر",
    "كانون الأول/ديسمبر",
]

TEXT: dict[str, dict[Lang, str]] = {
    "title": {
        "en": "Southern Damascus: who held what, and who says so",
        "ar": "جنوب دمشق: من كان يسيطر على ماذا، ومن يقول ذلك",
    },
    "subtitle": {
        "en": "From one Arabic news article (Elaph, September 2015) and the earlier Elaph "
        "investigation it quotes. Every colour cites its source; boundaries are approximate.",
        "ar": "من مقال إخباري واحد (إيلاف، أيلول/سبتمبر 2015) والتحقيق السابق لإيلاف الذي "
        "يقتبسه. لكل لون مصدره؛ والحدود تقريبية.",
    },
    "date": {"en": "Date", "ar": "التاريخ"},
    "prev": {"en": "◀ Previous change", "ar": "التغيير السابق"},
    "next": {"en": "Next change ▶", "ar": "التغيير التالي"},
    "play": {"en": "Play", "ar": "تشغيل"},
    "change_dates": {"en": "Changes on", "ar": "تواريخ التغيير"},
    "language": {"en": "Language", "ar": "اللغة"},
    "palette": {"en": "Colour-blind-safe colours", "ar": "ألوان مناسبة لعمى الألوان"},
    "place": {"en": "Place", "ar": "المكان"},
    "all_places": {"en": "(all places)", "ar": "(كل الأماكن)"},
    "legend": {"en": "Legend", "ar": "دليل الألوان"},
    "what_changed": {"en": "What changed on this date", "ar": "ما الذي تغيّر في هذا التاريخ"},
    "nothing_changed": {
        "en": "Nothing changes on this date.",
        "ar": "لا تغيير في هذا التاريخ.",
    },
    "state_table": {"en": "The state on this date", "ar": "الوضع في هذا التاريخ"},
    "timeline": {"en": "Timeline of control", "ar": "الخط الزمني للسيطرة"},
    "downloads": {"en": "Download the state on this date", "ar": "تنزيل الوضع في هذا التاريخ"},
    # the sources only: mapapp.draw.credits adds the boundaries and reference points
    "attribution": {
        "en": "Source: Elaph (إيلاف), Jawad al-Sayegh, September 2015, and the Elaph "
        "investigation it quotes.",
        "ar": "المصدر: إيلاف، جواد الصايغ، أيلول/سبتمبر 2015، وتحقيق إيلاف الذي يقتبسه.",
    },
    "basemap": {"en": "Basemap", "ar": "الخريطة الأساسية"},
    "no_basemap": {"en": "no basemap (tiles switched off)", "ar": "بلا خريطة أساسية"},
    "more_changes": {"en": "… and {count} more changes.", "ar": "… و{count} تغييرات أخرى."},
    # a long side panel (past ui.page_parts.TABLE_LIMIT places) summarised: the parts that
    # would be resent whole on every day change are behind these (made only when opened)
    "changes_count": {
        "en": "{count} places changed on this date.",
        "ar": "تغيّرت {count} منطقة في هذا التاريخ.",
    },
    "change_sources": {
        "en": "Their sources and quotes",
        "ar": "مصادرها واقتباساتها",
    },
    "fronts_count": {
        "en": "Front lines: {count} pairs of sides face each other on this date.",
        "ar": "خطوط الجبهات: {count} أزواج من الأطراف متقابلة في هذا التاريخ.",
    },
    "fronts_all": {"en": "Every pair of sides at a front", "ar": "كل أزواج الأطراف على الجبهات"},
    "differs_count": {
        "en": "{count} places differ.",
        "ar": "{count} منطقة مختلفة.",
    },
    "differs_all": {"en": "Every place that differs", "ar": "كل المناطق المختلفة"},
    "table_limited": {
        "en": "Showing {shown} of {total} places: those that changed on this day and the "
        "selected one. The CSV download has every place.",
        "ar": "تُعرض {shown} من {total} منطقة: ما تغيّر في هذا اليوم والمنطقة المختارة. "
        "ملف CSV للتنزيل فيه كل المناطق.",
    },
    "stale_data": {
        "en": "The data files have just been changed and now have problems, so the map still "
        "shows the last valid data. Editors: fix the files (mapapp validate).",
        "ar": "تغيّرت ملفات البيانات للتو وفيها الآن مشكلات، لذا تعرض الخريطة آخر بيانات صالحة. "
        "على المحررين إصلاح الملفات.",
    },
    "stale_problems": {"en": "Problems in the files on disk", "ar": "مشكلات الملفات على القرص"},
    "map_failed": {
        "en": "The map could not be drawn. Reload the page; if it persists, tell the editors.",
        "ar": "تعذّر رسم الخريطة. أعد تحميل الصفحة؛ وإن تكرر ذلك فأبلغ المحررين.",
    },
    "map_inline": {
        "en": "Static file serving is off, so the whole map is sent with every change (slower). "
        "Switch it on: start the app from the project folder (its .streamlit/config.toml does "
        "it) or add --server.enableStaticServing true to streamlit run.",
        "ar": "خدمة الملفات الثابتة متوقفة، لذا تُرسل الخريطة كاملة مع كل تغيير (أبطأ). "
        "شغّلها: ابدأ التطبيق من مجلد المشروع أو أضف --server.enableStaticServing true "
        "إلى أمر streamlit run.",
    },
    "map_too_big": {
        "en": "The map is too large to send without static file serving. Switch it on: start "
        "the app from the project folder (its .streamlit/config.toml does it) or add "
        "--server.enableStaticServing true to streamlit run, and make mapapp/static writable.",
        "ar": "الخريطة أكبر من أن تُرسل من دون خدمة الملفات الثابتة. شغّلها: ابدأ التطبيق من "
        "مجلد المشروع أو أضف --server.enableStaticServing true إلى أمر streamlit run، "
        "واجعل المجلد mapapp/static قابلاً للكتابة.",
    },
    "tiles_failed": {
        "en": "The basemap tiles could not be loaded; the areas are drawn without them.",
        "ar": "تعذّر تحميل الخريطة الأساسية؛ المناطق مرسومة من دونها.",
    },
    "bad_data": {
        "en": "The data has problems, so the map is not drawn until they are fixed.",
        "ar": "في البيانات مشكلات، لذا لن تُرسم الخريطة حتى تُصلح.",
    },
    "bad_link": {
        "en": "Part of the link was not valid and was ignored: ",
        "ar": "جزء من الرابط غير صالح وتم تجاهله: ",
    },
    "since": {"en": "Since", "ar": "منذ"},
    "since_unknown": {"en": "since an unknown date", "ar": "منذ تاريخ غير معروف"},
    "approximate": {"en": "approximate", "ar": "تقريبي"},
    "uncertain": {"en": "Uncertain", "ar": "غير مؤكد"},
    "claim_by": {"en": "Claim by", "ar": "صاحب الادعاء"},
    "source": {"en": "Source", "ar": "المصدر"},
    "quoted_in": {"en": "quoted in", "ar": "مقتبس في"},
    "link": {"en": "link", "ar": "رابط"},
    "quote_verified": {
        "en": "Verified: the exact words of the archived text of {source} (characters "
        "{start}–{end}).",
        "ar": "تم التحقق: هي الكلمات نفسها في النص المؤرشف لـ{source} (المحارف {start}–{end}).",
    },
    "quote_unverified": {
        "en": "Not verified: no archived copy of this source is kept, so the quote has not "
        "been checked against its text.",
        "ar": "لم يُتحقق منه: لا نحتفظ بنسخة مؤرشفة من هذا المصدر، فلم يُطابَق الاقتباس مع نصه.",
    },
    "conditions": {"en": "Conditions", "ar": "أوضاع"},
    "events": {"en": "Events", "ar": "أحداث"},
    "factions": {"en": "Factions", "ar": "الفصائل"},
    "status": {"en": "Status", "ar": "الحالة"},
    "events_note": {
        "en": "Events are shown in the 60 days up to the date.",
        "ar": "تظهر الأحداث خلال الستين يومًا السابقة للتاريخ.",
    },
    "before": {"en": "before", "ar": "قبل"},
    "disputed": {"en": "Disputed", "ar": "متنازع عليه"},
    "disputed_legend": {
        "en": "Disputed: the sources disagree; the fill follows the rule, stripes the other side",
        "ar": "متنازع عليه: المصادر مختلفة؛ اللون بحسب القاعدة، والخطوط للطرف الآخر",
    },
    "stale": {"en": "Stale", "ar": "معلومات قديمة"},
    "stale_legend": {
        "en": "Stale: the newest report is more than {days} days old (faded)",
        "ar": "قديم: أحدث تقرير عمره أكثر من {days} يومًا (باهت)",
    },
    "agreed": {"en": "The sources agree", "ar": "المصادر متفقة"},
    "as_of": {"en": "As of", "ar": "بحسب تقرير"},
    "first_reported": {"en": "first reported", "ar": "أول تقرير"},
    "stale_note": {
        "en": "Stale: the newest report behind this is of {when}, more than {days} days "
        "before this day. It may no longer hold; it is not certain.",
        "ar": "معلومات قديمة: أحدث تقرير يعود إلى {when}، أي قبل أكثر من {days} يومًا من هذا "
        "اليوم. قد لا تكون صحيحة الآن.",
    },
    "with_ally": {"en": "with its ally", "ar": "مع حليفه"},
    "claims_heading": {"en": "Who says what", "ar": "من يقول ماذا"},
    "claim_says": {"en": "says", "ar": "يقول"},
    "rating": {"en": "Rating", "ar": "التقييم"},
    "unrated": {"en": "not rated", "ar": "غير مقيّم"},
    "reported": {"en": "Reported", "ar": "تاريخ التقرير"},
    "rule": {"en": "Colour a disputed place by", "ar": "لوّن المكان المتنازع عليه بحسب"},
    "rule_newest": {"en": "the newest report", "ar": "أحدث تقرير"},
    "rule_reliable": {"en": "the most reliable source", "ar": "المصدر الأكثر موثوقية"},
    "rule_source": {"en": "only what {source} says", "ar": "ما يقوله {source} فقط"},
    "data_stops": {
        "en": "The data stops at {last}: the newest report is of {last}; from {stale} on, "
        "every state shown is stale (older than {days} days), never certain.",
        "ar": "تنتهي البيانات عند {last}: أحدث تقرير يعود إلى {last}؛ وابتداءً من {stale} "
        "كل ما يُعرض قديم (أقدم من {days} يومًا) وغير مؤكد.",
    },
    "no_reports": {"en": "The data holds no reports.", "ar": "لا تقارير في البيانات."},
    "boundaries": {
        "en": "Boundaries approximate, hand-drawn; not surveyed.",
        "ar": "الحدود تقريبية مرسومة يدويًا، وليست مسحًا.",
    },
    "front": {"en": "Front", "ar": "جبهة"},
    "tentative_front": {"en": "Tentative front", "ar": "جبهة غير مؤكدة"},
    "names": {"en": "Names", "ar": "الأسماء"},
    "fronts": {"en": "Front lines", "ar": "خطوط الجبهات"},
    "compare": {"en": "Compare with", "ar": "قارن مع"},
    "differs": {
        "en": "Places that differ from {day}",
        "ar": "الأماكن المختلفة عن {day}",
    },
    "no_difference": {"en": "No place differs.", "ar": "لا مكان مختلف."},
    "ground": {"en": "Ground held (km²)", "ar": "المساحة المسيطر عليها (كم²)"},
    "north": {"en": "N", "ar": "ش"},
    "context_credit": {
        "en": "Context outlines (Old City, al-Midan): approximate, hand-drawn by mapapp for "
        "orientation only.",
        "ar": "خطوط السياق (المدينة القديمة، الميدان): تقريبية مرسومة يدويًا للتوجيه فقط.",
    },
    "after": {"en": "after", "ar": "بعد"},
}

STATUS: dict[str, dict[Lang, str]] = {
    "sole": {"en": "Sole control", "ar": "سيطرة منفردة"},
    "shared": {"en": "Shared control", "ar": "سيطرة مشتركة"},
    "partial": {"en": "Partial control", "ar": "سيطرة جزئية"},
    "presence": {"en": "Forces present", "ar": "تواجد قوات"},
    "allied": {"en": "Allied with the controller", "ar": "متحالف مع المسيطر"},
    "mixed": {"en": "Mixed control", "ar": "سيطرة متعددة"},
    "no-data": {"en": "No data", "ar": "لا بيانات"},
}

#: one sentence per state the legend shows: what it means, in the reader's words
EXPLAIN: dict[str, dict[Lang, str]] = {
    "sole": {
        "en": "One faction holds the whole place.",
        "ar": "فصيل واحد يسيطر على المكان كله.",
    },
    "shared": {
        "en": "Several factions hold it together; the source names no share for any.",
        "ar": "عدة فصائل تسيطر عليه معًا؛ ولا يحدد المصدر حصة أي منها.",
    },
    "partial": {
        "en": "A faction holds part of it; the source does not say who holds the rest.",
        "ar": "فصيل يسيطر على جزء منه؛ ولا يقول المصدر من يسيطر على الباقي.",
    },
    "presence": {
        "en": "The source says a faction's forces are there, not that it controls the place.",
        "ar": "يقول المصدر إن قوات فصيل موجودة فيه، لا إنها تسيطر عليه.",
    },
    "no-data": {
        "en": "No source speaks for this place on this day: nothing is guessed.",
        "ar": "لا مصدر يتحدث عن هذا المكان في هذا اليوم: لا تخمين.",
    },
    "uncertain": {
        "en": "The day falls inside an imprecise date's window (or the start is unknown): "
        "the answer may be off.",
        "ar": "يقع اليوم ضمن نافذة تاريخ غير دقيق (أو أن البداية غير معروفة): قد لا يصح الجواب.",
    },
    "condition": {
        "en": "The source says the place is besieged or under attack.",
        "ar": "يقول المصدر إن المكان محاصر أو تحت الهجوم.",
    },
    "event": {
        "en": "Something the source reports happened here in the 60 days up to the date.",
        "ar": "حدث يذكره المصدر هنا خلال الستين يومًا السابقة للتاريخ.",
    },
    "front": {
        "en": "A front line: the border two places held by different sides share.",
        "ar": "خط جبهة: الحد المشترك بين مكانين يسيطر عليهما طرفان مختلفان.",
    },
    "front-tentative": {
        "en": "A tentative front: one side only partly holds or is present, or the date is "
        "uncertain.",
        "ar": "جبهة غير مؤكدة: أحد الطرفين يسيطر جزئيًا أو له تواجد فقط، أو التاريخ غير مؤكد.",
    },
}

#: the blocs of factions.csv, as sides of a front
BLOC: dict[str, dict[Lang, str]] = {
    "regime": {"en": "Regime", "ar": "النظام"},
    "jihadist": {"en": "Jihadist groups", "ar": "الجماعات الجهادية"},
    "opposition": {"en": "Opposition", "ar": "المعارضة"},
    "civil": {"en": "Civil groups", "ar": "مجموعات مدنية"},
    "other": {"en": "Other groups", "ar": "مجموعات أخرى"},
}

KIND: dict[str, dict[Lang, str]] = {
    "attack": {"en": "Attack", "ar": "هجوم"},
    "shelling": {"en": "Shelling", "ar": "قصف"},
    "withdrawal": {"en": "Withdrawal", "ar": "انسحاب"},
    "takeover": {"en": "Takeover", "ar": "سيطرة"},
    "under-attack": {"en": "Under attack", "ar": "تحت الهجوم"},
    "siege": {"en": "Besieged", "ar": "محاصر"},
    "demonstration": {"en": "Demonstration", "ar": "تظاهرة"},
    "cooperation": {"en": "Cooperation (alleged)", "ar": "تعاون (بحسب الادعاء)"},
    "contact": {"en": "Contact intercepted", "ar": "رصد تواصل"},
}

CLAIMANT: dict[str, dict[Lang, str]] = {
    "anonymous-source": {
        "en": "an anonymous opposition source",
        "ar": "مصدر معارض طلب عدم الكشف عن اسمه",
    },
    "activists": {"en": "activists", "ar": "ناشطون"},
    "elaph": {"en": "Elaph", "ar": "إيلاف"},
}


def t(key: str, lang: Lang) -> str:
    return TEXT[key][lang]


def label(table: dict[str, dict[Lang, str]], key: str, lang: Lang) -> str:
    """A translated label, or the key itself when the table has none."""
    return table.get(key, {}).get(lang, key)


def date_label(d: FuzzyDate, lang: Lang) -> str:
    """A date as people write it, with its precision and approximation."""
    if lang == "en":
        return d.label()
    return d.label(months=_AR_MONTHS, about="نحو {}", short_same_year=False)


def uncertainty_text(kind: str, faction: str, boundary: FuzzyDate | None, lang: Lang) -> str:
    """Why an answer is uncertain, for people (see mapapp.core.timeline.Uncertainty)."""
    if kind == "disputed":
        return (
            "المصادر مختلفة حول من يسيطر هنا"
            if lang == "ar"
            else "the sources disagree on who holds it"
        )
    if kind == "stale":
        when = date_label(boundary, lang) if boundary else ""
        return (
            f"آخر تقرير يغطيه يعود إلى {when}: معلومات قديمة، لا يُعرف إن كانت لا تزال صحيحة"
            if lang == "ar"
            else f"the newest report covering it is from {when}, older than the horizon: "
            "it may no longer hold"
        )
    if kind == "as-of-window" and boundary is not None:
        return (
            f"معروف كما في تقرير بتاريخ {date_label(boundary, lang)}: قد يكون هذا اليوم قبله"
            if lang == "ar"
            else f"{faction}'s hold is known as of a report of {boundary.label()}: "
            "this day may be before it"
        )
    if lang == "en" or boundary is None:
        if boundary is None:
            return (
                f"تاريخ بدء سيطرة {faction} غير معروف"
                if lang == "ar"
                else f"the source gives no start for {faction}'s hold"
            )
        if kind == "start-window":
            return f"{faction}'s hold starts {boundary.label()}: this day may be before it began"
        return f"{faction}'s earlier hold ends {boundary.label()}: it may still have held"
    when = date_label(boundary, lang)
    if kind == "start-window":
        return f"تبدأ سيطرة {faction} في {when}: قد يكون هذا اليوم قبل بدئها"
    return f"تنتهي سيطرة {faction} السابقة في {when}: ربما كانت لا تزال قائمة"
