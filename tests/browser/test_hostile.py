"""Data that tries to run code is shown as text: the page runs none of it.

``tests/data/hostile/`` is the shipped data with an injection payload appended to every
free-text field (see ``tests/data/make_hostile.py``). Each payload sets ``window.__xss``
(or the parent's) if it ever runs.
"""

from __future__ import annotations

import csv
import filecmp
import importlib.util
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from ..conftest import FIXTURES, ROOT
from .conftest import PLACE_COUNT, Watch, hover_tooltip, map_frame, open_popup, place

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
    text = "".join(p.read_text(encoding="utf-8") for p in HOSTILE.iterdir())
    for payload in PAYLOADS:
        assert payload in text or json.dumps(payload)[1:-1] in text, payload
    for name, fields in make_hostile.CSV_FIELDS.items():
        for row in _rows(name):
            for column in fields:
                assert any(row[column].endswith(p) for p in PAYLOADS), (name, row, column)
    for props in _places().values():
        for name in make_hostile.PLACE_FIELDS:
            assert any(props[name].endswith(p) for p in PAYLOADS), (props["id"], name)


def _assert_inert(watch: Watch) -> None:
    page = watch.page
    for frame in page.frames:
        assert not frame.url.startswith("javascript:"), frame.url
        assert frame.evaluate("typeof window.__xss") == "undefined", f"payload ran in {frame.url}"
    assert watch.dialogs == []
    assert watch.errors == []
    assert watch.console_errors == []
    assert watch.blocked == []


@pytest.mark.browser
@pytest.mark.parametrize(
    ("lang", "day", "status"),
    [("en", "2015-09-15", "shared"), ("ar", "2015-03-01", "partial")],
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
    assert qadam["name_ar" if lang == "ar" else "name_en"] in tooltip

    popup = open_popup(frame, place("yarmouk"))
    assert yarmouk["name_en"] in popup
    assert yarmouk["name_ar"] in popup
    assert _yarmouk_quote(status) in popup
    isis = _faction("isis")["name_ar" if lang == "ar" else "name_en"]
    assert isis in popup
    shown = [p for p in PAYLOADS if p.strip("\\") and p in popup]
    assert len(shown) >= 3, f"payloads not shown literally: {popup!r}"
    if lang == "en":
        assert "<script>window.__xss=2</script>" in popup
        assert '<img src=x onerror="window.__xss=1">' in popup

    # markers (conditions and events) carry notes and quotes too
    for selector in ("path.mapapp-condition", "path.mapapp-event"):
        if frame.locator(selector).count():
            text = open_popup(frame, selector)
            assert any(p in text for p in PAYLOADS if p.strip("\\")), text

    # the page around the map: legend, the selected place's story, what changed
    legend = " ".join(page.locator(".mapapp-legend-item").all_inner_texts())
    assert isis in legend
    main = page.get_by_test_id("stMain").inner_text()
    assert yarmouk["name_ar" if lang == "ar" else "name_en"] in main
    assert _yarmouk_quote(status) in main
    expect(
        page.get_by_text("جنوب دمشق" if lang == "ar" else "Southern Damascus").first
    ).to_be_visible()
    _assert_inert(watch)
