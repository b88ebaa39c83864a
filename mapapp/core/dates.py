"""Dates as the sources give them: a day, a month or a year, exact or approximate.

A date cell in the data is one of

* ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` -- its precision is year, month or day;
* ``YYYY-MM-DD/YYYY-MM-DD`` -- a span of days (precision day), for "the last days of
  March" (``2015-03-21/2015-03-31~``) or "between the 3rd and the 9th";
* ``source:<id>`` -- the publication date of that source, with the source's precision;

optionally followed by ``~`` to mark it approximate. Every date stands for a *window*
of days ``[earliest, latest]``: the whole year, the whole month, or the single day.

Interval rules used everywhere (see :mod:`mapapp.core.timeline`):

* a period starts on the first day of its start's window (inclusive) and ends on the
  first day of its end's window (exclusive);
* an empty start means the source gives no start, an empty end that the period still holds;
* a date that falls inside the window of a boundary that is not exact to the day (or is
  marked approximate) gets an answer flagged *uncertain*.

Dates that are relative to another source (``relative_to`` + ``offset_days`` in
``sources.csv``) are derived in exactly one place, :func:`resolve_source_dates`, so that
correcting one source's date moves every date derived from it.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum


class Precision(StrEnum):
    DAY = "day"
    MONTH = "month"
    YEAR = "year"


#: the years a date may fall in: wide for this map, and far enough from the calendar's ends
#: (years 1 and 9999) that the day before or after any date, or a few weeks' margin around
#: the data, is still a date. A year outside is almost always a typo (2105 for 2015).
FIRST_YEAR, LAST_YEAR = 1900, 2100
_LITERAL = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_REF = re.compile(r"^source:([a-z][a-z0-9_]*)$")
_SPAN = re.compile(r"^(\d{4}-\d{2}-\d{2})/(\d{4}-\d{2}-\d{2})$")
_MONTHS = [calendar.month_abbr[m] for m in range(13)]


class DateFormatError(ValueError):
    """A date cell that cannot be read; the message says what would be valid."""


@dataclass(frozen=True)
class DateSpec:
    """A date cell as written: either a literal date or a reference to a source's date."""

    text: str
    approximate: bool
    literal: FuzzyDate | None = None
    source_ref: str | None = None


@dataclass(frozen=True)
class FuzzyDate:
    """A date known to a precision: it stands for every day in ``[earliest, latest]``."""

    earliest: date
    latest: date
    precision: Precision
    approximate: bool = False
    #: how it was derived, for people: "3 weeks before elaph_2015_09", or "" if given
    derivation: str = ""

    @property
    def exact(self) -> bool:
        return self.earliest == self.latest and not self.approximate

    def contains(self, day: date) -> bool:
        return self.earliest <= day <= self.latest

    def shifted(self, days: int, *, approximate: bool, derivation: str) -> FuzzyDate:
        delta = timedelta(days=days)
        return FuzzyDate(
            self.earliest + delta,
            self.latest + delta,
            # A shifted month is no longer a calendar month: it is a span of days.
            self.precision if days == 0 else Precision.DAY,
            self.approximate or approximate,
            derivation,
        )

    def iso(self) -> str:
        """The date as ISO text to its precision, with ``~`` when approximate; spans as a/b."""
        if self.earliest == self.latest:
            text = self.earliest.isoformat()
        elif self.precision is Precision.MONTH:
            text = self.earliest.isoformat()[:7]
        elif self.precision is Precision.YEAR:
            text = self.earliest.isoformat()[:4]
        else:
            text = f"{self.earliest.isoformat()}/{self.latest.isoformat()}"
        return text + ("~" if self.approximate else "")

    def label(
        self,
        months: Sequence[str] = _MONTHS,
        about: str = "about {}",
        short_same_year: bool = True,
    ) -> str:
        """Human-readable: ``Sep 2015``, ``about 11 Aug – 9 Sep 2015`` (English by default;
        other languages pass their month names and their word for "about")."""
        a, b = self.earliest, self.latest
        if a == b:
            text = f"{a.day} {months[a.month]} {a.year}"
        elif self.precision is Precision.YEAR:
            text = str(a.year)
        elif self.precision is Precision.MONTH:
            text = f"{months[a.month]} {a.year}"
        elif a.year == b.year and short_same_year:
            text = f"{a.day} {months[a.month]} – {b.day} {months[b.month]} {b.year}"
        else:
            text = f"{a.day} {months[a.month]} {a.year} – {b.day} {months[b.month]} {b.year}"
        return about.format(text) if self.approximate else text


def literal_date(year: int, month: int | None = None, day: int | None = None) -> FuzzyDate:
    """The window of a calendar year, month or day. Raises ValueError if it does not exist."""
    if month is None:
        return FuzzyDate(date(year, 1, 1), date(year, 12, 31), Precision.YEAR)
    if day is None:
        last = calendar.monthrange(year, month)[1]
        return FuzzyDate(date(year, month, 1), date(year, month, last), Precision.MONTH)
    d = date(year, month, day)
    return FuzzyDate(d, d, Precision.DAY)


def parse_date_cell(text: str, precision: str = "") -> DateSpec:
    """Read a date cell (and its optional precision cell).

    Raises :class:`DateFormatError` with a message fit for an editor.
    """
    raw = text.strip()
    approximate = raw.endswith("~")
    body = raw[:-1] if approximate else raw
    ref = _REF.match(body)
    if ref:
        if precision:
            raise DateFormatError(
                f"'{raw}' takes its precision from source '{ref.group(1)}', "
                f"so its precision column must be empty (it says '{precision}')"
            )
        return DateSpec(raw, approximate, source_ref=ref.group(1))
    span = _SPAN.match(body)
    if span:
        return DateSpec(
            raw, approximate, literal=_span(raw, precision, approximate, *span.groups())
        )
    m = _LITERAL.match(body)
    if not m:
        raise DateFormatError(
            f"'{raw}' is not a date: write YYYY, YYYY-MM or YYYY-MM-DD (for example 2015-09), "
            "a span of days YYYY-MM-DD/YYYY-MM-DD, or source:<source id>, optionally "
            "followed by ~ for approximate"
        )
    year, month, day = (int(g) if g else None for g in m.groups())
    assert year is not None
    try:
        fuzzy = literal_date(year, month, day)
    except ValueError:
        raise DateFormatError(f"'{raw}' is not a calendar date") from None
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise DateFormatError(
            f"'{raw}' is outside the years {FIRST_YEAR} to {LAST_YEAR} that dates may be in; "
            "is the year mistyped?"
        )
    if precision and precision != fuzzy.precision:
        raise PrecisionMismatch(raw, precision, fuzzy.precision)
    return DateSpec(raw, approximate, literal=replace(fuzzy, approximate=approximate))


def _span(raw: str, precision: str, approximate: bool, first: str, last: str) -> FuzzyDate:
    """The window of a span of days ``first/last`` (both days included)."""
    try:
        a, b = date.fromisoformat(first), date.fromisoformat(last)
    except ValueError:
        raise DateFormatError(f"'{raw}' is not a span of calendar dates") from None
    if b <= a:
        raise DateFormatError(
            f"'{raw}' is a span whose last day is not after its first; write the earlier "
            "day first, or a single day YYYY-MM-DD"
        )
    if not (a.year >= FIRST_YEAR and b.year <= LAST_YEAR):
        raise DateFormatError(
            f"'{raw}' is outside the years {FIRST_YEAR} to {LAST_YEAR} that dates may be in; "
            "is the year mistyped?"
        )
    if precision and precision != Precision.DAY:
        raise PrecisionMismatch(raw, precision, Precision.DAY)
    return FuzzyDate(a, b, Precision.DAY, approximate)


class PrecisionMismatch(DateFormatError):
    def __init__(self, raw: str, said: str, written: Precision) -> None:
        example = {
            Precision.YEAR: "2015",
            Precision.MONTH: "2015-09",
            Precision.DAY: "2015-09-14",
        }
        super().__init__(
            f"the precision column says '{said}' but '{raw}' is written to the {written}; "
            f"write the date as {example[Precision(said)]} for {said} precision, "
            f"or set the precision to '{written}'"
        )


@dataclass(frozen=True)
class SourceDate:
    """What sources.csv says about one source's date, before resolution."""

    published: DateSpec | None
    relative_to: str | None
    offset_days: int | None
    approximate: bool


class RelativeDateError(ValueError):
    """A source date that cannot be derived (missing base, cycle, nothing given)."""

    def __init__(self, source_id: str, message: str, column: str | None = None) -> None:
        super().__init__(message)
        self.source_id = source_id
        #: the column to point the editor at, when it is not the obvious one
        self.column = column


#: the longest chain of sources dated relative to one another that is followed: a longer
#: one (1,500 deep) once exhausted Python's stack (a traceback in the CLI, an error page
#: in the app); real chains are a handful of reports quoting one another
MAX_RELATIVE_CHAIN = 64


def resolve_source_dates(
    specs: Mapping[str, SourceDate],
) -> tuple[dict[str, FuzzyDate], list[RelativeDateError]]:
    """Derive every source's publication date, following relative_to chains.

    This is the one place relative dates are computed. Returns the dates that could be
    resolved and an error for each that could not.
    """
    resolved: dict[str, FuzzyDate] = {}
    errors: list[RelativeDateError] = []
    failed: set[str] = set()

    def visit(sid: str, chain: tuple[str, ...]) -> FuzzyDate | None:
        if sid in resolved:
            return resolved[sid]
        if sid in failed:
            return None
        spec = specs[sid]
        result: FuzzyDate | None = None
        if spec.relative_to is not None:
            base_id = spec.relative_to
            if len(chain) >= MAX_RELATIVE_CHAIN:
                errors.append(
                    RelativeDateError(
                        sid,
                        f"relative dates are chained more than {MAX_RELATIVE_CHAIN} sources "
                        f"deep here ({chain[0]} -> … -> {sid} -> {base_id}); give this source "
                        "its own published date, or date it relative to a source nearer the "
                        "start of the chain",
                    )
                )
            elif base_id in chain or base_id == sid:
                cycle = " -> ".join((*chain, sid, base_id))
                errors.append(
                    RelativeDateError(sid, f"relative dates go round in a circle: {cycle}")
                )
            elif base_id not in specs:
                errors.append(
                    RelativeDateError(sid, f"relative_to names '{base_id}', which is not a source")
                )
            else:
                base = visit(base_id, (*chain, sid))
                if base is not None:
                    days = spec.offset_days or 0
                    try:
                        result = base.shifted(
                            days,
                            approximate=spec.approximate,
                            derivation=_describe_offset(days, base_id),
                        )
                    except OverflowError:
                        result = None
                    if result is None or not (
                        result.earliest.year >= FIRST_YEAR and result.latest.year <= LAST_YEAR
                    ):
                        result = None
                        errors.append(
                            RelativeDateError(
                                sid,
                                f"offset_days {days:,} moves the date outside the years "
                                f"{FIRST_YEAR} to {LAST_YEAR} that dates may be in",
                                column="offset_days",
                            )
                        )
        elif spec.published is not None:
            pub = spec.published
            if pub.literal is not None:
                result = replace(
                    pub.literal, approximate=pub.literal.approximate or spec.approximate
                )
            else:
                errors.append(
                    RelativeDateError(
                        sid,
                        f"published '{pub.text}' refers to a source; use relative_to and "
                        "offset_days for a date relative to another source",
                    )
                )
        else:
            errors.append(
                RelativeDateError(sid, "no date: give published, or relative_to with offset_days")
            )
        if result is None:
            failed.add(sid)
        else:
            resolved[sid] = result
        return result

    for sid in specs:
        visit(sid, ())
    return resolved, errors


def _describe_offset(days: int, base_id: str) -> str:
    n = abs(days)
    if n == 0:
        return f"same date as {base_id}"
    unit = f"{n // 7} week{'s' if n // 7 != 1 else ''}" if n % 7 == 0 else f"{n} days"
    return f"{unit} {'before' if days < 0 else 'after'} {base_id}"


def resolve_cell(spec: DateSpec, source_dates: Mapping[str, FuzzyDate]) -> FuzzyDate:
    """The window a date cell stands for. Raises KeyError for an unknown or unresolved source."""
    if spec.literal is not None:
        return spec.literal
    assert spec.source_ref is not None
    base = source_dates[spec.source_ref]
    return replace(
        base,
        approximate=base.approximate or spec.approximate,
        derivation=base.derivation or f"publication of {spec.source_ref}",
    )


def parse_iso_day(text: str) -> date:
    """A query date (YYYY-MM-DD). Raises ValueError with a plain message."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"'{text}' is not a date: use YYYY-MM-DD, for example 2015-09-15"
        ) from None
