"""The pages' shared shell: one version of the data folder per state of its files."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from mapapp.ui.shell import current_version, file_stamp

from .conftest import VALID


def test_the_stamp_changes_with_any_edit_and_ignores_the_apps_own_folder(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    shutil.copytree(VALID, folder)
    first = file_stamp(folder)
    assert [name for name, _, _ in first] == sorted(p.name for p in VALID.iterdir())
    (folder / ".mapapp").mkdir()
    assert file_stamp(folder) == first
    path = folder / "control.csv"
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    assert file_stamp(folder) != first
    assert file_stamp(tmp_path / "missing") == ()


def test_a_version_makes_each_thing_once(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    shutil.copytree(VALID, folder)
    version, problems = current_version(folder)
    assert problems is None and version.result.dataset is not None
    calls: list[int] = []

    def make() -> int:
        calls.append(1)
        return len(calls)

    assert version.made("x", make) == 1
    assert version.made("x", make) == 1
    assert calls == [1]
    version.forget("x")
    assert version.made("x", make) == 2
    again, _ = current_version(folder)
    assert again is version, "the same files, the same version"
