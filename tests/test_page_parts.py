"""The page's per-day parts, kept in a bounded cache: the cache hands back what a fresh
build gives, for the exact view asked (day, language, palette, selection, compare day)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from mapapp.core.validate import load_dataset
from mapapp.ui import page_parts
from mapapp.ui.shell import DataVersion

from .conftest import VALID


@pytest.fixture
def version() -> DataVersion:
    return DataVersion(str(VALID), (), load_dataset(VALID))


def fresh_side(version: DataVersion, *args: Any) -> str:
    page_parts._parts.clear()
    return page_parts.side_html(version, version.timeline, "newest", *args)


def test_cached_parts_are_the_fresh_ones_for_each_view(version: DataVersion) -> None:
    timeline = version.timeline
    days = sorted(timeline.change_dates())[:3] or [date(2015, 9, 15)]
    place = next(iter(version.dataset.places))
    views: list[tuple[Any, ...]] = [
        (day, lang, palette, selected, compare)
        for day in days
        for lang in ("en", "ar")
        for palette in ("conventional", "colour-blind")
        for selected in (None, place)
        for compare in (None, days[0])
    ]
    fresh = {view: fresh_side(version, *view) for view in views}
    page_parts._parts.clear()
    for _ in range(2):  # built once, then looked up: the same text for the same view
        for view in views:
            assert page_parts.side_html(version, timeline, "newest", *view) == fresh[view]
    assert len(set(fresh.values())) > len(days), "the views differ, so must their keys"
    for day in days:
        table, total = page_parts.state_table(version, timeline, "newest", day, "en", None)
        assert total is None and len(table) == len(version.dataset.places)
        assert page_parts.state_table(version, timeline, "newest", day, "en", None)[0] is table


def test_the_cache_is_bounded(version: DataVersion) -> None:
    page_parts._parts.clear()
    for i in range(page_parts.KEEP + 10):
        page_parts.cached(("test", i), lambda i=i: int(i))  # type: ignore[misc]
    assert len(page_parts._parts) == page_parts.KEEP
    assert page_parts.cached(("test", page_parts.KEEP + 9), lambda: -1) == page_parts.KEEP + 9
    assert page_parts.cached(("test", 0), lambda: -1) == -1, "the oldest was dropped"
