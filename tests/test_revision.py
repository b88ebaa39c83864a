"""Reading the data folder as it was at a git revision (for ``mapapp review``)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from mapapp.editing.revision import RevisionError, extract

from .conftest import VALID


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def test_the_folder_at_a_revision_is_written_out(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(VALID, repo / "data")
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "first")
    before = (repo / "data" / "factions.csv").read_bytes()
    (repo / "data" / "factions.csv").write_bytes(
        before + b"new,New,N,#000000,#000000,other,armed,\n"
    )
    out = tmp_path / "out"
    assert extract("HEAD", repo / "data", out) == "HEAD:data"
    assert (out / "factions.csv").read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in VALID.iterdir())


@pytest.mark.parametrize("revision", ["no-such-branch", "--output=/tmp/x"])
def test_a_bad_revision_is_a_clear_error(tmp_path: Path, revision: str) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(VALID, repo / "data")
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "first")
    with pytest.raises(RevisionError, match="neither a folder nor a git revision"):
        extract(revision, repo / "data", tmp_path / "out")


def test_outside_a_repository_it_says_so(tmp_path: Path) -> None:
    shutil.copytree(VALID, tmp_path / "data")
    with pytest.raises(RevisionError, match="not in a git repository"):
        extract("HEAD", tmp_path / "data", tmp_path / "out")
