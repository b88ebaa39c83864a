"""The evidence stays with the data: archived sources, quote offsets, and ``mapapp quotes``.

Each test builds an archived copy of the tiny valid fixture (``tests/data/valid``): the
source ``art`` gets an archived text holding every quote, ``mapapp quotes --write`` fills
in the SHA-256 and the offsets, and the test then breaks one thing and checks what the
validator (or the command) says about it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
from pathlib import Path

import pytest

from mapapp.core.evidence import archive_path, occurrences
from mapapp.core.model import ControlRow, Event
from mapapp.core.report import Report
from mapapp.core.validate import load_dataset, validate
from mapapp.draw.i18n import Lang
from mapapp.draw.popups import event_popup, place_popup
from mapapp.editing import quotes

from .conftest import VALID, run_mapapp

#: the archived text of source "art": every quote of the valid fixture once, among other words
ARTICLE = (
    "مقدمة الخبر. قال اقتباس أول ثم اقتباس ثان، وبعده اقتباس ثالث.\n"
    "&\n"
    "وأضاف: اقتباس، مع فاصلة. وهناك حصار، ثم تظاهرة.\n"
)
QUOTING = ("control.csv", "events.csv")


def locations(report: Report) -> list[tuple[str, int | None, str | None, str]]:
    return [(i.file, i.line, i.column, i.code) for i in report.sorted()]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8", newline="")


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".mapapp" not in p.parts
    }


def row_line(folder: Path, file: str, needle: str) -> int:
    """The line (header = 1) of the one line of ``file`` containing ``needle``."""
    lines = (folder / file).read_text(encoding="utf-8").splitlines()
    found = [i for i, line in enumerate(lines, start=1) if needle in line]
    assert len(found) == 1, found
    return found[0]


@pytest.fixture
def archived(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(VALID, folder)
    (folder / "sources").mkdir()
    (folder / archive_path("art")).write_bytes(ARTICLE.encode("utf-8"))
    result = quotes.run(folder, write=True)
    assert not result.attention, [str(n) for n in result.attention]
    assert validate(folder).valid, validate(folder).to_text()
    return folder


# -- what the validator proves --------------------------------------------------------------


def test_every_quote_is_the_archived_text_at_its_offsets(archived: Path) -> None:
    ds = load_dataset(archived).dataset
    assert ds is not None
    text = (archived / "sources" / "art.txt").read_bytes().decode("utf-8")
    assert ds.sources["art"].archive_sha256 == hashlib.sha256(text.encode()).hexdigest()
    items: list[ControlRow | Event] = [*ds.control, *ds.events]
    assert len(items) == 7
    for item in items:
        # "inv" is known only through "art" (quoted_in): its quotes are located in art's text
        assert item.quote_archive == "art", item
        assert item.quote_start is not None and item.quote_end is not None
        assert text[item.quote_start : item.quote_end] == item.quote_ar


def test_offsets_count_characters_of_the_undecoded_file(tmp_path: Path) -> None:
    """CR LF counts as two characters and a byte-order mark as one: nothing is translated."""
    folder = tmp_path / "data"
    shutil.copytree(VALID, folder)
    (folder / "sources").mkdir()
    raw = "\ufeff" + ARTICLE.replace("\n", "\r\n")
    (folder / archive_path("art")).write_bytes(raw.encode("utf-8"))
    assert not quotes.run(folder, write=True).attention
    ds = load_dataset(folder).dataset
    assert ds is not None
    siege = next(e for e in ds.events if e.id == "siege_beta")
    assert siege.quote_start == raw.index("حصار")
    assert siege.quote_start == ARTICLE.index("حصار") + 1 + ARTICLE[: ARTICLE.index("حصار")].count(
        "\n"
    )


def test_wrong_offsets_say_where_the_quote_is(archived: Path) -> None:
    line = row_line(archived, "events.csv", "siege_beta")
    start = ARTICLE.index("حصار")
    edit(archived / "events.csv", f",{start},{start + 4},", f",{start + 1},{start + 5},")
    report = validate(archived)
    assert locations(report) == [("events.csv", line, "quote_start", "quote-mismatch")]
    assert f"did you mean offsets {start}–{start + 4}" in report.issues[0].message


def test_a_quote_that_is_not_in_the_archive(archived: Path) -> None:
    line = row_line(archived, "events.csv", "siege_beta")
    edit(archived / "events.csv", ",حصار,", ",حصارات,")
    report = validate(archived)
    assert locations(report) == [("events.csv", line, "quote_start", "quote-mismatch")]
    assert "does not occur" in report.issues[0].message


def test_a_quote_pasted_with_other_spaces_is_explained(archived: Path) -> None:
    edit(archived / "control.csv", "اقتباس، مع فاصلة", "اقتباس،  مع فاصلة")
    report = validate(archived)
    assert report.codes() == {"quote-mismatch"}
    assert "spaces, line breaks or Unicode forms" in report.issues[0].message


def test_a_quote_that_occurs_twice_lists_both(archived: Path) -> None:
    path = archived / archive_path("art")
    doubled = ARTICLE + "وتكرر: حصار.\n"
    path.write_bytes(doubled.encode("utf-8"))
    edit(
        archived / "sources.csv",
        hashlib.sha256(ARTICLE.encode()).hexdigest(),
        hashlib.sha256(doubled.encode()).hexdigest(),
    )
    start = ARTICLE.index("حصار")
    edit(archived / "events.csv", f",{start},{start + 4},", ",0,4,")
    report = validate(archived)
    assert report.codes() == {"quote-mismatch"}
    spans = [f"{s}–{s + 4}" for s in occurrences(doubled, "حصار")]
    assert len(spans) == 2
    assert all(span in report.issues[0].message for span in spans)


def test_missing_offsets_of_an_archived_source(archived: Path) -> None:
    line = row_line(archived, "events.csv", "siege_beta")
    start = ARTICLE.index("حصار")
    edit(archived / "events.csv", f",{start},{start + 4},", ",,,")
    report = validate(archived)
    assert locations(report) == [("events.csv", line, "quote_start", "quote-unlocated")]
    assert f"{start}–{start + 4}" in report.issues[0].message
    assert "mapapp quotes" in report.issues[0].message


@pytest.mark.parametrize(
    ("cells", "column"),
    [(",{s},,", "quote_end"), (",,{e},", "quote_start"), (",{e},{s},", "quote_start")],
    ids=["no-end", "no-start", "end-before-start"],
)
def test_incomplete_or_reversed_offsets(archived: Path, cells: str, column: str) -> None:
    line = row_line(archived, "events.csv", "siege_beta")
    s = ARTICLE.index("حصار")
    edit(archived / "events.csv", f",{s},{s + 4},", cells.format(s=s, e=s + 4))
    assert locations(validate(archived)) == [("events.csv", line, column, "bad-offsets")]


def test_offsets_past_the_end_of_the_archive(archived: Path) -> None:
    s = ARTICLE.index("حصار")
    edit(archived / "events.csv", f",{s},{s + 4},", f",{s},{len(ARTICLE) + 10},")
    report = validate(archived)
    assert report.codes() == {"bad-offsets"}
    assert report.issues[0].column == "quote_end"
    assert f"{len(ARTICLE):,} characters" in report.issues[0].message


def test_a_changed_archive_is_one_problem_on_its_source(archived: Path) -> None:
    path = archived / archive_path("art")
    path.write_bytes(ARTICLE.replace("مقدمة", "بداية").encode("utf-8"))
    report = validate(archived)
    # the quotes are not each reported again: the archive itself is what changed
    assert locations(report) == [("sources.csv", 2, "archive_sha256", "archive-changed")]
    assert hashlib.sha256(path.read_bytes()).hexdigest() in report.issues[0].message


def test_a_missing_archive(archived: Path) -> None:
    (archived / archive_path("art")).unlink()
    report = validate(archived)
    assert locations(report) == [("sources.csv", 2, "archive_sha256", "archive-missing")]


def test_an_archive_without_its_hash(archived: Path) -> None:
    digest = hashlib.sha256(ARTICLE.encode()).hexdigest()
    edit(archived / "sources.csv", digest, "")
    report = validate(archived)
    assert locations(report) == [("sources.csv", 2, "archive_sha256", "archive-unrecorded")]
    assert digest in report.issues[0].message


def test_an_archive_of_no_source(archived: Path) -> None:
    (archived / "sources" / "nobody.txt").write_text("نص", encoding="utf-8")
    report = validate(archived)
    assert locations(report) == [("sources/nobody.txt", None, None, "stray-archive")]


def test_an_archive_that_is_not_utf8(archived: Path) -> None:
    (archived / archive_path("art")).write_bytes(ARTICLE.encode("utf-16"))
    report = validate(archived)
    assert report.codes() == {"bad-encoding"}
    assert report.issues[0].file == "sources/art.txt"


def test_an_archive_over_the_size_limit_is_not_read(
    archived: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mapapp.core import evidence

    monkeypatch.setattr(evidence, "MAX_ARCHIVE_BYTES", len(ARTICLE.encode()) - 1)
    report = validate(archived)
    assert locations(report) == [("sources/art.txt", None, None, "file-too-large")]


def test_quotes_never_follows_a_source_id_out_of_the_folder(archived: Path) -> None:
    outside = archived.parent / "secret.txt"
    outside.write_text("سر", encoding="utf-8")
    edit(archived / "sources.csv", "\ninv,", "\n../../secret,")
    result = quotes.run(archived, write=False)
    assert not any("secret" in n.message and n.status == "recorded" for n in result.notes)
    assert "sources.csv" not in result.changes


def test_a_bad_hash_is_a_bad_value(archived: Path) -> None:
    edit(archived / "sources.csv", hashlib.sha256(ARTICLE.encode()).hexdigest(), "abc123")
    assert locations(validate(archived)) == [("sources.csv", 2, "archive_sha256", "bad-value")]


# -- archiving stays optional ------------------------------------------------------------


def test_an_unarchived_source_is_accepted_and_unverified() -> None:
    result = load_dataset(VALID)
    assert result.report.valid, result.report.to_text()
    ds = result.dataset
    assert ds is not None
    items: list[ControlRow | Event] = [*ds.control, *ds.events]
    assert items and all(not i.quote_archive and i.quote_start is None for i in items)


def test_offsets_without_an_archive(archived: Path) -> None:
    (archived / archive_path("art")).unlink()
    edit(archived / "sources.csv", hashlib.sha256(ARTICLE.encode()).hexdigest(), "")
    report = validate(archived)
    assert report.codes() == {"offsets-without-archive"}
    assert len(report.issues) == 7  # every row still has its offsets


def test_popups_say_whether_the_quote_was_verified(archived: Path) -> None:
    from datetime import date

    from mapapp.core.resolve import resolve
    from mapapp.core.timeline import Timeline

    for folder, verified in ((archived, True), (VALID, False)):
        ds = load_dataset(folder).dataset
        assert ds is not None
        state = Timeline(ds).state_at(date(2015, 6, 20))["beta"]
        siege = next(e for e in ds.events if e.id == "siege_beta")
        record = resolve(ds, state)
        for html in (place_popup(record, "en"), event_popup(ds, siege, "en")):
            assert ('class="mapapp-verified"' in html) is verified
            assert ('class="mapapp-unverified"' in html) is not verified
        if verified:
            outlets: dict[Lang, str] = {"en": "Test Outlet", "ar": "منفذ"}
            for lang, outlet in outlets.items():
                html = event_popup(ds, siege, lang)
                line = html.split('class="mapapp-verified"')[1]
                assert f"{siege.quote_start}–{siege.quote_end}" in line
                # the archive is named as readers know the source, never by a raw id
                assert outlet in line
                assert "art.txt" not in html


def test_the_export_carries_the_verification(archived: Path) -> None:
    from mapapp.web.assets import Tiles
    from mapapp.web.export import build_bundle

    for folder, css in ((archived, "mapapp-verified"), (VALID, "mapapp-unverified")):
        ds = load_dataset(folder).dataset
        assert ds is not None
        html = "".join(build_bundle(ds, Tiles(None, ""))["html"])
        assert f'class="{css}"' in html


# -- mapapp quotes -------------------------------------------------------------------------


def archive_only(tmp_path: Path) -> Path:
    """The valid fixture with the article archived but nothing recorded yet."""
    folder = tmp_path / "data"
    shutil.copytree(VALID, folder)
    (folder / "sources").mkdir()
    (folder / archive_path("art")).write_bytes(ARTICLE.encode("utf-8"))
    return folder


def test_quotes_without_write_changes_nothing(tmp_path: Path) -> None:
    folder = archive_only(tmp_path)
    before = snapshot(folder)
    result = run_mapapp("quotes", str(folder))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Nothing written" in result.stdout
    assert snapshot(folder) == before


def test_quotes_write_fills_in_and_is_idempotent(tmp_path: Path) -> None:
    folder = archive_only(tmp_path)
    assert validate(folder).codes() == {"archive-unrecorded"}
    first = run_mapapp("quotes", str(folder), "--write")
    assert first.returncode == 0, first.stdout + first.stderr
    assert validate(folder).valid
    header = (folder / "control.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header[header.index("quote_en") + 1 : header.index("quote_en") + 3] == [
        "quote_start",
        "quote_end",
    ]
    after = snapshot(folder)
    second = run_mapapp("quotes", str(folder), "--write")
    assert second.returncode == 0
    assert "Nothing to write" in second.stdout
    assert snapshot(folder) == after


def test_quotes_keeps_untouched_rows_byte_for_byte(archived: Path) -> None:
    path = archived / "control.csv"
    s = ARTICLE.index("اقتباس أول")
    crlf = path.read_bytes().replace(b"\n", b"\r\n")
    path.write_bytes(crlf.replace(f",{s},{s + 10},".encode(), b",1,2,", 1))
    before = path.read_bytes().split(b"\r\n")
    result = quotes.run(archived, write=True)
    assert [n.status for n in result.notes if n.file == "control.csv"].count("refreshed") == 1
    after = path.read_bytes().split(b"\r\n")
    changed = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    assert changed == [1]
    assert f",{s},{s + 10},".encode() in after[1]
    assert validate(archived).valid


def test_quotes_leaves_an_ambiguous_quote_alone(archived: Path) -> None:
    path = archived / archive_path("art")
    doubled = ARTICLE + "وتكرر: حصار.\n"
    path.write_bytes(doubled.encode("utf-8"))
    old, new = hashlib.sha256(ARTICLE.encode()).hexdigest(), hashlib.sha256(doubled.encode())
    edit(archived / "sources.csv", old, new.hexdigest())
    s = ARTICLE.index("حصار")
    # offsets that point at one of the occurrences are the editor's choice: kept
    assert not quotes.run(archived, write=True).attention
    edit(archived / "events.csv", f",{s},{s + 4},", ",0,4,")
    before = snapshot(archived)
    result = run_mapapp("quotes", str(archived), "--write")
    assert result.returncode == 1
    assert "occurs 2 times" in result.stdout
    assert snapshot(archived) == before


def test_quotes_reports_an_absent_quote_and_changes_nothing(archived: Path) -> None:
    edit(archived / "events.csv", ",تظاهرة,", ",مسيرة,")
    before = snapshot(archived)
    result = run_mapapp("quotes", str(archived), "--write")
    assert result.returncode == 1
    assert "does not occur" in result.stdout
    assert snapshot(archived) == before


def test_quotes_does_not_touch_a_changed_archive(archived: Path) -> None:
    (archived / archive_path("art")).write_bytes(("سطر جديد\n" + ARTICLE).encode("utf-8"))
    before = snapshot(archived)
    result = run_mapapp("quotes", str(archived), "--write")
    assert result.returncode == 1
    assert "has changed since its SHA-256 was recorded" in result.stdout
    assert snapshot(archived) == before
    # the editor accepts the new text by clearing the recorded hash
    edit(archived / "sources.csv", hashlib.sha256(ARTICLE.encode()).hexdigest(), "")
    assert run_mapapp("quotes", str(archived), "--write").returncode == 0
    assert validate(archived).valid


def test_quotes_on_a_broken_csv_writes_nothing(archived: Path) -> None:
    with (archived / "events.csv").open("a", encoding="utf-8") as fh:
        fh.write('x,"unbalanced\n')
    before = snapshot(archived)
    result = run_mapapp("quotes", str(archived), "--write")
    assert result.returncode == 2
    assert "nothing was written" in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(archived) == before


def test_the_page_notices_an_archive_edited_in_place(archived: Path) -> None:
    from mapapp.ui.shell import current_version, file_stamp

    good, problems = current_version(archived)
    assert problems is None and good.result.dataset is not None
    before = file_stamp(archived)
    path = archived / archive_path("art")
    path.write_bytes(ARTICLE.replace("مقدمة", "بداية").encode("utf-8"))
    assert file_stamp(archived) != before
    shown, problems = current_version(archived)
    assert shown is good, "the last good version stays"
    assert problems is not None and problems.codes() == {"archive-changed"}


def test_quotes_takes_the_folder_as_an_argument_or_with_data(tmp_path: Path) -> None:
    folder = archive_only(tmp_path)
    result = run_mapapp("quotes", "--data", str(folder), "--write")
    assert result.returncode == 0, result.stdout + result.stderr
    assert validate(folder).valid
    assert run_mapapp("quotes", str(folder), "--data", str(folder)).returncode == 0
    clash = run_mapapp("quotes", str(folder), "--data", str(tmp_path))
    assert clash.returncode == 2 and "two data folders" in clash.stderr
    as_json = run_mapapp("quotes", "--data", str(folder), "--format", "json")
    assert as_json.returncode == 0
    (report,) = json.loads(as_json.stdout)
    assert {n["status"] for n in report["notes"]} == {"ok"}


def test_a_new_claim_from_the_form_gets_its_offsets(archived: Path) -> None:
    from mapapp.editing.editor import NewClaim, claim_row

    header = (archived / "control.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    claim = NewClaim("beta", "isis", "presence", "inv", "elaph", "حصار", "siege")
    row = claim_row(claim, header, archived)
    start = ARTICLE.index("حصار")
    # "inv" is quoted in "art": located in art's archived text
    assert (row["quote_start"], row["quote_end"]) == (str(start), str(start + 4))
    absent = claim_row(dataclasses.replace(claim, quote_ar="غير موجود"), header, archived)
    assert (absent["quote_start"], absent["quote_end"]) == ("", "")
