"""Reading a data folder as it was at a git revision, for ``mapapp review``.

Only plain ``git`` commands are run (``rev-parse``, ``ls-tree``, ``cat-file``), in the
repository that contains the folder; the folder's files at the revision are written into
a folder the caller provides (usually a temporary one).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path


class RevisionError(Exception):
    """The revision cannot be read: no git, no repository, no such revision or folder."""


def _git(args: Sequence[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)


def extract(revision: str, data_dir: Path, target: Path) -> str:
    """Write the files ``data_dir`` held at a git revision into ``target``.

    The folder's path is taken relative to the repository that contains ``data_dir``.
    Returns a label for the extracted folder (``HEAD:data``); raises :class:`RevisionError`
    when git, the repository, the revision or the folder at that revision is missing.
    """
    if not data_dir.is_dir():
        raise RevisionError(f"{data_dir} is not a folder")
    if revision.startswith("-"):
        raise RevisionError(f"'{revision}' is neither a folder nor a git revision")
    if shutil.which("git") is None:
        raise RevisionError(
            f"'{revision}' is not a folder, and git is not installed to read it as a revision"
        )
    top = _git(["rev-parse", "--show-toplevel"], data_dir)
    if top.returncode != 0:
        raise RevisionError(
            f"'{revision}' is not a folder, and {data_dir} is not in a git repository, "
            "so it cannot be read as a git revision either"
        )
    toplevel = Path(top.stdout.decode("utf-8").strip()).resolve()
    try:
        rel = data_dir.resolve().relative_to(toplevel).as_posix()
    except ValueError:
        raise RevisionError(f"{data_dir} is not inside the repository {toplevel}") from None
    commit = _git(["rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"], toplevel)
    if commit.returncode != 0:
        raise RevisionError(
            f"'{revision}' is neither a folder nor a git revision of the repository {toplevel}"
        )
    sha = commit.stdout.decode("utf-8").strip()
    listing = _git(["ls-tree", "-r", "-z", "--full-tree", sha, "--", rel], toplevel)
    if listing.returncode != 0:
        raise RevisionError(f"git cannot list {rel} at '{revision}'")
    prefix = "" if rel == "." else rel + "/"
    count = 0
    for entry in listing.stdout.decode("utf-8").split("\0"):
        if not entry:
            continue
        meta, path = entry.split("\t", 1)
        _mode, kind, blob = meta.split()
        if kind != "blob" or not path.startswith(prefix):
            continue
        content = _git(["cat-file", "blob", blob], toplevel)
        if content.returncode != 0:
            raise RevisionError(f"git cannot read {path} at '{revision}'")
        out = target / path[len(prefix) :]
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(content.stdout)
        count += 1
    if count == 0:
        raise RevisionError(f"the folder {rel} does not exist at revision '{revision}'")
    return f"{revision}:{rel}"
