"""The static export in a real browser: served by ``python -m http.server`` and opened from
disk (``file://``), offline, on the shipped data and on the hostile data."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from mapapp.cli import main
from mapapp.ui.launch import Server, free_port

from ..conftest import FIXTURES
from .conftest import (
    PLACE_COUNT,
    Watch,
    fills,
    hover_tooltip,
    open_popup,
    place,
    settle,
    wait_fill,
    wait_html,
)
from .test_hostile import PAYLOADS, _assert_inert, _flat, _places, _yarmouk_quote

pytestmark = pytest.mark.browser

ISIS, NO_DATA, AJNAD = "#1a1a1a", "#bdbdbd", "#66c2a4"
YARMOUK_QUOTE = "ان داعش وبالتحالف مع النصرة يحكم سيطرته"
HOSTILE = FIXTURES / "hostile"
HOW = ("http", "file")


def _export(out: Path, *args: str) -> Path:
    assert main(["export", "--out", str(out), *args]) == 0
    return out


@pytest.fixture(scope="module")
def serve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[Path], str]]:
    """A factory: the address of ``python -m http.server`` on 127.0.0.1 serving a folder."""
    servers: dict[Path, Server] = {}
    logs = tmp_path_factory.mktemp("http-logs")

    def get(folder: Path) -> str:
        if folder not in servers:
            port = free_port()
            log = logs / f"http-{len(servers)}.log"
            with log.open("wb") as out:
                process = subprocess.Popen(
                    [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
                    cwd=folder,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            server = servers[folder] = Server(process, f"http://127.0.0.1:{port}", log)
            deadline = time.monotonic() + 30
            while True:
                try:
                    with urllib.request.urlopen(f"{server.url}/index.html", timeout=2):
                        break
                except (urllib.error.URLError, OSError):
                    if time.monotonic() > deadline or process.poll() is not None:
                        raise
                    time.sleep(0.1)
        return servers[folder].url

    try:
        yield get
    finally:
        for server in servers.values():
            server.stop()


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("sites")
    return {
        "shipped": _export(root / "shipped", "--tiles", "none"),
        "osm": _export(root / "osm"),
        "hostile": _export(root / "hostile", "--tiles", "none", "--data", str(HOSTILE)),
    }


@pytest.fixture(params=HOW)
def address(
    request: pytest.FixtureRequest, sites: dict[str, Path], serve: Callable[[Path], str]
) -> Callable[[str], str]:
    """A factory: the address of an exported site's page, over http or from disk."""

    def get(name: str) -> str:
        folder = sites[name]
        if request.param == "http":
            return f"{serve(folder)}/index.html"
        return (folder / "index.html").as_uri()

    return get


def open_map(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_function(
        "n => document.querySelectorAll('path.mapapp-place').length === n", arg=PLACE_COUNT
    )
    settle(page.main_frame)


def chunks_loaded(page: Page, every: bool = False) -> int:
    """How many of the chunk scripts of popups and tooltips (the html table's; with
    ``every``, of any chunk: frames, the rest of the map's data, legends) the page has
    loaded or is loading (a page opened from disk has no resource timing to count them by)."""
    count: int = page.evaluate(
        """every => {
            const table = MAPAPP_DATA.html.files.map(MapappMap.chunkKey);
            return MapappMap.chunksRequested().filter(k => every || table.includes(k)).length;
        }""",
        every,
    )
    return count


def day_text(page: Page) -> str:
    return page.locator("#day-text").inner_text()


def hash_params(page: Page) -> dict[str, str]:
    text: str = page.evaluate("location.hash")
    return dict(part.split("=", 1) for part in text.lstrip("#").split("&"))


def set_day(page: Page, day: str) -> None:
    """Move the slider as a script would: set its value and dispatch ``input``."""
    page.evaluate(
        """day => {
            const input = document.getElementById('day');
            const first = Date.parse(window.MAPAPP_DATA.range.first);
            input.value = String(Math.round((Date.parse(day) - first) / 86400000));
            input.dispatchEvent(new Event('input', {bubbles: true}));
        }""",
        day,
    )


def test_draws_the_map_offline(watch: Watch, address: Callable[[str], str]) -> None:
    page = watch.page
    open_map(page, address("shipped") + "#date=2015-09-15")
    assert page.locator("path.mapapp-place").count() == PLACE_COUNT
    assert page.locator("path.mapapp-outline").count() == PLACE_COUNT
    assert page.locator("path.mapapp-stripe").count() > 0
    assert page.locator("path.mapapp-event").count() > 0
    assert page.locator("path.mapapp-condition").count() > 0
    colours = fills(page.main_frame)
    assert colours["yarmouk"] == ISIS
    assert colours["qadam"] == AJNAD
    stripes = page.locator("path.mapapp-stripe-yarmouk")
    # al-Nusra, ISIS's ally, a thin band in its own (not ochre) colour
    assert {stripes.nth(i).get_attribute("fill") for i in range(stripes.count())} == {"#7b3294"}
    # al-Qadam is besieged and its answer is uncertain: thick pink dashed outline
    outline = page.locator("path.mapapp-outline-qadam")
    assert outline.get_attribute("stroke") == "#c2185b"
    legend = page.locator("#legend").inner_text()
    assert "Islamic State (ISIS)" in legend
    assert "No data" in legend
    assert page.evaluate("typeof L") == "object"
    assert page.locator(".leaflet-tile").count() == 0
    _assert_inert(watch)


def test_slider_and_change_buttons_recolour(watch: Watch, address: Callable[[str], str]) -> None:
    page = watch.page
    frame = page.main_frame
    open_map(page, address("shipped") + "#date=2015-09-15")
    assert fills(frame)["tadamon"] == ISIS
    set_day(page, "2015-05-01")
    wait_fill(frame, "tadamon", NO_DATA)
    assert day_text(page) == "2015-05-01"
    assert hash_params(page)["date"] == "2015-05-01"
    colours = fills(frame)
    assert colours.pop("yarmouk") == ISIS
    assert set(colours.values()) == {NO_DATA}

    # the keyboard moves the slider a day at a time
    page.locator("#day").focus()
    page.keyboard.press("ArrowRight")
    assert day_text(page) == "2015-05-02"

    # next change: 11 Aug 2015, when the investigation's picture begins
    page.locator("#next").click()
    assert day_text(page) == "2015-08-11"
    wait_fill(frame, "tadamon", ISIS)
    page.locator("#prev").click()
    assert day_text(page) == "2015-03-21"  # the last days of March: ISIS's large parts
    page.locator("#prev").click()
    assert day_text(page) == "2015-03-01"
    assert page.locator("#prev").is_disabled(), "no change before the first"
    _assert_inert(watch)


def test_popup_cites_the_arabic_words(watch: Watch, address: Callable[[str], str]) -> None:
    page = watch.page
    open_map(page, address("shipped") + "#date=2015-09-15")
    # the popups and tooltips are not loaded with the map: a chunk script when one opens
    assert chunks_loaded(page) == 0
    tooltip = hover_tooltip(page.main_frame, place("qadam"))
    assert "al-Qadam" in tooltip
    assert chunks_loaded(page) == 1
    popup = open_popup(page.main_frame, place("yarmouk"))
    assert YARMOUK_QUOTE in popup
    assert "Elaph" in popup
    assert "Sole control" in popup and "with its ally al-Nusra Front" in popup
    # clicking selects the place: in the link and beside the map
    assert hash_params(page)["place"] == "yarmouk"
    expect(page.locator("#selected")).to_contain_text(YARMOUK_QUOTE)
    assert chunks_loaded(page) == 1, "a chunk is loaded once"
    condition = open_popup(page.main_frame, "path.mapapp-condition")
    assert "al-Qadam" in condition
    _assert_inert(watch)


def test_arabic_reads_right_to_left(watch: Watch, address: Callable[[str], str]) -> None:
    page = watch.page
    open_map(page, address("shipped") + "#lang=ar")
    assert page.evaluate("document.documentElement.dir") == "rtl"
    assert page.evaluate("document.documentElement.lang") == "ar"
    assert page.locator("#title").inner_text().startswith("جنوب دمشق")
    assert day_text(page) == "2015-09-30"
    popup = open_popup(page.main_frame, place("yarmouk"))
    assert "سيطرة منفردة" in popup and "مع حليفه" in popup
    assert YARMOUK_QUOTE in popup
    page.locator('button[data-lang="en"]').click()
    assert page.evaluate("document.documentElement.dir") == "ltr"
    assert hash_params(page)["lang"] == "en"
    assert "Sole control" in page.locator(".leaflet-popup-content").inner_text()
    _assert_inert(watch)


def test_link_restores_the_view_and_ignores_bad_values(
    watch: Watch, address: Callable[[str], str]
) -> None:
    page = watch.page
    url = address("shipped")
    open_map(page, url + "#date=2015-05-01&place=tadamon&lang=ar")
    assert day_text(page) == "2015-05-01"
    assert page.locator("#place").input_value() == "tadamon"
    assert fills(page.main_frame)["tadamon"] == NO_DATA
    assert page.locator("#notice").is_hidden()

    bad = "#date=2015-13-40&place=%3Cimg%20src%3Dx%20onerror%3Dwindow.__xss%3D1%3E&lang=fr"
    open_map(page, url + bad)
    notice = page.locator("#notice").inner_text()
    assert notice.endswith("date, place, lang")
    assert "img" not in notice
    assert "fr" not in notice.split(":", 1)[1]
    assert day_text(page) == "2015-09-30"
    assert page.evaluate("document.documentElement.dir") == "ltr"
    assert hash_params(page) == {"date": "2015-09-30", "lang": "en"}
    # out of range, and a place named like an object property
    open_map(page, url + "#date=2016-01-01&place=constructor")
    assert page.locator("#notice").inner_text().endswith("date, place")
    assert page.locator("#selected").inner_text() == ""
    # editing the address changes the view in place
    page.evaluate("location.hash = '#date=2015-09-15&place=yarmouk&lang=en'")
    page.wait_for_function("document.getElementById('day-text').textContent === '2015-09-15'")
    assert page.locator("#notice").is_hidden()
    expect(page.locator("#selected")).to_contain_text(YARMOUK_QUOTE)
    _assert_inert(watch)


def test_basemap_asks_only_the_tile_server(watch: Watch, address: Callable[[str], str]) -> None:
    page = watch.page
    open_map(page, address("osm") + "#date=2015-09-15")
    page.wait_for_function("document.querySelectorAll('.leaflet-tile').length > 0")
    assert "OpenStreetMap" in page.locator(".leaflet-control-attribution").inner_text()
    assert "OpenStreetMap" in page.locator("#attribution").inner_text()
    assert watch.blocked, "the tiles were asked for (and blocked)"
    assert all(u.startswith("https://tile.openstreetmap.org/") for u in watch.blocked)
    assert watch.errors == []
    assert watch.dialogs == []


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_hostile_data_shows_as_text_and_never_runs(
    watch: Watch, address: Callable[[str], str], lang: str
) -> None:
    page = watch.page
    open_map(page, address("hostile") + f"#date=2015-09-15&lang={lang}")
    assert page.locator("path.mapapp-place").count() == PLACE_COUNT
    yarmouk = _places()["yarmouk"]
    # names and quotes hold line breaks (blank-line payloads): HTML shows them as spaces
    tooltip = _flat(hover_tooltip(page.main_frame, place("qadam")))
    assert _flat(_places()["qadam"]["name_ar" if lang == "ar" else "name_en"]) in tooltip
    popup = _flat(open_popup(page.main_frame, place("yarmouk")))
    assert _flat(yarmouk["name_en"]) in popup
    assert _flat(yarmouk["name_ar"]) in popup
    assert _flat(_yarmouk_quote("sole")) in popup
    shown = [p for p in PAYLOADS if _flat(p) and _flat(p) in popup]
    assert len(shown) >= 3, f"payloads not shown literally: {popup!r}"
    if lang == "en":
        assert "<script>window.__xss=2</script>" in popup
        assert '<img src=x onerror="window.__xss=1">' in popup
    for selector in ("path.mapapp-condition", "path.mapapp-event"):
        text = _flat(open_popup(page.main_frame, selector))
        assert any(_flat(p) in text for p in PAYLOADS if _flat(p)), text
    # names set as text: the place list and the selected place's heading (a click inside
    # al-Qadam's siege ring is a click on al-Qadam, which selects it: pick Yarmouk again)
    page.locator("#place").select_option("yarmouk")
    name = _flat(yarmouk["name_ar" if lang == "ar" else "name_en"])
    options = [_flat(o) for o in page.locator("#place option").all_inner_texts()]
    assert name in options
    assert name in _flat(page.locator("#selected-title").inner_text())
    legend = _flat(page.locator("#legend").inner_text())
    assert any(_flat(p) in legend for p in PAYLOADS if _flat(p)), legend
    _assert_inert(watch)


def test_another_language_and_rule_load_their_frames_when_chosen(
    watch: Watch, address: Callable[[str], str]
) -> None:
    """data.js holds the English newest-report frames; a link in Arabic, under another rule
    and comparing two days (the compared map draws the newest report) loads the rest."""
    page = watch.page
    page.goto(address("shipped") + "#date=2015-09-15&compare=2015-03-15&lang=ar&rule=reliable")
    page.wait_for_function(
        """n => ['#map', '#map-compare'].every(
            m => document.querySelectorAll(m + ' path.mapapp-place').length === n)""",
        arg=PLACE_COUNT,
    )
    settle(page.main_frame)
    assert page.locator("#map path.mapapp-place-yarmouk").get_attribute("fill") == ISIS
    assert page.locator("#rule").input_value() == "reliable"
    wait_html(page.main_frame, "#legend")
    assert "داعش" in page.locator("#legend").inner_text()
    assert chunks_loaded(page) >= 1, "the Arabic legend"
    assert chunks_loaded(page, every=True) >= 4, "the Arabic frames (both rules), the rest"
    # back to English: its frames were there from the start, drawn at once
    page.locator('button[data-lang="en"]').click()
    expect(page.locator("#legend")).to_contain_text("Islamic State (ISIS)")
    assert page.locator("#map path.mapapp-place-yarmouk").get_attribute("fill") == ISIS
    _assert_inert(watch)


def _canvas_point(page: Page, place_id: str) -> dict[str, float]:
    """A point inside a place (its name's anchor) in the page, and the places' canvas's
    pixel there (red, green, blue, alpha)."""
    point: dict[str, float] = page.evaluate(
        """id => {
            const spec = MAPAPP_DATA.labels.find(l => l.id === id);
            const p = mapappMap.latLngToContainerPoint([spec.lat, spec.lon]);
            const box = document.querySelector('#map').getBoundingClientRect();
            const x = box.left + p.x, y = box.top + p.y;
            const canvas = document.querySelector('#map .mapapp-hit canvas');
            const r = canvas.getBoundingClientRect();
            const scale = canvas.width / r.width;
            const px = canvas.getContext('2d').getImageData(
                Math.round((x - r.left) * scale), Math.round((y - r.top) * scale), 1, 1).data;
            return {x, y, r: px[0], g: px[1], b: px[2], a: px[3]};
        }""",
        place_id,
    )
    return point


def test_a_large_map_draws_its_places_on_a_canvas(
    watch: Watch, address: Callable[[str], str]
) -> None:
    """Above MapappMap.LARGE places the static map draws the places, their stripes and
    outlines on a canvas (``?renderer=canvas`` asks for it at any size): the same colours,
    a popup citing the source on a click, a tooltip on hover, names and front lines."""
    page = watch.page
    page.goto(address("shipped") + "?renderer=canvas#date=2015-09-15")
    page.wait_for_function("n => document.querySelector('#map').dataset.placesDrawn == n", arg=12)
    assert page.locator("#map path.mapapp-place, #map path.mapapp-outline").count() == 0
    for pane in ("places", "patterns", "outlines"):
        assert page.locator(f"#map .leaflet-mapapp-{pane}-pane canvas").count() == 1, pane
    # the rest of the data (the names among it) arrives once the places are painted
    page.wait_for_function("() => !MAPAPP_DATA.rest && MAPAPP_DATA.labels !== undefined")
    page.wait_for_function("() => document.querySelectorAll('#map .mapapp-label span').length")
    assert page.locator("#map path.mapapp-front").count() > 0, "the front lines, as SVG"
    yarmouk = _canvas_point(page, "yarmouk")
    colour = "#" + "".join(f"{int(yarmouk[c]):02x}" for c in "rgb")
    assert colour == ISIS and yarmouk["a"] > 0, yarmouk
    # a click on the canvas opens the place's popup and selects it
    page.mouse.click(yarmouk["x"], yarmouk["y"])
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text(YARMOUK_QUOTE)
    assert hash_params(page)["place"] == "yarmouk"
    page.evaluate("mapappMap.closePopup()")
    expect(popup).to_have_count(0)
    page.wait_for_timeout(300)  # the popup's pan, if any, has ended
    qadam = _canvas_point(page, "qadam")
    page.mouse.move(qadam["x"], qadam["y"])
    page.mouse.move(qadam["x"] + 1, qadam["y"])
    expect(page.locator(".leaflet-tooltip")).to_contain_text("al-Qadam")
    # another day repaints the canvas: yarmouk before ISIS took it is not black
    page.evaluate("location.hash = '#date=2015-03-01&lang=en'")
    expect(page.locator("#day-text")).to_have_text("2015-03-01")
    before = _canvas_point(page, "yarmouk")
    page.wait_for_function(
        """([x, y]) => {
            const canvas = document.querySelector('#map .mapapp-hit canvas');
            const r = canvas.getBoundingClientRect(), s = canvas.width / r.width;
            const px = canvas.getContext('2d').getImageData(
                Math.round((x - r.left) * s), Math.round((y - r.top) * s), 1, 1).data;
            return px[0] + px[1] + px[2] > 60;
        }""",
        arg=[before["x"], before["y"]],
    )
    _assert_inert(watch)
