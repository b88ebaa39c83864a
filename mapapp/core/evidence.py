"""The evidence kept with the data: archived copies of sources, and where each quote is in them.

A source is *archived* when the data folder holds its text as ``sources/<source id>.txt``
(:func:`archive_path`) and ``sources.csv`` records that file's SHA-256 in ``archive_sha256``.
A row's quote is then located in the archive by two offsets, ``quote_start`` (inclusive) and
``quote_end`` (exclusive), with this exact meaning:

    text = (data_dir / "sources" / f"{source_id}.txt").read_bytes().decode("utf-8")
    text[quote_start:quote_end] == quote_ar

that is, Python ``str`` indices -- Unicode code points, not bytes and not UTF-16 units -- of
the file's bytes decoded as UTF-8 and nothing else: no newline translation (CR LF is two
characters), no byte-order mark removed (one would be character 0), no Unicode normalisation.
``quote_ar`` is compared as the validator reads every cell: without surrounding spaces.

A source known only through another (``quoted_in``) is located in the archive of the first
source along its ``quoted_in`` chain that is archived -- its own, if it has one. A quote whose
chain has no archive is accepted but *unverified*: archiving is optional (a paywalled or
unsaved page cannot always be kept). Everything here is pure: it reads files and returns
:class:`~mapapp.core.report.Issue` values; :mod:`mapapp.core.validate` reports them and
:mod:`mapapp.editing.quotes` fills the offsets in for editors.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from mapapp.core.report import Issue

#: the folder of the data folder that holds the archived sources
ARCHIVE_DIR = "sources"
#: an archive is one article or page of text: refuse anything larger rather than hang
MAX_ARCHIVE_BYTES = 20 * 1024 * 1024


def fill_command(data_dir: Path | str) -> str:
    """The command that fills the offsets in, named in every message that asks for them."""
    folder = str(data_dir)
    if not folder or any(c.isspace() or c in "'\"$`\\" for c in folder):
        folder = "<data folder>"
    return f"mapapp quotes {folder} --write"


#: how much of the archive a message shows
_SHOWN = 60
#: a source id, as sources.csv allows it: the only names an archive path is built from
_ID = re.compile(r"[a-z][a-z0-9_]*")


def archive_path(source_id: str) -> str:
    """Where the archive of ``source_id`` lives, relative to the data folder."""
    return f"{ARCHIVE_DIR}/{source_id}.txt"


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Archive:
    """An archived source's text, read and hashed."""

    source_id: str
    #: the path relative to the data folder, as messages name it
    file: str
    text: str
    sha256: str


@dataclass(frozen=True)
class SourceRecord:
    """What the evidence checks need of a row of ``sources.csv``."""

    id: str
    line: int
    archive_sha256: str
    quoted_in: str


@dataclass(frozen=True)
class QuoteRecord:
    """What the evidence checks need of a row that quotes a source."""

    file: str
    line: int
    source_id: str
    quote: str
    start: int | None
    end: int | None


@dataclass
class Evidence:
    """The outcome of the checks: the archives that passed, each quote's archive, issues."""

    #: archives whose SHA-256 matches sources.csv, by source id
    archives: dict[str, Archive] = field(default_factory=dict)
    #: (file, line) of each quote -> the id of the source whose archive holds it verbatim
    #: at its offsets; a quote not in here is unverified (no archive along its chain)
    located: dict[tuple[str, int], str] = field(default_factory=dict)
    #: sources with an archive (or a recorded SHA-256) that cannot be used, already
    #: reported: their quotes are not checked, as each would repeat that one problem
    unusable: set[str] = field(default_factory=set)
    issues: list[Issue] = field(default_factory=list)
    #: the command to suggest in messages (see :func:`fill_command`)
    command: str = field(default_factory=lambda: fill_command("data"))


def read_archive(data_dir: Path, source_id: str) -> tuple[Archive | None, list[Issue]]:
    """The archive of ``source_id``; (None, []) when there is none, (None, issues) when the
    file is there but cannot be used (too large, not UTF-8, not a file)."""
    if not _ID.fullmatch(source_id):
        return None, []  # not an id (reported on sources.csv): never a path to follow
    file = archive_path(source_id)
    path = Path(data_dir) / file
    if not path.exists():
        return None, []
    if not path.is_file():
        return None, [Issue(file, None, None, "bad-archive", f"{file} is not a file")]
    size = path.stat().st_size
    if size > MAX_ARCHIVE_BYTES:
        return None, [
            Issue(
                file,
                None,
                None,
                "file-too-large",
                f"{file} is {size:,} bytes; an archived source may be at most "
                f"{MAX_ARCHIVE_BYTES:,}: keep the article's text only",
            )
        ]
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, [
            Issue(
                file,
                line,
                None,
                "bad-encoding",
                f"byte {data[exc.start]:#04x} at line {line} is not UTF-8; an archived "
                "source is saved as UTF-8 text",
            )
        ]
    return Archive(source_id, file, text, sha256_hex(data)), []


def occurrences(text: str, quote: str) -> list[int]:
    """Every index at which ``quote`` starts in ``text`` (overlapping ones too)."""
    found: list[int] = []
    if not quote:
        return found
    at = text.find(quote)
    while at != -1:
        found.append(at)
        at = text.find(quote, at + 1)
    return found


def archive_of(source_id: str, quoted_in: Mapping[str, str], archived: set[str]) -> str | None:
    """The source whose archive locates ``source_id``'s quotes: the first archived source
    along its ``quoted_in`` chain (itself first); None when none is (or on a cycle)."""
    seen: set[str] = set()
    current: str | None = source_id
    while current and current not in seen:
        if current in archived:
            return current
        seen.add(current)
        current = quoted_in.get(current) or None
    return None


def _shown(text: str) -> str:
    """A short, one-line excerpt for a message (control characters shown as spaces)."""
    flat = "".join(" " if unicodedata.category(c).startswith("C") else c for c in text)
    return flat if len(flat) <= _SHOWN else flat[: _SHOWN - 3] + "..."


def _loose(text: str) -> str:
    """``text`` with runs of whitespace collapsed and in Unicode NFC form: what an editor's
    copy-and-paste most often changes."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def _spans(starts: list[int], length: int) -> str:
    return ", ".join(f"{s}–{s + length}" for s in starts)


def check_archives(
    data_dir: Path, sources: list[SourceRecord], sources_file: str, known_ids: set[str]
) -> Evidence:
    """Read every archive and check its SHA-256 against ``sources.csv``; report archives
    without a source. ``known_ids`` are all source ids (including rows with other problems)."""
    evidence = Evidence(command=fill_command(data_dir))
    command = evidence.command
    for src in sources:
        archive, problems = read_archive(data_dir, src.id)
        evidence.issues.extend(problems)
        file = archive_path(src.id)
        recorded = src.archive_sha256.strip().lower()
        if problems or recorded:
            evidence.unusable.add(src.id)  # until the archive passes every check below
        if archive is None:
            if recorded and not problems:
                evidence.issues.append(
                    Issue(
                        sources_file,
                        src.line,
                        "archive_sha256",
                        "archive-missing",
                        f"archive_sha256 is filled in but the archived text {file} is not in "
                        "the data folder; put the source's text there (byte for byte as "
                        "archived), or clear archive_sha256 if the source is not archived",
                    )
                )
            continue
        if not recorded:
            evidence.unusable.add(src.id)
            evidence.issues.append(
                Issue(
                    sources_file,
                    src.line,
                    "archive_sha256",
                    "archive-unrecorded",
                    f"{file} is an archived copy of '{src.id}' but archive_sha256 is empty; "
                    f"run `{command}` to record its SHA-256 ({archive.sha256}) and "
                    "locate its quotes",
                )
            )
            continue
        if recorded != archive.sha256:
            evidence.issues.append(
                Issue(
                    sources_file,
                    src.line,
                    "archive_sha256",
                    "archive-changed",
                    f"{file} has SHA-256 {archive.sha256}, not the recorded {recorded}: the "
                    f"archived text changed. Restore it (git checkout -- "
                    f"{(Path(data_dir) / file).as_posix()}); if "
                    "you replaced it on purpose, clear archive_sha256 and run "
                    f"`{command}`, then check each quote it reports",
                )
            )
            continue
        evidence.unusable.discard(src.id)
        evidence.archives[src.id] = archive
    evidence.issues.extend(_stray_archives(data_dir, known_ids))
    return evidence


def _stray_archives(data_dir: Path, known_ids: set[str]) -> Iterator[Issue]:
    folder = Path(data_dir) / ARCHIVE_DIR
    if not folder.is_dir():
        return
    for path in sorted(folder.iterdir()):
        if path.name.startswith("."):
            continue  # .gitkeep and editors' hidden files
        if path.suffix == ".txt" and path.stem in known_ids:
            continue
        yield Issue(
            f"{ARCHIVE_DIR}/{path.name}",
            None,
            None,
            "stray-archive",
            f"{ARCHIVE_DIR}/{path.name} is not the archive of a source: an archived source "
            "is saved as UTF-8 text named <source id>.txt, for a source in sources.csv; "
            "rename the file or add the source",
        )


def check_quotes(
    evidence: Evidence, quotes: list[QuoteRecord], quoted_in: Mapping[str, str]
) -> None:
    """Check each quote against its archive, recording in ``evidence`` where it is located
    and what is wrong."""
    unusable = evidence.unusable
    archived = set(evidence.archives) | unusable
    for q in quotes:
        holder = archive_of(q.source_id, quoted_in, archived)
        if holder is None:
            if q.start is not None or q.end is not None:
                column = "quote_start" if q.start is not None else "quote_end"
                evidence.issues.append(
                    Issue(
                        q.file,
                        q.line,
                        column,
                        "offsets-without-archive",
                        f"quote_start/quote_end are filled in but source '{q.source_id}' has "
                        f"no archived text to locate them in; archive it "
                        f"({archive_path(q.source_id)} and its archive_sha256 in sources.csv, "
                        "see EDITING.md) or clear both",
                    )
                )
            continue
        if holder in unusable:
            continue
        issue = _check_one(q, evidence.archives[holder], evidence.command)
        if issue is None:
            evidence.located[(q.file, q.line)] = holder
        else:
            evidence.issues.append(issue)


def _check_one(q: QuoteRecord, archive: Archive, command: str) -> Issue | None:
    text, quote = archive.text, q.quote
    where = archive.file
    if q.start is None or q.end is None:
        if q.start is None and q.end is None:
            hint = _where_it_is(text, quote, where, command)
            return Issue(
                q.file,
                q.line,
                "quote_start",
                "quote-unlocated",
                f"the source's text is archived ({where}) but quote_start and quote_end are "
                f"empty; {hint}",
            )
        missing = "quote_end" if q.end is None else "quote_start"
        return Issue(
            q.file,
            q.line,
            missing,
            "bad-offsets",
            f"{missing} is empty but its partner is filled in; give both offsets (or run "
            f"`{command}`)",
        )
    if q.start < 0 or q.end <= q.start or q.end > len(text):
        return Issue(
            q.file,
            q.line,
            "quote_start" if q.start < 0 or q.end <= q.start else "quote_end",
            "bad-offsets",
            f"offsets {q.start}–{q.end} are not a stretch of {where} ({len(text):,} "
            "characters): quote_start must be 0 or more and less than quote_end, and "
            f"quote_end at most {len(text):,}; {_where_it_is(text, quote, where, command)}",
        )
    if text[q.start : q.end] == quote:
        return None
    return Issue(
        q.file,
        q.line,
        "quote_start",
        "quote-mismatch",
        f"at characters {q.start}–{q.end} {where} reads '{_shown(text[q.start : q.end])}', "
        f"not quote_ar; {_where_it_is(text, quote, where, command)}",
    )


def _where_it_is(text: str, quote: str, where: str, command: str) -> str:
    """The second half of a message: where the quote does occur, and what to do."""
    starts = occurrences(text, quote)
    if len(starts) == 1:
        s = starts[0]
        return (
            f"did you mean offsets {s}–{s + len(quote)}? (write {s} in quote_start and "
            f"{s + len(quote)} in quote_end, or run `{command}`)"
        )
    if starts:
        return (
            f"the quote occurs {len(starts)} times in {where}, at offsets "
            f"{_spans(starts, len(quote))}: write the offsets of the passage the row rests on"
        )
    if _loose(quote) and _loose(quote) in _loose(text):
        return (
            f"quote_ar is in {where} only if spaces, line breaks or Unicode forms are ignored: "
            "copy the passage from the archive again, exactly as it stands"
        )
    return (
        f"quote_ar does not occur in {where}: copy the source's words from the archive "
        "verbatim, or cite the source that does say them"
    )


def locate_quote(data_dir: Path, source_id: str, quote: str) -> tuple[int, int] | None:
    """The offsets of ``quote`` in the archive that locates ``source_id``'s quotes (along
    its ``quoted_in`` chain), when it occurs there exactly once; None otherwise (no archive,
    absent or ambiguous: the validator then says which, with the places it found). For forms
    that add a row: the editor need not count characters."""
    from mapapp.core.read import read_csv  # read imports report only: no cycle

    table = read_csv(Path(data_dir) / "sources.csv", "sources.csv")
    quoted_in = {
        r.cells.get("id", "").strip(): r.cells.get("quoted_in", "").strip() for r in table.rows
    }
    archived = {
        sid
        for sid in quoted_in
        if _ID.fullmatch(sid) and (Path(data_dir) / archive_path(sid)).is_file()
    }
    holder = archive_of(source_id.strip(), quoted_in, archived)
    if holder is None:
        return None
    archive, _problems = read_archive(data_dir, holder)
    quote = quote.strip()
    found = occurrences(archive.text, quote) if archive else []
    return (found[0], found[0] + len(quote)) if len(found) == 1 else None
