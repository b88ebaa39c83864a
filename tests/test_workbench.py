"""Accepting proposals (mapapp/editing/workbench.py) and local mode (editing/editor.py)."""

from __future__ import annotations

import csv
import getpass
import threading
from pathlib import Path

import pytest

from mapapp.core.validate import load_dataset
from mapapp.editing import store, workbench
from mapapp.editing.editor import LOCAL_ENV, local_access
from mapapp.editing.propose.lexicon import load_lexicon
from mapapp.editing.propose.proposer import Proposal, analyse
from mapapp.editing.words import LANGS, WORDS, word

EDITORS = ("a@example.org", "b@example.org")


#: hand-written sentences are not words of the archived article: they are cited to a source
#: of their own with no archived text (their quotes unverified), added to the data copy
MADE_UP = "made_up_report"


def _add_source(data: Path, source: str) -> None:
    path = data / "sources.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    if any(r["id"] == source for r in rows):
        return
    with path.open("a", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writerow(
            dict.fromkeys(rows[0], "")
            | {"id": source, "outlet": "Elaph", "outlet_ar": "إيلاف", "published": "2015-09"}
        )


def _proposals(data: Path, text: str, source: str = MADE_UP) -> list[Proposal]:
    if source == MADE_UP:
        _add_source(data, MADE_UP)
    return analyse(text, load_lexicon(data), source).proposals


def _accept_all(proposals: list[Proposal], gloss: str = "a gloss") -> list[Proposal]:
    records = workbench.editable_records(proposals)
    for r in records:
        r["accept"], r["quote_en"] = True, gloss
    return workbench.accepted(proposals, records)


def test_edits_are_applied_but_the_quote_stays_the_articles(data_copy: Path) -> None:
    proposals = _proposals(data_copy, "وتتواجد قوات النظام في بلدة يلدا.")
    records = workbench.editable_records(proposals)
    assert records[0]["accept"] is True
    records[0] |= {
        "faction_ids": "regime; isis",
        "status": "shared",
        "quote_ar": "changed",
        "quote_en": "x",
    }
    (p,) = workbench.accepted(proposals, records)
    assert (p.faction_ids, p.status, p.quote_en) == (["regime", "isis"], "shared", "x")
    assert p.quote_ar == proposals[0].quote_ar


def test_rejected_rows_are_left_out_and_known_rows_start_rejected(data_copy: Path) -> None:
    text = (Path(__file__).parent / "data" / "propose" / "elaph_2015_09.txt").read_text(
        encoding="utf-8"
    )
    proposals = _proposals(data_copy, text, "elaph_2015_09")
    records = workbench.editable_records(proposals)
    # everything here is already in the data, except where the shipped data says more
    # carefully than the proposer reads (issue 12): al-Nusra as ISIS's ally, not a sharer;
    # regime forces present in parts of al-Sbeineh; "the end of March", not March
    fresh = {(p.place_id, p.status or p.event_kind) for p in proposals if not p.existing}
    assert fresh == {
        ("yarmouk", "shared"),
        ("tadamon", "shared"),
        ("hajar_aswad", "shared"),
        ("sbeineh", "partial"),
        ("yarmouk", "partial"),
        ("yarmouk", "takeover"),
    }
    known = [r for r, p in zip(records, proposals, strict=True) if p.existing]
    assert known and not any(r["accept"] for r in known), "known rows start rejected"
    rejected = [dict(r, accept=False) for r in records]
    assert workbench.accepted(proposals, rejected) == []


def test_plan_checks_with_all_the_data_and_writes_nothing(data_copy: Path) -> None:
    before = (data_copy / "control.csv").read_bytes()
    proposals = _proposals(
        data_copy, "وتتواجد قوات النظام في بلدة يلدا. وقصفت قوات النظام حي القدم."
    )
    bad = workbench.plan(data_copy, _accept_all(proposals, gloss=""), None)
    assert not bad.can_save and "quote_en" in {i.column for i in bad.report.issues}
    good = workbench.plan(data_copy, _accept_all(proposals), None)
    assert good.can_save and set(good.rows) == {"control.csv", "events.csv"}
    assert (data_copy / "control.csv").read_bytes() == before


def test_save_appends_and_is_checked_by_the_store(data_copy: Path) -> None:
    proposals = _accept_all(_proposals(data_copy, "وتتواجد قوات النظام في بلدة يلدا."))
    plan = workbench.plan(data_copy, proposals, None)
    with pytest.raises(store.SaveRefused) as refused:
        workbench.save(data_copy, plan, user="stranger@example.org", allowed=EDITORS)
    assert refused.value.code == "forbidden"
    workbench.save(data_copy, plan, user=EDITORS[0], allowed=EDITORS)
    result = load_dataset(data_copy)
    assert result.dataset is not None
    assert any(r.place_id == "yalda" and r.status == "presence" for r in result.dataset.control)
    assert store.audit_entries(data_copy)[-1]["user"] == EDITORS[0]


def test_two_editors_saving_the_same_file_at_once_lose_nothing(data_copy: Path) -> None:
    plans = [
        workbench.plan(data_copy, _accept_all(_proposals(data_copy, text)), None)
        for text in ("وتتواجد قوات النظام في بلدة يلدا.", "وتتواجد قوات النظام في بلدة ببيلا.")
    ]
    # both read the file before either saves: the second save meets a changed file
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def run(plan: workbench.Plan, user: str) -> None:
        start.wait()
        try:
            workbench.save(data_copy, plan, user=user, allowed=EDITORS)
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)

    threads = [
        threading.Thread(target=run, args=(p, u)) for p, u in zip(plans, EDITORS, strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    result = load_dataset(data_copy)
    assert result.dataset is not None
    presence = {
        r.place_id
        for r in result.dataset.control
        if r.status == "presence" and r.source_id == MADE_UP
    }
    # (Yarmouk: the opposition factions and al-Nusra present, March 2015, already shipped)
    assert presence - {"yarmouk"} == {"yalda", "babbila"}
    assert {e["user"] for e in store.audit_entries(data_copy)[-2:]} == set(EDITORS)


def test_local_mode_only_on_loopback_and_only_when_asked() -> None:
    assert local_access({}, "127.0.0.1") is None
    granted = local_access({LOCAL_ENV: "1"}, "127.0.0.1")
    assert granted is not None and not granted.refused and granted.user == getpass.getuser()
    for address in ("", None, "0.0.0.0", "192.168.1.5", "::"):
        refused = local_access({LOCAL_ENV: "1"}, address)
        assert refused is not None and refused.refused and not refused.user


def test_every_editor_word_is_in_both_languages() -> None:
    for key, texts in WORDS.items():
        assert set(texts) == set(LANGS), key
        for lang in LANGS:
            assert word(
                key,
                lang,
                user="u",
                email="e",
                address="a",
                file="f",
                n=1,
                page=1,
                files="f",
                added=1,
                removed=1,
                changed=1,
            )
