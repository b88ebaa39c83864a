"""The static export of the hostile data, in Debian's Chromium, offline: every popup and
tooltip opened, both languages, the slider moved, and every payload of the corpus put in the
link's ``#date=…&place=…&lang=…``. Nothing runs, the map still draws, the text reads
literally.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import Page

from mapapp.cli import main

from ..conftest import FIXTURES
from ..hostile_payloads import CORPUS, RAN_JS, payload
from .conftest import PLACE_COUNT, Watch, wait_html
from .test_export_browser import HOW, open_map, serve, set_day

pytestmark = pytest.mark.browser

HOSTILE = FIXTURES / "hostile"
TITLE_EN = "Southern Damascus"
__all__ = ["serve"]  # the fixture, used through `address`

#: elements no payload may add where the data is shown (popups, tooltips, legend, the
#: selected place, the notice); our own markup has none of them
_AREAS = (".leaflet-popup-content", ".leaflet-tooltip", "#legend", "#selected", "#notice")
_TAGS = "script style link meta base iframe frame object embed form input button img svg math"
FOREIGN = (
    ", ".join(f"{area} {tag}" for area in _AREAS for tag in [*_TAGS.split(), "details", "noscript"])
    + ", "
    + ", ".join(f"{area} a:not([href^='http'])" for area in _AREAS)
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("hostile-export") / "site"
    assert main(["export", "--out", str(out), "--tiles", "none", "--data", str(HOSTILE)]) == 0
    return out


@pytest.fixture(params=HOW)
def url(request: pytest.FixtureRequest, site: Path, serve: Callable[[Path], str]) -> str:
    if request.param == "http":
        return f"{serve(site)}/index.html"
    return (site / "index.html").as_uri()


def _places() -> dict[str, dict[str, str]]:
    collection = json.loads((HOSTILE / "neighbourhoods.geojson").read_text(encoding="utf-8"))
    return {f["properties"]["id"]: f["properties"] for f in collection["features"]}


def _assert_inert(watch: Watch, title: str) -> None:
    page = watch.page
    for frame in page.frames:
        assert not frame.evaluate(RAN_JS), f"a payload ran in {frame.url}"
    assert page.title() == title
    assert watch.dialogs == []
    assert watch.errors == []
    assert watch.blocked == [], "a payload made a request off this machine"
    assert page.locator(FOREIGN).count() == 0, page.locator(FOREIGN).evaluate_all(
        "els => els.map(e => e.outerHTML.slice(0, 200))"
    )
    images = page.evaluate("[...document.images].map(i => i.src)")
    assert [i for i in images if "/leaflet/" not in i] == []
    assert page.locator("path.mapapp-place").count() == PLACE_COUNT


#: the Leaflet layer whose SVG path has the class ``cls``, and a point inside it
_LAYER = """cls => {
    const map = Object.values(window).find(v => v instanceof L.Map);
    let found = null;
    map.eachLayer(l => { if (!found && l._path && l._path.classList.contains(cls)) found = l; });
    const at = found.getLatLng ? found.getLatLng() : found.getBounds().getCenter();
    return [map, found, at];
}"""


def open_popup(page: Page, cls: str, index: int = 0) -> str:
    """Close every popup, then click the ``index``-th shape with the class ``cls`` as
    Leaflet sees a click (whatever covers it on screen) and return its popup's textContent.

    Mouse clicks on the shapes are what ``test_export_browser.py`` tests; here every shape is
    opened, including small ones under others, so the click is fired on the layer."""
    page.evaluate(
        """([layer, cls, index]) => {
            const [map] = eval(layer)(cls);
            map.eachLayer(l => l.closePopup && l.closePopup());
            map.closePopup();
        }""".replace("eval(layer)", f"({_LAYER})"),
        [None, cls, index],
    )
    page.wait_for_function("() => !document.querySelector('.leaflet-popup')")
    page.evaluate(
        f"""([cls, index]) => {{
            const el = document.querySelectorAll('path.' + cls)[index];
            const mark = 'test-target-' + index;
            el.classList.add(mark);
            const [map, layer, at] = ({_LAYER})(mark);
            el.classList.remove(mark);
            layer.fire('click', {{
                latlng: at,
                layerPoint: map.latLngToLayerPoint(at),
                containerPoint: map.latLngToContainerPoint(at),
                originalEvent: new MouseEvent('click'),
            }});
        }}""",
        [cls, index],
    )
    page.locator(".leaflet-popup-content").last.wait_for(state="visible")
    wait_html(page.main_frame, ".leaflet-popup-content")  # the text comes from a chunk
    text: str = page.locator(".leaflet-popup-content").last.evaluate("e => e.textContent")
    return text


def tooltip(page: Page, cls: str) -> str:
    """Open the tooltip of the shape with the class ``cls`` and return its textContent."""
    page.evaluate(
        f"""cls => {{
            document.querySelectorAll('.leaflet-tooltip').forEach(t => t.remove());
            const [map, layer, at] = ({_LAYER})(cls);
            layer.openTooltip(at);
        }}""",
        cls,
    )
    wait_html(page.main_frame, ".leaflet-tooltip")  # the text comes from a chunk
    text: str = page.evaluate("() => document.querySelector('.leaflet-tooltip').textContent")
    return text


def _text(page: Page, selector: str) -> str:
    """The element's textContent: the literal text, whatever the layout."""
    text: str = page.locator(selector).first.evaluate("e => e.textContent")
    return text


def lit(text: str) -> str:
    """``text`` as the page shows it: exactly. (``esc`` writes line breaks as character
    references, which HTML's newline normalisation leaves alone: a CR stays a CR.)"""
    return text


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_every_popup_and_tooltip_shows_the_payloads_and_runs_none(
    watch: Watch, url: str, lang: str
) -> None:
    page = watch.page
    open_map(page, f"{url}#date=2015-09-15&lang={lang}")
    title = page.title()
    assert title.startswith("جنوب دمشق" if lang == "ar" else TITLE_EN)
    places = _places()
    seen = ""
    for pid, props in places.items():
        name = props["name_ar" if lang == "ar" else "name_en"]
        assert lit(name) in tooltip(page, f"mapapp-place-{pid}"), pid
        body = open_popup(page, f"mapapp-place-{pid}")
        assert lit(props["name_en"]) in body and lit(props["name_ar"]) in body, pid
        seen += body
    for cls in ("mapapp-condition", "mapapp-event"):
        count = page.locator(f"path.{cls}").count()
        assert count > 0, cls
        for index in range(count):
            seen += open_popup(page, cls, index)
    wait_html(page.main_frame, "#legend")  # the Arabic legend loads from a chunk
    legend = _text(page, "#legend")
    seen += legend
    # the payloads read literally: the ones the tests of the app look up, and most others
    assert payload("legacy-script") in seen
    assert payload("legacy-img") in seen
    assert payload("long") in seen
    shown = [p.name for p in CORPUS if lit(p.text) in seen]
    assert len(shown) >= 40, shown
    assert any(lit(p.text) in legend for p in CORPUS), legend
    _assert_inert(watch, title)


def test_language_switch_and_slider_stay_inert(watch: Watch, url: str) -> None:
    page = watch.page
    open_map(page, f"{url}#date=2015-09-15&place=yarmouk&lang=en")
    wait_html(page.main_frame, "#selected")
    selected = _text(page, "#selected")
    assert payload("legacy-script") in selected
    page.locator('button[data-lang="ar"]').click()
    page.wait_for_function("() => document.documentElement.dir === 'rtl'")
    arabic = page.title()
    for day in ("2015-03-01", "2015-05-01", "2015-08-11", "2015-09-10", "2015-09-30"):
        set_day(page, day)
        page.wait_for_function(
            "d => document.getElementById('day-text').textContent === d", arg=day
        )
        _assert_inert(watch, arabic)
    page.locator("#prev").click()
    page.locator("#next").click()
    page.locator('button[data-lang="en"]').click()
    page.wait_for_function("() => document.documentElement.dir === 'ltr'")
    options = page.locator("#place option").all_text_contents()
    for props in _places().values():
        # set as text by the page's script: no HTML parsing, so CR LF stays as it is
        assert props["name_en"] in options
    _assert_inert(watch, page.title())


def test_payloads_in_the_link_are_ignored_and_named(watch: Watch, site: Path) -> None:
    """Every payload of the corpus as date, place and lang, percent-encoded as a browser
    sends it, opened from disk: the default view, a notice naming the three parameters and
    never echoing them."""
    page = watch.page
    base = (site / "index.html").as_uri()
    open_map(page, base)
    title = page.title()
    default_day = _text(page, "#day-text")
    for item in CORPUS:
        value = quote(item.text, safe="")
        page.goto("about:blank")
        open_map(page, f"{base}#date={value}&place={value}&lang={value}")
        notice = _text(page, "#notice")
        assert notice.endswith("date, place, lang"), (item.name, notice)
        assert item.text not in notice and "pwned" not in notice, item.name
        assert _text(page, "#day-text") == default_day, item.name
        assert page.evaluate("document.documentElement.lang") == "en"
        assert _text(page, "#selected") == ""
        _assert_inert(watch, title)
    # unencoded, as typed into the address bar, and changed in place (hashchange)
    for item in CORPUS[:20]:
        page.evaluate("location.hash = '#date=2015-09-15'")
        page.wait_for_function("() => document.getElementById('notice').textContent === ''")
        page.evaluate("h => { location.hash = h; }", f"#date={item.text}&place={item.text}")
        page.wait_for_function("() => document.getElementById('notice').textContent !== ''")
        assert item.text not in _text(page, "#notice")
        _assert_inert(watch, title)
