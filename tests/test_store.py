"""The editors' write path: byte-exact rendering, refusals, history, audit, undo, locking."""

from __future__ import annotations

import codecs
import hashlib
import itertools
import multiprocessing
import os
import queue
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from filelock import FileLock

from mapapp.core.validate import load_dataset
from mapapp.editing import store
from mapapp.editing.store import (
    SaveRefused,
    TableFile,
    audit_entries,
    candidate_folder,
    is_allowed,
    read_table,
    render,
    row_diff,
    save_table,
    undo_last,
)
from tests.conftest import DATA, VALID

EDITOR = "editor@example.org"
OTHER = "other@example.org"
ALLOWED = [EDITOR, OTHER]


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _snapshot(folder: Path) -> dict[str, bytes]:
    """Every file of the data folder except the app's own state folder, by relative path."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and store.STATE_DIR not in p.relative_to(folder).parts
    }


def _history(folder: Path) -> list[Path]:
    return sorted((folder / store.STATE_DIR / store.HISTORY_DIR).glob("*"))


def _edit(table: TableFile, index: int, **cells: str) -> list[dict[str, str]]:
    rows = [dict(r) for r in table.rows]
    rows[index].update(cells)
    return rows


def _save(folder: Path, name: str, index: int, user: str = EDITOR, **cells: str) -> Any:
    table = read_table(folder, name)
    return save_table(folder, table, _edit(table, index, **cells), user=user, allowed=ALLOWED)


# -- rendering -----------------------------------------------------------------------------

SHIPPED = sorted([*DATA.glob("*.csv"), *VALID.glob("*.csv")])


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_round_trip_is_byte_exact(path: Path) -> None:
    table = read_table(path.parent, path.name)
    assert render(table, table.rows) == path.read_bytes()
    assert table.digest == _sha(path.read_bytes())


MULTILINE = (
    'id,name,"note"\r\n'
    '"a","Alpha","line one\nline two"\r\n'
    'b,"Beta, the second",""\r\n'
    "\r\n"
    'c,جبهة,"he said ""no""\r\nthen left"\r\n'
    "d,Delta,last"
)


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(
            codecs.BOM_UTF8 + (DATA / "control.csv").read_bytes().replace(b"\n", b"\r\n"),
            id="crlf-bom",
        ),
        pytest.param((VALID / "factions.csv").read_bytes().rstrip(b"\n"), id="no-final-newline"),
        pytest.param(MULTILINE.encode(), id="multi-line-cells"),
        pytest.param(b"\n\nid,name\n", id="header-only-after-blank-lines"),
    ],
)
def test_round_trip_of_variants(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "t.csv").write_bytes(content)
    table = read_table(tmp_path, "t.csv")
    assert render(table, table.rows) == content


def test_multi_line_cells_are_read_as_cells(tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_bytes(MULTILINE.encode())
    table = read_table(tmp_path, "t.csv")
    assert table.header == ["id", "name", "note"]
    assert [r["id"] for r in table.rows] == ["a", "b", "c", "d"]
    assert table.rows[0]["note"] == "line one\nline two"
    assert table.rows[2]["note"] == 'he said "no"\r\nthen left'


def test_edit_keeps_bom_line_endings_and_untouched_rows(tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_bytes(codecs.BOM_UTF8 + MULTILINE.encode())
    table = read_table(tmp_path, "t.csv")
    rows = _edit(table, 1, name="Beta")
    rows.append({"id": "e", "name": "Echo, new", "note": "two\nlines"})
    out = render(table, rows)
    expected = MULTILINE.replace('b,"Beta, the second",""', "b,Beta,")
    # the file had no final newline, so the new last row has none either
    expected += '\r\ne,"Echo, new","two\nlines"'
    assert out == codecs.BOM_UTF8 + expected.encode()


def test_removing_the_last_row_keeps_the_missing_final_newline(tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_bytes(b"id,name\r\na,A\r\nb,B")
    table = read_table(tmp_path, "t.csv")
    assert render(table, table.rows[:1]) == b"id,name\r\na,A"
    assert render(table, []) == b"id,name"
    assert render(table, table.rows[::-1]) == b"id,name\r\nb,B\r\na,A"


def test_an_edited_row_keeps_its_own_line_ending_and_the_blank_line_after_it(
    tmp_path: Path,
) -> None:
    (tmp_path / "t.csv").write_bytes(b"id,name\r\na,A\n\nb,B\r\nc,C\r\n")
    table = read_table(tmp_path, "t.csv")
    rows = _edit(table, 0, name="Alpha")
    rows.insert(2, {"id": "b2", "name": "new"})
    assert render(table, rows) == b"id,name\r\na,Alpha\n\nb,B\r\nb2,new\r\nc,C\r\n"


def test_one_cell_edit_changes_exactly_one_line(data_copy: Path) -> None:
    before = (data_copy / "control.csv").read_bytes().splitlines(keepends=True)
    _save(data_copy, "control.csv", 5, note="A corrected note, with a comma")
    after = (data_copy / "control.csv").read_bytes().splitlines(keepends=True)
    assert len(after) == len(before)
    changed = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    assert changed == [6]  # row 5 is line 7 (the header is line 1)
    assert after[6].endswith(b',"A corrected note, with a comma"\n')


def test_a_row_with_an_unknown_column_is_not_rendered(tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_bytes(b"id,name\na,A\n")
    table = read_table(tmp_path, "t.csv")
    with pytest.raises(ValueError, match="colour"):
        render(table, [{"id": "a", "colour": "red"}])
    # a missing (or None) cell is empty
    assert render(table, [{"id": "b"}]) == b"id,name\nb,\n"


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"id,name\na,A,extra\n", "wrong-cell-count"),
        (b'id,name\na,"A\n', "bad-csv"),
        (b"id,name\na,\xff\n", "bad-encoding"),
        (b"", "empty-file"),
        (b"id,id\n", "duplicate-column"),
    ],
)
def test_a_file_that_cannot_be_edited_is_refused_on_reading(
    tmp_path: Path, content: bytes, code: str
) -> None:
    (tmp_path / "t.csv").write_bytes(content)
    with pytest.raises(SaveRefused) as info:
        read_table(tmp_path, "t.csv")
    assert info.value.code == "invalid"
    assert info.value.report is not None and info.value.report.codes() == {code}


@pytest.mark.parametrize("name", ["../data/control.csv", ".hidden.csv", "datapackage.json", ""])
def test_only_csv_files_directly_in_the_folder_are_tables(data_copy: Path, name: str) -> None:
    with pytest.raises(ValueError, match="not the name of a CSV file"):
        read_table(data_copy, name)


# -- row diffs -----------------------------------------------------------------------------


def _r(key: str, value: str = "") -> dict[str, str]:
    return {"id": key, "v": value}


def test_row_diff_pairs_edits_by_position_and_ignores_moves() -> None:
    old = [_r("a"), _r("b"), _r("c"), _r("d")]
    new = [_r("d"), _r("a"), _r("b", "edited"), _r("c"), _r("e")]
    diff = row_diff(old, new)
    assert diff.changed == [(_r("b"), _r("b", "edited"))]
    assert diff.added == [_r("e")]
    assert diff.removed == []
    assert not diff.empty


def test_row_diff_of_removal_and_identical_rows() -> None:
    old = [_r("a"), _r("a"), _r("b")]
    assert row_diff(old, [_r("a"), _r("b")]).removed == [_r("a")]
    assert row_diff(old, list(old)).empty
    assert row_diff(old, old[::-1]).empty


# -- refusals ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "index", "cells", "code"),
    [
        ("factions.csv", 0, {"colour": "red"}, "bad-colour"),
        ("control.csv", 0, {"faction_id": "no_such_faction"}, "unknown-faction"),
    ],
)
def test_an_invalid_edit_is_refused_and_nothing_changes(
    data_copy: Path, name: str, index: int, cells: dict[str, str], code: str
) -> None:
    before = _snapshot(data_copy)
    with pytest.raises(SaveRefused) as info:
        _save(data_copy, name, index, **cells)
    assert info.value.code == "invalid"
    assert info.value.report is not None
    assert code in info.value.report.codes()
    assert all(i.file == name for i in info.value.report.sorted())
    assert _snapshot(data_copy) == before
    assert _history(data_copy) == []
    assert audit_entries(data_copy) == []
    assert sorted(p.name for p in (data_copy / store.STATE_DIR).iterdir()) == ["lock"]


def test_a_new_column_is_refused_as_invalid(data_copy: Path) -> None:
    table = read_table(data_copy, "factions.csv")
    rows = [dict(r) for r in table.rows]
    rows[0]["nickname"] = "x"
    with pytest.raises(SaveRefused) as info:
        save_table(data_copy, table, rows, user=EDITOR, allowed=ALLOWED)
    assert info.value.code == "invalid"
    assert info.value.report is not None and info.value.report.codes() == {"unknown-column"}


def test_a_stale_save_is_refused_as_a_conflict(data_copy: Path) -> None:
    stale = read_table(data_copy, "control.csv")
    _save(data_copy, "control.csv", 1, user=OTHER, note="someone else was quicker")
    theirs = (data_copy / "control.csv").read_bytes()
    with pytest.raises(SaveRefused) as info:
        save_table(data_copy, stale, _edit(stale, 2, note="mine"), user=EDITOR, allowed=ALLOWED)
    assert info.value.code == "conflict"
    assert "reload and apply your edit again" in info.value.message
    assert (data_copy / "control.csv").read_bytes() == theirs
    assert len(audit_entries(data_copy)) == 1


def test_a_change_made_outside_the_app_is_a_conflict_too(data_copy: Path) -> None:
    table = read_table(data_copy, "factions.csv")
    path = data_copy / "factions.csv"
    path.write_bytes(path.read_bytes() + b"\n")
    with pytest.raises(SaveRefused) as info:
        save_table(data_copy, table, table.rows[:-1], user=EDITOR, allowed=ALLOWED)
    assert info.value.code == "conflict"


@pytest.mark.parametrize("user", [None, "", "   ", "stranger@example.org", "editor@example"])
def test_a_save_by_someone_not_allowed_is_refused(data_copy: Path, user: str | None) -> None:
    before = _snapshot(data_copy)
    table = read_table(data_copy, "factions.csv")
    with pytest.raises(SaveRefused) as info:
        save_table(data_copy, table, _edit(table, 0, note="x"), user=user, allowed=ALLOWED)
    assert info.value.code == "forbidden"
    with pytest.raises(SaveRefused) as undo:
        undo_last(data_copy, user=user, allowed=ALLOWED)
    assert undo.value.code == "forbidden"
    assert _snapshot(data_copy) == before
    assert not (data_copy / store.STATE_DIR).exists()


def test_allowed_addresses_match_ignoring_case_and_spaces(data_copy: Path) -> None:
    assert is_allowed("Editor@Example.ORG", ["editor@example.org"])
    assert is_allowed(" editor@example.org ", ["EDITOR@example.org"])
    assert is_allowed("editor@example.org", "editor@example.org")
    assert not is_allowed("e", "editor@example.org")
    assert not is_allowed(None, ["editor@example.org"])
    assert not is_allowed("", [""])
    assert not is_allowed("editor@example.org", [])
    result = _save(data_copy, "factions.csv", 0, user="EDITOR@example.org", note="ok")
    assert result.new_digest == _sha((data_copy / "factions.csv").read_bytes())


def test_saving_the_same_content_changes_and_logs_nothing(data_copy: Path) -> None:
    before = _snapshot(data_copy)
    table = read_table(data_copy, "control.csv")
    result = save_table(data_copy, table, table.rows, user=EDITOR, allowed=ALLOWED)
    assert result.diff.empty and result.old_digest == result.new_digest == table.digest
    assert _snapshot(data_copy) == before
    assert audit_entries(data_copy) == []


def _left_behind(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_a_failed_rename_is_an_io_error_and_leaves_everything_intact(
    data_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _snapshot(data_copy)

    def full(src: Any, dst: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("mapapp.editing.store.os.replace", full)
    with pytest.raises(SaveRefused) as info:
        _save(data_copy, "control.csv", 0, note="will not fit")
    assert info.value.code == "io-error"
    assert "No space left on device" in info.value.message
    assert _snapshot(data_copy) == before
    assert _left_behind(data_copy) == [store.STATE_DIR]
    assert _history(data_copy) == []
    assert audit_entries(data_copy) == []


def test_a_failed_write_is_an_io_error_and_leaves_everything_intact(
    data_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _snapshot(data_copy)
    real_fsync = os.fsync
    calls: list[int] = []

    def fsync(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 2:  # the history copy: the temporary file is already written
            raise OSError(28, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr("mapapp.editing.store.os.fsync", fsync)
    with pytest.raises(SaveRefused) as info:
        _save(data_copy, "control.csv", 0, note="will not fit")
    assert info.value.code == "io-error"
    assert _snapshot(data_copy) == before
    assert _left_behind(data_copy) == [store.STATE_DIR]
    assert _history(data_copy) == []
    assert audit_entries(data_copy) == []


def test_a_read_only_state_folder_is_an_io_error(
    data_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def read_only(self: Path, *args: Any, **kwargs: Any) -> None:
        raise OSError(30, "Read-only file system")

    before = _snapshot(data_copy)
    monkeypatch.setattr(Path, "mkdir", read_only)
    with pytest.raises(SaveRefused) as info:
        _save(data_copy, "control.csv", 0, note="x")
    assert info.value.code == "io-error"
    assert _snapshot(data_copy) == before


def test_a_save_that_cannot_get_the_lock_is_an_io_error(
    data_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("mapapp.editing.store.LOCK_TIMEOUT", 0.2)
    table = read_table(data_copy, "control.csv")
    (data_copy / store.STATE_DIR).mkdir()
    before = _snapshot(data_copy)
    held = FileLock(data_copy / store.STATE_DIR / store.LOCK_FILE)
    with held, pytest.raises(SaveRefused) as info:
        save_table(data_copy, table, _edit(table, 0, note="x"), user=EDITOR, allowed=ALLOWED)
    assert info.value.code == "io-error"
    assert "try again" in info.value.message
    assert _snapshot(data_copy) == before
    # once the lock is free, the same save goes through
    save_table(data_copy, table, _edit(table, 0, note="x"), user=EDITOR, allowed=ALLOWED)


# -- audit, history, undo ------------------------------------------------------------------


def test_a_save_is_audited_and_the_old_version_kept(data_copy: Path) -> None:
    old = (data_copy / "control.csv").read_bytes()
    table = read_table(data_copy, "control.csv")
    rows = _edit(table, 1, note="changed")
    removed = rows.pop(21)
    added = dict(removed, note="moved to the end and reworded")
    rows.append(added)
    result = save_table(data_copy, table, rows, user="Editor@Example.org", allowed=ALLOWED)
    new = (data_copy / "control.csv").read_bytes()
    assert (result.file, result.old_digest, result.new_digest) == (
        "control.csv",
        _sha(old),
        _sha(new),
    )
    [entry] = audit_entries(data_copy)
    assert entry["user"] == "Editor@Example.org"
    assert entry["action"] == "save" and entry["file"] == "control.csv"
    assert (entry["old_digest"], entry["new_digest"]) == (_sha(old), _sha(new))
    assert entry["changed"] == [[table.rows[1], rows[1]]]
    assert entry["added"] == [added] and entry["removed"] == [removed]
    assert entry["time"].endswith("Z")
    [kept] = _history(data_copy)
    assert kept.name.startswith("control.csv.") and kept.name.endswith(_sha(old)[:12])
    assert kept.read_bytes() == old
    assert entry["history"] == f"history/{kept.name}"
    assert result.diff.changed == [(table.rows[1], rows[1])]


def test_the_saved_file_keeps_its_permissions(data_copy: Path) -> None:
    path = data_copy / "factions.csv"
    path.chmod(0o664)
    _save(data_copy, "factions.csv", 0, note="x")
    assert path.stat().st_mode & 0o777 == 0o664


def test_undo_restores_the_previous_bytes_and_is_logged(data_copy: Path) -> None:
    original = (data_copy / "control.csv").read_bytes()
    first = _save(data_copy, "control.csv", 0, note="first")
    middle = (data_copy / "control.csv").read_bytes()
    _save(data_copy, "control.csv", 1, note="second")

    undone = undo_last(data_copy, user=EDITOR.upper(), allowed=ALLOWED)
    assert (data_copy / "control.csv").read_bytes() == middle
    assert undone.new_digest == first.new_digest
    [(was, now)] = undone.diff.changed
    assert was["note"] == "second"
    assert now["note"] == read_table(data_copy, "control.csv").rows[1]["note"] != "second"
    undo_last(data_copy, user=EDITOR, allowed=ALLOWED)
    assert (data_copy / "control.csv").read_bytes() == original

    entries = audit_entries(data_copy)
    assert [e["action"] for e in entries] == ["save", "save", "undo", "undo"]
    assert [e.get("undoes") for e in entries[2:]] == [1, 0]
    assert entries[3]["new_digest"] == _sha(original)
    with pytest.raises(SaveRefused) as info:
        undo_last(data_copy, user=EDITOR, allowed=ALLOWED)
    assert info.value.code == "nothing-to-undo"
    assert load_dataset(data_copy).report.valid


def test_undo_is_refused_after_someone_elses_later_save(data_copy: Path) -> None:
    _save(data_copy, "control.csv", 0, note="mine")
    _save(data_copy, "control.csv", 1, user=OTHER, note="theirs")
    theirs = (data_copy / "control.csv").read_bytes()
    with pytest.raises(SaveRefused) as info:
        undo_last(data_copy, user=EDITOR, allowed=ALLOWED)
    assert info.value.code == "conflict"
    assert (data_copy / "control.csv").read_bytes() == theirs
    assert [e["action"] for e in audit_entries(data_copy)] == ["save", "save"]
    # the other editor can still undo their own save
    undo_last(data_copy, user=OTHER, allowed=ALLOWED)
    assert read_table(data_copy, "control.csv").rows[0]["note"] == "mine"


def test_undo_with_nothing_saved(data_copy: Path) -> None:
    with pytest.raises(SaveRefused) as info:
        undo_last(data_copy, user=EDITOR, allowed=ALLOWED)
    assert info.value.code == "nothing-to-undo"


def test_undo_that_would_break_the_data_is_refused(data_copy: Path) -> None:
    # add a faction, then use it elsewhere: undoing the addition would leave a dangling id
    table = read_table(data_copy, "factions.csv")
    new = dict(table.rows[0], id="new_faction", name_en="New", name_ar="جديد")
    save_table(data_copy, table, [*table.rows, new], user=EDITOR, allowed=ALLOWED)
    _save(data_copy, "control.csv", 0, user=OTHER, faction_id="new_faction")
    before = _snapshot(data_copy)
    with pytest.raises(SaveRefused) as info:
        undo_last(data_copy, user=EDITOR, allowed=ALLOWED)
    assert info.value.code == "invalid"
    assert info.value.report is not None and "unknown-faction" in info.value.report.codes()
    assert _snapshot(data_copy) == before


def test_a_damaged_audit_line_keeps_indices_stable(data_copy: Path) -> None:
    _save(data_copy, "control.csv", 0, note="one")
    log = data_copy / store.STATE_DIR / store.AUDIT_FILE
    with log.open("ab") as out:
        out.write(b'{"time": "cut short')
    _save(data_copy, "control.csv", 1, note="two")
    entries = audit_entries(data_copy)
    assert [e["action"] for e in entries] == ["save", "unreadable", "save"]
    undo_last(data_copy, user=EDITOR, allowed=ALLOWED)
    assert audit_entries(data_copy)[3]["undoes"] == 2


def test_candidate_folder_replaces_one_file_and_skips_the_state_folder(data_copy: Path) -> None:
    _save(data_copy, "control.csv", 0, note="x")
    into = candidate_folder(data_copy, "factions.csv", b"id\n", data_copy.parent / "cand")
    assert sorted(p.name for p in into.iterdir()) == sorted(
        p.name for p in data_copy.iterdir() if not p.name.startswith(".")
    )
    assert (into / "factions.csv").read_bytes() == b"id\n"
    assert (into / "events.csv").read_bytes() == (data_copy / "events.csv").read_bytes()


# -- many editors at once ------------------------------------------------------------------


def test_saves_from_threads_of_one_process_are_serialised(data_copy: Path) -> None:
    """The page serves every session from threads of one process: they must queue too."""

    def edit(proc: int) -> int:
        conflicts = 0
        for k in range(5):
            while True:
                table = read_table(data_copy, "control.csv")
                rows = _edit(table, proc, note=f"thread {proc} edit {k}")
                try:
                    save_table(data_copy, table, rows, user=EDITOR, allowed=ALLOWED)
                    break
                except SaveRefused as exc:
                    if exc.code != "conflict":
                        raise
                    conflicts += 1
        return conflicts

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(edit, range(4)))
    saves = audit_entries(data_copy)
    assert len(saves) == 20
    for before, after in itertools.pairwise(saves):
        assert after["old_digest"] == before["new_digest"]
    final = read_table(data_copy, "control.csv")
    assert [final.rows[p]["note"] for p in range(4)] == [f"thread {p} edit 4" for p in range(4)]


PROCESSES = 8
EDITS = 25
RETRIES = 500


def _editor_process(folder: str, proc: int, start: Any, results: Any) -> None:
    """Edit the note of row ``proc`` of control.csv EDITS times, retrying on conflicts."""
    data_dir = Path(folder)
    user = f"proc{proc}@example.org"
    saved: list[tuple[int, str]] = []
    conflicts = 0
    seconds = 0.0
    try:
        start.wait()
        for k in range(EDITS):
            for _ in range(RETRIES):
                table = read_table(data_dir, "control.csv")
                rows = _edit(table, proc, note=f"proc {proc} edit {k}")
                began = time.perf_counter()
                try:
                    result = save_table(data_dir, table, rows, user=user, allowed=[user])
                except SaveRefused as exc:
                    if exc.code != "conflict":
                        raise
                    conflicts += 1
                    continue
                seconds += time.perf_counter() - began
                saved.append((k, result.new_digest))
                break
        results.put((proc, saved, conflicts, seconds, None))
    except Exception as exc:  # reported to the test, which fails on it
        results.put((proc, saved, conflicts, seconds, repr(exc)))


def test_concurrent_saves_are_serialised_and_none_is_lost(data_copy: Path) -> None:
    original = read_table(data_copy, "control.csv")
    assert len(original.rows) >= PROCESSES
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Barrier(PROCESSES)
    results = ctx.Queue()
    procs = [
        ctx.Process(target=_editor_process, args=(str(data_copy), p, start, results))
        for p in range(PROCESSES)
    ]
    began = time.perf_counter()
    for proc in procs:
        proc.start()
    outcomes: dict[int, tuple[list[tuple[int, str]], int, float]] = {}
    try:
        for _ in procs:
            proc_id, saved, conflicts, seconds, error = results.get(timeout=120)
            assert error is None, f"process {proc_id}: {error}"
            outcomes[proc_id] = (saved, conflicts, seconds)
    except queue.Empty:
        pytest.fail("an editor process did not finish in time")
    finally:
        for proc in procs:
            proc.join(timeout=10)
            if proc.is_alive():
                proc.kill()
    elapsed = time.perf_counter() - began

    successes = sum(len(saved) for saved, _, _ in outcomes.values())
    conflicts = sum(c for _, c, _ in outcomes.values())
    per_save = sum(s for _, _, s in outcomes.values()) / successes
    print(
        f"\n{successes} saves, {conflicts} conflicts retried, {elapsed:.1f} s in all, "
        f"{per_save * 1000:.0f} ms per successful save call (including waiting for the lock)"
    )
    assert successes == PROCESSES * EDITS

    entries = audit_entries(data_copy)
    saves = [e for e in entries if e["action"] == "save"]
    assert len(saves) == len(entries) == successes
    audited = {e["new_digest"] for e in saves}
    for proc_id, (saved, _, _) in outcomes.items():
        assert [k for k, _ in saved] == list(range(EDITS))
        assert {digest for _, digest in saved} <= audited
        mine = [e for e in saves if e["user"] == f"proc{proc_id}@example.org"]
        assert len(mine) == len(saved)
        assert all(len(e["changed"]) == 1 and not e["added"] and not e["removed"] for e in mine)
        assert [e["changed"][0][1]["note"] for e in mine] == [
            f"proc {proc_id} edit {k}" for k in range(EDITS)
        ]

    final = read_table(data_copy, "control.csv")
    for proc_id in range(PROCESSES):
        assert final.rows[proc_id]["note"] == f"proc {proc_id} edit {EDITS - 1}"
    assert final.rows[PROCESSES:] == original.rows[PROCESSES:]
    # no lost update: each save started from the version the previous one wrote
    assert saves[0]["old_digest"] == original.digest
    for before, after in itertools.pairwise(saves):
        assert after["old_digest"] == before["new_digest"]
    assert saves[-1]["new_digest"] == final.digest
    assert len(_history(data_copy)) == successes
    assert load_dataset(data_copy).report.valid
    assert _left_behind(data_copy) == [store.STATE_DIR]


# -- the state folder is never published (finding 7) ----------------------------------------
def test_the_served_folder_is_the_one_streamlit_serves() -> None:
    from mapapp.web.assets import STATIC_DIR

    assert STATIC_DIR.resolve() in [d.resolve() for d in store.SERVED_DIRS]


@pytest.mark.parametrize(
    "link",
    [
        ".mapapp -> static",  # the attack: the whole state folder published
        ".mapapp -> static/deeper",
        ".mapapp/history -> static",
        ".mapapp/audit.jsonl -> static/audit.jsonl",
        ".mapapp -> hop -> static",  # through a second link
    ],
)
def test_a_state_folder_linked_into_a_served_folder_is_refused(
    data_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, link: str
) -> None:
    served = tmp_path / "site" / "static"
    (served / "deeper").mkdir(parents=True)
    monkeypatch.setattr(store, "SERVED_DIRS", (served,))
    name, _, target = link.partition(" -> ")
    hops = target.split(" -> ")
    where = served / hops[-1].removeprefix("static").lstrip("/")
    if len(hops) == 2:
        (tmp_path / "hop").symlink_to(where, target_is_directory=True)
        where = tmp_path / "hop"
    if "/" in name:
        (data_copy / ".mapapp").mkdir()
    (data_copy / name).symlink_to(where, target_is_directory=not name.endswith(".jsonl"))
    before = _snapshot(data_copy)
    with pytest.raises(SaveRefused) as refused:
        _save(data_copy, "factions.csv", 0, note="leaked?")
    assert refused.value.code == "io-error"
    assert "publishes" in refused.value.message
    assert _snapshot(data_copy) == before
    assert sorted(p.name for p in served.rglob("*")) == ["deeper"], "nothing written there"
    with pytest.raises(SaveRefused):
        undo_last(data_copy, user=EDITOR, allowed=ALLOWED)


# -- the allow-list compares exactly (finding 8) --------------------------------------------
@pytest.mark.parametrize(
    ("user", "listed"),
    [
        ("straße@example.org", "strasse@example.org"),  # casefold: ß -> ss
        ("strasse@example.org", "straße@example.org"),
        ("\ufb01ona@example.org", "fiona@example.org"),  # the ligature fi
        ("\u017fam@example.org", "sam@example.org"),  # the long s
        ("\u0130van@example.org", "ivan@example.org"),  # dotted capital I
        ("ÉVA@example.org", "éva@example.org"),  # non-ASCII case is not folded
        ("editor@example.org\u200b", "editor@example.org"),  # a zero-width space
        ("editor@ex\u0430mple.org", "editor@example.org"),  # a Cyrillic a
    ],
)
def test_look_alike_addresses_are_not_allowed(data_copy: Path, user: str, listed: str) -> None:
    assert not is_allowed(user, [listed])
    before = _snapshot(data_copy)
    table = read_table(data_copy, "factions.csv")
    rows = _edit(table, 0, note="x")
    with pytest.raises(SaveRefused) as refused:
        save_table(data_copy, table, rows, user=user, allowed=[listed])
    assert refused.value.code == "forbidden"
    assert _snapshot(data_copy) == before


def test_addresses_match_in_any_unicode_normal_form() -> None:
    composed, decomposed = "\u00e9va@example.org", "e\u0301va@example.org"
    assert is_allowed(composed, [decomposed]) and is_allowed(decomposed, [composed])
    assert is_allowed("EVA@Example.ORG", ["eva@example.org"])


def test_only_a_verified_address_is_an_identity() -> None:
    from mapapp.editing.editor import verified_email

    base = {"is_logged_in": True, "email": "editor@example.org"}
    assert verified_email({**base, "email_verified": True}) == ("editor@example.org", True)
    for flag in (False, "true", 1, None):
        assert verified_email({**base, "email_verified": flag}) == ("editor@example.org", False)
    assert verified_email(base)[1] is False
    assert verified_email({"is_logged_in": False, "email": "editor@example.org"}) == ("", False)
