"""The page runs on the shipped data, and shows the report instead of crashing on bad data."""

from __future__ import annotations

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from .conftest import ROOT

APP = str(ROOT / "mapapp" / "app.py")


def test_page_runs_on_the_shipped_data(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MAPAPP_DATA", raising=False)
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert not at.error
    assert at.slider(key="date").value == date(2015, 9, 30)
    table = at.dataframe[0].value
    assert len(table) == 12
    assert set(table["place"]) >= {"Yarmouk Camp", "al-Qadam"}
    at.slider(key="date").set_value(date(2015, 3, 1)).run()
    table = at.dataframe[0].value
    statuses = dict(zip(table["place"], table["status"], strict=True))
    assert statuses["Yarmouk Camp"] == "partial"
    assert statuses["al-Tadamon"] == "no-data"


def test_page_shows_the_report_on_broken_data(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAPAPP_DATA", str(ROOT / "tests" / "data" / "broken-example"))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert "has problems" in at.error[0].value
    report = at.dataframe[0].value
    assert "bad-colour" in set(report["code"])
    assert len(at.slider) == 0, "nothing else is drawn from broken data"
