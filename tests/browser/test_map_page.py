"""The map page in a real browser, on the shipped data, offline."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from mapapp.ui.launch import start_app

from .conftest import (
    PLACE_COUNT,
    Watch,
    fills,
    map_frame,
    map_kept,
    mark_map,
    open_popup,
    place,
    wait_fill,
)

pytestmark = pytest.mark.browser

ISIS, NUSRA, AJNAD, REGIME, OPPOSITION = "#1a1a1a", "#7b3294", "#66c2a4", "#d62728", "#4daf4a"
NO_DATA = "#bdbdbd"


def slider_value(page: Page) -> str:
    """The day the map's own date control shows."""
    return page.locator(".mapapp-day").inner_text()


def test_draws_twelve_places_offline_without_errors(watch: Watch, app_url: str) -> None:
    page = watch.page
    page.goto(f"{app_url}/?date=2015-09-15")
    frame = map_frame(page)
    assert frame.locator("path.mapapp-place").count() == PLACE_COUNT
    assert frame.locator("path.mapapp-outline").count() == PLACE_COUNT
    assert frame.locator("path.mapapp-stripe").count() > 0
    assert frame.locator("path.mapapp-event").count() > 0
    assert frame.locator("path.mapapp-condition").count() > 0
    expect(page.get_by_text("Southern Damascus", exact=False).first).to_be_visible()
    assert frame.evaluate("typeof window.L") == "object", "Leaflet is served locally"
    assert watch.errors == []
    assert watch.blocked == [], "the page asked for something off this machine"
    assert watch.dialogs == []
    assert watch.console_errors == []


def test_the_maps_files_are_asked_for_at_once(watch: Watch, app_url: str) -> None:
    """The component's loader asks for Leaflet, map.js, the styles and the bundle by preload
    links while its module downloads, not one after another as each script runs; each is
    fetched once (a preload its script or fetch() does not match would be fetched twice)."""
    page = watch.page
    page.goto(f"{app_url}/?date=2015-09-15")
    map_frame(page)
    entries = page.evaluate(
        "performance.getEntriesByType('resource')"
        ".filter(e => e.name.includes('/app/static/'))"
        ".map(e => [new URL(e.name).pathname, e.initiatorType])"
    )
    by_name: dict[str, list[str]] = {}
    for name, initiator in entries:
        by_name.setdefault(name.rsplit("/", 1)[-1], []).append(initiator)
    for part in ("leaflet.js", "leaflet.css", "map-", "component-"):
        found = [k for k in by_name if k.startswith(part)]
        assert found, (part, by_name)
        for name in found:
            # the module: its preload and import() are one request (the entry says "script")
            expected = ["script"] if name.endswith(".js") and part == "component-" else ["link"]
            assert by_name[name] == expected, (name, by_name[name])
    bundles = [(n.rsplit("/", 1)[-1], i) for n, i in entries if "/bundles/" in n]
    assert [i for n, i in bundles if "-" not in n] == ["link"], bundles
    # what the opening frame does not draw is fetched once the map has painted, once
    parts = [n for n, i in bundles if "-" in n]
    assert len(parts) == len(set(parts)), bundles
    assert watch.errors == [] and watch.console_errors == []


def test_colours_follow_the_factions(watch: Watch, app_url: str) -> None:
    page = watch.page
    page.goto(f"{app_url}/?date=2015-09-15")
    colours = fills(map_frame(page))
    assert len(colours) == PLACE_COUNT
    assert colours["yarmouk"] == ISIS
    assert colours["qadam"] == AJNAD
    assert colours["sayyida_zaynab"] == REGIME
    # ISIS holds yarmouk, al-Nusra its ally: a thin band of al-Nusra's colour over ISIS's
    stripes = page.locator("path.mapapp-stripe-yarmouk")
    assert {stripes.nth(i).get_attribute("fill") for i in range(stripes.count())} == {NUSRA}

    page.goto(f"{app_url}/?date=2015-05-01")
    colours = fills(map_frame(page))
    assert colours.pop("yarmouk") == ISIS
    assert set(colours.values()) == {NO_DATA}, colours
    assert watch.errors == []
    assert watch.blocked == []


def test_changing_the_date_recolours_without_remounting(watch: Watch, app_url: str) -> None:
    page = watch.page
    page.goto(f"{app_url}/?date=2015-09-15")
    frame = map_frame(page)
    assert fills(frame)["tadamon"] == ISIS
    mark_map(frame, "first")

    visited: list[str] = []
    previous = page.get_by_role("button", name="◀ Previous change")
    while fills(frame)["tadamon"] != NO_DATA:
        assert len(visited) < 5, f"tadamon never turned grey: {visited}"
        before = slider_value(page)
        previous.click()
        page.wait_for_function(
            "v => document.querySelector('.mapapp-day').textContent !== v", arg=before
        )
        visited.append(slider_value(page))
        if visited[-1] == "2015-03-21":
            wait_fill(frame, "tadamon", NO_DATA)
    assert visited == ["2015-09-01", "2015-08-11", "2015-03-21"]
    assert fills(frame)["yarmouk"] == ISIS
    expect(page).to_have_url(f"{app_url}/?date=2015-03-21&lang=en")

    # and forward again
    page.get_by_role("button", name="Next change ▶").click()
    wait_fill(frame, "tadamon", ISIS)
    assert slider_value(page) == "2015-08-11"

    assert map_kept(frame, "first"), "the map was rebuilt or its element replaced"
    assert page.locator("iframe").count() == 0, "no map iframe: the map is in the page"
    assert watch.errors == []
    assert watch.console_errors == []
    assert watch.blocked == []


def test_clicking_yarmouk_shows_the_arabic_quote(watch: Watch, app_url: str) -> None:
    page = watch.page
    page.goto(f"{app_url}/?date=2015-09-15")
    text = open_popup(map_frame(page), place("yarmouk"))
    assert "Yarmouk Camp" in text
    assert "مخيم اليرموك" in text
    assert "ان داعش وبالتحالف مع النصرة يحكم سيطرته" in text
    quote = page.locator(".leaflet-popup-content blockquote").first
    assert quote.get_attribute("dir") == "rtl"
    assert watch.errors == []


def test_arabic_page_is_right_to_left(watch: Watch, app_url: str) -> None:
    page = watch.page
    page.goto(f"{app_url}/?date=2015-03-05&lang=ar")
    assert fills(map_frame(page))["yarmouk"] == OPPOSITION
    title = page.locator('[dir="rtl"]').filter(has_text="جنوب دمشق").first
    expect(title).to_be_visible()
    assert page.get_by_role("button", name="◀ Previous change").count() == 0
    assert watch.errors == []
    assert watch.blocked == []


def test_bad_link_warns_without_echoing_and_still_draws(watch: Watch, app_url: str) -> None:
    page = watch.page
    raw = "<script>alert(1)</script>"
    page.goto(f"{app_url}/?date={raw}&place=nowhere&lang=xx")
    frame = map_frame(page)
    warning = page.get_by_test_id("stAlertContentWarning")
    expect(warning).to_be_visible()
    text = warning.inner_text()
    assert "date" in text
    assert "place" in text
    assert "lang" in text
    for fragment in ("script", "alert", "nowhere", "xx", "<", ">"):
        assert fragment not in text, f"{fragment!r} echoed in the warning: {text!r}"
    assert "alert(1)" not in page.content()
    assert len(fills(frame)) == PLACE_COUNT
    assert watch.dialogs == []
    assert watch.errors == []


def test_play_steps_through_the_changes_without_remounting(watch: Watch, app_url: str) -> None:
    page = watch.page
    page.goto(f"{app_url}/?date=2015-05-01")
    frame = map_frame(page)
    assert fills(frame)["tadamon"] == NO_DATA
    mark_map(frame, "kept")
    page.get_by_text("Play", exact=True).click()
    wait_fill(frame, "tadamon", ISIS, timeout=20_000)  # 2015-08-11: the next change
    assert slider_value(page) == "2015-08-11"
    page.get_by_text("Play", exact=True).click()
    page.wait_for_timeout(3500)
    stopped = slider_value(page)
    page.wait_for_timeout(3500)
    assert slider_value(page) == stopped, "stopping Play stops the steps"
    assert map_kept(frame, "kept")
    assert watch.errors == []


def test_the_maps_own_slider_repaints_then_the_page_follows(watch: Watch, app_url: str) -> None:
    page = watch.page
    page.goto(f"{app_url}/?date=2015-08-10")
    frame = map_frame(page)
    assert fills(frame)["tadamon"] == NO_DATA
    mark_map(frame, "slider")
    slider = page.locator(".mapapp-slider")
    expect(slider).to_have_attribute("aria-valuetext", "2015-08-10")
    slider.focus()
    page.keyboard.press("ArrowRight")  # one day on: 2015-08-11, ISIS takes Tadamon
    wait_fill(frame, "tadamon", ISIS)
    assert slider_value(page) == "2015-08-11"
    # then the server hears of it: the link, and the panel of what changed on that day
    expect(page).to_have_url(re.compile(r"date=2015-08-11"))
    expect(page.locator("h3", has_text="What changed")).to_be_visible()
    expect(page.get_by_text("Tadamon", exact=False).last).to_be_visible()
    page.keyboard.press("ArrowLeft")
    wait_fill(frame, "tadamon", NO_DATA)
    expect(page).to_have_url(re.compile(r"date=2015-08-10"))
    assert map_kept(frame, "slider")
    assert watch.errors == []
    assert watch.console_errors == []


def test_unreachable_tiles_leave_the_map_drawn_with_a_notice(watch: Watch, tmp_path: Path) -> None:
    """The default basemap (OpenStreetMap) with no internet: every tile request fails."""
    server = start_app(tmp_path / "streamlit.log", tiles=True, timeout=60)
    try:
        page = watch.page
        page.goto(f"{server.url}/?date=2015-09-15")
        frame = map_frame(page)
        assert len(fills(frame)) == PLACE_COUNT
        notice = page.locator(".mapapp-notice")
        expect(notice).to_be_visible()
        expect(notice).to_contain_text("basemap tiles could not be loaded")
        expect(page.locator(".leaflet-control-attribution")).to_contain_text("OpenStreetMap")
        assert any("tile.openstreetmap.org" in url for url in watch.blocked)
        assert watch.errors == []
    finally:
        server.stop()
