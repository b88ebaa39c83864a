"""The page's per-day parts, kept in a bounded cache: the cache hands back what a fresh
build gives, for the exact view asked (day, language, palette, selection, compare day)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from mapapp.core.validate import load_dataset
from mapapp.ui import page_parts
from mapapp.ui.shell import DataVersion

from .conftest import ROOT, VALID


@pytest.fixture
def version() -> DataVersion:
    return DataVersion(str(VALID), (), load_dataset(VALID))


def fresh_side(version: DataVersion, *args: Any) -> tuple[page_parts.SidePart, ...]:
    page_parts._parts.clear()
    return page_parts.side_parts(version, version.timeline, "newest", *args)


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
            assert page_parts.side_parts(version, timeline, "newest", *view) == fresh[view]
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


def test_a_few_places_are_one_element_as_before(version: DataVersion) -> None:
    """Up to TABLE_LIMIT places the panel is one element with everything in it."""
    shipped = DataVersion(str(ROOT / "data"), (), load_dataset(ROOT / "data"))
    for v in (version, shipped):
        days = v.timeline.change_dates()
        for day in days:
            parts = fresh_side(v, day, "en", "conventional", None, days[0])
            assert len(parts) == 1 and parts[0].more is None
            assert "mapapp-popup" in parts[0].html or "Nothing changes" in parts[0].html


def test_past_the_table_limit_the_panel_summarises_and_keeps_everything_reachable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Past TABLE_LIMIT places: the legend an element of its own (the same every day), a
    line per change with its citations behind an expander, long lists (fronts, places
    that differ) behind expanders; every piece of the full panel is in some part."""
    shipped = DataVersion(str(ROOT / "data"), (), load_dataset(ROOT / "data"))
    day, compare = date(2015, 8, 11), date(2015, 12, 9)  # 12 changes, 3 pairs at fronts
    views = [("en", None, None), ("ar", None, compare), ("en", "yarmouk", compare)]
    for lang, place, compare_day in views:
        args = (day, lang, "conventional", place, compare_day)
        monkeypatch.setattr(page_parts, "LIST_LIMIT", 4)
        monkeypatch.setattr(page_parts, "FRONT_LIMIT", 2)
        (whole,) = fresh_side(shipped, *args)
        full = whole.html
        monkeypatch.setattr(page_parts, "TABLE_LIMIT", 5)
        parts = fresh_side(shipped, *args)
        monkeypatch.undo()
        shown = [p for p in parts if p.more is None]
        behind = {p.more: p.html for p in parts if p.more is not None}
        assert set(behind) == {"fronts_all", "change_sources"} | (
            {"differs_all"} if compare_day else set()
        )
        assert "mapapp-popup" not in "".join(p.html for p in shown if not place), (
            "no citations unasked"
        )
        assert shown[0].html.count("mapapp-legend-item") > 3, "the legend, alone"
        assert "mapapp-changes" not in shown[0].html
        lines = "".join(p.html for p in shown[1:])
        assert lines.count('<ul class="mapapp-changes"><li>') == 1
        assert lines.count("<li>") == 4 + (4 if compare_day else 0), "LIST_LIMIT of each"
        assert behind["change_sources"].count('class="mapapp-popup"') == 4
        everything = "\n".join(p.html for p in parts)
        assert "8 more changes" in everything or "8 تغييرات" in everything
        for piece in full.split("\n"):  # the full panel's legend, fronts, lists, popups
            if piece.startswith('<ul class="mapapp-differs">'):
                assert piece in behind["differs_all"]
            elif "<h3>" not in piece:
                assert piece in everything, piece[:200]
