"""The editor pages' words, in English and Arabic (the map's own words are in draw/i18n.py).

``word(key, lang)`` falls back to English for a key not yet translated, so a missing
translation shows English, never a raw key; a test keeps both languages complete.
"""

from __future__ import annotations

LANGS = ("en", "ar")

WORDS: dict[str, dict[str, str]] = {
    "title": {"en": "Edit data", "ar": "تحرير البيانات"},
    "language": {"en": "Language", "ar": "اللغة"},
    "editing_off": {
        "en": "Editing in the app is not switched on for this site. The data can still be "
        "corrected: see EDITING.md, or write to the site's editors.",
        "ar": "التحرير داخل التطبيق غير مفعّل في هذا الموقع. يمكن تصحيح البيانات رغم ذلك: "
        "راجع EDITING.md أو راسل محرري الموقع.",
    },
    "local_refused": {
        "en": "Local editing was asked for, but this server listens on {address}, not only on "
        "this machine (127.0.0.1). It is refused: start it with `mapapp edit`, or without "
        "MAPAPP_LOCAL_EDITING.",
        "ar": "طُلب التحرير المحلي، لكن هذا الخادم يستمع على {address} وليس على هذا الجهاز وحده "
        "(127.0.0.1)، فرُفض الطلب: شغّله بالأمر `mapapp edit` أو من دون MAPAPP_LOCAL_EDITING.",
    },
    "local_mode": {
        "en": "Local editing on this machine, as {user} (no login; the audit log records {user}).",
        "ar": "تحرير محلي على هذا الجهاز باسم {user} (من دون تسجيل دخول؛ يسجّل سجل التدقيق {user}).",
    },
    "sign_in": {
        "en": "Sign in to edit. Viewing the map needs no account.",
        "ar": "سجّل الدخول للتحرير. عرض الخريطة لا يحتاج إلى حساب.",
    },
    "log_in": {"en": "Log in", "ar": "تسجيل الدخول"},
    "log_out": {"en": "Log out", "ar": "تسجيل الخروج"},
    "not_editor": {
        "en": "You are signed in as {email}, which is not on the list of editors.",
        "ar": "أنت مسجّل الدخول باسم {email}، وهو ليس في قائمة المحررين.",
    },
    "not_verified": {
        "en": "You are signed in as {email}, but your identity provider has not verified that "
        "address, so it cannot be matched with the list of editors.",
        "ar": "أنت مسجّل الدخول باسم {email}، لكن مزوّد الهوية لم يتحقق من هذا العنوان، "
        "فلا يمكن مطابقته مع قائمة المحررين.",
    },
    "signed_in": {"en": "Signed in as {email}.", "ar": "مسجّل الدخول باسم {email}."},
    "more_not_shown": {
        "en": "… and {n:,} more, not shown",
        "ar": "… و{n:,} أخرى غير معروضة",
    },
    "data_bad": {
        "en": "The data on disk has problems; fix them by hand first (mapapp validate).",
        "ar": "في البيانات المحفوظة مشكلات؛ أصلحها يدويًا أولًا (mapapp validate).",
    },
    "task": {"en": "Task", "ar": "المهمة"},
    "task_table": {"en": "Edit a table", "ar": "تحرير جدول"},
    "task_propose": {"en": "Propose rows from an article", "ar": "اقتراح صفوف من مقال"},
    "table": {"en": "Table", "ar": "الجدول"},
    "reload": {"en": "Reload from disk", "ar": "إعادة التحميل من القرص"},
    "no_changes": {"en": "No changes yet.", "ar": "لا تغييرات بعد."},
    "rows_paged": {
        "en": "{n:,} rows: shown {page:,} at a time; pick a page or a place.",
        "ar": "{n:,} صفًّا: تُعرض {page:,} في كل مرة؛ اختر صفحة أو مكانًا.",
    },
    "rows_place": {
        "en": "Only the rows of the place (its id)",
        "ar": "صفوف المكان وحده (معرّفه)",
    },
    "rows_page": {"en": "Page", "ar": "الصفحة"},
    "preview": {"en": "Preview", "ar": "معاينة"},
    "counts": {
        "en": "{added} added, {removed} removed, {changed} changed.",
        "ar": "أُضيف {added}، حُذف {removed}، تغيّر {changed}.",
    },
    "added_rows": {"en": "Added rows", "ar": "الصفوف المضافة"},
    "removed_rows": {"en": "Removed rows", "ar": "الصفوف المحذوفة"},
    "changed_rows": {
        "en": "Changed rows (before, then after)",
        "ar": "الصفوف المعدّلة (قبل ثم بعد)",
    },
    "problems": {
        "en": "These problems must be fixed before saving:",
        "ar": "يجب إصلاح هذه المشكلات قبل الحفظ:",
    },
    "map_changes": {"en": "What changes on the map:", "ar": "ما الذي يتغيّر على الخريطة:"},
    "save": {"en": "Save", "ar": "حفظ"},
    "saved": {"en": "Saved {file}. The map shows it now.", "ar": "حُفظ {file}. الخريطة تعرضه الآن."},
    "undo": {"en": "Undo my last save", "ar": "التراجع عن آخر حفظ لي"},
    "undone": {
        "en": "Restored the previous version of {file}.",
        "ar": "استُعيدت النسخة السابقة من {file}.",
    },
    "source": {"en": "Source (sources.csv)", "ar": "المصدر (sources.csv)"},
    "published": {
        "en": "Publication date, if sources.csv does not have it (YYYY-MM-DD)",
        "ar": "تاريخ النشر إن لم يكن في sources.csv (YYYY-MM-DD)",
    },
    "article": {"en": "Article text (Arabic)", "ar": "نص المقال (بالعربية)"},
    "upload": {
        "en": "…or upload a text or saved HTML file",
        "ar": "…أو ارفع ملفًا نصيًا أو صفحة HTML محفوظة",
    },
    "propose": {"en": "Propose", "ar": "اقترح"},
    "highlights": {"en": "What the assistant found", "ar": "ما وجده المساعد"},
    "legend": {
        "en": "places · factions · control words · event words · dates · attributions",
        "ar": "أماكن · فصائل · كلمات سيطرة · كلمات أحداث · تواريخ · إسناد",
    },
    "proposals": {
        "en": "{n} proposed rows: tick accept, edit cells, untick to reject. Quotes cannot be "
        "edited (they are the article's own words); write the English translation.",
        "ar": "{n} صفًا مقترحًا: علّم «قبول»، عدّل الخلايا، أزل العلامة للرفض. الاقتباسات لا تُعدّل "
        "(إنها كلمات المقال نفسه)؛ اكتب الترجمة الإنجليزية.",
    },
    "none_proposed": {"en": "Nothing to propose in this text.", "ar": "لا شيء يُقترح في هذا النص."},
    "accepted_preview": {
        "en": "Accepted rows, checked with all the data",
        "ar": "الصفوف المقبولة، مدققة مع كل البيانات",
    },
    "save_accepted": {"en": "Save accepted rows", "ar": "حفظ الصفوف المقبولة"},
    "nothing_accepted": {"en": "No row accepted yet.", "ar": "لم يُقبل أي صف بعد."},
    "saved_rows": {
        "en": "Saved {n} rows to {files}. The map shows them now.",
        "ar": "حُفظ {n} صفًا في {files}. الخريطة تعرضها الآن.",
    },
}


def word(key: str, lang: str = "en", **values: object) -> str:
    """The words for ``key`` in ``lang`` (English when missing), with ``values`` filled in."""
    entry = WORDS[key]
    text = entry.get(lang) or entry["en"]
    return text.format(**values) if values else text
