"""The page (AppTest): shipped data, broken data, the day and the URL drive it.

The map is a custom component whose own slider and buttons pick the day in the browser;
AppTest can read what the page sends it (its data) but cannot drive it, so here the day
is set in the session as the component's callback does, and the component itself is
tested in a real browser (tests/browser/). Without static file serving the same component
gets its files and bundle inline (tested at the end).
"""

from __future__ import annotations

import json
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
    records: list[dict[str, Any]] = at.dataframe[-1].value.to_dict("records")  # type: ignore[assignment]
    return {str(row["Place"]): row for row in records}


def markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def map_data(at: AppTest) -> dict[str, Any]:
    """What the page sent the map component on its last run."""
    (element,) = at.get("bidi_component")
    (data,) = json.loads(element.proto.json)  # the view, in a one-item list
    assert isinstance(data, dict)
    return data


def opened(at: AppTest) -> AppTest:
    """The page as a reader sees it once the map has drawn: the first run (the charts and
    the table held back) and the rerun the map's report of its first paint starts."""
    return at.run().run()


def set_day(at: AppTest, day: date) -> AppTest:
    """Pick a day as the map's own controls do (their callback sets the session's day)."""
    at.session_state["date"] = day
    return at.run()


def test_page_runs_on_the_shipped_data(app: AppTest) -> None:
    at = opened(app)
    assert not at.exception
    assert not at.error
    assert at.session_state["date"] == date(2015, 9, 30)
    data = map_data(at)
    assert (data["day"], data["lang"], data["place"]) == ("2015-09-30", "en", None)
    assert data["bundle"].startswith("/app/static/bundles/")
    assert data["text"]["next"] == "Next change ▶"
    assert len(at.slider) == 0, "the day is picked on the map, not by a Streamlit slider"
    rows = table(at)
    assert len(rows) == 12
    assert rows["al-Qadam"]["Status"] == "Sole control"
    assert rows["al-Qadam"]["Conditions"] == "Under attack, Besieged"
    assert rows["Yarmouk Camp"]["Factions"] == "Islamic State (ISIS), al-Nusra Front"
    assert 'data-key="faction-ajnad_sham"' in markdown(at)
    assert at.query_params["date"] == "2015-09-30"


def test_the_day_drives_the_map_table_and_legend(app: AppTest) -> None:
    at = set_day(app.run(), date(2015, 5, 1))
    assert not at.exception
    assert map_data(at)["day"] == "2015-05-01"
    rows = table(at)
    assert rows["Yarmouk Camp"]["Status"] == "Partial control"
    assert {r["Status"] for name, r in rows.items() if name != "Yarmouk Camp"} == {"No data"}
    legend = markdown(at)
    assert 'data-key="faction-isis"' in legend
    assert 'data-key="faction-ajnad_sham"' not in legend
    assert at.query_params["date"] == "2015-05-01"


def test_what_changed_follows_the_day(app: AppTest) -> None:
    at = set_day(app.run(), date(2015, 8, 11))
    text = markdown(at)
    assert "What changed" in text
    assert "Tadamon" in text.split("What changed", 1)[1]
    at = set_day(at, date(2015, 8, 12))
    assert "Nothing changes" in markdown(at).split("What changed", 1)[1]


def test_query_parameters_set_the_view(app: AppTest) -> None:
    app.query_params["date"] = "2015-03-15"
    app.query_params["place"] = "yarmouk"
    at = opened(app)
    assert not at.exception
    assert at.session_state["date"] == date(2015, 3, 15)
    assert at.selectbox(key="place").value == "yarmouk"
    assert map_data(at)["place"] == "yarmouk"
    assert (
        table(at)["Yarmouk Camp"]["Factions"]
        == "Syrian opposition factions (unnamed), al-Nusra Front"
    )
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
    assert at.session_state["date"] == date(2015, 9, 30)
    assert map_data(at)["place"] is None


def test_arabic_page_reads_right_to_left(app: AppTest) -> None:
    app.query_params["lang"] = "ar"
    at = opened(app)
    assert not at.exception
    text = markdown(at)
    assert 'dir="rtl"' in text and "جنوب دمشق" in text
    assert "direction: rtl" in text
    assert "سيطرة منفردة" in set(at.dataframe[0].value["الحالة"])


def test_palette_switch(app: AppTest) -> None:
    at = opened(app)
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
    assert not at.get("bidi_component"), "nothing else is drawn from broken data"


def test_edits_on_disk_show_on_the_next_run(
    monkeypatch: pytest.MonkeyPatch, data_copy: Any
) -> None:
    monkeypatch.setenv("MAPAPP_DATA", str(data_copy))
    monkeypatch.setenv("MAPAPP_TILES", "none")
    at = opened(AppTest.from_file(APP, default_timeout=60))
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
    assert not at.error
    assert "last valid data" in at.warning[0].value
    assert "missing-column" in set(at.dataframe[0].value["code"]), "the new files' problems"
    assert table(at)["al-Qadam"]["Factions"] == "Ajnad al-Sham (edited)", "the last good data"


def test_a_deleted_file_keeps_the_last_good_data(
    monkeypatch: pytest.MonkeyPatch, data_copy: Any
) -> None:
    monkeypatch.setenv("MAPAPP_DATA", str(data_copy))
    monkeypatch.setenv("MAPAPP_TILES", "none")
    at = AppTest.from_file(APP, default_timeout=60).run()
    bundle = map_data(at)["bundle"]
    (data_copy / "control.csv").unlink()
    at.run()
    assert not at.exception
    assert "last valid data" in at.warning[0].value
    assert len(table(at)) == 12
    assert map_data(at)["bundle"] == bundle, "the map keeps the last good bundle"


def test_without_static_serving_the_same_map_inline_with_a_notice(
    app: AppTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One renderer: without static serving the component still draws, its files and
    bundle sent inline, and the page says what to switch on; no folium, no other slider."""
    import streamlit

    from mapapp.ui.map_component import leaflet_assets

    monkeypatch.setattr(streamlit, "get_option", _static_serving_off(streamlit.get_option))
    leaflet_assets.clear()
    try:
        at = app.run()
        assert not at.exception
        assert any("enableStaticServing" in w.value for w in at.warning)
        assert len(at.slider) == 0
        data = map_data(at)
        inline = data["inline"]
        assert data["bundle"] == f"inline:{inline['key']}"
        assert inline["bundle"]["format"].startswith("mapapp-bundle/")
        assert len(inline["bundle"]["places"]) == 12
        assert "MapappMap" in inline["core"] and "export default" in inline["module"]
        assert "leaflet" in inline, "Leaflet comes inline too: no CDN"
        set_day(at, date(2015, 5, 1))
        assert map_data(at)["day"] == "2015-05-01"
        assert table(at)["Yarmouk Camp"]["Status"] == "Partial control"
    finally:
        monkeypatch.undo()
        leaflet_assets.clear()


def _static_serving_off(get: Any) -> Any:
    return lambda key: False if key == "server.enableStaticServing" else get(key)


def test_streamlits_own_data_exports_are_off(app: AppTest) -> None:
    """Finding 6: the table's "Download as CSV" and the chart's data view kept
    `=HYPERLINK(…)`; they are switched off by the app itself and by its config file."""
    import tomllib

    from streamlit import config

    config.set_option("client.disableDataExport", False)
    at = app.run()
    assert not at.exception
    assert config.get_option("client.disableDataExport") is True
    settings = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert settings["client"]["disableDataExport"] is True


def test_the_rule_for_disputed_places_is_a_switch_and_part_of_the_link(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MAPAPP_DATA", str(ROOT / "tests" / "data" / "multi-source"))
    monkeypatch.setenv("MAPAPP_TILES", "none")
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["date"] = "2015-09-26"
    at.query_params["place"] = "tadamon"
    at = opened(at)
    assert not at.exception
    assert table(at)["al-Tadamon"]["Factions"] == "Islamic State (ISIS)"
    assert map_data(at)["rule"] == "newest"
    text = markdown(at)
    assert "Test Outlet Bravo" in text and "Test Outlet Charlie" in text, "credits from data"
    assert "The data stops at 25 Sep 2015" in text
    at.selectbox(key="rule").set_value("reliable").run()
    assert not at.exception
    assert table(at)["al-Tadamon"]["Factions"] == "Syrian regime forces"
    assert map_data(at)["rule"] == "reliable"
    assert at.query_params["rule"] in ("reliable", ["reliable"])
    at.selectbox(key="rule").set_value("source:test_alpha").run()
    assert table(at)["al-Tadamon"]["Factions"] == ""
    # a link with an unknown rule falls back to the newest report and says so
    again = AppTest.from_file(APP, default_timeout=60)
    again.query_params["rule"] = "loudest"
    again = again.run()
    assert not again.exception
    assert again.session_state["rule"] == "newest"
    assert any("rule" in str(w.value) for w in again.warning)


def test_the_days_map_downloads_as_geopackage(app: AppTest) -> None:
    at = opened(app)
    labels = [element.proto.label for element in at.get("download_button")]
    assert labels == ["GeoJSON", "CSV", "GeoPackage"]


def test_a_map_too_big_to_send_inline_is_refused_loudly(
    app: AppTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    import streamlit

    from mapapp.ui import map_component
    from mapapp.ui.map_component import leaflet_assets
    from mapapp.ui.shell import load_version

    monkeypatch.setattr(streamlit, "get_option", _static_serving_off(streamlit.get_option))
    monkeypatch.setattr(map_component, "INLINE_LIMIT", 1000)
    leaflet_assets.clear()
    load_version.cache_clear()  # an inline map made by an earlier test is one per version
    try:
        at = app.run()
        assert not at.exception
        assert any("enableStaticServing" in e.value for e in at.error)
        assert not at.get("bidi_component"), "no map rather than a silent other one"
        assert len(table(at)) == 12, "the rest of the page still works"
    finally:
        monkeypatch.undo()
        leaflet_assets.clear()
        load_version.cache_clear()


def test_the_attribution_is_built_from_the_places(app: AppTest) -> None:
    at = opened(app)
    text = markdown(at)
    assert "Reference points: OCHA place points (" in text
    assert "the centroid of an OCHA admin polygon (al-Qadam)" in text
    assert "encyclopedia values (Yarmouk Camp" in text
    assert "OCHA reference points" not in text


def test_the_first_run_sends_the_map_alone(app: AppTest) -> None:
    """A session's first run sends the map's element and what stands above it (the title),
    nothing that needs browser code of its own; the rest follows on the next run (the map's
    report of its first paint, or any rerun), with the view the first run drew."""
    app.query_params.update({"date": "2015-03-15", "place": "yarmouk", "lang": "ar"})
    at = app.run()
    assert not at.exception
    data = map_data(at)
    assert (data["day"], data["place"], data["lang"]) == ("2015-03-15", "yarmouk", "ar")
    assert "جنوب دمشق" in markdown(at), "the title is there at once"
    assert "data-key=" not in markdown(at), "no side panel yet"
    assert not (at.radio or at.selectbox or at.toggle or at.date_input), "no widgets yet"
    assert not at.get("download_button") and not at.get("vega_lite_chart") and not at.dataframe
    at.run()
    assert not at.exception
    assert map_data(at) == data, "the same view, the map told nothing new"
    assert at.radio(key="lang").value == "ar" and at.selectbox(key="place").value == "yarmouk"
    assert "data-key=" in markdown(at) and len(at.get("download_button")) == 3
    assert len(at.get("vega_lite_chart")) == 2 and len(at.dataframe) == 1
    assert len(at.dataframe[0].value) == 12


def test_past_the_table_limit_the_side_panel_summarises_and_opens_on_demand(
    app: AppTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With more places than the table shows (limits lowered here: the shipped data's
    12 places and 12 changes on 2015-08-11), the side panel lists what changed a line per
    place, the legend an element of its own; the changes' sources and quotes, and the
    long list of fronts, are behind expanders whose content is sent only once opened."""
    from mapapp.ui import page_parts

    monkeypatch.setattr(page_parts, "TABLE_LIMIT", 5)
    monkeypatch.setattr(page_parts, "LIST_LIMIT", 4)
    monkeypatch.setattr(page_parts, "FRONT_LIMIT", 2)
    page_parts._parts.clear()
    try:
        at = set_day(opened(app), date(2015, 8, 11))
        assert not at.exception
        labels = [e.label for e in at.expander]
        assert labels == ["Every pair of sides at a front", "Their sources and quotes"]
        assert all(not e.children for e in at.expander), "closed: nothing sent inside"
        text = markdown(at)
        assert "12 places changed on this date." in text
        assert text.count("<li>") == 4 and "… and 8 more changes." in text
        assert "mapapp-popup" not in text, "no citations unasked"
        assert "Tadamon" in text.split("What changed", 1)[1]
        legend = next(m.value for m in at.markdown if 'data-key="faction-' in m.value)
        assert "What changed" not in legend, "the legend is an element of its own"

        at.session_state["more_change_sources"] = True  # the reader opens it
        at.run()
        assert not at.exception
        inside = "\n".join(m.value for m in at.expander[1].markdown)
        assert inside.count('class="mapapp-popup"') == 4 and "mapapp-quote" in inside
        assert not at.expander[0].children, "the other stays closed"
        at = set_day(at, date(2015, 12, 9))  # another day: it stays open, with that day's
        assert not at.exception
        assert at.expander[1].markdown, "still open on the next day"
    finally:
        page_parts._parts.clear()
