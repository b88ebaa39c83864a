"""The page (AppTest): shipped data, broken data, the date widget and the URL drive it.

AppTest cannot see inside the st_folium map; the map itself is tested as a folium object
(test_mapview.py) and in a real browser (tests/browser/).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from .conftest import ROOT

APP = str(ROOT / "mapapp" / "app.py")


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.delenv("MAPAPP_DATA", raising=False)
    monkeypatch.setenv("MAPAPP_TILES", "none")
    return AppTest.from_file(APP, default_timeout=60)


def table(at: AppTest) -> dict[str, dict[str, Any]]:
    records: list[dict[str, Any]] = at.dataframe[0].value.to_dict("records")  # type: ignore[assignment]
    return {str(row["Place"]): row for row in records}


def markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_page_runs_on_the_shipped_data(app: AppTest) -> None:
    at = app.run()
    assert not at.exception
    assert not at.error
    assert at.slider(key="date").value == date(2015, 9, 30)
    rows = table(at)
    assert len(rows) == 12
    assert rows["al-Qadam"]["Status"] == "Sole control"
    assert rows["al-Qadam"]["Conditions"] == "Under attack, Besieged"
    assert rows["Yarmouk Camp"]["Factions"] == "Islamic State (ISIS), al-Nusra Front"
    assert 'data-key="faction-ajnad_sham"' in markdown(at)
    assert at.query_params["date"] == "2015-09-30"


def test_the_date_widget_drives_the_table_and_legend(app: AppTest) -> None:
    at = app.run()
    at.slider(key="date").set_value(date(2015, 5, 1)).run()
    assert not at.exception
    rows = table(at)
    assert rows["Yarmouk Camp"]["Status"] == "Partial control"
    assert {r["Status"] for name, r in rows.items() if name != "Yarmouk Camp"} == {"No data"}
    legend = markdown(at)
    assert 'data-key="faction-isis"' in legend
    assert 'data-key="faction-ajnad_sham"' not in legend
    assert at.query_params["date"] == "2015-05-01"


def test_previous_and_next_change_buttons(app: AppTest) -> None:
    at = app.run()
    at.button(key="prev").click().run()
    assert at.slider(key="date").value == date(2015, 9, 1)
    at.button(key="prev").click().run()
    assert at.slider(key="date").value == date(2015, 8, 11)
    at.button(key="next").click().run()
    assert at.slider(key="date").value == date(2015, 9, 1)
    assert "What changed" in " ".join(h.value for h in at.subheader)


def test_query_parameters_set_the_view(app: AppTest) -> None:
    app.query_params["date"] = "2015-02-15"
    app.query_params["place"] = "yarmouk"
    at = app.run()
    assert not at.exception
    assert at.slider(key="date").value == date(2015, 2, 15)
    assert at.selectbox(key="place").value == "yarmouk"
    assert table(at)["Yarmouk Camp"]["Factions"] == "Syrian opposition factions (unnamed)"
    assert "since an unknown date" in markdown(at)


def test_invalid_query_parameters_fall_back_with_a_notice_never_echoed(app: AppTest) -> None:
    app.query_params["date"] = "<script>alert(1)</script>"
    app.query_params["place"] = "<img src=x onerror=alert(1)>"
    app.query_params["lang"] = "xx"
    at = app.run()
    assert not at.exception
    notice = at.warning[0].value
    assert "date" in notice and "place" in notice
    assert "<" not in notice and "alert" not in notice
    assert at.slider(key="date").value == date(2015, 9, 30)


def test_arabic_page_reads_right_to_left(app: AppTest) -> None:
    app.query_params["lang"] = "ar"
    at = app.run()
    assert not at.exception
    text = markdown(at)
    assert 'dir="rtl"' in text and "جنوب دمشق" in text
    assert "direction: rtl" in text
    assert "سيطرة منفردة" in set(at.dataframe[0].value["الحالة"])


def test_palette_switch(app: AppTest) -> None:
    at = app.run()
    at.toggle(key="cb").set_value(True).run()
    assert not at.exception
    assert "#0a3d8f" in markdown(at), "Ajnad al-Sham's colour-blind-safe colour in the legend"


def test_page_shows_the_report_on_broken_data(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAPAPP_DATA", str(ROOT / "tests" / "data" / "broken-example"))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert "problems" in at.error[0].value
    report = at.dataframe[0].value
    assert "bad-colour" in set(report["code"])
    assert len(at.slider) == 0, "nothing else is drawn from broken data"


def test_edits_on_disk_show_on_the_next_run(
    monkeypatch: pytest.MonkeyPatch, data_copy: Any
) -> None:
    monkeypatch.setenv("MAPAPP_DATA", str(data_copy))
    monkeypatch.setenv("MAPAPP_TILES", "none")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert table(at)["al-Qadam"]["Factions"] == "Ajnad al-Sham"
    factions = data_copy / "factions.csv"
    factions.write_text(
        factions.read_text(encoding="utf-8").replace("Ajnad al-Sham,", "Ajnad al-Sham (edited),"),
        encoding="utf-8",
    )
    at.run()
    assert table(at)["al-Qadam"]["Factions"] == "Ajnad al-Sham (edited)"
    factions.write_text("id,name_en\n", encoding="utf-8")
    at.run()
    assert not at.exception
    assert at.error, "a broken edit shows the report, not a traceback"
