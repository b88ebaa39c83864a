"""The page's two charts in a real browser, offline: drawn with the day marked (a red rule
and the date), their rows fetched once from a static file, and a date change moving the
marker in the browser: no chart is sent over the websocket again."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page

from .conftest import Watch, map_frame

pytestmark = pytest.mark.browser

MARKER = "#c0392b"
CHARTS = "[data-testid=stVegaLiteChart]"


def charts(page: Page) -> list[dict[str, Any]]:
    """Each chart's marks: its data marks, red rules and texts."""
    found: list[dict[str, Any]] = page.evaluate(
        """([sel, red]) => [...document.querySelectorAll(sel)].map(c => ({
            data: c.querySelectorAll('.mark-rect path, .mark-area path').length,
            rules: [...c.querySelectorAll('.mark-rule line')]
                .filter(l => l.getAttribute('stroke') === red).length,
            texts: [...c.querySelectorAll('.mark-text text')].map(t => t.textContent),
        }))""",
        [CHARTS, MARKER],
    )
    return found


def wait_marked(page: Page, day: str) -> list[dict[str, Any]]:
    page.wait_for_function(
        """([sel, day]) => { const c = [...document.querySelectorAll(sel)];
            return c.length === 2 && c.every(e => [...e.querySelectorAll('.mark-text text')]
                .some(t => t.textContent === day) && e.querySelector('.mark-rect path, '
                + '.mark-area path')); }""",
        arg=[CHARTS, day],
        timeout=60_000,
    )
    return charts(page)


def chart_messages(frames: list[bytes]) -> list[Any]:
    """The vega_lite_chart elements among Streamlit's websocket messages."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    out = []
    for data in frames:
        try:
            msg = ForwardMsg.FromString(data)
        except Exception:  # not a ForwardMsg
            continue
        if msg.WhichOneof("type") != "delta":
            continue
        if msg.delta.WhichOneof("type") != "new_element":
            continue
        if msg.delta.new_element.WhichOneof("type") == "vega_lite_chart":
            out.append(msg.delta.new_element.vega_lite_chart)
    return out


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_charts_mark_the_day_and_a_change_resends_no_rows(
    watch: Watch, app_url: str, lang: str
) -> None:
    page = watch.page
    frames: list[bytes] = []
    page.on(
        "websocket",
        lambda ws: ws.on(
            "framereceived",
            lambda p: frames.append(p.encode() if isinstance(p, str) else p),
        ),
    )
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url) if "/app/static/charts/" in r.url else None)
    noise: list[str] = []
    page.on(
        "console",
        lambda m: noise.append(m.text) if m.type in ("warning", "error") else None,
    )
    # every Leaflet map the component makes is counted: the held-back charts arriving on
    # the next run must not remount the map
    page.add_init_script(
        "let made; Object.defineProperty(window, 'mapappMap', {configurable: true,"
        " get: () => made,"
        " set: (m) => { made = m; window.mapsMade = (window.mapsMade || 0) + 1; }})"
    )
    page.goto(f"{app_url}/?date=2015-09-15&lang={lang}")
    map_frame(page)
    first = wait_marked(page, "2015-09-15")
    assert all(c["data"] > 0 and c["rules"] == 1 for c in first), first
    assert len(set(fetched)) == 2, "each chart's rows come from a file of their own"

    page.evaluate(
        "sel => document.querySelectorAll(sel + ' svg').forEach(s => { s.dataset.tagged = 1; })",
        CHARTS,
    )
    since = len(frames)
    page.locator(".mapapp-next").click()
    after = wait_marked(page, "2015-12-09")
    assert [c["data"] for c in after] == [c["data"] for c in first], "the same data drawn"
    assert all(c["rules"] == 1 and "2015-09-15" not in c["texts"] for c in after)
    # the charts' specs load the rows by address and hold no day: the change re-sent the
    # same small specs (Streamlit sends small elements whole), so the page kept its charts
    # as drawn and Vega only moved the marker (the marks tagged before it are still there)
    before = sorted(c.spec for c in chart_messages(frames[:since]))
    again = sorted(c.spec for c in chart_messages(frames[since:]))
    assert len(before) == 2 and again in ([], before), "the same specs, or none"
    for chart in chart_messages(frames):
        assert not chart.datasets and not chart.data.data, "no rows over the websocket"
        assert "/app/static/charts/" in chart.spec and "2015-09-15" not in chart.spec
    assert len(before[0]) + len(before[1]) < 20_000
    assert page.evaluate(
        "sel => { const s = [...document.querySelectorAll(sel + ' svg')];"
        " return s.length >= 2 && s.every((e) => e.dataset.tagged); }",
        CHARTS,
    ), "the charts were not drawn again"
    assert len(set(fetched)) == 2, "the rows were not fetched again"
    assert [n for n in noise if "extent" in n.lower() or "vega" in n.lower()] == []
    assert page.evaluate("window.mapsMade") == 1, "one map, from first paint to the change"
    assert watch.errors == []
    assert watch.blocked == []
