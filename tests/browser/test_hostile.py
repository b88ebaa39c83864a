"""Data that tries to run code is shown as text: the page runs none of it.

``tests/data/hostile/`` is the shipped data with payloads from ``tests/hostile_payloads.py``
in every free-text field (see ``tests/data/make_hostile.py``). Each payload that could run
sets ``window.__pwned`` / ``window.__xss`` or the title (``RAN_JS`` checks all three). The
same corpus goes into the page's URL parameters.
"""

from __future__ import annotations

import csv
import filecmp
import importlib.util
import json
import re
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Page, expect

from ..conftest import FIXTURES, ROOT
from ..hostile_payloads import CORPUS, RAN_JS
from .conftest import PLACE_COUNT, Watch, fills, hover_tooltip, map_frame, open_popup, place

HOSTILE = FIXTURES / "hostile"
GENERATOR = FIXTURES / "make_hostile.py"


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location("make_hostile", GENERATOR)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_hostile = _generator()
PAYLOADS: tuple[str, ...] = make_hostile.PAYLOADS


def _places() -> dict[str, dict[str, Any]]:
    collection = json.loads((HOSTILE / "neighbourhoods.geojson").read_text(encoding="utf-8"))
    return {f["properties"]["id"]: f["properties"] for f in collection["features"]}


def _rows(name: str) -> list[dict[str, str]]:
    with (HOSTILE / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _faction(fid: str) -> dict[str, str]:
    return next(r for r in _rows("factions.csv") if r["id"] == fid)


def _yarmouk_quote(status: str) -> str:
    """The Arabic quote of Yarmouk's ISIS row with this status."""
    return next(
        r["quote_ar"]
        for r in _rows("control.csv")
        if (r["place_id"], r["faction_id"], r["status"]) == ("yarmouk", "isis", status)
    )


@pytest.fixture(scope="module")
def hostile_url(app_server: Callable[[Path | None], str]) -> str:
    return app_server(HOSTILE)


def test_hostile_folder_is_what_the_generator_writes(tmp_path: Path) -> None:
    make_hostile.build(tmp_path / "hostile")
    _, mismatch, errors = filecmp.cmpfiles(
        HOSTILE, tmp_path / "hostile", make_hostile.CSV_FIELDS.keys(), shallow=False
    )
    assert (mismatch, errors) == ([], []), "run: python tests/data/make_hostile.py"
    for name in ("neighbourhoods.geojson", "datapackage.json"):
        assert filecmp.cmp(HOSTILE / name, tmp_path / "hostile" / name, shallow=False), name
    assert sorted(p.name for p in HOSTILE.iterdir()) == sorted(
        p.name for p in (ROOT / "data").iterdir()
    )


def test_hostile_folder_validates_and_carries_every_payload() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mapapp", "validate", str(HOSTILE)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "The data is valid." in done.stdout
    text = "".join(p.read_text(encoding="utf-8") for p in HOSTILE.rglob("*") if p.is_file())
    for payload in PAYLOADS:
        assert payload in text or json.dumps(payload)[1:-1] in text, payload
    for name, fields in make_hostile.CSV_FIELDS.items():
        for row in _rows(name):
            for column in fields:
                assert any(row[column].endswith(p) for p in PAYLOADS), (name, row, column)
    for props in _places().values():
        for name in make_hostile.PLACE_FIELDS:
            assert any(props[name].endswith(p) for p in PAYLOADS), (props["id"], name)


def _flat(text: str) -> str:
    """Text as the browser renders it: any run of white space is one space."""
    return " ".join(text.split())


def _assert_inert(watch: Watch) -> None:
    page = watch.page
    for frame in page.frames:
        assert not frame.url.startswith("javascript:"), frame.url
        assert not frame.evaluate(RAN_JS), f"a payload ran in {frame.url}"
    assert page.title() != "PWNED"
    assert watch.dialogs == []
    assert watch.errors == []
    assert watch.console_errors == []
    assert watch.blocked == []


@pytest.mark.browser
@pytest.mark.parametrize(
    ("lang", "day", "status"),
    [("en", "2015-09-15", "sole"), ("ar", "2015-04-01", "partial")],
)
def test_payloads_show_as_text_and_never_run(
    watch: Watch, hostile_url: str, lang: str, day: str, status: str
) -> None:
    page: Page = watch.page
    page.goto(f"{hostile_url}/?date={day}&place=yarmouk&lang={lang}")
    frame = map_frame(page)
    assert frame.locator("path.mapapp-place").count() == PLACE_COUNT
    yarmouk, qadam = _places()["yarmouk"], _places()["qadam"]

    tooltip = hover_tooltip(frame, place("qadam"))
    assert _flat(qadam["name_ar" if lang == "ar" else "name_en"]) in _flat(tooltip)

    popup = _flat(open_popup(frame, place("yarmouk")))
    assert _flat(yarmouk["name_en"]) in popup
    assert _flat(yarmouk["name_ar"]) in popup
    assert _flat(_yarmouk_quote(status)) in popup
    isis = _flat(_faction("isis")["name_ar" if lang == "ar" else "name_en"])
    assert isis in popup
    shown = [p for p in PAYLOADS if _flat(p) and _flat(p) in popup]
    assert len(shown) >= 3, f"payloads not shown literally: {popup!r}"
    if lang == "en":
        assert "<script>window.__xss=2</script>" in popup
        assert '<img src=x onerror="window.__xss=1">' in popup

    # markers (conditions and events) carry notes and quotes too
    for selector in ("path.mapapp-condition", "path.mapapp-event"):
        if frame.locator(selector).count():
            text = _flat(open_popup(frame, selector))
            assert any(_flat(p) in text for p in PAYLOADS if _flat(p)), text

    # the page around the map: legend, the selected place's story, what changed
    legend = _flat(" ".join(page.locator(".mapapp-legend-item").all_inner_texts()))
    assert isis in legend
    main = _flat(page.get_by_test_id("stMain").inner_text())
    assert _flat(yarmouk["name_ar" if lang == "ar" else "name_en"]) in main
    assert _flat(_yarmouk_quote(status)) in main
    expect(
        page.get_by_text("جنوب دمشق" if lang == "ar" else "Southern Damascus").first
    ).to_be_visible()
    _assert_inert(watch)


@pytest.mark.browser
def test_the_page_renders_no_markdown_from_data_and_tables_offer_no_export(
    watch: Watch, hostile_url: str
) -> None:
    """Findings 3 and 6: a blank line in data text once ended the side column's HTML block
    (the rest became live links and a tracking pixel); Streamlit's table toolbar offered
    the data, formulas and all, as a CSV download."""
    page: Page = watch.page
    page.goto(f"{hostile_url}/?date=2015-09-15&place=yarmouk&lang=en")
    map_frame(page)
    main = page.get_by_test_id("stMain")
    # (sources' web addresses are real links, some to evil.example: those are ours)
    assert main.locator("a[href='https://evil.example/pwned']").count() == 0
    assert main.locator("img[src*='evil.example']").count() == 0
    assert main.locator("strong, em, h1").filter(has_text=re.compile("bold|PWNED")).count() == 0
    assert "[PWNED link](https://evil.example/pwned)" in main.inner_text()
    table = page.get_by_test_id("stDataFrame").first
    table.scroll_into_view_if_needed()
    table.hover()
    # the table's own toolbar (charts above it have toolbars of their own)
    container = page.get_by_test_id("stElementContainer").filter(
        has=page.get_by_test_id("stDataFrame")
    )
    toolbar = container.first.get_by_test_id("stElementToolbar")
    expect(toolbar).to_be_visible()
    expect(toolbar.get_by_role("button").first).to_be_visible()  # the toolbar is there
    assert toolbar.get_by_role("button", name=re.compile("download", re.I)).count() == 0
    assert page.get_by_role("button", name=re.compile("download as csv", re.I)).count() == 0
    _assert_inert(watch)


@pytest.mark.browser
def test_hostile_url_parameters_are_ignored_and_named_never_run(watch: Watch, app_url: str) -> None:
    """Every payload of the corpus in the page's parameters (three per visit: date, place,
    lang, plus one in a parameter the page does not know): nothing runs, the map still
    draws, and the warning names the parameters without echoing them. (The 100 KB payload
    makes an address the server refuses outright: see the next test.)"""
    page = watch.page
    texts = [p.text for p in CORPUS if p.use != "huge"]
    visits = 0
    for i in range(0, len(texts), 3):
        date_, place_, lang = (texts[(i + k) % len(texts)] for k in range(3))
        query = urlencode({"date": date_, "place": place_, "lang": lang, "x": date_})
        page.goto(f"{app_url}/?{query}")
        frame = map_frame(page)
        assert len(fills(frame)) == PLACE_COUNT
        warning = page.get_by_test_id("stAlertContentWarning")
        expect(warning).to_be_visible()
        text = warning.inner_text()
        for name in ("date", "place", "lang"):
            assert name in text
        for value in (date_, place_, lang):
            if len(value.strip()) > 3:
                assert value not in text, f"{value!r} echoed in the warning"
        assert not page.evaluate(RAN_JS), f"a payload in the URL ran: {query}"
        visits += 1
    assert visits * 3 >= len(texts)
    _assert_inert(watch)


def test_an_oversized_address_is_refused_not_served(app_url: str) -> None:
    huge = next(p.text for p in CORPUS if p.use == "huge")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{app_url}/?{urlencode({'date': huge})}", timeout=30)
    assert 400 <= refused.value.code < 500
    with urllib.request.urlopen(f"{app_url}/_stcore/health", timeout=30) as response:
        assert response.read() == b"ok", "and the server is still up"
