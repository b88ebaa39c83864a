"""The "Edit data" page (AppTest): who sees the editor, and who can save.

Login is tested without an identity provider: AppTest seeds ``st.user`` (``at.user``)
and the secrets (``at.secrets``), the same values Streamlit's OIDC login would set.
The write path's own identity check is tested in test_store.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
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


def test_without_login_configured_editing_is_off_and_says_how(
    data_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = _open(edit_page(data_copy, monkeypatch, auth=False))
    assert not at.exception
    assert "switched off" in _texts(at)
    assert "[mapapp]" in at.code[0].value
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
