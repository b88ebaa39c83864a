"""What an edit changes on the map: the places and spans of days whose state differs
between two versions of the data, with the sources behind both sides.

Pure functions over two validated :class:`~mapapp.core.model.Dataset` values (the command
``mapapp review`` finds and loads them). The algorithm:

* the days on which a row or condition starts or stops in either version (the union of both
  timelines' :meth:`~mapapp.core.timeline.Timeline.boundary_days`) cut time into spans, plus the
  span before the first such day; within a span neither version's state of any place can
  change, so one day samples the whole span (its first day; for the opening span, the day
  before the first boundary);
* in each span each place's :meth:`~mapapp.core.timeline.PlaceState.signature` -- what the map
  shows: status, who holds it how, conditions -- is compared between the versions;
* adjacent spans of the same place with the same before and after are merged.

A place present in only one version is *no data* in the other. Edits that change no
signature (a note, a quote, a translation, a source swapped for another saying the same,
an uncertainty window) are not map changes and are not listed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from mapapp.core.model import Dataset
from mapapp.core.timeline import PlaceState, Timeline
from mapapp.draw.formats import state_record, state_summary, terminal_text

NO_CHANGES = "No place changes on the map."


@dataclass(frozen=True)
class ReviewItem:
    """One place whose state differs between the versions over one span of days."""

    place_id: str
    #: first day the difference holds; None: from the beginning of time
    start: date | None
    #: first day it no longer holds (exclusive); None: onwards
    end: date | None
    #: the state in the old version on ``start`` (on a day inside the span)
    before: PlaceState
    #: the state in the new version on the same day
    after: PlaceState

    @property
    def source_ids(self) -> tuple[str, ...]:
        """The sources behind both sides: the new side's first."""
        return tuple(dict.fromkeys(self.after.source_ids + self.before.source_ids))

    @property
    def last_day(self) -> date | None:
        """The last day the difference holds (inclusive); None: onwards."""
        return None if self.end is None else self.end - timedelta(days=1)


def _spans(days: Sequence[date], fallback: date) -> list[tuple[date | None, date | None, date]]:
    """(start, end, sample day) for each span the boundary days cut time into."""
    if not days:
        return [(None, None, fallback)]
    spans: list[tuple[date | None, date | None, date]] = [
        (None, days[0], days[0] - timedelta(days=1))
    ]
    for i, day in enumerate(days):
        spans.append((day, days[i + 1] if i + 1 < len(days) else None, day))
    return spans


def _place_order(old: Dataset, new: Dataset) -> list[str]:
    """The new version's places in its order, then those only the old version has."""
    return [*new.places, *(pid for pid in old.places if pid not in new.places)]


def review(old: Dataset, new: Dataset) -> list[ReviewItem]:
    """Every place and span of days whose map state differs between ``old`` and ``new``,
    in place order, then by start."""
    old_tl, new_tl = Timeline(old), Timeline(new)
    days = sorted(set(old_tl.boundary_days()) | set(new_tl.boundary_days()))
    # with no boundary at all nothing changes over time: any day samples all of it
    fallback = new_tl.latest_reported_day() or old_tl.latest_reported_day() or date(2000, 1, 1)
    spans = _spans(days, fallback)
    items: list[ReviewItem] = []
    for pid in _place_order(old, new):
        current: ReviewItem | None = None
        for start, end, sample in spans:
            before = old_tl.place_state(pid, sample)
            after = new_tl.place_state(pid, sample)
            if before.signature() == after.signature():
                if current is not None:
                    items.append(current)
                    current = None
                continue
            if (
                current is not None
                and current.before.signature() == before.signature()
                and current.after.signature() == after.signature()
            ):
                current = ReviewItem(pid, current.start, end, current.before, current.after)
                continue
            if current is not None:
                items.append(current)
            current = ReviewItem(pid, start, end, before, after)
        if current is not None:
            items.append(current)
    return items


def _state(ds: Dataset, other: Dataset, state: PlaceState) -> dict[str, Any]:
    """A state record read against the version it comes from; a place that version lacks
    (so: no data there) is named from the other version."""
    return state_record(ds if state.place_id in ds.places else other, state)


def review_records(old: Dataset, new: Dataset, items: Sequence[ReviewItem]) -> list[dict[str, Any]]:
    """The items as JSON-ready records: place, span, before and after (as ``mapapp state``
    prints them) and the sources behind both sides."""
    records = []
    for item in items:
        place = new.places.get(item.place_id) or old.places[item.place_id]
        records.append(
            {
                "place_id": item.place_id,
                "name_en": place.name_en,
                "start": item.start.isoformat() if item.start else None,
                "end": item.end.isoformat() if item.end else None,
                "before": _state(old, new, item.before),
                "after": _state(new, old, item.after),
                "source_ids": list(item.source_ids),
            }
        )
    return records


def span_text(start: str | None, end: str | None) -> str:
    """A span of days in words, its last day inclusive: ``2015-03-01 to 2015-08-10``,
    ``from 2015-08-11 on``, ``until 2015-02-28``, ``at all times``."""
    last = (date.fromisoformat(end) - timedelta(days=1)).isoformat() if end else None
    if start and last:
        return f"on {start}" if start == last else f"{start} to {last}"
    if start:
        return f"from {start} on"
    if last:
        return f"until {last}"
    return "at all times"


def review_line(record: dict[str, Any]) -> str:
    """One change in plain words, one line (controls in names shown as escapes)."""
    sources = ", ".join(record["source_ids"]) or "none"
    return terminal_text(
        f"{record['place_id']} ({record['name_en']}), {span_text(record['start'], record['end'])}: "
        f"was {state_summary(record['before'])}; now {state_summary(record['after'])}. "
        f"Sources: {sources}."
    )


def review_to_text(records: Sequence[dict[str, Any]]) -> str:
    """Every change in plain words, one a line, or :data:`NO_CHANGES`."""
    if not records:
        return NO_CHANGES
    return "\n".join(review_line(r) for r in records)


def review_text(old: Dataset, new: Dataset, items: Sequence[ReviewItem]) -> str:
    """The items in plain words (:func:`review_to_text` of :func:`review_records`)."""
    return review_to_text(review_records(old, new, items))
