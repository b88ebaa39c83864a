"""Claims, not facts: many sources per place and day, their disagreement and their age.

Runs on ``tests/data/multi-source/``: three made-up test sources (Alpha: reliable, 10 Sep;
Bravo: fairly reliable, 20 Aug, the oldest; Charlie: unreliable, 25 Sep, the newest) that
agree on al-Hajar al-Aswad, Yalda and (on who) Yarmouk, and disagree on al-Asali and
al-Tadamon.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from mapapp.core.dates import parse_date_cell
from mapapp.core.model import Dataset
from mapapp.core.timeline import Rule, Timeline
from mapapp.core.validate import load_dataset, validate

from .conftest import ROOT, run_mapapp

MULTI = ROOT / "tests" / "data" / "multi-source"
DAY = date(2015, 9, 26)


@pytest.fixture(scope="module")
def ds() -> Dataset:
    result = load_dataset(MULTI)
    assert result.dataset is not None, result.report.to_text()
    return result.dataset


def _copy(tmp_path: Path) -> Path:
    out = tmp_path / "data"
    shutil.copytree(MULTI, out)
    return out


def _append(folder: Path, name: str, line: str) -> None:
    with (folder / name).open("a", encoding="utf-8") as fh:
        fh.write(line + "\n")


# -- the validator: disagreement is data, contradicting oneself is not ----------------------
def test_the_fixture_is_valid_though_its_sources_disagree() -> None:
    assert validate(MULTI).valid


def test_a_second_source_giving_another_controller_is_accepted(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    # the issue's case: another outlet says ISIS took al-Asali at the end of August
    _append(
        folder,
        "control.csv",
        "asali,isis,2015-08-25/2015-08-31~,day,,,,,sole,test_bravo,,T9,test-desk,ق,q,",
    )
    report = validate(folder)
    assert report.valid, report.to_text()


def test_a_source_contradicting_itself_is_still_refused(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    _append(folder, "control.csv", "asali,regime,,,,,,,sole,test_alpha,,T9,test-desk,ق,q,")
    issues = validate(folder).issues
    found = {(i.file, i.line, i.column, i.code) for i in issues}
    assert ("control.csv", 7, "status", "conflicting-control") in found
    assert ("control.csv", 14, "status", "conflicting-control") in found
    message = next(i.message for i in issues if i.line == 14)
    assert "test_alpha" in message and "line 7" in message and "own source_id" in message


def test_an_ally_needs_a_controller_from_the_same_source(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    _append(folder, "control.csv", "qadam,nusra,,,,,,,allied,test_alpha,,T9,test-desk,ق,q,")
    issues = validate(folder).issues
    assert [(i.line, i.column, i.code) for i in issues] == [(14, "status", "allied-alone")]


def test_claimants_are_an_open_table(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    _append(folder, "control.csv", "qadam,ajnad_sham,,,,,,,sole,test_alpha,,T9,a-new-voice,ق,q,")
    issues = validate(folder).issues
    assert [(i.line, i.column, i.code) for i in issues] == [(14, "claimant", "unknown-claimant")]
    assert "claimants.csv" in issues[0].message
    # an editor extends the vocabulary without touching the schema
    _append(folder, "claimants.csv", "a-new-voice,a new voice,,")
    assert validate(folder).valid


@pytest.mark.parametrize(
    ("column", "value", "code"),
    [("credibility", "7", "bad-value"), ("credibility", "A", "bad-value")],
)
def test_ratings_are_checked(tmp_path: Path, column: str, value: str, code: str) -> None:
    folder = _copy(tmp_path)
    _append(
        folder,
        "control.csv",
        f"qadam,ajnad_sham,,,,,,,sole,test_alpha,{value},T9,test-desk,ق,q,",
    )
    issues = validate(folder).issues
    assert [(i.line, i.column) for i in issues] == [(14, column)]
    assert value in issues[0].message


def test_a_bad_source_rating_is_located(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    text = (folder / "sources.csv").read_text(encoding="utf-8")
    (folder / "sources.csv").write_text(text.replace(",false,A,", ",false,G,"), encoding="utf-8")
    issues = validate(folder).issues
    assert [(i.file, i.line, i.column) for i in issues] == [("sources.csv", 2, "reliability")]


def test_a_claim_without_start_must_not_end_before_its_report(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    _append(
        folder,
        "control.csv",
        "qadam,ajnad_sham,,,2015-05,month,,,sole,test_alpha,,T9,test-desk,ق,q,",
    )
    issues = validate(folder).issues
    assert [(i.line, i.column, i.code) for i in issues] == [(14, "end", "end-before-as-of")]
    assert "as_of" in issues[0].message


def test_a_span_of_days_is_a_date() -> None:
    spec = parse_date_cell("2015-03-21/2015-03-31~", "day")
    assert spec.literal is not None
    assert (spec.literal.earliest, spec.literal.latest) == (date(2015, 3, 21), date(2015, 3, 31))
    assert spec.literal.approximate
    with pytest.raises(ValueError, match="last day is not after"):
        parse_date_cell("2015-03-31/2015-03-21")
    with pytest.raises(ValueError, match="precision"):
        parse_date_cell("2015-03-21/2015-03-31", "month")


# -- agreement and the rules --------------------------------------------------------------
def _shown(ds: Dataset, rule: Rule, place: str, day: date = DAY) -> tuple[str, tuple[str, ...]]:
    state = Timeline(ds, rule).place_state(place, day)
    return state.agreement, state.faction_ids


def test_agreed_places(ds: Dataset) -> None:
    timeline = Timeline(ds)
    hajar = timeline.place_state("hajar_aswad", DAY)
    assert hajar.agreement == "agreed"
    assert set(hajar.source_ids) == {"test_alpha", "test_bravo", "test_charlie"}
    assert len(hajar.claims) == 3
    assert timeline.place_state("yalda", DAY).agreement == "agreed"
    # Bravo: ISIS holds part, opposition forces present; Charlie: ISIS holds it: same holder
    assert timeline.place_state("yarmouk", DAY).agreement == "agreed"
    assert timeline.place_state("qadam", DAY).agreement == "no-data"


@pytest.mark.parametrize(
    ("rule", "asali", "tadamon"),
    [
        (Rule("newest"), ("isis",), ("isis",)),  # Charlie's 25 Sep report is the newest
        (Rule("reliable"), ("ajnad_sham",), ("regime",)),  # Alpha (A) and Bravo (C) beat E
    ],
)
def test_what_each_rule_draws_for_each_disputed_place(
    ds: Dataset, rule: Rule, asali: tuple[str, ...], tadamon: tuple[str, ...]
) -> None:
    assert _shown(ds, rule, "asali") == ("disputed", asali)
    assert _shown(ds, rule, "tadamon") == ("disputed", tadamon)


def test_as_source_x_answers_from_that_source_alone_everywhere(ds: Dataset) -> None:
    alpha = Timeline(ds, Rule("source", "test_alpha")).state_at(DAY)
    assert alpha["asali"].faction_ids == ("ajnad_sham",)
    assert alpha["asali"].agreement == "agreed"
    assert alpha["tadamon"].status == "no-data", "Alpha says nothing of al-Tadamon"
    assert alpha["asali"].conditions == (), "Charlie's siege is not Alpha's"
    assert {sid for s in alpha.values() for sid in s.source_ids} == {"test_alpha"}
    bravo = Timeline(ds, Rule("source", "test_bravo")).state_at(DAY)
    assert bravo["tadamon"].faction_ids == ("regime",)
    assert bravo["asali"].status == "no-data"


def test_disputed_answers_are_never_certain_and_say_who_says_what(ds: Dataset) -> None:
    asali = Timeline(ds).place_state("asali", DAY)
    assert asali.uncertain
    assert "disputed" in {u.kind for u in asali.uncertainty}
    assert asali.sides == {"test_charlie": ("isis",), "test_alpha": ("ajnad_sham",)}


def test_a_dispute_starts_and_ends_and_an_agreeing_report_changes_nothing(ds: Dataset) -> None:
    timeline = Timeline(ds)
    changed = {
        (d.isoformat(), c.place_id)
        for d, changes in timeline.changes_over(date(2015, 8, 1), date(2016, 3, 1))
        for c in changes
    }
    assert ("2015-09-10", "asali") in changed, "Alpha's report starts the dispute"
    assert ("2015-10-01", "tadamon") in changed, "Bravo's claim ends: the dispute ends"
    # Alpha (10 Sep) and Charlie (25 Sep) repeat what Bravo said of al-Hajar al-Aswad
    assert ("2015-09-10", "hajar_aswad") not in changed
    assert ("2015-09-25", "hajar_aswad") not in changed
    assert ("2015-09-10", "yalda") not in changed
    assert timeline.place_state("tadamon", date(2015, 10, 1)).agreement == "agreed"


def test_changes_are_in_order_and_a_reversed_range_is_refused(ds: Dataset) -> None:
    timeline = Timeline(ds)
    days = [d for d, _ in timeline.changes_over(date(2015, 1, 1), date(2016, 6, 1))]
    assert days == sorted(days) and len(days) == len(set(days))
    assert days[0] == date(2015, 8, 20)
    with pytest.raises(ValueError, match="backwards"):
        timeline.changes_over(date(2016, 1, 1), date(2015, 1, 1))


# -- the age of a report ------------------------------------------------------------------
def test_a_report_goes_stale_after_the_horizon(ds: Dataset) -> None:
    timeline = Timeline(ds)
    assert ds.horizon_days == 90
    # Bravo's 20 Aug report is current for 90 days, stale from the 91st
    yalda_nov = timeline.place_state("yalda", date(2015, 11, 18))
    assert not yalda_nov.stale
    # Alpha (10 Sep) still covers Yalda after Bravo went stale: fresh, from Alpha alone
    later = timeline.place_state("yalda", date(2015, 11, 19))
    assert not later.stale and later.source_ids == ("test_alpha",)
    stale = timeline.place_state("yalda", date(2015, 12, 10))
    assert stale.stale and stale.uncertain
    assert stale.as_of is not None and stale.as_of.latest == date(2015, 9, 10)
    assert "stale" in {u.kind for u in stale.uncertainty}


def test_fresh_claims_decide_over_stale_ones(ds: Dataset) -> None:
    # on 20 Nov Bravo's Yarmouk claim (partial + opposition) is stale, Charlie's is not
    yarmouk = Timeline(ds).place_state("yarmouk", date(2015, 11, 20))
    assert yarmouk.faction_ids == ("isis",) and yarmouk.status == "sole"
    assert len(yarmouk.claims) == 3, "the stale claims are still listed"


def test_conditions_follow_the_same_age_rule(ds: Dataset) -> None:
    timeline = Timeline(ds)
    early = timeline.place_state("asali", date(2015, 12, 24))
    assert early.condition_kinds == ("siege",) and not early.stale_conditions
    late = timeline.place_state("asali", date(2015, 12, 25))
    assert late.condition_kinds == ("siege",), "a stale condition is shown, not dropped"
    assert late.stale_conditions == {"siege_asali"}


def test_the_horizon_is_one_dataset_setting(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    package = json.loads((ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))
    package["x-mapapp"]["horizon_days"] = 30
    (folder / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    loaded = load_dataset(folder).dataset
    assert loaded is not None and loaded.horizon_days == 30
    assert Timeline(loaded).place_state("yalda", date(2015, 10, 11)).stale
    package["x-mapapp"]["horizon_days"] = "soon"
    (folder / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    result = run_mapapp("validate", str(folder))
    assert result.returncode == 2 and "horizon_days" in result.stderr


# -- the CLI contract ---------------------------------------------------------------------
def _state(*extra: str, day: str = "2015-09-26") -> dict[str, dict[str, Any]]:
    result = run_mapapp("state", "--on", day, "--data", str(MULTI), "--format", "json", *extra)
    assert result.returncode == 0, result.stderr
    return {e["place_id"]: e for e in json.loads(result.stdout)}


def test_state_json_contract() -> None:
    entries = _state()
    asali = entries["asali"]
    for key in ("status", "factions", "since", "uncertain", "source_ids", "conditions"):
        assert key in asali, f"today's key {key} is kept"
    assert asali["agreement"] == "disputed"
    assert asali["as_of"] == "2015-09-25"
    assert asali["stale"] is False
    claims = asali["claims"]
    assert isinstance(claims, list)
    assert {(c["source_id"], tuple(c["faction_ids"]), c["status"]) for c in claims} == {
        ("test_alpha", ("ajnad_sham",), "sole"),
        ("test_charlie", ("isis",), "sole"),
    }
    for claim in claims:
        assert set(claim) >= {"source_id", "faction_ids", "status", "claimant", "reported"}
        date.fromisoformat(claim["reported"])  # an ISO date
    assert entries["qadam"]["agreement"] == "no-data"
    assert entries["yalda"]["agreement"] == "agreed"
    stale = _state(day="2016-06-01")["yalda"]
    assert stale["stale"] is True and stale["uncertain"] is True


def test_cli_rules_and_as_source() -> None:
    assert [f["id"] for f in _state("--rule", "reliable")["asali"]["factions"]] == ["ajnad_sham"]
    assert [f["id"] for f in _state("--rule", "newest")["asali"]["factions"]] == ["isis"]
    bravo = _state("--as-source", "test_bravo")
    assert [f["id"] for f in bravo["tadamon"]["factions"]] == ["regime"]
    assert bravo["asali"]["status"] == "no-data"
    result = run_mapapp("state", "--on", "2015-09-26", "--data", str(MULTI), "--as-source", "x")
    assert result.returncode == 2 and "'x' is not a source" in result.stderr


def test_cli_changes_lists_every_change_in_order_and_refuses_a_reversed_range() -> None:
    result = run_mapapp(
        "changes", "--from", "2015-08-01", "--to", "2015-12-31", "--data", str(MULTI),
        "--format", "json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    records = json.loads(result.stdout)
    days = [r["date"] for r in records]
    assert days == sorted(days)
    assert {"date": "2015-09-10", "place_id": "asali"}.items() <= {
        k: v for r in records if r["place_id"] == "asali" and r["date"] == "2015-09-10"
        for k, v in r.items()
    }.items()  # fmt: skip
    table = run_mapapp(
        "changes", "--from", "2015-08-01", "--to", "2015-12-31", "--data", str(MULTI)
    )
    assert "(disputed)" in table.stdout
    reversed_ = run_mapapp("changes", "--from", "2015-12-31", "--to", "2015-08-01")
    assert reversed_.returncode == 2
    assert "before --from" in reversed_.stderr


def test_cli_table_says_who_says_what() -> None:
    table = run_mapapp("state", "--on", "2015-09-26", "--data", str(MULTI)).stdout
    line = next(x for x in table.splitlines() if x.startswith("asali"))
    assert "DISPUTED" in line
    assert "test_alpha says ajnad_sham" in line and "test_charlie says isis" in line


def test_shipped_data_the_issues_answers() -> None:
    """issue 12's "done when", through the CLI."""

    def state(day: str) -> dict[str, dict[str, Any]]:
        result = run_mapapp("state", "--on", day, "--format", "json")
        assert result.returncode == 0, result.stderr
        return {e["place_id"]: e for e in json.loads(result.stdout)}

    assert {e["status"] for e in state("2010-01-01").values()} == {"no-data"}
    march = state("2015-03-05")["yarmouk"]
    assert "isis" not in [f["id"] for f in march["factions"]]
    april = state("2015-04-15")["yarmouk"]
    assert [f["id"] for f in april["factions"]] == ["isis"]
    assert april["status"] == "partial" and april["uncertain"] is False
    sep = state("2015-09-15")
    assert not any(e["stale"] for e in sep.values())
    assert sep["qadam"]["conditions"] and all(
        c["claimant"] == "elaph" for c in sep["qadam"]["conditions"]
    )
    later = state("2016-06-01")
    assert all(e["uncertain"] for e in later.values() if e["status"] != "no-data")
    assert all(e["stale"] for e in later.values() if e["status"] != "no-data")


def test_drawing_takes_resolved_records_not_the_dataset(ds: Dataset) -> None:
    """A place's record holds its state and only what it names, joined."""
    from mapapp.core.resolve import resolve
    from mapapp.draw import popups

    state = Timeline(ds).place_state("asali", DAY)
    record = resolve(ds, state)
    assert record.place.id == "asali" and set(record.places) == {"asali"}
    assert set(record.sources) == {"test_alpha", "test_charlie"}
    assert set(record.factions) == {"ajnad_sham", "isis"}
    assert set(record.claimants) == {"test-desk", "test-spokesman"}
    popup = popups.place_popup(record, "en")
    assert "Test Outlet Alpha" in popup and "Test Outlet Charlie" in popup
    assert "Test Outlet Bravo" not in popup


def test_rules_offered_are_newest_reliable_and_each_source_capped(ds: Dataset) -> None:
    from dataclasses import replace

    from mapapp.draw.credits import rules_for

    assert [r.key for r in rules_for(ds)] == [
        "newest",
        "reliable",
        "source:test_alpha",
        "source:test_bravo",
        "source:test_charlie",
    ]
    many = replace(
        ds,
        sources={f"s{i:02d}": replace(ds.sources["test_alpha"], id=f"s{i:02d}") for i in range(30)},
    )
    assert len(rules_for(many, 12)) == 14
