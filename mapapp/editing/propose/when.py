"""Date phrases in Arabic news text, resolved against the publication date.

Month names come from dateparser's ``ar-SY`` locale (Levantine آذار, أيلول, كانون الثاني
beside Egyptian مارس, سبتمبر), and a day-month-year phrase is read by dateparser itself.
Written here, because no library reads them: number words and duals with a unit («منذ
ثلاثة أسابيع», «قبل يومين»), "last month/year/week", and "the end / start / middle of"
a month (kept at month precision: the words say which part, the data says which month).

A date is written in the data's syntax (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``,
``source:<id>``, ``~`` for approximate). A relative phrase is resolved against the
publication date in one way only: if a source in sources.csv is already dated that many
days from the article (``relative_to`` + ``offset_days``), it is that source's date;
otherwise a literal date, approximate, to the precision the publication date allows.
"""

from __future__ import annotations

import calendar
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from mapapp.core.dates import FuzzyDate, Precision, literal_date
from mapapp.editing.propose.lexicon import normalise
from mapapp.editing.propose.mentions import Token

NUMBERS = {
    "واحد": 1, "واحده": 1, "اثنين": 2, "اثنان": 2, "ثلاث": 3, "ثلاثه": 3, "اربع": 4,
    "اربعه": 4, "خمس": 5, "خمسه": 5, "ست": 6, "سته": 6, "سبع": 7, "سبعه": 7, "ثماني": 8,
    "ثمانيه": 8, "ثمان": 8, "تسع": 9, "تسعه": 9, "عشر": 10, "عشره": 10,
}  # fmt: skip
#: unit words: (days, approximate)
UNITS = {
    "يوم": (1, False), "ايام": (1, False), "اسبوع": (7, True), "اسابيع": (7, True),
    "شهر": (30, True), "اشهر": (30, True), "شهور": (30, True), "سنه": (365, True),
    "سنوات": (365, True), "عام": (365, True), "اعوام": (365, True),
}  # fmt: skip
DUALS = {
    "يومين": (2, False), "اسبوعين": (14, True), "شهرين": (60, True), "سنتين": (730, True),
    "عامين": (730, True),
}  # fmt: skip
_PART = {"نهايه": "end", "اواخر": "end", "اخر": "end", "بدايه": "start", "مطلع": "start",
         "اوائل": "start", "اول": "start", "منتصف": "middle", "اواسط": "middle"}  # fmt: skip
_PART_EN = {"end": "the end of", "start": "the start of", "middle": "the middle of"}


@dataclass(frozen=True)
class DateMention:
    """A date phrase: ``text[start:end]``, and the date it gives in the data's syntax."""

    start: int
    end: int
    surface: str
    #: the date cell ("" when it cannot be resolved: no publication date known)
    cell: str
    #: the precision cell: "day", "month", "year", or "" for a source: date
    precision: str
    reason: str
    #: the source the date belongs to, when it is a quoted source's date
    source_id: str = ""


@functools.cache
def month_names() -> dict[tuple[str, ...], int]:
    """Month names of the ``ar-SY`` locale (normalised words) -> month number."""
    from dateparser.languages.loader import default_loader

    locale = next(iter(default_loader.get_locales(locales=["ar-SY"])))
    names: dict[tuple[str, ...], int] = {}
    for number in range(1, 13):
        key = calendar.month_name[number].lower()
        for name in locale.info.get(key, []):
            words = tuple(normalise(w) for w in re.findall(r"[^\W\d_]+", name))
            if words:
                names[words] = number
    return names


def _number(word: str) -> int | None:
    if word.isdigit():
        return int(word)
    for form in (word, word.removeprefix("ال")):
        if form in NUMBERS:
            return NUMBERS[form]
    return None


def _month_at(tokens: list[Token], i: int) -> tuple[int, int] | None:
    """(month, last token index) for a month name starting at token ``i``."""
    names = month_names()
    for size in (2, 1):
        words = tuple(t.word for t in tokens[i : i + size])
        if len(words) == size and words in names:
            return names[words], i + size - 1
    return None


def _relative(base: FuzzyDate, days: int, approximate: bool) -> FuzzyDate:
    return base.shifted(days, approximate=approximate, derivation="")


def _cell_for(value: FuzzyDate) -> tuple[str, str]:
    """A window as the data writes it: the calendar unit that holds it, ``~`` if not exact."""
    a, b = value.earliest, value.latest
    if a == b:
        return a.isoformat() + ("~" if value.approximate else ""), "day"
    if value.precision is Precision.MONTH:
        return a.isoformat()[:7] + ("~" if value.approximate else ""), "month"
    if value.precision is Precision.YEAR:
        return a.isoformat()[:4] + ("~" if value.approximate else ""), "year"
    middle = a + (b - a) / 2
    return middle.isoformat()[:7] + "~", "month"


def _month_before(published: FuzzyDate, month: int, strictly: bool) -> int:
    """The year of the last ``month`` at or before (strictly: before) publication."""
    pub = published.latest
    year = pub.year
    if month > pub.month or (strictly and month == pub.month):
        year -= 1
    return year


def find_dates(
    text: str,
    tokens: list[Token],
    published: FuzzyDate | None,
    article_source: str,
    relative_sources: Mapping[int, str],
) -> list[DateMention]:
    """Every date phrase in ``text``. ``relative_sources``: offset in days -> the id of a
    source dated that many days from the article."""
    found: list[DateMention] = []
    i = 0
    n = len(tokens)
    while i < n:
        hit = _relative_at(text, tokens, i, published, article_source, relative_sources)
        if hit is None:
            hit = _month_phrase_at(text, tokens, i, published)
        if hit is None:
            i += 1
            continue
        mention, last = hit
        found.append(mention)
        i = last + 1
    found += _numeric_dates(text)
    return sorted(found, key=lambda d: d.start)


def _relative_at(
    text: str,
    tokens: list[Token],
    i: int,
    published: FuzzyDate | None,
    article_source: str,
    relative_sources: Mapping[int, str],
) -> tuple[DateMention, int] | None:
    word = tokens[i].word
    days: int | None = None
    approximate = True
    last = i
    what = ""
    precision_unit: Precision | None = None
    if word in ("منذ", "قبل") and i + 1 < len(tokens):
        nxt = tokens[i + 1].word
        if nxt in DUALS:
            days, approximate = DUALS[nxt]
            last = i + 1
        elif nxt in UNITS:
            days, approximate = UNITS[nxt]
            last = i + 1
        elif (count := _number(nxt)) is not None and i + 2 < len(tokens):
            unit = tokens[i + 2].word
            if unit in UNITS:
                per, approximate = UNITS[unit]
                days, last = count * per, i + 2
        if days is not None:
            days = -days
            what = "before publication"
    elif word == "امس":
        days, approximate, what = -1, False, "the day before publication"
    elif i + 1 < len(tokens) and tokens[i + 1].word in ("الماضي", "الماضيه"):
        if word in ("الاسبوع",):
            days, last, what = -7, i + 1, "the week before publication"
        elif word in ("الشهر",):
            precision_unit, last, what = Precision.MONTH, i + 1, "the month before publication"
        elif word in ("العام", "السنه"):
            precision_unit, last, what = Precision.YEAR, i + 1, "the year before publication"
    if days is None and precision_unit is None:
        return None
    start, end = tokens[i].start, tokens[last].end
    surface = text[start:end]
    if published is None:
        reason = (
            f"date «{surface}» is relative to the publication date, which is not known: "
            "give --published"
        )
        return DateMention(start, end, surface, "", "", reason), last
    if precision_unit is Precision.MONTH:
        first = published.earliest.replace(day=1) - timedelta(days=1)
        value = literal_date(first.year, first.month)
    elif precision_unit is Precision.YEAR:
        value = literal_date(published.earliest.year - 1)
    else:
        assert days is not None
        source = relative_sources.get(days)
        if source:
            reason = (
                f"date «{surface}» = {-days} days {what}: the date of source {source} "
                f"(sources.csv dates it {days} days from {article_source})"
            )
            return DateMention(start, end, surface, f"source:{source}", "", reason, source), last
        value = _relative(published, days, approximate)
    cell, precision = _cell_for(value)
    reason = f"date «{surface}» = {what} ({published.iso()}) → {cell}, {precision} precision"
    return DateMention(start, end, surface, cell, precision, reason), last


def _month_phrase_at(
    text: str, tokens: list[Token], i: int, published: FuzzyDate | None
) -> tuple[DateMention, int] | None:
    first = i
    part = _PART.get(tokens[i].word)
    j = i
    if part is not None:
        j = i + 1
        if j < len(tokens) and tokens[j].word == "شهر":
            j += 1
    day: int | None = None
    if part is None and tokens[i].word.isdigit() and 1 <= int(tokens[i].word) <= 31:
        day, j = int(tokens[i].word), i + 1
    if j >= len(tokens):
        return None
    hit = _month_at(tokens, j)
    if hit is None:
        return None
    month, last = hit
    # "آذار/مارس": the same month named twice
    again = _month_at(tokens, last + 1) if last + 1 < len(tokens) else None
    if again is not None and again[0] == month:
        last = again[1]
    year: int | None = None
    strictly = False
    if last + 1 < len(tokens):
        nxt = tokens[last + 1].word
        if nxt.isdigit() and len(nxt) == 4:
            year, last = int(nxt), last + 1
        elif nxt in ("عام", "سنه") and last + 2 < len(tokens) and tokens[last + 2].word.isdigit():
            year, last = int(tokens[last + 2].word), last + 2
        elif nxt in ("الماضي", "المنصرم"):
            strictly, last = True, last + 1
    start, end = tokens[first].start, tokens[last].end
    surface = text[start:end]
    if year is None:
        if published is None:
            reason = (
                f"date «{surface}» names no year and the publication date is not known: "
                "give --published"
            )
            return DateMention(start, end, surface, "", "", reason), last
        year = _month_before(published, month, strictly)
    if day is not None:
        parsed = _dateparser_day(day, month, year)
        if parsed is None:
            return None
        cell, precision = parsed.isoformat(), "day"
    else:
        cell, precision = f"{year:04d}-{month:02d}", "month"
    note = f"{_PART_EN[part]} the month: " if part else ""
    reason = f"date «{surface}» → {cell}, {note}{precision} precision"
    return DateMention(start, end, surface, cell, precision, reason), last


def _dateparser_day(day: int, month: int, year: int) -> date | None:
    """The day, read by dateparser (it knows which days each month has)."""
    import dateparser

    parsed = dateparser.parse(
        f"{day} {calendar.month_name[month]} {year}",
        languages=["en"],
        settings={"STRICT_PARSING": True},
    )
    return parsed.date() if parsed is not None else None


_NUMERIC = re.compile(
    r"(?<!\d)(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?!\d)|(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)"
)


def _numeric_dates(text: str) -> list[DateMention]:
    found = []
    for m in _NUMERIC.finditer(text):
        if m.group(1):
            day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        else:
            year, month, day = int(m.group(4)), int(m.group(5)), int(m.group(6))
        try:
            value = date(year, month, day)
        except ValueError:
            continue
        reason = f"date «{m.group()}» → {value.isoformat()}, day precision"
        found.append(DateMention(m.start(), m.end(), m.group(), value.isoformat(), "day", reason))
    return found
