"""Issue 13 in a real browser: the map read at a glance, measured, not eyeballed.

At 1400 x 1000, 1366 x 768 and 390 x 844, in English and Arabic, in the static export and on the
page: element boxes against the viewport (the map first, the date control above it, the
legend beside it on a laptop, the title on one line), the names on the map (all shown at
the default zoom, none overlapping, none catching a click), the first click on a place
opening that place's popup, popups as wide as the map allows and clear of the zoom
control, Arabic right-aligned with the quote no smaller than its translation, front lines
with their tooltips, compare outlines and list, and a console with no warnings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from mapapp.cli import main

from .conftest import PLACE_COUNT, settle

pytestmark = pytest.mark.browser

SIZES = [(1400, 1000), (1366, 768), (390, 844)]
LANGS = ["en", "ar"]
DAY = "2015-09-15"

#: boxes of what the issue promises, read in the page
MEASURE = """(sel) => {
  const box = (el) => { if (!el) return null; const r = el.getBoundingClientRect();
    return {left: r.left, top: r.top, right: r.right, bottom: r.bottom,
            width: r.width, height: r.height}; };
  const q = (s) => document.querySelector(s);
  const title = q(sel.title);
  const labels = [...document.querySelectorAll('.mapapp-label:not(.mapapp-label-hidden) span')]
    .map((s) => ({text: s.textContent, place: s.parentElement.dataset.place, box: box(s)}));
  return {
    viewport: {width: innerWidth, height: innerHeight},
    map: box(q(sel.map)), slider: box(q(sel.slider)), legend: box(q(sel.legend)),
    title: box(title),
    // what is seen at the title's left end, half-way down: the title, not something over it
    titleSeen: (() => { const r = title.getBoundingClientRect();
      return title.contains(document.elementFromPoint(r.left + 4, r.top + r.height / 2)); })(),
    titleLine: parseFloat(getComputedStyle(title).lineHeight) ||
      1.3 * parseFloat(getComputedStyle(title).fontSize),
    labels,
    sidebar: (() => { const s = document.querySelector('section[data-testid="stSidebar"]');
      if (!s) return 0; const r = s.getBoundingClientRect(); return r.right > 0 ? r.width : 0; })(),
  };
}"""

EXPORT = {"map": "#map", "slider": "#day", "legend": "#legend", "title": "#title"}
PAGE = {
    "map": ".mapapp-map",
    "slider": ".mapapp-slider",
    "legend": ".mapapp-legend-item",
    "title": "h1.mapapp-title",
}


def _overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return not (
        a["right"] <= b["left"]
        or b["right"] <= a["left"]
        or a["bottom"] <= b["top"]
        or b["bottom"] <= a["top"]
    )


def assert_map_first(m: dict[str, Any]) -> None:
    """The promises of 'the map first', on one measurement."""
    vw, vh = m["viewport"]["width"], m["viewport"]["height"]
    the_map, slider, title = m["map"], m["slider"], m["title"]
    assert title["height"] <= 1.6 * m["titleLine"], f"the title wraps: {title}"
    assert m["titleSeen"], f"something covers the title: {title}"
    assert slider["bottom"] <= the_map["top"] + 1, f"the date control is not above the map: {m}"
    assert slider["top"] >= 0 and slider["bottom"] <= vh, "the date control is on screen"
    assert the_map["top"] >= 0 and the_map["bottom"] <= vh + 1, f"map below the fold: {the_map}"
    assert the_map["height"] >= 0.6 * vh, f"the map is not most of the screen: {the_map}"
    if vw >= 1000:  # a laptop: the legend beside the map, on the first screen
        legend = m["legend"]
        assert legend["top"] < vh
        beside = legend["left"] >= the_map["right"] - 1 or legend["right"] <= the_map["left"] + 1
        assert beside, f"the legend is not beside the map: {legend} vs {the_map}"
        # most of what the page has beside its sidebar (if it has one open)
        room = (vw - m["sidebar"]) * vh
        assert the_map["width"] * the_map["height"] >= 0.5 * room, (the_map, m["sidebar"])


def assert_labels(page: Page, m: dict[str, Any]) -> None:
    """Every place named at the default zoom, no two names overlapping, none clickable."""
    labels = m["labels"]
    assert len(labels) == PLACE_COUNT, [x["text"] for x in labels]
    for i, a in enumerate(labels):
        for b in labels[i + 1 :]:
            assert not _overlap(a["box"], b["box"]), (a, b)
    for label in labels:
        box = label["box"]
        x, y = (box["left"] + box["right"]) / 2, (box["top"] + box["bottom"]) / 2
        hit = page.evaluate(
            "([x, y]) => { const el = document.elementFromPoint(x, y); "
            "return el ? el.getAttribute('class') || el.tagName : null; }",
            [x, y],
        )
        assert hit is not None and "mapapp-label" not in hit, f"{label['text']} catches clicks"


def first_click_opens(page: Page, m: dict[str, Any], place: str, name: str) -> dict[str, Any]:
    """Click once at the place's name (its pole of inaccessibility): its popup opens, as
    wide as the map allows, clear of the zoom control. Returns the popup's measures."""
    label = next(x for x in m["labels"] if x["place"] == place)
    box = label["box"]
    page.mouse.click((box["left"] + box["right"]) / 2, (box["top"] + box["bottom"]) / 2)
    page.wait_for_selector(".leaflet-popup-content", timeout=10_000)
    page.wait_for_timeout(400)  # the auto-pan
    found: dict[str, Any] = page.evaluate(
        """() => {
          const box = (el) => { const r = el.getBoundingClientRect();
            return {left: r.left, top: r.top, right: r.right, bottom: r.bottom, width: r.width}; };
          const popup = document.querySelector('.leaflet-popup');
          const content = popup.querySelector('.mapapp-popup')
            || popup.querySelector('.leaflet-popup-content');
          const quote = popup.querySelector('.mapapp-quote');
          const translation = popup.querySelector('.mapapp-translation');
          return {
            text: popup.innerText,
            popup: box(popup.querySelector('.leaflet-popup-content-wrapper')),
            map: box(popup.closest('.leaflet-container')),
            zoom: box(document.querySelector('.leaflet-control-zoom')),
            align: getComputedStyle(content).textAlign,
            direction: getComputedStyle(content).direction,
            quote: quote ? parseFloat(getComputedStyle(quote).fontSize) : null,
            translation: translation ? parseFloat(getComputedStyle(translation).fontSize) : null,
          };
        }"""
    )
    assert name in found["text"], f"the first click opened {found['text'][:80]!r}"
    assert found["popup"]["width"] <= found["map"]["width"], "the popup is wider than the map"
    assert found["popup"]["left"] >= found["map"]["left"] - 1
    assert found["popup"]["right"] <= found["map"]["right"] + 1
    assert not _overlap(found["popup"], found["zoom"]), "the zoom control covers the popup"
    if found["quote"] is not None:
        assert found["quote"] >= found["translation"], found
    return found


# ---- the static export ------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("glance") / "site"
    assert main(["export", "--out", str(out), "--tiles", "none"]) == 0
    return out


@pytest.fixture
def fresh(browser: Browser) -> Iterator[Any]:
    """A factory of pages at a given size, each recording console warnings and errors."""
    made: list[Any] = []

    def get(width: int, height: int) -> tuple[Page, list[str]]:
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        page.set_default_timeout(60_000)
        noise: list[str] = []
        page.on(
            "console",
            lambda msg: (
                noise.append(f"{msg.type}: {msg.text}")
                if msg.type in ("warning", "error")
                else None
            ),
        )
        page.on("pageerror", lambda error: noise.append(f"pageerror: {error}"))
        made.append(context)
        return page, noise

    yield get
    for context in made:
        context.close()


def open_export(page: Page, site: Path, params: str) -> dict[str, Any]:
    page.goto(f"{(site / 'index.html').as_uri()}#{params}")
    page.wait_for_function(
        "n => document.querySelectorAll('#map .mapapp-label span').length === n && "
        "document.querySelectorAll('#map path.mapapp-place').length === n",
        arg=PLACE_COUNT,
    )
    settle(page.main_frame)
    page.wait_for_timeout(300)
    measured: dict[str, Any] = page.evaluate(MEASURE, EXPORT)
    return measured


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(("width", "height"), SIZES)
def test_export_reads_at_a_glance(
    fresh: Any, site: Path, width: int, height: int, lang: str
) -> None:
    page, noise = fresh(width, height)
    m = open_export(page, site, f"date={DAY}&lang={lang}")
    assert_map_first(m)
    assert_labels(page, m)
    popup = first_click_opens(page, m, "yarmouk", "مخيم اليرموك" if lang == "ar" else "Yarmouk")
    if lang == "ar":
        assert popup["direction"] == "rtl" and popup["align"] in ("right", "start"), popup
    assert noise == []


def test_export_first_click_on_a_besieged_place_opens_the_place(fresh: Any, site: Path) -> None:
    """The siege ring sits at al-Qadam's reference point; a click inside it is al-Qadam's."""
    page, _ = fresh(1366, 768)
    open_export(page, site, f"date={DAY}&lang=en")
    ring = page.locator("path.mapapp-condition").first.bounding_box()
    assert ring is not None
    page.mouse.click(ring["x"] + ring["width"] / 2, ring["y"] + ring["height"] / 2)
    page.wait_for_selector(".leaflet-popup-content")
    text = page.locator(".leaflet-popup-content").inner_text()
    assert "al-Qadam" in text and "Sole control" in text, text[:120]


def test_export_names_toggle_and_front_lines_explain_themselves(fresh: Any, site: Path) -> None:
    page, noise = fresh(1400, 1000)
    open_export(page, site, f"date={DAY}&lang=en")
    fronts = page.locator("path.mapapp-front.leaflet-interactive")
    assert fronts.count() > 0
    pairs = set(
        page.eval_on_selector_all(
            "path.leaflet-interactive[data-pair]", "els => els.map(e => e.dataset.pair)"
        )
    )
    assert "jihadist|opposition" in pairs
    legend = page.locator("#front-legend").inner_text()
    assert "Front: Jihadist groups | Opposition" in legend
    # hover a point on the line itself (its box's centre may lie off it)
    x, y = page.evaluate(
        """() => { const path = document.querySelector('path.mapapp-front.leaflet-interactive');
          const p = path.getPointAtLength(path.getTotalLength() / 2);
          const m = path.getScreenCTM();
          return [m.a * p.x + m.c * p.y + m.e, m.b * p.x + m.d * p.y + m.f]; }"""
    )
    page.mouse.move(x - 3, y - 3)
    page.mouse.move(x, y)
    page.wait_for_selector(".mapapp-front-tip")
    tip = page.locator(".mapapp-front-tip").inner_text()
    assert " m" in tip and "|" not in tip and ":" in tip
    page.locator(".mapapp-toggle-names").uncheck()
    assert page.locator(".mapapp-label").count() == 0
    page.locator(".mapapp-toggle-names").check()
    assert page.locator(".mapapp-label:not(.mapapp-label-hidden)").count() == PLACE_COUNT
    page.locator(".mapapp-toggle-fronts").uncheck()
    assert page.locator("path.mapapp-front").count() == 0
    assert noise == []


def test_export_legend_explains_every_state(fresh: Any, site: Path) -> None:
    page, _ = fresh(1400, 1000)
    open_export(page, site, f"date={DAY}&lang=en")
    items = page.eval_on_selector_all(
        "#legend .mapapp-legend-item",
        """els => els.map(e => ({key: e.dataset.key,
              swatch: getComputedStyle(e.querySelector('.mapapp-swatch')).backgroundImage + '|' +
                      getComputedStyle(e.querySelector('.mapapp-swatch')).backgroundColor,
              sentence: (e.querySelector('.mapapp-legend-sentence') || {}).textContent || ''}))""",
    )
    by_key = {i["key"]: i for i in items}
    states = ["sole", "shared", "partial", "presence", "no-data", "uncertain"]
    for key in states:
        assert len(by_key[key]["sentence"]) > 20, key
    swatches = [by_key[k]["swatch"] for k in ("sole", "shared", "partial", "presence", "no-data")]
    assert len(set(swatches)) == len(swatches), "two states look alike in the legend"


def test_export_compare_outlines_and_lists_the_places_that_differ(fresh: Any, site: Path) -> None:
    page, noise = fresh(1400, 1000)
    open_export(page, site, f"date={DAY}&compare=2015-03-15&lang=en")
    listed = page.eval_on_selector_all("#differs a", "els => els.map(e => e.dataset.place)")
    outlined = page.eval_on_selector_all(
        "path.mapapp-compare-outline",
        "els => els.map(e => [...e.classList].find(c => c.startsWith('mapapp-compare-') "
        "&& c !== 'mapapp-compare-outline').slice(15))",
    )
    assert listed and sorted(listed) == sorted(outlined)
    assert "yarmouk" in listed  # opposition then, ISIS and al-Nusra now
    assert "compare=2015-03-15" in page.evaluate("location.hash")
    # side by side: the compared day's own map beside the day's, both whole on the screen
    assert page.locator("#compare-day").inner_text() == "2015-03-15"
    first = page.locator("#map").bounding_box()
    twin = page.locator("#map-compare").bounding_box()
    assert first is not None and twin is not None
    assert twin["x"] >= first["x"] + first["width"] - 1 and twin["y"] == first["y"]
    assert twin["y"] + twin["height"] <= 1000 + 1
    assert page.locator("#map-compare path.mapapp-place").count() == PLACE_COUNT
    # the same day compared with itself: nothing differs
    page.evaluate("() => { location.hash = '#date=2015-09-15&compare=2015-09-15&lang=en'; }")
    page.wait_for_function(
        "() => document.querySelectorAll('path.mapapp-compare-outline').length === 0"
    )
    assert page.locator("#differs li").count() == 1
    assert noise == []


def test_export_ground_chart_marks_the_day(fresh: Any, site: Path) -> None:
    page, _ = fresh(1400, 1000)
    open_export(page, site, f"date={DAY}&lang=ar")
    marker = page.locator("line.mapapp-ground-day")
    assert marker.get_attribute("data-day") == DAY
    ticks = page.eval_on_selector_all(
        "text.mapapp-ground-tick", "els => els.map(e => e.textContent)"
    )
    assert ticks and all("2014" in x or "2015" in x for x in ticks), ticks
    assert any("أيلول" in x or "آب" in x or "آذار" in x for x in ticks), ticks
    assert page.locator("path.mapapp-ground-area").count() >= 2
    page.locator("#prev").click()
    assert page.locator("line.mapapp-ground-day").get_attribute("data-day") != DAY


# ---- the page ---------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(("width", "height"), SIZES)
def test_page_reads_at_a_glance(
    fresh: Any, app_url: str, width: int, height: int, lang: str
) -> None:
    page, noise = fresh(width, height)
    page.goto(f"{app_url}/?date={DAY}&lang={lang}")
    page.wait_for_function(
        "n => document.querySelectorAll('.mapapp-label span').length === n && "
        "document.querySelectorAll('.mapapp-map path.mapapp-place').length === n",
        arg=PLACE_COUNT,
        timeout=120_000,
    )
    settle(page.main_frame)
    page.wait_for_timeout(1500)  # the page's layout settles around the map
    m: dict[str, Any] = page.evaluate(MEASURE, PAGE)
    assert_map_first(m)
    assert_labels(page, m)
    scrolled_before = page.evaluate(
        "() => [...document.querySelectorAll('*')].reduce((s, e) => s + e.scrollTop, 0)"
    )
    first_click_opens(page, m, "yarmouk", "مخيم اليرموك" if lang == "ar" else "Yarmouk")
    scrolled_after = page.evaluate(
        "() => [...document.querySelectorAll('*')].reduce((s, e) => s + e.scrollTop, 0)"
    )
    assert scrolled_after == scrolled_before, "the page jumped on the first click"
    popup_dir = page.evaluate(
        "() => getComputedStyle(document.querySelector('.leaflet-popup .mapapp-popup')).textAlign"
    )
    if lang == "ar":
        assert popup_dir in ("right", "start"), popup_dir
    assert [n for n in noise if "mapapp" in n or "extent" in n.lower()] == []


def test_export_tiles_notice_is_seen_above_the_map(fresh: Any, tmp_path: Path) -> None:
    """Offline, with a tile server set: the notice shows on the first screen, above the map."""
    out = tmp_path / "tiles"
    assert (
        main(["export", "--out", str(out), "--tiles", "https://tile.invalid/{z}/{x}/{y}.png"]) == 0
    )
    page, _ = fresh(1366, 768)
    page.route(
        "**/*",
        lambda route: route.abort() if "tile.invalid" in route.request.url else route.continue_(),
    )
    page.goto(f"{(out / 'index.html').as_uri()}#date={DAY}&lang=en")
    page.wait_for_selector("#notice:not([hidden])")
    notice = page.locator("#notice").bounding_box()
    the_map = page.locator("#map").bounding_box()
    assert notice is not None and the_map is not None
    assert notice["y"] >= 0 and notice["y"] + notice["height"] <= the_map["y"] + 1
    assert "tiles" in page.locator("#notice").inner_text()


def test_page_compare_side_by_side_outlined_and_listed(fresh: Any, app_url: str) -> None:
    page, noise = fresh(1400, 1000)
    page.goto(f"{app_url}/?date={DAY}&lang=en&compare=2015-03-15")
    page.wait_for_function(
        "n => document.querySelectorAll('.mapapp-twin path.mapapp-place').length === n",
        arg=PLACE_COUNT,
        timeout=120_000,
    )
    settle(page.main_frame)
    first = page.locator(".mapapp-map").bounding_box()
    twin = page.locator(".mapapp-twin").bounding_box()
    assert first is not None and twin is not None
    assert twin["x"] >= first["x"] + first["width"] - 1, "side by side"
    assert page.locator(".mapapp-compare-day").inner_text() == "2015-03-15"
    outlined = page.locator(".mapapp-map path.mapapp-compare-outline").count()
    listed = page.locator("ul.mapapp-differs li").all_inner_texts()
    assert outlined == len(listed) > 0
    assert "Yarmouk Camp" in listed
    assert "compare=2015-03-15" in page.url
    assert [n for n in noise if "mapapp" in n or "extent" in n.lower()] == []


def test_export_names_of_hostile_data_are_text(fresh: Any, tmp_path: Path) -> None:
    """Place names carrying markup are shown on the map as the text they are, and run nothing."""
    from ..conftest import FIXTURES

    out = tmp_path / "hostile"
    assert (
        main(["export", "--out", str(out), "--tiles", "none", "--data", str(FIXTURES / "hostile")])
        == 0
    )
    page, _ = fresh(1400, 1000)
    page.goto(f"{(out / 'index.html').as_uri()}#date={DAY}&lang=en")
    page.wait_for_function("() => document.querySelectorAll('#map .mapapp-label span').length > 0")
    page.wait_for_timeout(300)
    texts = page.eval_on_selector_all(
        "#map .mapapp-label", "els => els.map(e => e.firstChild.textContent)"
    )
    assert any("<" in x for x in texts), texts
    assert page.locator("#map .mapapp-label script, #map .mapapp-label img").count() == 0
    assert page.evaluate("() => window.__xss === undefined && window.__pwned === undefined")


def test_export_draws_the_front_lines_of_any_day_from_their_file(fresh: Any, site: Path) -> None:
    """data.js holds the front lines of the day the map opens on; another day's come from
    the file of every line, loaded when that day is shown: the lines drawn are that day's."""
    from mapapp.web.export import read_site

    bundle = read_site(site)
    starts = [f["start"] for f in bundle["fronts"]]
    page, noise = fresh(1400, 1000)
    for day in ("2015-12-10", DAY, "2015-08-20"):
        k = max(i for i, s in enumerate(starts) if s <= day)
        want = sorted(
            (x["pair"], x["kind"])
            for x in bundle["frontLines"]
            if x["frames"][0] <= k < x["frames"][1]
        )
        open_export(page, site, f"date={day}&lang=en")
        page.wait_for_function(
            "n => document.querySelectorAll('path.mapapp-front.leaflet-interactive').length === n",
            arg=len(want),
        )
        got = page.eval_on_selector_all(
            "path.leaflet-interactive[data-pair]",
            "els => els.map(e => [e.dataset.pair, e.dataset.kind])",
        )
        assert sorted(map(tuple, got)) == want, day
    assert noise == []
