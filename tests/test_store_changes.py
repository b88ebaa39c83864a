"""Saving an edit (the rows changed, deleted, added) instead of the whole table.

The save splices the changed rows into the file's bytes and validates only the places the
edit touches, against the record of the last folder that validated whole. Its findings must
be the full validator's (file, line, column, code, message): compared here on many edits of
synthetic data and the shipped data.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from benchmarks import synth
from mapapp.core.report import Issue, Report
from mapapp.core.validate import validate
from mapapp.editing import store
from mapapp.editing.store import Changes, SaveRefused, read_table, save_changes

from .conftest import DATA

EDITOR = "editor@example.org"
ALLOWED = [EDITOR]
NAME = "control.csv"


def _findings(report: Report) -> tuple[list[Issue], list[tuple[tuple[str, str], int]]]:
    return report.sorted(), sorted(report.omitted.items())


def _applied(table: store.TableFile, changes: Changes) -> list[dict[str, str]]:
    """The table's rows with ``changes`` made, the plain way."""
    rows = []
    for index, row in enumerate(table.rows):
        if index in changes.deleted:
            continue
        rows.append({**row, **changes.edited.get(index, {})})
    return rows + [{h: str(r.get(h, "")) for h in table.header} for r in changes.added]


def _full_report(folder: Path, table: store.TableFile, changes: Changes, tmp: Path) -> Report:
    """The full validator on a copy of the folder with the edit made."""
    copy = tmp / "whole"
    shutil.rmtree(copy, ignore_errors=True)
    store.candidate_folder(folder, NAME, store.render(table, _applied(table, changes)), copy)
    return validate(copy)


def _affected(folder: Path, table: store.TableFile, changes: Changes) -> Report | None:
    """The report of the affected-places path, or None when it would validate whole."""
    edit = store._resolve(table, changes)
    new = store._splice(table, edit)
    state = folder / store.STATE_DIR
    return store._affected_check(folder, state, table, edit, new)


def _shipped(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(DATA, folder, ignore=shutil.ignore_patterns(".mapapp"))
    return folder


def _edits(table: store.TableFile, rng: random.Random, count: int) -> list[Changes]:
    """Edits of many kinds: bad cells, unknown references, overlaps, duplicates, moves to
    another place, deletions, additions, and several at once."""
    rows = table.rows
    places = sorted({r["place_id"] for r in rows})
    n = len(rows)

    def one() -> Changes:
        i = rng.randrange(n)
        row = rows[i]
        kind = rng.randrange(14)
        if kind == 0:
            return Changes(edited={i: {"status": "solo"}})
        if kind == 1:
            return Changes(edited={i: {"faction_id": "nobody"}})
        if kind == 2:
            return Changes(edited={i: {"start": "2015-02-30", "start_precision": ""}})
        if kind == 3:
            return Changes(edited={i: {"place_id": rng.choice(places)}})  # moved
        if kind == 4:
            return Changes(added=[dict(row)])  # the same claim twice
        if kind == 5:
            return Changes(deleted=[i])  # may leave a 'shared' row alone
        if kind == 6:  # another row of the same place and source takes this one's period
            same = [
                j
                for j, r in enumerate(rows)
                if j != i and (r["place_id"], r["source_id"]) == (row["place_id"], row["source_id"])
            ]
            j = rng.choice(same) if same else i
            period = {k: row[k] for k in ("start", "start_precision", "end", "end_precision")}
            return Changes(edited={j: {**period, "faction_id": row["faction_id"]}})
        if kind == 7:
            return Changes(edited={i: {"place_id": "nowhere"}})
        if kind == 8:
            return Changes(edited={i: {"quote_en": row["quote_en"] + ' ("checked")'}})
        if kind == 9:
            return Changes(added=[{**row, "status": "sole", "faction_id": rng.choice(places)}])
        if kind == 10:
            return Changes(edited={i: {"status": "sole" if row["status"] != "sole" else "shared"}})
        if kind == 11:
            return Changes(edited={i: {"end": "2001", "end_precision": "year"}})
        if kind == 12:
            return Changes(edited={i: {"place_id": f" {row['place_id']} "}})
        return Changes(edited={i: {"claim": "C7;;C8"}})

    out = []
    for _ in range(count):
        parts = [one() for _ in range(rng.choice([1, 1, 1, 2, 3]))]
        edited: dict[int, dict[str, Any]] = {}
        deleted: set[int] = set()
        added: list[Mapping[str, Any]] = []
        for part in parts:
            for k, v in part.edited.items():
                edited.setdefault(k, {}).update(v)
            deleted |= set(part.deleted)
            added += part.added
        out.append(Changes(edited=edited, deleted=deleted, added=added))
    return out


def _compare(folder: Path, tmp_path: Path, edits: list[Changes]) -> int:
    assert store.remember_if_valid(folder), "the folder validates before the edits"
    table = read_table(folder, NAME)
    assert isinstance(table._body, store._PlainRows), "read as columns"
    refused = 0
    for changes in edits:
        fast = _affected(folder, table, changes)
        assert fast is not None, changes
        whole = _full_report(folder, table, changes, tmp_path)
        assert _findings(fast) == _findings(whole), changes
        refused += not whole.valid
    return refused


@pytest.mark.parametrize("seed", [1, 2])
def test_affected_places_find_what_the_whole_validation_finds_synthetic(
    seed: int, tmp_path: Path
) -> None:
    folder = synth.generate(tmp_path / "data", 25, 600, seed=seed)
    table = read_table(folder, NAME)
    refused = _compare(folder, tmp_path, _edits(table, random.Random(seed), 40))
    assert refused >= 10, "most edits of the list are mistakes"


def test_affected_places_find_what_the_whole_validation_finds_shipped(tmp_path: Path) -> None:
    folder = _shipped(tmp_path)
    table = read_table(folder, NAME)
    refused = _compare(folder, tmp_path, _edits(table, random.Random(7), 40))
    assert refused >= 10


def test_edits_it_cannot_be_sure_of_validate_the_whole_folder(tmp_path: Path) -> None:
    folder = _shipped(tmp_path)
    assert store.remember_if_valid(folder)
    table = read_table(folder, NAME)
    # a line break inside a value moves the lines after it
    broken = Changes(edited={0: {"note": "two\nlines"}})
    assert _affected(folder, table, broken) is None
    # a NUL byte: the reader refuses the whole file, which the rows alone cannot show
    nul = Changes(edited={0: {"note": "a\x00b"}})
    assert _affected(folder, table, nul) is None
    whole = store.check_changes(folder, table, nul)
    assert whole.codes() == {"bad-encoding"}
    # another table: its rows are referred to by control rows
    factions = read_table(folder, "factions.csv")
    assert _affected(folder, factions, Changes(deleted=[0])) is None
    # a file changed outside the store: the record no longer matches
    with (folder / "factions.csv").open("a", encoding="utf-8") as out:
        out.write("\n")
    assert _affected(folder, table, Changes(deleted=[0])) is None


def test_a_file_changed_outside_is_validated_whole(tmp_path: Path) -> None:
    """Deleting a faction by hand breaks rows of places the edit does not touch: the save
    no longer trusts the record of the last valid folder, and refuses."""
    folder = _shipped(tmp_path)
    assert store.remember_if_valid(folder)
    table = read_table(folder, NAME)
    used = {r["faction_id"] for r in table.rows}
    lines = (folder / "factions.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [lines[0]] + [ln for ln in lines[1:] if ln.split(",")[0] not in used or ln == lines[1]]
    (folder / "factions.csv").write_text("".join(kept), encoding="utf-8")
    table = read_table(folder, NAME)
    last = table.row_count - 1
    with pytest.raises(SaveRefused) as caught:
        save_changes(
            folder, table, Changes(edited={last: {"note": "x"}}), user=EDITOR, allowed=ALLOWED
        )
    assert caught.value.code == "invalid"
    assert caught.value.report is not None
    assert "unknown-faction" in caught.value.report.codes()


def test_a_save_splices_one_line_and_keeps_every_other_byte(tmp_path: Path) -> None:
    folder = _shipped(tmp_path)
    before = (folder / NAME).read_bytes()
    inode = (folder / NAME).stat().st_ino
    table = read_table(folder, NAME)
    row = table.rows_at([3])[0]
    result = save_changes(
        folder,
        table,
        Changes(edited={3: {"quote_en": row["quote_en"] + ', "checked"'}}),
        user=EDITOR,
        allowed=ALLOWED,
    )
    after = (folder / NAME).read_bytes()
    old_lines, new_lines = before.split(b"\n"), after.split(b"\n")
    assert len(old_lines) == len(new_lines)
    differ = [i for i, (a, b) in enumerate(zip(old_lines, new_lines, strict=True)) if a != b]
    assert differ == [4]  # the header is line 0
    assert b', ""checked""' in new_lines[4]
    expected = {**row, "quote_en": row["quote_en"] + ', "checked"'}
    assert result.diff.changed == [(row, expected)]
    entry = store.audit_entries(folder)[-1]
    assert entry["changed"] == [[row, expected]]
    assert entry["new_digest"] == store._digest(after)
    # the history keeps the old bytes; undo restores them exactly
    history = folder / store.STATE_DIR / entry["history"]
    assert history.read_bytes() == before
    assert history.stat().st_ino == inode, "the replaced file itself, linked: not copied"
    store.undo_last(folder, user=EDITOR, allowed=ALLOWED)
    assert (folder / NAME).read_bytes() == before
    # the undone folder validated whole: the next edit is checked by its places
    assert store._validated(folder / store.STATE_DIR) == store._folder_digests(folder)


@pytest.mark.parametrize(
    "content",
    [
        b"id,name\r\na,A\r\nb,B\r\nc,C\r\n",
        b"id,name\na,A\nb,B\nc,C",
        b'\xef\xbb\xbfid,name\na,"A, a"\nb,B\nc,C\n',
    ],
    ids=["crlf", "no-final-newline", "bom-quoted"],
)
def test_splicing_writes_what_render_writes(content: bytes, tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_bytes(content)
    table = read_table(tmp_path, "t.csv")
    assert isinstance(table._body, store._PlainRows)
    for changes in [
        Changes(edited={1: {"name": "B, b"}}),
        Changes(deleted=[2]),
        Changes(deleted=[0], added=[{"id": "d", "name": "D"}]),
        Changes(edited={2: {"name": "Z"}}, added=[{"id": "e"}]),
    ]:
        edit = store._resolve(table, changes)
        spliced = store._splice(table, edit)
        assert spliced == store.render(table, _applied(table, changes)), changes
        # the table a save hands back is the new file as read again
        saved = store._saved_table(table, edit, spliced, store._digest(spliced))
        again = store._parse_plain("t.csv", spliced)
        assert saved is not None and again is not None
        assert saved.rows == again.rows
        assert saved._records == again._records
        assert (saved.digest, saved._newline, saved._trailing_newline) == (
            again.digest,
            again._newline,
            again._trailing_newline,
        )


def test_a_stale_edit_is_a_conflict(tmp_path: Path) -> None:
    folder = _shipped(tmp_path)
    first = read_table(folder, NAME)
    second = read_table(folder, NAME)
    edit = Changes(edited={0: {"note": "first editor"}})
    save_changes(folder, first, edit, user=EDITOR, allowed=ALLOWED)
    before = (folder / NAME).read_bytes()
    with pytest.raises(SaveRefused) as caught:
        save_changes(
            folder, second, Changes(edited={1: {"note": "late"}}), user=EDITOR, allowed=ALLOWED
        )
    assert caught.value.code == "conflict"
    assert (folder / NAME).read_bytes() == before


def test_refused_saves_change_nothing(tmp_path: Path) -> None:
    folder = _shipped(tmp_path)
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    table = read_table(folder, NAME)
    with pytest.raises(SaveRefused) as forbidden:
        save_changes(folder, table, Changes(deleted=[0]), user="x@example.org", allowed=ALLOWED)
    assert forbidden.value.code == "forbidden"
    with pytest.raises(SaveRefused) as invalid:
        save_changes(
            folder, table, Changes(edited={0: {"status": "solo"}}), user=EDITOR, allowed=ALLOWED
        )
    assert invalid.value.code == "invalid"
    with pytest.raises(SaveRefused) as unknown:
        save_changes(
            folder, table, Changes(edited={0: {"colour": "red"}}), user=EDITOR, allowed=ALLOWED
        )
    assert unknown.value.code == "invalid"
    with pytest.raises(ValueError, match="not in"):
        save_changes(folder, table, Changes(deleted=[10**6]), user=EDITOR, allowed=ALLOWED)
    after = {
        p: p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file() and store.STATE_DIR not in p.parts
    }
    assert after == {p: b for p, b in before.items() if store.STATE_DIR not in p.parts}
    assert store.audit_entries(folder) == []


def test_reading_for_editing_keeps_the_errors_of_bad_files(tmp_path: Path) -> None:
    for content, code in [
        (b"id,name\na,A,extra\n", "wrong-cell-count"),
        (b"id,id\na,A\n", "duplicate-column"),
        (b"id,name\na,\xff\n", "bad-encoding"),
        (b'id,name\na,"A\n', "bad-csv"),
    ]:
        (tmp_path / "t.csv").write_bytes(content)
        with pytest.raises(SaveRefused) as caught:
            read_table(tmp_path, "t.csv")
        assert caught.value.report is not None
        assert code in caught.value.report.codes(), content


def test_a_save_hands_back_the_table_as_saved(tmp_path: Path) -> None:
    """The page edits on from the table the save returns, without reading the file again:
    it is the file as read_table reads it, and saves from it splice the same way."""
    folder = _shipped(tmp_path)
    assert store.remember_if_valid(folder)
    table = read_table(folder, NAME)
    moved = table.rows_at([5])[0]
    for changes in [
        Changes(edited={2: {"note": "checked"}}),
        Changes(deleted=[5], added=[moved]),  # a row moved to the end: the same claims
        Changes(edited={0: {"quote_en": table.rows_at([0])[0]["quote_en"] + ", again"}}),
    ]:
        result = save_changes(folder, table, changes, user=EDITOR, allowed=ALLOWED)
        assert result.table is not None
        again = read_table(folder, NAME)
        assert result.table.digest == again.digest == store._digest((folder / NAME).read_bytes())
        assert result.table.rows == again.rows
        assert result.table._records == again._records
        table = result.table
    assert len(store.audit_entries(folder)) == 3


def test_the_new_file_is_copied_from_the_old_one_only_while_it_is_unchanged(
    tmp_path: Path,
) -> None:
    """The ranges of the old file are copied by the kernel only from the very file that was
    read and hashed; any other (changed meanwhile) and the new bytes are written instead."""
    source = tmp_path / "t.csv"
    source.write_bytes(b"id,name\na,A\nb,B\n")
    table = read_table(tmp_path, "t.csv")
    edit = store._resolve(table, Changes(edited={1: {"name": "Z"}}))
    pieces = store._pieces(table, edit)
    assert any(isinstance(p, tuple) for p in pieces)
    new = store._splice(table, edit)
    identity = store._identity(source.stat())
    store._write_pieces(tmp_path / "copied", pieces, source, identity, new, 0o640)
    assert (tmp_path / "copied").read_bytes() == new == b"id,name\na,A\nb,Z\n"
    assert (tmp_path / "copied").stat().st_mode & 0o777 == 0o640
    # the old file rewritten since: its ranges are not trusted
    source.write_bytes(b"id,name\nxx,X\ny,Y\n")
    store._write_pieces(tmp_path / "written", pieces, source, identity, new, 0o644)
    assert (tmp_path / "written").read_bytes() == new
