"""``mapapp quotes``: fill in, or refresh, where each quote is in its source's archived text.

For editors who archive a source (``sources/<id>.txt``, see EDITING.md): the command records
the archive's SHA-256 in ``sources.csv`` when that cell is empty, and writes each quote's
``quote_start`` and ``quote_end`` (see :mod:`mapapp.core.evidence` for what they count).
It never guesses. A row is changed only when its quote occurs exactly once in the archive and
its offsets are missing or wrong; a quote that occurs several times keeps its offsets if they
point at one of the occurrences, and otherwise is reported, as is one that does not occur.
An archive whose recorded SHA-256 differs is not touched at all: the text changed, and only
an editor can say that the new text is the one to keep (by clearing the cell).

Without ``write`` nothing is written; with it, only the files that change are saved -- under
the data folder's save lock, atomically, with the previous version kept and an audit line,
as the app's own saves are -- and untouched rows keep their exact bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from mapapp.core.evidence import (
    Archive,
    archive_of,
    archive_path,
    occurrences,
    read_archive,
)
from mapapp.core.read import read_csv
from mapapp.editing import store

SOURCES, QUOTING = "sources.csv", ("control.csv", "events.csv")
SHA, START, END = "archive_sha256", "quote_start", "quote_end"

#: what the command changes
DONE = ("filled", "refreshed", "recorded")


@dataclass(frozen=True)
class Note:
    """One line of the command's report."""

    file: str
    line: int | None
    #: ok | filled | refreshed | recorded | unverified | ambiguous | absent | blocked
    status: str
    message: str

    @property
    def needs_attention(self) -> bool:
        return self.status in ("ambiguous", "absent", "blocked")

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.message}"


@dataclass
class QuotesResult:
    notes: list[Note] = field(default_factory=list)
    #: file name -> its new bytes, for the files that change
    changes: dict[str, bytes] = field(default_factory=dict)
    #: the files actually written (empty unless ``write``)
    written: list[str] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for n in self.notes if n.status == status)

    @property
    def attention(self) -> list[Note]:
        return [n for n in self.notes if n.needs_attention]


class QuotesError(Exception):
    """The command cannot run (a file cannot be read or parsed); nothing was written."""


def _int(cell: str) -> int | None:
    cell = cell.strip()
    return int(cell) if cell.isascii() and cell.isdigit() else None


def _with_columns(table: store.TableFile, columns: list[str], after: str) -> store.TableFile:
    """``table`` with ``columns`` added to its header (after ``after``, or at the end) when
    it lacks them: every row is then written anew, as the header changed."""
    missing = [c for c in columns if c not in table.header]
    if not missing:
        return table
    header = list(table.header)
    at = header.index(after) + 1 if after in header else len(header)
    header[at:at] = missing
    rows = [{**row, **dict.fromkeys(missing, "")} for row in table.rows]
    # no original text to reuse: render() writes the header and every row afresh (BOM kept)
    return store.rewritten(table, header, rows)


def _read(data_dir: Path, name: str) -> tuple[store.TableFile, list[int]]:
    """The table for editing, and the line each of its rows starts on."""
    try:
        table = store.read_table(data_dir, name)
    except store.SaveRefused as exc:
        raise QuotesError(f"{name}: {exc.message}") from None
    lines = [row.line for row in read_csv(Path(data_dir) / name, name).rows]
    if len(lines) != len(table.rows):
        raise QuotesError(f"{name} cannot be read as a table; run mapapp validate first")
    return table, lines


def plan(data_dir: Path) -> QuotesResult:
    """What the command would do, and the new bytes of every file that changes."""
    result = QuotesResult()
    sources, source_lines = _read(data_dir, SOURCES)
    if "id" not in sources.header:
        raise QuotesError(f"{SOURCES} has no id column")
    usable: dict[str, Archive] = {}
    blocked: set[str] = set()
    new_sources = _with_columns(sources, [SHA], "quoted_in")
    source_rows = [dict(r) for r in new_sources.rows]
    quoted_in: dict[str, str] = {}
    for row, line in zip(source_rows, source_lines, strict=True):
        sid = row.get("id", "").strip()
        quoted_in[sid] = row.get("quoted_in", "").strip()
        archive, problems = read_archive(data_dir, sid)
        recorded = row.get(SHA, "").strip().lower()
        file = archive_path(sid)
        if problems:
            blocked.add(sid)
            result.notes += [
                Note(p.file, p.line, "blocked", f"{p.message}; its quotes are left alone")
                for p in problems
            ]
        elif archive is None:
            if recorded:
                blocked.add(sid)
                result.notes.append(
                    Note(
                        SOURCES,
                        line,
                        "blocked",
                        f"'{sid}' records an archive_sha256 but {file} is missing; put the "
                        "archived text back (or clear the cell); its quotes are left alone",
                    )
                )
        elif not recorded:
            row[SHA] = archive.sha256
            usable[sid] = archive
            result.notes.append(
                Note(SOURCES, line, "recorded", f"'{sid}': recorded the SHA-256 of {file}")
            )
        elif recorded != archive.sha256:
            blocked.add(sid)
            result.notes.append(
                Note(
                    SOURCES,
                    line,
                    "blocked",
                    f"{file} has changed since its SHA-256 was recorded; nothing of '{sid}' "
                    "is touched. Restore the file, or, if the new text is the one to keep, "
                    "clear archive_sha256 and run this again",
                )
            )
        else:
            usable[sid] = archive
    if any(n.status == "recorded" for n in result.notes):
        result.changes[SOURCES] = store.render(new_sources, source_rows)
    for name in QUOTING:
        _plan_quotes(data_dir, name, usable, blocked, quoted_in, result)
    return result


def _plan_quotes(
    data_dir: Path,
    name: str,
    usable: dict[str, Archive],
    blocked: set[str],
    quoted_in: dict[str, str],
    result: QuotesResult,
) -> None:
    if not (Path(data_dir) / name).exists():
        return
    table, lines = _read(data_dir, name)
    for column in ("source_id", "quote_ar"):
        if column not in table.header:
            raise QuotesError(f"{name} has no {column} column")
    wide = _with_columns(table, [START, END], "quote_en")
    rows = [dict(r) for r in wide.rows]
    changed = False
    for row, line in zip(rows, lines, strict=True):
        sid = row["source_id"].strip()
        holder = archive_of(sid, quoted_in, set(usable) | blocked)
        if holder is None:
            result.notes.append(
                Note(name, line, "unverified", f"'{sid}' has no archived text: unverified")
            )
            continue
        if holder in blocked:
            result.notes.append(
                Note(name, line, "blocked", f"the archive of '{holder}' is not usable (above)")
            )
            continue
        archive = usable[holder]
        note, offsets = locate(archive, row["quote_ar"].strip(), row[START], row[END])
        result.notes.append(Note(name, line, note[0], note[1]))
        if offsets is not None:
            row[START], row[END] = (str(offsets[0]), str(offsets[1]))
            changed = True
    if changed:
        result.changes[name] = store.render(wide, rows)


def locate(
    archive: Archive, quote: str, start_cell: str, end_cell: str
) -> tuple[tuple[str, str], tuple[int, int] | None]:
    """((status, message), new offsets or None) for one quote in ``archive``."""
    text, where = archive.text, archive.file
    start, end = _int(start_cell), _int(end_cell)
    if start is not None and end is not None and text[start:end] == quote and quote:
        return ("ok", f"offsets {start}–{end} in {where}: verified"), None
    found = occurrences(text, quote)
    had = bool(start_cell.strip() or end_cell.strip())
    if len(found) == 1:
        s, e = found[0], found[0] + len(quote)
        status = "refreshed" if had else "filled"
        old = f" (were {start_cell.strip() or '?'}–{end_cell.strip() or '?'})" if had else ""
        return (status, f"offsets {s}–{e} in {where}{old}"), (s, e)
    if found:
        spans = ", ".join(f"{s}–{s + len(quote)}" for s in found)
        return (
            "ambiguous",
            f"quote_ar occurs {len(found)} times in {where} (at {spans}); not changed: write "
            "the offsets of the passage the row rests on in quote_start and quote_end",
        ), None
    return (
        "absent",
        f"quote_ar does not occur in {where}; not changed: copy the words from the archive "
        "verbatim (or cite the source that says them)",
    ), None


def run(data_dir: Path, *, write: bool) -> QuotesResult:
    """Plan, and with ``write`` save the files that change (under the save lock)."""
    if not write:
        return plan(data_dir)
    try:
        with store._locked(data_dir) as state:
            result = plan(data_dir)
            for name, new in result.changes.items():
                old = (Path(data_dir) / name).read_bytes()
                entry = {
                    "user": "mapapp quotes",
                    "action": "quotes",
                    "file": name,
                    "old_digest": store._digest(old),
                    "new_digest": store._digest(new),
                }
                store._commit(data_dir, state, name, old, new, entry)
                result.written.append(name)
    except store.SaveRefused as exc:
        raise QuotesError(exc.message) from None
    except OSError as exc:
        raise QuotesError(store._io_error(exc, None, Path(data_dir)).message) from None
    return result
