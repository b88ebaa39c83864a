"""Popups, tooltips and the legend as escaped HTML that cites its source."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from mapapp.core.model import Dataset
from mapapp.core.resolve import resolve
from mapapp.core.timeline import Timeline
from mapapp.core.validate import load_dataset
from mapapp.draw import popups
from mapapp.draw.style import legend_items

from .conftest import VALID


def _ds() -> Dataset:
    ds = load_dataset(VALID).dataset
    assert ds is not None
    return ds


def test_a_popup_quotes_the_source_in_arabic_and_english_with_its_citation() -> None:
    ds = _ds()
    state = Timeline(ds).place_state("alpha", date(2015, 2, 1))
    html = popups.place_popup(resolve(ds, state), "en")
    assert "اقتباس أول" in html and "first quote" in html
    assert "Test Outlet" in html and "https://example.org/article" in html
    assert 'rel="noopener noreferrer"' in html
    assert "Sole control" in popups.place_tooltip(resolve(ds, state), "en")


def test_a_quoted_source_names_where_it_was_quoted() -> None:
    ds = _ds()
    text = popups.citation(ds, "inv", "en")
    assert "quoted in" in text.lower() and text.count("Test Outlet") == 2


def test_text_from_the_data_is_escaped() -> None:
    ds = _ds()
    evil = replace(ds.sources["art"], outlet='<img src=x onerror="alert(1)">')
    hostile = replace(ds, sources={**ds.sources, "art": evil})
    html = popups.citation(hostile, "art", "en")
    assert "<img" not in html and "&lt;img" in html


def test_the_legend_has_a_line_per_faction_shown_and_per_pattern() -> None:
    ds = _ds()
    states = list(Timeline(ds).state_at(date(2015, 2, 1)).values())
    html = popups.legend_html(legend_items(ds, states, "conventional", "en"), "en")
    assert 'data-key="faction-opposition"' in html
    assert 'data-key="faction-isis"' not in html, "only the factions on the map that day"
    for key in ("sole", "shared", "partial", "presence", "no-data", "uncertain"):
        assert f'data-key="{key}"' in html
