"""The editors' path as an editor lives it: Streamlit's login (st.login) against a real
OpenID Connect provider that the test starts (oidc-provider-mock, on this machine), in
Debian's Chromium. An allow-listed editor signs in, proposes rows from an article, writes
the English, accepts, saves, and sees the map change; a signed-in stranger and an anonymous
visitor cannot write; two editors saving the same file at once both keep their rows; the
proposer page in Arabic; ``mapapp edit`` serves local editing on 127.0.0.1 only.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from oidc_provider_mock import run_server_in_thread  # type: ignore[import-untyped]
from playwright.sync_api import Browser, Page, expect

from mapapp.ui.launch import ROOT, Server, free_port, start_app

from ..conftest import DATA
from .conftest import HEALTH_TIMEOUT, PLACE_COUNT, fills

pytestmark = pytest.mark.browser

EDITORS = ("editor@example.org", "second@example.org")
NO_DATA_DATE = "2015-05-01"
#: milliseconds to wait for the page (a rerun of the app on a machine shared with others)
WAIT = 60_000
#: the source the editors propose from: a made-up outlet with no archived copy (the shipped
#: article is archived, and its quotes are checked against it: these sentences are not in it)
SOURCE = "test_wire_2015"


@dataclass
class App:
    url: str
    issuer: str
    data: Path


@pytest.fixture(scope="module")
def oidc() -> Iterator[str]:
    """A real OpenID Connect provider on a free local port: its issuer URL. Any client may
    sign in; the user types an identity on its authorisation page (its e-mail claim)."""
    with run_server_in_thread(port=0) as server:
        yield f"http://127.0.0.1:{server.server_port}"


@pytest.fixture(scope="module")
def app(oidc: str) -> Iterator[App]:
    """The app on a copy of the data, with login configured against the provider."""
    with tempfile.TemporaryDirectory(prefix="mapapp-editors-") as tmp:
        folder = Path(tmp)
        data = folder / "data"
        shutil.copytree(DATA, data)
        with (data / "sources.csv").open(encoding="utf-8", newline="") as f:
            header = next(csv.reader(f))
        with (data / "sources.csv").open("a", encoding="utf-8", newline="") as f:
            row = {"outlet": "Test Wire", "published": "2015-09", "note": "made up for the tests"}
            row |= {"id": SOURCE, "published_precision": "month", "approximate": "false"}
            csv.DictWriter(f, header).writerow(row)
        # its own voice, as an editor adding a new outlet records it in claimants.csv
        with (data / "claimants.csv").open("a", encoding="utf-8", newline="") as f:
            voice = {"id": "test-wire", "name_en": "Test Wire (in its own voice)"}
            csv.DictWriter(f, ["id", "name_en", "name_ar", "note"]).writerow(voice)
        port = free_port()
        secrets = folder / "secrets.toml"
        editors = ", ".join(f'"{e}"' for e in EDITORS)
        secrets.write_text(
            f"""[auth]
redirect_uri = "http://127.0.0.1:{port}/oauth2callback"
cookie_secret = "a cookie secret for the browser tests only"
client_id = "mapapp-tests"
client_secret = "not-a-secret"
server_metadata_url = "{oidc}/.well-known/openid-configuration"

[mapapp]
editors = [{editors}]
""",
            encoding="utf-8",
        )
        server: Server = start_app(
            folder / "streamlit.log",
            data=data,
            port=port,
            args=["--secrets.files", str(secrets)],
            timeout=HEALTH_TIMEOUT,
        )
        try:
            yield App(server.url, oidc, data)
        finally:
            server.stop()


def sign_in(page: Page, app: App, who: str) -> None:
    # the provider vouches for the address (email_verified): an unverified one is refused
    request = urllib.request.Request(
        f"{app.issuer}/users/{urllib.parse.quote(who)}",
        data=json.dumps({"email": who, "email_verified": True}).encode("utf-8"),
        headers={"Content-Type": "application/json"},
        method="PUT",
    )
    urllib.request.urlopen(request, timeout=10).close()
    page.goto(f"{app.url}/edit")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{app.issuer}/**")
    page.fill("input[name=sub]", who)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{app.url}/**")
    page.goto(f"{app.url}/edit")


def propose(page: Page, article: str, english: str) -> None:
    """Propose from ``article``, write ``english`` as the first row's translation."""
    page.get_by_text("Propose rows from an article").click()
    page.get_by_label("Source (sources.csv)").click()
    page.get_by_role("option", name=SOURCE).click()
    page.get_by_label("Article text (Arabic)").fill(article)
    page.get_by_role("button", name="Propose", exact=True).click()
    # accepted by default, but without its English the row is not valid yet
    expect(page.get_by_text("These problems must be fixed before saving")).to_be_visible(
        timeout=WAIT
    )
    problems = page.get_by_text("These problems must be fixed before saving")
    for _attempt in range(3):
        canvas = page.get_by_test_id("data-grid-canvas").first
        canvas.scroll_into_view_if_needed()
        page.wait_for_timeout(500)  # the grid lays itself out after it appears
        box = canvas.bounding_box()
        assert box is not None
        # the first column is quote_en; the grid is a canvas: click the cell, open its
        # editor (keys typed before it opens are lost), type, Enter
        page.mouse.dblclick(box["x"] + 40, box["y"] + 35 + 17)
        try:
            expect(page.locator("textarea.gdg-input")).to_be_visible(timeout=10_000)
        except AssertionError:
            continue  # the app reran under the click and redrew the grid
        cell = page.locator("textarea.gdg-input")
        cell.fill(english)
        expect(cell).to_have_value(english)
        # the grid's editor keeps the text in React state: let it render once before Enter
        # reads it (an Enter right after the last key committed an empty cell, 3 runs in 4)
        page.evaluate(
            "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
        )
        page.keyboard.press("Enter")
        try:
            expect(problems).to_have_count(0, timeout=20_000)
            return
        except AssertionError:
            continue  # the edit was lost to a rerun: once more
    expect(problems).to_have_count(0, timeout=WAIT)


def control_rows(app: App) -> list[dict[str, str]]:
    with (app.data / "control.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def map_fill(page: Page, app: App, place_id: str) -> str:
    page.goto(f"{app.url}/?date={NO_DATA_DATE}")
    page.main_frame.wait_for_function(
        "n => document.querySelectorAll('.mapapp-map path.mapapp-place').length === n",
        arg=PLACE_COUNT,
        timeout=120_000,
    )
    return fills(page.main_frame)[place_id]


def test_an_anonymous_visitor_cannot_write(page: Page, app: App) -> None:
    page.goto(f"{app.url}/edit")
    expect(page.get_by_text("Sign in to edit")).to_be_visible(timeout=WAIT)
    assert page.get_by_role("button", name="Save").count() == 0
    assert page.get_by_text("Propose rows from an article").count() == 0


def test_a_signed_in_stranger_cannot_write(browser: Browser, app: App) -> None:
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, app, "stranger@example.org")
    expect(page.get_by_text("not on the list of editors")).to_be_visible(timeout=WAIT)
    assert page.get_by_role("button", name="Save").count() == 0
    assert page.get_by_text("Propose rows from an article").count() == 0
    context.close()


def test_an_editor_proposes_accepts_saves_and_sees_the_map_change(
    browser: Browser, app: App
) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    before = map_fill(page, app, "yalda")
    sign_in(page, app, EDITORS[0])
    expect(page.get_by_text(f"Signed in as {EDITORS[0]}")).to_be_visible(timeout=WAIT)
    propose(page, "وتتواجد قوات النظام في بلدة يلدا منذ شباط 2015.", "Regime forces are in Yalda")
    expect(page.get_by_text("was no data; now Syrian regime forces")).to_be_visible(timeout=WAIT)
    save = page.get_by_role("button", name="Save accepted rows")
    expect(save).to_be_enabled(timeout=WAIT)
    save.click()
    expect(page.get_by_text("The map shows them now")).to_be_visible(timeout=WAIT)
    added = control_rows(app)[-1]
    assert (added["place_id"], added["faction_id"], added["status"], added["start"]) == (
        "yalda", "regime", "presence", "2015-02",
    )  # fmt: skip
    assert added["quote_ar"] == "وتتواجد قوات النظام في بلدة يلدا منذ شباط 2015"
    assert added["quote_en"] == "Regime forces are in Yalda"
    after = map_fill(page, app, "yalda")
    assert after != before, "the map shows the saved row"
    context.close()


def test_two_editors_saving_at_once_both_keep_their_rows(browser: Browser, app: App) -> None:
    pages = []
    for who, place, name in zip(
        EDITORS, ("ببيلا", "بيت سحم"), ("Babbila", "Beit Sahm"), strict=True
    ):
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.set_default_timeout(60_000)
        sign_in(page, app, who)
        propose(page, f"وتتواجد قوات النظام في {place} منذ آذار 2015.", f"Regime forces in {name}")
        expect(page.get_by_role("button", name="Save accepted rows")).to_be_enabled(timeout=WAIT)
        pages.append(page)
    # both planned on the same file; both press Save together
    for page in pages:
        page.get_by_role("button", name="Save accepted rows").click(no_wait_after=True)
    for page in pages:
        expect(page.get_by_text("The map shows them now")).to_be_visible(timeout=WAIT)
    rows = control_rows(app)
    assert {("babbila", "2015-03"), ("beit_sahm", "2015-03")} <= {
        (r["place_id"], r["start"]) for r in rows if r["status"] == "presence"
    }
    for page in pages:
        page.context.close()


def test_the_proposer_page_in_arabic(browser: Browser, app: App) -> None:
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, app, EDITORS[0])
    page.goto(f"{app.url}/edit?lang=ar")
    expect(page.get_by_role("heading", name="تحرير البيانات")).to_be_visible(timeout=WAIT)
    page.get_by_text("اقتراح صفوف من مقال").click()
    expect(page.get_by_role("button", name="اقترح")).to_be_visible(timeout=WAIT)
    context.close()


def test_mapapp_edit_serves_local_editing_on_loopback_only(page: Page, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    port = free_port()
    log = (tmp_path / "edit.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "mapapp", "edit", "--data", str(data), "--port", str(port)],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + HEALTH_TIMEOUT
        while time.monotonic() < deadline:
            try:
                page.goto(f"http://127.0.0.1:{port}/edit", timeout=2_000)
                break
            except Exception:  # not up yet
                time.sleep(0.5)
        expect(page.get_by_text("Local editing on this machine")).to_be_visible(timeout=60_000)
        expect(page.get_by_role("button", name="Save", exact=True)).to_be_visible(timeout=WAIT)
        expect(page.get_by_role("button", name="Log in")).to_have_count(0)
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # mapapp edit and the server it started
        process.wait(timeout=20)
        log.close()
