"""The shipped data says what the article says: no more, no less."""

from __future__ import annotations

import csv
import hashlib
from datetime import date

import pytest

from mapapp.core.model import ControlRow, Dataset, Event
from mapapp.core.timeline import Timeline
from mapapp.core.validate import load_dataset

from .conftest import DATA


@pytest.fixture(scope="module")
def ds() -> Dataset:
    result = load_dataset(DATA)
    assert result.dataset is not None, result.report.to_text()
    return result.dataset


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


QUOTED_ROWS = [
    (name, i + 2, row["quote_ar"])
    for name in ("control.csv", "events.csv")
    for i, row in enumerate(_rows(name))
]


ARCHIVE = DATA / "sources" / "elaph_2015_09.txt"


def test_the_article_is_kept_in_the_repository(ds: Dataset) -> None:
    """The evidence travels with the data: no file outside the repository is needed."""
    data = ARCHIVE.read_bytes()
    assert hashlib.sha256(data).hexdigest() == ds.sources["elaph_2015_09"].archive_sha256
    text = data.decode("utf-8")
    # the seed as the fact sheet describes it: the author's name, "&" paragraph breaks
    assert "جواد الصايغ" in text
    assert "&" in text.splitlines()


@pytest.mark.parametrize(("file", "line", "quote"), QUOTED_ROWS)
def test_every_arabic_quote_is_the_archived_text_at_its_offsets(
    ds: Dataset, file: str, line: int, quote: str
) -> None:
    items: list[ControlRow | Event] = list(ds.control if file == "control.csv" else ds.events)
    item = next(i for i in items if i.line == line)
    assert item.quote_ar == quote.strip()
    # the investigation is known only through the article: its quotes are located there
    assert item.quote_archive == "elaph_2015_09", f"{file}:{line}: quote not verified"
    assert item.quote_start is not None and item.quote_end is not None
    text = ARCHIVE.read_bytes().decode("utf-8")
    assert text[item.quote_start : item.quote_end] == quote.strip(), f"{file}:{line}"


#: who speaks each claim of the article (article-facts.md); C7's accusation against al-Nusra
#: is the opposition factions' own, and C8's attack and siege are the article's own voice
#: (only the demonstration is "according to activists")
CLAIMANTS = {
    "C1": {"anonymous-source"},
    "C2": {"anonymous-source"},
    "C3": {"anonymous-source"},
    "C4": {"anonymous-source"},
    "C5": {"anonymous-source"},
    "C6": {"elaph"},
    "C7": {"elaph", "opposition-factions"},
    "C8": {"elaph", "activists"},
}


def test_every_row_traces_to_a_claim_and_keeps_its_speaker(ds: Dataset) -> None:
    items: list[ControlRow | Event] = [*ds.control, *ds.events]
    for item in items:
        assert item.claims, item
        for claim in item.claims:
            assert claim in CLAIMANTS, f"line {item.line}: unknown claim {claim}"
        assert item.claimant in CLAIMANTS[item.claims[0]], f"line {item.line}"
        assert item.claimant in ds.claimants, f"line {item.line}: not in claimants.csv"
        assert item.quote_en.strip(), f"line {item.line}: no translation"
    speakers = {e.id: e.claimant for e in ds.events}
    assert speakers["isis_attack_qadam"] == speakers["siege_qadam"] == "elaph"
    assert speakers["demonstration_yalda"] == "activists"
    nusra_checkpoints = next(
        r for r in ds.control if r.faction_id == "nusra" and r.claims == ("C7",)
    )
    assert nusra_checkpoints.claimant == "opposition-factions"


def test_every_group_the_article_names_is_a_faction(ds: Dataset) -> None:
    assert set(ds.factions) == {
        "regime",
        "isis",
        "nusra",
        "jaysh_islam",
        "ahrar_sham",
        "liwa_sham_rasul",
        "ajnad_sham",
        "duha_islam",
        "abu_ali_ansar",
        "opposition",
        "rabi_thawra",
    }
    assert ds.factions["rabi_thawra"].kind == "civil"


def test_sources_and_their_dates(ds: Dataset) -> None:
    article = ds.sources["elaph_2015_09"]
    assert (article.outlet, article.author) == ("Elaph", "Jawad al-Sayegh")
    assert article.url == "https://elaph.com/Web/News/2015/9/1038541.html"
    assert (article.published.iso(), article.published.approximate) == ("2015-09", False)
    inv = ds.sources["elaph_investigation"]
    assert inv.quoted_in == "elaph_2015_09"
    assert inv.published.approximate, "'three weeks before' is approximate"
    assert inv.published.label() == "about 11 Aug – 9 Sep 2015"


def _summary(ds: Dataset, day: date) -> dict[str, tuple[str, frozenset[str]]]:
    return {
        pid: (s.status, frozenset(s.faction_ids)) for pid, s in Timeline(ds).state_at(day).items()
    }


ISIS_NUSRA = ("sole", frozenset({"isis", "nusra"}))  # ISIS, al-Nusra its ally
THREE = ("shared", frozenset({"jaysh_islam", "liwa_sham_rasul", "ahrar_sham"}))
AJNAD = ("sole", frozenset({"ajnad_sham"}))
REGIME_PRESENT = ("presence", frozenset({"regime"}))
NO_DATA = ("no-data", frozenset[str]())


def test_state_after_the_investigation_matches_c6(ds: Dataset) -> None:
    assert _summary(ds, date(2015, 9, 15)) == {
        "yarmouk": ISIS_NUSRA,
        "tadamon": ISIS_NUSRA,
        "hajar_aswad": ISIS_NUSRA,
        "yalda": THREE,
        "babbila": THREE,
        "beit_sahm": THREE,
        "qadam": AJNAD,
        "asali": AJNAD,
        "sayyida_zaynab": REGIME_PRESENT,
        "sbeineh": REGIME_PRESENT,  # "present in parts of", not partial control
        "aqraba": REGIME_PRESENT,
        "airport_road": REGIME_PRESENT,
    }


def test_before_the_investigation_only_yarmouk_is_known(ds: Dataset) -> None:
    # nothing anywhere before the earliest time the article speaks of (March 2015)
    assert set(_summary(ds, date(2010, 1, 1)).values()) == {NO_DATA}
    assert set(_summary(ds, date(2015, 2, 28)).values()) == {NO_DATA}
    # before the end of March: opposition factions and al-Nusra present, no sole control
    march = _summary(ds, date(2015, 3, 5))
    assert march.pop("yarmouk") == ("presence", frozenset({"opposition", "nusra"}))
    assert set(march.values()) == {NO_DATA}
    may = _summary(ds, date(2015, 5, 1))
    assert may.pop("yarmouk") == ("partial", frozenset({"isis"}))
    assert set(may.values()) == {NO_DATA}
    timeline = Timeline(ds)
    assert timeline.place_state("yarmouk", date(2015, 3, 5)).uncertain, "start unknown"
    assert not timeline.place_state("yarmouk", date(2015, 5, 1)).uncertain


def test_the_end_of_march_is_its_last_days_not_the_first(ds: Dataset) -> None:
    timeline = Timeline(ds)
    assert "isis" not in timeline.place_state("yarmouk", date(2015, 3, 15)).faction_ids
    late = timeline.place_state("yarmouk", date(2015, 3, 25))
    assert late.faction_ids == ("isis",) and late.uncertain, "inside the approximate window"
    takeover = next(e for e in ds.events if e.kind == "takeover")
    assert (takeover.date.earliest, takeover.date.latest) == (date(2015, 3, 21), date(2015, 3, 31))
    assert takeover.date.approximate


def test_the_investigation_is_first_reported_not_begun_and_goes_stale(ds: Dataset) -> None:
    inv = [r for r in ds.control if r.source_id == "elaph_investigation"]
    assert all(r.start is None for r in inv), "the article gives no start for C6"
    assert all(r.as_of == ds.sources["elaph_investigation"].published for r in inv)
    timeline = Timeline(ds)
    sep = timeline.state_at(date(2015, 9, 15))
    assert not any(s.stale for s in sep.values())
    for day in (date(2016, 6, 1), date(2024, 12, 9)):
        states = timeline.state_at(day)
        known = [s for s in states.values() if s.rows]
        assert known and all(s.stale and s.uncertain for s in known), "never certain"
    # conditions last as long as the report that carries them
    qadam = timeline.place_state("qadam", date(2016, 6, 1))
    assert set(qadam.condition_kinds) == {"siege", "under-attack"}
    assert qadam.stale_conditions == {"isis_attack_qadam", "siege_qadam"}


def test_al_nusra_is_isis_ally_and_hajar_aswad_its_stronghold(ds: Dataset) -> None:
    nusra = [
        r for r in ds.control if r.faction_id == "nusra" and r.source_id == "elaph_investigation"
    ]
    assert {r.place_id for r in nusra} == {"yarmouk", "tadamon", "hajar_aswad"}
    assert {r.status for r in nusra} == {"allied"}
    hajar = Timeline(ds).place_state("hajar_aswad", date(2015, 9, 15))
    assert hajar.agreement == "agreed"
    assert "elaph_2015_09" in hajar.source_ids, "the article calls it ISIS's stronghold"
    assert "معقل" in next(r for r in hajar.claims if r.source_id == "elaph_2015_09").quote_ar
    # al-Nusra's colour is not the ochre most Syria maps give Kurdish forces
    assert ds.factions["nusra"].colour.lower() not in {"#b8860b", "#e69f00", "#f0e442"}


def test_the_headline_claims_are_sourced_rows(ds: Dataset) -> None:
    by_id = {e.id: e for e in ds.events}
    cooperation, contact = by_id["cooperation_regime_isis"], by_id["contact_regime_isis"]
    assert cooperation.claims == ("C1",) and set(cooperation.actors) == {"regime", "isis"}
    assert "تعاونا معًا على إفشال هجوم" in cooperation.quote_ar
    assert contact.claims == ("C5",) and "رصدت تواصلًا بين التنظيم والنظام" in contact.quote_ar
    from mapapp.draw.formats import state_record

    record = state_record(ds, Timeline(ds).place_state("hajar_aswad", date(2015, 9, 15)))
    assert {"cooperation", "contact"} <= {e["kind"] for e in record["events"]}


def test_translation_fixes(ds: Dataset) -> None:
    ajnad = [r for r in ds.control if r.faction_id == "ajnad_sham"]
    assert all("exercises control over" in r.quote_en for r in ajnad)
    assert not any("extends" in r.quote_en for r in ds.control)
    from mapapp.draw.i18n import TEXT

    assert "من كان يسيطر" in TEXT["title"]["ar"], "the data is 2015: who held"
    for fid in ("duha_islam", "abu_ali_ansar"):
        assert "only in this article" in ds.factions[fid].note


def test_answers_inside_the_investigations_window_say_they_are_uncertain(ds: Dataset) -> None:
    states = Timeline(ds).state_at(date(2015, 8, 20))
    assert all(s.uncertain for s in states.values())
    assert all(not s.uncertain for s in Timeline(ds).state_at(date(2015, 9, 15)).values())


def test_al_qadam_is_under_attack_and_besieged_at_the_articles_date(ds: Dataset) -> None:
    timeline = Timeline(ds)
    qadam = timeline.place_state("qadam", date(2015, 9, 15))
    assert set(qadam.condition_kinds) == {"siege", "under-attack"}
    assert set(qadam.source_ids) == {"elaph_investigation", "elaph_2015_09"}
    attack = next(c for c in qadam.conditions if c.kind == "under-attack")
    assert attack.actors == ("isis",)
    siege = next(c for c in qadam.conditions if c.kind == "siege")
    assert siege.actors == (), "the article does not say who besieges al-Qadam"
    assert set(timeline.place_state("qadam", date(2015, 10, 15)).condition_kinds) == {
        "siege",
        "under-attack",
    }, "conditions go on as control does, until their report is stale"


def test_events_the_article_reports(ds: Dataset) -> None:
    kinds = {(e.place_id, e.kind) for e in ds.events}
    assert {
        ("hajar_aswad", "attack"),
        ("hajar_aswad", "shelling"),
        ("yarmouk", "takeover"),
        ("qadam", "under-attack"),
        ("qadam", "siege"),
        ("yalda", "demonstration"),
        ("hajar_aswad", "cooperation"),
        ("hajar_aswad", "contact"),
    } <= kinds
    undated = [e for e in ds.events if e.kind in {"attack", "shelling", "demonstration"}]
    assert all(e.date.approximate for e in undated), "undated events are marked approximate"
    takeover = next(e for e in ds.events if e.kind == "takeover")
    assert takeover.date.iso() == "2015-03-21/2015-03-31~"


def test_the_failed_attack_changed_no_control(ds: Dataset) -> None:
    timeline = Timeline(ds)
    changes = timeline.change_dates()
    assert changes == [
        date(2015, 3, 1),
        date(2015, 3, 21),
        date(2015, 8, 11),
        date(2015, 9, 1),
        date(2015, 12, 9),  # stale: the investigation's reports are past the horizon
        date(2015, 12, 30),  # and the article's
    ]


def test_data_package_is_a_valid_frictionless_package() -> None:
    """The descriptor is standard: the reference implementation reads and validates it."""
    import frictionless

    report = frictionless.Package(str(DATA / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
