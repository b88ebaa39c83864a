"""Faults during a save, made for real: read-only folders and files, a full disk, an
unwritable history or audit log. (``tests/test_store.py`` injects a failing ``os.replace``,
``os.fsync`` and ``mkdir``; here the file system itself refuses.)

Every save that meets a fault must be refused with an ``io-error`` that names the file,
leave the file's bytes as they were, and leave nothing behind: no temporary file, no
candidate folder, no history copy, no audit line.

The faults need root (to mount a small tmpfs, bind-mount read-only, ``chattr +i``); without
it, the read-only tests fall back to file permissions and the others are skipped.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from mapapp.editing import store
from mapapp.editing.store import SaveRefused, audit_entries, read_table, save_table, undo_last
from tests.conftest import DATA

EDITOR = "editor@example.org"
ALLOWED = [EDITOR]
NAME = "control.csv"
IS_ROOT = os.geteuid() == 0


def _sh(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, check=False)


class Mounts:
    """Mounts made by one test, undone (innermost first) at its end."""

    def __init__(self) -> None:
        self.points: list[Path] = []
        self.immutable: list[Path] = []

    def tmpfs(self, where: Path, size: str) -> Path:
        where.mkdir(parents=True, exist_ok=True)
        done = _sh("mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(where))
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
        self.points.append(where)
        return where

    def read_only(self, path: Path) -> None:
        """Make ``path`` (a folder or a file) read-only: a read-only bind mount as root,
        its permissions otherwise."""
        if not IS_ROOT:
            path.chmod(0o555 if path.is_dir() else 0o444)
            return
        done = _sh("mount", "--bind", str(path), str(path))
        if done.returncode != 0:
            pytest.skip(f"cannot bind-mount here: {done.stderr.strip()}")
        self.points.append(path)
        done = _sh("mount", "-o", "remount,bind,ro", str(path))
        assert done.returncode == 0, done.stderr

    def remount_read_only(self, where: Path) -> None:
        done = _sh("mount", "-o", "remount,ro", str(where))
        assert done.returncode == 0, done.stderr

    def make_immutable(self, path: Path) -> None:
        done = _sh("chattr", "+i", str(path))
        if done.returncode != 0:
            pytest.skip(f"chattr +i is not possible here: {done.stderr.strip()}")
        self.immutable.append(path)

    def undo(self) -> None:
        for path in self.immutable:
            _sh("chattr", "-i", str(path))
        for point in reversed(self.points):
            if _sh("umount", str(point)).returncode != 0:
                _sh("umount", "-l", str(point))


@pytest.fixture
def mounts() -> Iterator[Mounts]:
    made = Mounts()
    try:
        yield made
    finally:
        made.undo()


def _root_only() -> None:
    if not IS_ROOT:
        pytest.skip("needs root: a real small file system is mounted for this fault")


def _copy_data(into: Path) -> Path:
    for path in DATA.iterdir():
        if path.is_file():
            shutil.copy2(path, into / path.name)
    # the archived article the quotes are checked against
    shutil.copytree(DATA / "sources", into / "sources")
    return into


@pytest.fixture
def on_tmpfs(tmp_path: Path, mounts: Mounts) -> Path:
    """A copy of the shipped data in a folder on its own 256 KB tmpfs."""
    _root_only()
    folder = mounts.tmpfs(tmp_path / "fs", "256k") / "data"
    folder.mkdir()
    return _copy_data(folder)


def _files(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` but the lock, by relative path (the state folder too)."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != store.LOCK_FILE
    }


def _leftovers(folder: Path) -> list[str]:
    """Temporary files and candidate folders a save may leave (it must not; a candidate
    folder that is a mount point stays, empty)."""
    return sorted(
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.name.endswith(".tmp")
        or (p.name == store.CANDIDATE_DIR and (not p.is_mount() or any(p.iterdir())))
    )


def _edit(folder: Path, note: str = "edited during a fault") -> tuple[Any, list[dict[str, str]]]:
    table = read_table(folder, NAME)
    rows = [dict(r) for r in table.rows]
    rows[0]["note"] = note
    return table, rows


def _refused(
    folder: Path, attempt: Callable[[], Any], before: dict[str, bytes], *reasons: str
) -> SaveRefused:
    """``attempt`` is refused as an io-error naming the file; nothing changed or was left."""
    with pytest.raises(SaveRefused) as info:
        attempt()
    refusal = info.value
    assert refusal.code == "io-error", refusal.message
    assert NAME in refusal.message, refusal.message
    assert "nothing was changed" in refusal.message or "read-only" in refusal.message
    assert any(r in refusal.message for r in reasons), refusal.message
    assert _files(folder) == before
    assert _leftovers(folder) == []
    return refusal


def _save(folder: Path, note: str = "edited during a fault") -> Callable[[], Any]:
    table, rows = _edit(folder, note)
    return lambda: save_table(folder, table, rows, user=EDITOR, allowed=ALLOWED)


# -- read-only ------------------------------------------------------------------------------


def test_a_read_only_file_system_refuses_the_save(on_tmpfs: Path, mounts: Mounts) -> None:
    attempt = _save(on_tmpfs)
    before = _files(on_tmpfs)
    mounts.remount_read_only(on_tmpfs.parent)
    _refused(on_tmpfs, attempt, before, "Read-only file system")
    with pytest.raises(SaveRefused) as undo:
        undo_last(on_tmpfs, user=EDITOR, allowed=ALLOWED)
    assert undo.value.code == "io-error"


def test_a_read_only_data_folder_with_a_writable_state_folder(
    tmp_path: Path, mounts: Mounts
) -> None:
    """The lock, candidate, history and audit could be written; the new file cannot."""
    _root_only()
    folder = tmp_path / "data"
    folder.mkdir()
    _copy_data(folder)
    attempt = _save(folder)
    (folder / store.STATE_DIR).mkdir()
    mounts.read_only(folder)
    mounts.tmpfs(folder / store.STATE_DIR, "1m")  # a writable state folder inside it
    before = _files(folder)
    refusal = _refused(folder, attempt, before, "Read-only file system")
    assert ".tmp" in refusal.message, "it names the file it could not create"
    assert audit_entries(folder) == []
    assert not list((folder / store.STATE_DIR).glob(f"{store.HISTORY_DIR}/*"))


def test_a_read_only_folder_without_root(tmp_path: Path, mounts: Mounts) -> None:
    """The same with permissions, as an unprivileged editor's server would meet it."""
    folder = _copy_data(tmp_path)
    attempt = _save(folder)
    before = _files(folder)
    if IS_ROOT:
        mounts.read_only(folder)  # root ignores permissions: a read-only mount instead
    else:
        folder.chmod(0o555)
    try:
        _refused(folder, attempt, before, "Read-only file system", "Permission denied")
    finally:
        if not IS_ROOT:
            folder.chmod(0o755)


def test_a_read_only_file_is_not_replaced(data_copy: Path) -> None:
    """A file without write permission is kept as it is, even though the save's rename
    would not need that permission (and root has all of them)."""
    attempt = _save(data_copy)
    (data_copy / NAME).chmod(0o444)
    before = _files(data_copy)
    refusal = _refused(data_copy, attempt, before, "read-only")
    assert refusal.message.startswith(f"not saved: {NAME} is read-only")
    assert not (data_copy / store.STATE_DIR / store.HISTORY_DIR).exists()
    # made writable again, the same edit saves
    (data_copy / NAME).chmod(0o644)
    assert attempt().file == NAME


def test_an_immutable_file_is_not_replaced(on_tmpfs: Path, mounts: Mounts) -> None:
    """``chattr +i``: the rename onto the file fails after the history copy and the audit
    line were written; both are rolled back."""
    attempt = _save(on_tmpfs)
    before = _files(on_tmpfs)
    mounts.make_immutable(on_tmpfs / NAME)
    _refused(on_tmpfs, attempt, before, "Operation not permitted")
    assert audit_entries(on_tmpfs) == []
    assert list((on_tmpfs / store.STATE_DIR / store.HISTORY_DIR).iterdir()) == []


# -- the state folder -----------------------------------------------------------------------


def test_an_unwritable_state_folder_refuses_before_anything(on_tmpfs: Path, mounts: Mounts) -> None:
    attempt = _save(on_tmpfs)
    (on_tmpfs / store.STATE_DIR).mkdir()
    before = _files(on_tmpfs)
    mounts.read_only(on_tmpfs / store.STATE_DIR)
    _refused(on_tmpfs, attempt, before, "Read-only file system")


def test_an_unwritable_history_folder_refuses_the_save(on_tmpfs: Path, mounts: Mounts) -> None:
    attempt = _save(on_tmpfs)
    history = on_tmpfs / store.STATE_DIR / store.HISTORY_DIR
    history.mkdir(parents=True)
    before = _files(on_tmpfs)
    mounts.read_only(history)
    _refused(on_tmpfs, attempt, before, "Read-only file system")
    assert audit_entries(on_tmpfs) == []


def test_an_unwritable_audit_log_refuses_the_save(on_tmpfs: Path, mounts: Mounts) -> None:
    """The history copy is written, then the audit line cannot be: the copy is removed."""
    # one good save first, so the log has a line that must survive
    first = _save(on_tmpfs)()
    attempt = _save(on_tmpfs, "a second edit")
    audit = on_tmpfs / store.STATE_DIR / store.AUDIT_FILE
    before = _files(on_tmpfs)
    mounts.read_only(audit)
    _refused(on_tmpfs, attempt, before, "Read-only file system")
    assert [e["new_digest"] for e in audit_entries(on_tmpfs)] == [first.new_digest]
    assert len(list((on_tmpfs / store.STATE_DIR / store.HISTORY_DIR).iterdir())) == 1


# -- a full disk ----------------------------------------------------------------------------

PAGE = 4096


def _fill(filler: Path, leave: int) -> Path:
    """Fill the file system ``filler`` is on by writing it, then free ``leave`` bytes."""
    chunk = b"\0" * 65536
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    try:
        full = False
        while not full:
            try:
                os.write(fd, chunk)
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
                full = True
    finally:
        os.close(fd)
    size = filler.stat().st_size
    os.truncate(filler, max(0, size - leave))
    # a tmpfs counts whole pages: check what is really free
    free = shutil.disk_usage(filler.parent).free
    assert free <= leave + PAGE, (free, leave)
    return filler


#: where a save writes, in order, as the refusal names it
STAGES = {
    "candidate": f"{store.STATE_DIR}/{store.CANDIDATE_DIR}/",
    "new file": f": .{NAME}.",
    "history": f"{store.STATE_DIR}/{store.HISTORY_DIR}/",
    "audit": f"{store.STATE_DIR}/{store.AUDIT_FILE}",
}


def test_a_full_disk_refuses_every_save_that_does_not_fit(on_tmpfs: Path) -> None:
    """With 0, 4, 8 ... KB free, each save fails where it runs out (the candidate copy it
    validates, the new file, the history copy, the audit line) or, once there is room,
    succeeds: never half done."""
    stages: list[str] = []
    saved = None
    for pages in range(64):
        attempt = _save(on_tmpfs)
        before = _files(on_tmpfs)
        filler = _fill(on_tmpfs.parent / "filler", pages * PAGE)
        try:
            saved = attempt()
        except SaveRefused as refusal:
            failure = refusal
        else:
            break
        finally:
            filler.unlink()
        assert failure.code == "io-error", failure.message
        assert failure.message.startswith(f"{NAME} could not be saved"), failure.message
        assert "No space left on device" in failure.message
        assert _files(on_tmpfs) == before
        assert _leftovers(on_tmpfs) == []
        stage = [s for s, where in STAGES.items() if where in failure.message]
        assert len(stage) == 1, failure.message
        stages += stage
    assert saved is not None, "the save never fitted"
    assert "edited during a fault" in (on_tmpfs / NAME).read_text(encoding="utf-8")
    assert len(audit_entries(on_tmpfs)) == 1
    # on one file system the candidate (a copy of the whole folder) is the largest write;
    # it is freed before the others, so it is where a full disk stops the save
    assert stages and set(stages) == {"candidate"}, stages
    # and undo meets a full disk too: refused, the saved version stays
    before = _files(on_tmpfs)
    filler = _fill(on_tmpfs.parent / "filler", 0)
    _refused(
        on_tmpfs, lambda: undo_last(on_tmpfs, user=EDITOR, allowed=ALLOWED), before, "No space"
    )
    filler.unlink()
    assert undo_last(on_tmpfs, user=EDITOR, allowed=ALLOWED).new_digest == saved.old_digest


@pytest.mark.parametrize(
    ("full", "stage"),
    [
        ("", "new file"),
        (store.HISTORY_DIR, "history"),
        (store.STATE_DIR, "audit"),
    ],
    ids=["data-folder", "history-folder", "state-folder"],
)
def test_a_full_disk_at_each_later_write(
    tmp_path: Path, mounts: Mounts, full: str, stage: str
) -> None:
    """The data folder, the state folder, its candidate folder and its history folder each
    on a file system of its own; one of them full. The save is refused at that write, and
    what the earlier writes made is removed."""
    _root_only()
    data = mounts.tmpfs(tmp_path / "data", "256k")
    _copy_data(data)
    state = mounts.tmpfs(data / store.STATE_DIR, "64k")
    mounts.tmpfs(state / store.CANDIDATE_DIR, "256k")
    mounts.tmpfs(state / store.HISTORY_DIR, "64k")
    # one good save first: a history copy and an audit line to keep. (Not when the state
    # folder is to be full: the next line would fit in the page the log already has.)
    first = _save(data)() if full != store.STATE_DIR else None
    places = {"": data, store.HISTORY_DIR: state / store.HISTORY_DIR, store.STATE_DIR: state}
    attempt = _save(data, "a second edit")
    filler = _fill(places[full] / ".filler", 0)
    before = _files(data)
    refusal = _refused(data, attempt, before, "No space left on device")
    assert STAGES[stage] in refusal.message, refusal.message
    kept = [e["new_digest"] for e in audit_entries(data)]
    assert kept == ([first.new_digest] if first else [])
    assert (state / store.AUDIT_FILE).exists() is bool(first), "no empty log left behind"
    filler.unlink()
    result = attempt()
    if first is not None:
        assert result.old_digest == first.new_digest
    assert "a second edit" in (data / NAME).read_text(encoding="utf-8"), "with room, it saves"


# -- the same faults for a save of the edit (store.save_changes) ------------------------------


def _save_edit(folder: Path, note: str = "edited during a fault") -> Callable[[], Any]:
    table = read_table(folder, NAME)
    changes = store.Changes(edited={0: {"note": note}})
    return lambda: store.save_changes(folder, table, changes, user=EDITOR, allowed=ALLOWED)


def test_an_edit_onto_an_immutable_file_leaves_no_history_link(
    on_tmpfs: Path, mounts: Mounts
) -> None:
    """The history is a hard link to the replaced file; when the rename then fails, the
    link and the audit line are removed."""
    store.remember_if_valid(on_tmpfs)
    attempt = _save_edit(on_tmpfs)
    before = _files(on_tmpfs)
    mounts.make_immutable(on_tmpfs / NAME)
    _refused(on_tmpfs, attempt, before, "Operation not permitted")
    assert audit_entries(on_tmpfs) == []
    assert list((on_tmpfs / store.STATE_DIR / store.HISTORY_DIR).iterdir()) == []


def test_an_edit_with_an_unwritable_history_folder_is_refused(
    on_tmpfs: Path, mounts: Mounts
) -> None:
    store.remember_if_valid(on_tmpfs)
    attempt = _save_edit(on_tmpfs)
    history = on_tmpfs / store.STATE_DIR / store.HISTORY_DIR
    history.mkdir(parents=True)
    before = _files(on_tmpfs)
    mounts.read_only(history)
    _refused(on_tmpfs, attempt, before, "Read-only file system")
    assert audit_entries(on_tmpfs) == []


def test_an_edit_with_history_on_another_file_system_copies_it(
    tmp_path: Path, mounts: Mounts
) -> None:
    """No hard link across file systems: the old bytes are written, and undo restores them."""
    _root_only()
    data = mounts.tmpfs(tmp_path / "data", "1m")
    _copy_data(data)
    old = (data / NAME).read_bytes()
    mounts.tmpfs(data / store.STATE_DIR / store.HISTORY_DIR, "1m")
    _save_edit(data)()
    (entry,) = audit_entries(data)
    history = data / store.STATE_DIR / entry["history"]
    assert history.read_bytes() == old
    assert history.stat().st_dev != (data / NAME).stat().st_dev
    undo_last(data, user=EDITOR, allowed=ALLOWED)
    assert (data / NAME).read_bytes() == old


def test_an_edit_on_a_full_disk_is_refused_where_it_runs_out(on_tmpfs: Path) -> None:
    """With the validation record, no candidate copy is made: a full disk stops the save
    at the new file, and nothing is left."""
    store.remember_if_valid(on_tmpfs)
    attempt = _save_edit(on_tmpfs)
    before = _files(on_tmpfs)
    filler = _fill(on_tmpfs.parent / "filler", 0)
    try:
        refusal = _refused(on_tmpfs, attempt, before, "No space left on device")
    finally:
        filler.unlink()
    assert STAGES["new file"] in refusal.message, refusal.message
    saved = attempt()
    assert "edited during a fault" in (on_tmpfs / NAME).read_text(encoding="utf-8")
    assert (on_tmpfs / store.STATE_DIR / audit_entries(on_tmpfs)[0]["history"]).stat().st_ino
    assert saved.new_digest != saved.old_digest
