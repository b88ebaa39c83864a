"""The "Edit data" page (AppTest): who sees the editor, and who can save.

Login is tested without an identity provider: AppTest seeds ``st.user`` (``at.user``)
and the secrets (``at.secrets``), the same values Streamlit's OIDC login would set.
The write path's own identity check is tested in test_store.py.
"""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit import config
from streamlit.testing.v1 import AppTest

from .conftest import ROOT

APP = str(ROOT / "mapapp" / "app.py")
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "test-secret",
    "client_id": "id",
    "client_secret": "secret",
    "server_metadata_url": "https://example.org/.well-known/openid-configuration",
}
EDITOR = "editor@example.org"


def edit_page(data: Path, monkeypatch: pytest.MonkeyPatch, *, auth: bool = True) -> AppTest:
    monkeypatch.setenv("MAPAPP_DATA", str(data))
    monkeypatch.setenv("MAPAPP_TILES", "none")
    at = AppTest.from_file(APP, default_timeout=60)
    if auth:
        at.secrets["auth"] = AUTH
        at.secrets["mapapp"] = {"editors": [EDITOR]}
    return at


def _open(at: AppTest) -> AppTest:
    at.run()
    return at.switch_page("ui/edit_page.py").run()


def _texts(at: AppTest) -> str:
    parts = [e.value for e in (*at.info, *at.warning, *at.markdown, *at.caption)]
    return "\n".join(str(p) for p in parts)


def test_without_login_configured_editing_is_off_without_the_admin_template(
    data_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = _open(edit_page(data_copy, monkeypatch, auth=False))
    assert not at.exception
    assert "not switched on" in _texts(at)
    # a viewer is not shown the admin's configuration template
    assert not at.code
    assert "client_secret" not in _texts(at)
    assert not at.get("arrow_data_frame") or all(b.key != "save" for b in at.button)
    assert all(b.key != "save" for b in at.button)


def test_anonymous_visitors_are_asked_to_sign_in(
    data_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = edit_page(data_copy, monkeypatch)
    at.user = {"is_logged_in": False}
    at = _open(at)
    assert not at.exception
    assert at.button(key="login")
    assert all(b.key != "save" for b in at.button)


def test_signed_in_but_not_an_editor_cannot_edit(
    data_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = edit_page(data_copy, monkeypatch)
    at.user = {"is_logged_in": True, "email": "reader@example.org", "email_verified": True}
    at = _open(at)
    assert not at.exception
    assert "not on the list of editors" in _texts(at)
    assert all(b.key != "save" for b in at.button)


def test_an_allow_listed_editor_gets_the_editor(
    data_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = edit_page(data_copy, monkeypatch)
    at.user = {"is_logged_in": True, "email": "Editor@Example.org", "email_verified": True}
    at = _open(at)
    assert not at.exception
    assert f"Signed in as {'Editor@Example.org'}" in _texts(at)
    save = at.button(key="save")
    assert save.disabled, "nothing to save before an edit"
    assert "No changes yet." in _texts(at)
    at.radio(key="table").set_value("factions.csv").run()
    assert not at.exception
    assert at.button(key="save").disabled


@pytest.mark.parametrize("flag", [None, False, "true", 1])
def test_an_unverified_address_is_not_an_editor(
    data_copy: Path, monkeypatch: pytest.MonkeyPatch, flag: object
) -> None:
    """Finding 8: an account may carry any address its owner typed; only an address the
    identity provider verified (``email_verified`` exactly true) is matched."""
    at = edit_page(data_copy, monkeypatch)
    user: dict[str, object] = {"is_logged_in": True, "email": "editor@example.org"}
    if flag is not None:
        user["email_verified"] = flag
    at.user = user
    at = _open(at)
    assert not at.exception
    assert "not verified that address" in _texts(at)
    assert all(b.key != "save" for b in at.button)


def test_an_editor_adds_a_claim_from_another_source_in_a_few_clicks(
    data_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The issue's case: a second outlet says ISIS took al-Asali, Elaph says Ajnad al-Sham.
    The form adds the row; the page validates it (a dispute is accepted) and offers to save."""
    at = edit_page(data_copy, monkeypatch)
    at.user = {"is_logged_in": True, "email": EDITOR, "email_verified": True}
    at = _open(at)
    at.selectbox(key="nc-place").set_value("asali")
    form = {s.label.split(" ")[0]: s for s in at.selectbox}
    form["Faction"].set_value("isis")
    form["Source"].set_value("elaph_2015_09")
    form["Who"].set_value("anonymous-source")
    at.text_area[0].input("قال مصدر سوري معارض")
    at.text_area[1].input("a Syrian opposition source said")
    at.button[[b.label for b in at.button].index("Add this claim")].click().run()
    assert not at.exception
    texts = _texts(at)
    assert "1 added, 0 removed, 0 changed." in "\n".join(str(m.value) for m in at.markdown)
    assert "These problems must be fixed" not in "\n".join(str(e.value) for e in at.error)
    assert not at.button(key="save").disabled, texts
    assert "asali" in "\n".join(str(t.value) for t in at.text), "the map changes are shown"


@pytest.fixture
def loopback() -> Iterator[None]:
    """The server listening on 127.0.0.1 only (as ``mapapp edit`` starts it)."""
    before = config.get_option("server.address")
    config.set_option("server.address", "127.0.0.1")
    yield
    config.set_option("server.address", before)


def test_local_mode_edits_as_the_os_user_on_a_loopback_server(
    data_copy: Path, monkeypatch: pytest.MonkeyPatch, loopback: None
) -> None:
    monkeypatch.setenv("MAPAPP_LOCAL_EDITING", "1")
    at = _open(edit_page(data_copy, monkeypatch, auth=False))
    assert not at.exception
    assert f"as {getpass.getuser()}" in _texts(at)
    assert at.button(key="save").disabled
    assert at.button(key="undo")


def test_local_mode_is_refused_on_a_server_others_can_reach(
    data_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAPAPP_LOCAL_EDITING", "1")
    before = config.get_option("server.address")
    config.set_option("server.address", "0.0.0.0")
    try:
        at = _open(edit_page(data_copy, monkeypatch, auth=False))
    finally:
        config.set_option("server.address", before)
    assert not at.exception
    assert "refused" in at.error[0].value
    assert all(b.key != "save" for b in at.button)


def test_local_mode_is_off_by_default(
    data_copy: Path, monkeypatch: pytest.MonkeyPatch, loopback: None
) -> None:
    monkeypatch.delenv("MAPAPP_LOCAL_EDITING", raising=False)
    at = _open(edit_page(data_copy, monkeypatch, auth=False))
    assert "not switched on" in _texts(at)
    assert all(b.key != "save" for b in at.button)


def test_the_editor_pages_speak_arabic(data_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = edit_page(data_copy, monkeypatch)
    at.user = {"is_logged_in": True, "email": EDITOR, "email_verified": True}
    at.query_params["lang"] = "ar"
    at = _open(at)
    assert not at.exception
    assert at.title[0].value == "تحرير البيانات"
    assert at.button(key="save").label == "حفظ"
    at.radio(key="task").set_value("propose").run()
    assert at.button(key="propose_run").label == "اقترح"


def test_proposer_on_the_page_checks_before_anything_is_saved(
    data_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = edit_page(data_copy, monkeypatch)
    at.user = {"is_logged_in": True, "email": EDITOR, "email_verified": True}
    at = _open(at)
    before = (data_copy / "control.csv").read_bytes()
    at.radio(key="task").set_value("propose").run()
    at.text_area(key="propose_text").set_value(
        "وتتواجد قوات النظام في بلدة يلدا منذ أسبوعين."
    ).run()
    at.button(key="propose_run").click().run()
    assert not at.exception
    assert any("mapapp-place" in str(h.proto.body) for h in at.get("html"))
    # accepted by default, but the English translation is missing: not valid, not savable
    assert at.button(key="save_accepted").disabled
    assert any("must be fixed" in e.value for e in at.error)
    problems = [d.value for d in at.dataframe]
    assert any("quote_en" in set(frame["column"]) for frame in problems if "column" in frame)
    assert (data_copy / "control.csv").read_bytes() == before


def test_proposer_refuses_text_it_cannot_read(
    data_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = edit_page(data_copy, monkeypatch)
    at.user = {"is_logged_in": True, "email": EDITOR, "email_verified": True}
    at = _open(at)
    at.radio(key="task").set_value("propose").run()
    at.text_area(key="propose_text").set_value("no Arabic here").run()
    at.button(key="propose_run").click().run()
    assert not at.exception
    assert "no Arabic" in at.error[0].value


def test_an_added_claim_is_saved_as_one_new_line(
    data_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Save writes the edit: the new row appended, every other byte kept, in the audit log."""
    from mapapp.editing import store

    before = (data_copy / "control.csv").read_bytes()
    at = edit_page(data_copy, monkeypatch)
    at.user = {"is_logged_in": True, "email": EDITOR, "email_verified": True}
    at = _open(at)
    at.selectbox(key="nc-place").set_value("asali")
    form = {s.label.split(" ")[0]: s for s in at.selectbox}
    form["Faction"].set_value("isis")
    form["Source"].set_value("elaph_2015_09")
    form["Who"].set_value("anonymous-source")
    at.text_area[0].input("قال مصدر سوري معارض")
    at.text_area[1].input("a Syrian opposition source said")
    at.button[[b.label for b in at.button].index("Add this claim")].click().run()
    at.button(key="save").click().run()
    assert not at.exception
    after = (data_copy / "control.csv").read_bytes()
    assert after.startswith(before if before.endswith(b"\n") else before + b"\n")
    assert "a Syrian opposition source said" in after[len(before) :].decode("utf-8")
    (entry,) = store.audit_entries(data_copy)
    assert entry["user"] == EDITOR
    assert [row["place_id"] for row in entry["added"]] == ["asali"]


def test_a_large_table_is_edited_a_page_or_a_place_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from benchmarks import synth
    from mapapp.editing import editor as editing

    folder = synth.generate(tmp_path / "data", 12, editing.PAGE_ROWS + 200)
    at = edit_page(folder, monkeypatch)
    at.user = {"is_logged_in": True, "email": EDITOR, "email_verified": True}
    at = _open(at)
    assert not at.exception
    assert f"{editing.PAGE_ROWS + 200:,} rows: shown {editing.PAGE_ROWS:,} at a time" in _texts(at)
    assert at.number_input(key="page-control.csv-").max == 2
    at.number_input(key="page-control.csv-").set_value(2).run()
    assert not at.exception
    at.text_input(key="place-control.csv").input("p00003").run()
    assert not at.exception
    assert at.number_input(key="page-control.csv-p00003").max == 1
    assert at.button(key="save").disabled, "nothing edited"
    # opening the page recorded the valid folder: a save checks only what it touches
    assert (folder / ".mapapp" / "validated.json").is_file()
