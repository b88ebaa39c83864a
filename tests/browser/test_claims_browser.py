"""Many sources in a real browser: the static export of ``tests/data/multi-source`` (three
made-up sources that agree on some places and dispute al-Asali and al-Tadamon) and the
Streamlit page on it: the disputed and stale looks, the claims side by side, who says what,
the rule switch, and credits built from the sources."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from mapapp.cli import main

from ..conftest import FIXTURES
from .conftest import (
    PLACE_COUNT,
    Watch,
    fills,
    hover_tooltip,
    map_frame,
    open_popup,
    place,
    settle,
    wait_fill,
)

pytestmark = pytest.mark.browser

MULTI = FIXTURES / "multi-source"
ISIS, AJNAD, REGIME = "#1a1a1a", "#66c2a4", "#d62728"
DISPUTED, STALE = "#6a1b9a", "#8a8a8a"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("multi") / "site"
    assert main(["export", "--out", str(out), "--tiles", "none", "--data", str(MULTI)]) == 0
    return out


def _open(page: Page, site: Path, view: str) -> None:
    page.goto((site / "index.html").as_uri() + view)
    page.wait_for_function(
        "n => document.querySelectorAll('path.mapapp-place').length === n", arg=PLACE_COUNT
    )
    settle(page.main_frame)


def _stroke(page: Page, pid: str) -> str | None:
    return page.locator(f"path.mapapp-outline-{pid}").get_attribute("stroke")


def test_export_draws_disputes_and_switches_the_rule(watch: Watch, site: Path) -> None:
    page = watch.page
    frame = page.main_frame
    _open(page, site, "#date=2015-09-26")
    colours = fills(frame)
    # newest report (Charlie, 25 Sep) colours both disputed places
    assert colours["asali"] == ISIS and colours["tadamon"] == ISIS
    assert _stroke(page, "tadamon") == DISPUTED
    assert _stroke(page, "yalda") != DISPUTED, "Alpha and Bravo agree on Yalda"
    stripes = page.locator("path.mapapp-stripe-tadamon")
    assert REGIME in {stripes.nth(i).get_attribute("fill") for i in range(stripes.count())}
    legend = page.locator("#legend").inner_text()
    assert "Disputed" in legend and "the newest report" in legend and "Stale" in legend
    # credits and the end of the data come from the sources in the data
    assert "Test Outlet Alpha" in page.locator("#subtitle").inner_text()
    assert "Test Outlet Charlie, 25 Sep 2015" in page.locator("#attribution").inner_text()
    assert "Elaph" not in page.locator("body").inner_text()
    assert "2015-12-25" in page.locator("#data-stops").inner_text()

    # the most reliable source: Alpha (A) for al-Asali, Bravo (C) for al-Tadamon
    page.select_option("#rule", "reliable")
    wait_fill(frame, "asali", AJNAD)
    wait_fill(frame, "tadamon", REGIME)
    assert "rule=reliable" in page.evaluate("location.hash")
    expect(page.locator("#legend")).to_contain_text("the most reliable source")
    # as one source says: Bravo alone has nothing on al-Asali
    page.select_option("#rule", "source:test_bravo")
    wait_fill(frame, "asali", "#bdbdbd")
    wait_fill(frame, "tadamon", REGIME)
    # the link reproduces the rule
    _open(page, site, "#date=2015-09-26&rule=reliable")
    assert fills(frame)["asali"] == AJNAD
    assert page.locator("#rule").input_value() == "reliable"
    assert not watch.errors, watch.errors


def test_export_popup_sets_the_claims_side_by_side(watch: Watch, site: Path) -> None:
    page = watch.page
    _open(page, site, "#date=2015-09-26")
    tooltip = hover_tooltip(page.main_frame, place("tadamon"))
    assert "Disputed" in tooltip
    assert "Test Outlet Bravo says Syrian regime forces" in tooltip
    assert "Test Outlet Charlie says Islamic State (ISIS)" in tooltip
    popup = open_popup(page.main_frame, place("tadamon"))
    for words in ("Test Outlet Bravo", "Test Outlet Charlie", "نص اختباري ٨", "test text 8",
                  "نص اختباري ٩", "a test spokesman", "Rating: C2", "Rating: E3"):  # fmt: skip
        assert words in popup, words
    sides = page.locator(".leaflet-popup .mapapp-side")
    assert sides.count() == 2
    first, second = (sides.nth(i).bounding_box() for i in range(2))
    assert first is not None and second is not None
    assert second["x"] >= first["x"] + first["width"], "side by side, not one under the other"
    assert not watch.errors, watch.errors


def test_export_draws_stale_places_faded(watch: Watch, site: Path) -> None:
    page = watch.page
    # the slider ends where the data stops: the day the last report goes stale
    _open(page, site, "#date=2015-12-20")
    fresh_opacity = 0.7
    yalda = page.locator("path.mapapp-place-yalda")
    assert float(yalda.get_attribute("fill-opacity") or 1) < fresh_opacity
    assert _stroke(page, "yalda") == STALE
    assert "Stale" in hover_tooltip(page.main_frame, place("yalda"))
    popup = open_popup(page.main_frame, place("yalda"))
    assert "Stale: the newest report behind this is of 10 Sep 2015" in popup
    assert not watch.errors, watch.errors


def test_page_rule_switch_recolours_the_map(watch: Watch, app_server: object) -> None:
    page = watch.page
    url = app_server(MULTI)  # type: ignore[operator]
    page.goto(f"{url}/?date=2015-09-26&place=tadamon")
    frame = map_frame(page)
    assert fills(frame)["tadamon"] == ISIS
    assert "The data stops at 25 Sep 2015" in page.locator("body").inner_text()
    box = page.get_by_label("Colour a disputed place by")
    box.click()
    page.get_by_role("option", name="the most reliable source").click()
    wait_fill(frame, "tadamon", REGIME, timeout=60_000)
    side = page.locator(".mapapp-side")
    assert side.count() >= 2
    assert not watch.errors, watch.errors
