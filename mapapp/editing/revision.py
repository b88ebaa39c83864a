"""Reading a data folder as it was at a git revision, for ``mapapp review``.

Only plain ``git`` commands are run (``rev-parse``, ``ls-tree``, ``cat-file``), in the
repository that contains the folder; the folder's files at the revision are written into
a folder the caller provides (usually a temporary one).

The revision is not trusted: a crafted tree (git accepts one without ``fsck``) can hold
entries named ``../x``, symlinks, submodules or names that are not UTF-8. Each entry's
name is checked before anything is written, and every file is created new, inside the
target, without following links, so nothing is ever written outside the target folder.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path


class RevisionError(Exception):
    """The revision cannot be read: no git, no repository, no such revision or folder."""


#: the modes of a plain file in a git tree (symlinks are 120000, submodules 160000)
_FILE_MODES = ("100644", "100755")
#: characters never part of a data file's name: control characters, bidi controls, and
#: separators other systems read as one (``\\``, ``:``)
_ODD = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\\:]")

#: characters that would drive a terminal or reorder the line, shown escaped in messages
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _shown(name: bytes) -> str:
    """An entry's name for a message: undecodable bytes and control characters escaped."""
    text = name.decode("utf-8", errors="backslashreplace")
    return _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _safe_parts(name: bytes, revision: str) -> list[str]:
    """The path components of an entry inside the folder, or a :class:`RevisionError` for
    a name that could leave the folder or is not an ordinary file name."""
    try:
        text = name.decode("utf-8")
    except UnicodeDecodeError:
        raise RevisionError(
            f"the entry '{_shown(name)}' at '{revision}' has a name that is not UTF-8; "
            "rename it in that commit's history or review another revision"
        ) from None
    parts = text.split("/")
    if text.startswith("/") or any(p in ("", ".", "..") or _ODD.search(p) for p in parts):
        raise RevisionError(
            f"the entry '{_shown(name)}' at '{revision}' is not a plain name inside the "
            "folder (it holds '..', an empty part, a control character, '\\' or ':'); "
            "refusing to read this revision"
        )
    return parts


def _write_new(target: Path, parts: list[str], content: bytes) -> None:
    """Create ``target/parts`` as a new file; never through a link, never outside."""
    out = target.joinpath(*parts)
    root = target.resolve()
    folder = out.parent
    folder.mkdir(parents=True, exist_ok=True)
    if not folder.resolve().is_relative_to(root) or folder.is_symlink():
        raise OSError(f"{out} is not inside {target}")
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)


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
    prefix = b"" if rel == "." else rel.encode("utf-8") + b"/"
    count = 0
    for entry in listing.stdout.split(b"\0"):
        if not entry:
            continue
        meta, path = entry.split(b"\t", 1)
        mode, kind, blob = meta.decode("ascii").split()
        if not path.startswith(prefix):
            continue
        name = path[len(prefix) :]
        parts = _safe_parts(name, revision)
        if kind != "blob" or mode not in _FILE_MODES:
            what = "a symbolic link" if mode == "120000" else f"a {kind} (mode {mode})"
            raise RevisionError(
                f"the entry '{_shown(name)}' at '{revision}' is {what}, not a plain file; "
                "a data folder holds only files, so this revision is not read"
            )
        content = _git(["cat-file", "blob", blob], toplevel)
        if content.returncode != 0:
            raise RevisionError(f"git cannot read {_shown(path)} at '{revision}'")
        try:
            _write_new(target, parts, content.stdout)
        except OSError as exc:
            raise RevisionError(
                f"the entry '{_shown(name)}' at '{revision}' cannot be written as a new "
                f"file in the scratch folder ({exc.strerror or exc}); refusing this revision"
            ) from None
        count += 1
    if count == 0:
        raise RevisionError(f"the folder {rel} does not exist at revision '{revision}'")
    return f"{revision}:{rel}"
