"""The write path for editors: read a CSV table, save an edited version safely, undo a save.

A save is *safe*: it is refused unless the editor is allowed, the file is unchanged since it
was read, and the whole data folder still validates with the new file in place; the new
bytes replace the old ones atomically, so a failure leaves the original intact. It is
*serialised*: every save holds one lock file (``.mapapp/lock`` in the data folder). It is
*minimal*: rows the editor did not touch keep their exact bytes, so a one-cell edit changes
one line of the file.

Every save keeps the previous version under ``.mapapp/history/`` and appends one JSON line
to ``.mapapp/audit.jsonl`` saying who changed which rows. Nothing here imports Streamlit.

Two ways in: :func:`save_table` takes the table's new rows, all of them;
:func:`save_changes` (the edit page's Save) takes the edit -- rows changed, deleted, added
-- splices it into the file's bytes and, when every file is as the last folder that
validated whole left it (``.mapapp/validated.json``), validates only the places the edit
touches (:mod:`mapapp.core.affected`): at a million rows, a second instead of a minute.
"""

from __future__ import annotations

import codecs
import csv
import errno
import hashlib
import io
import json
import os
import shutil
import stat
import unicodedata
from collections import Counter, deque
from collections.abc import Collection, Hashable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from mapapp.core import affected
from mapapp.core.evidence import ARCHIVE_DIR
from mapapp.core.read import MAX_CSV_ROWS, MAX_FILE_BYTES, decode, parse_csv
from mapapp.core.report import Issue, Report
from mapapp.core.schema import SchemaError
from mapapp.core.screen import _quotes_plain
from mapapp.core.validate import validate

#: the app's own folder inside the data folder: lock, history, audit log
STATE_DIR = ".mapapp"
LOCK_FILE = "lock"
HISTORY_DIR = "history"
AUDIT_FILE = "audit.jsonl"
#: where a save assembles the folder it validates (inside STATE_DIR, emptied after use)
CANDIDATE_DIR = "candidate"
#: folders a web server publishes: Streamlit serves ``mapapp/static`` at ``/app/static``
#: (``mapapp.web.assets.STATIC_DIR``). The state folder holds editors' e-mails and diffs,
#: so it must never resolve inside one (a committed ``data/.mapapp -> ../mapapp/static``
#: symlink once published the audit log after the next save)
SERVED_DIRS: tuple[Path, ...] = (Path(__file__).resolve().parents[1] / "static",)
#: seconds to wait for another save to finish before giving up
LOCK_TIMEOUT = 30.0
#: seconds between attempts to take the lock while another save holds it
LOCK_POLL = 0.01
#: the reasons a save can be refused
CODES = frozenset({"forbidden", "invalid", "conflict", "io-error", "nothing-to-undo"})


class SaveRefused(Exception):
    """A save (or undo) that did not happen; nothing on disk was changed.

    ``code`` is one of :data:`CODES`; ``message`` is plain words for the editor; ``report``
    is the validation :class:`~mapapp.core.report.Report` when ``code == "invalid"``.
    """

    def __init__(self, code: str, message: str, report: Report | None = None) -> None:
        if code not in CODES:
            raise ValueError(f"unknown refusal code {code!r}")
        super().__init__(message)
        self.code = code
        self.message = message
        self.report = report


class _Rows:
    """The data rows of a table file as read: each row's exact text and its cells."""

    def __init__(self, records: tuple[tuple[str, str], ...], cells: tuple[tuple[str, ...], ...]):
        self.records = records
        self.cells = cells

    def __len__(self) -> int:
        return len(self.cells)

    def cells_at(self, indices: Sequence[int]) -> list[tuple[str, ...]]:
        return [self.cells[i] for i in indices]


class _PlainRows:
    """The data rows of a *plain* file (one record a line, see :func:`_parse_plain`): its
    bytes, where each row starts, and its cells as pyarrow columns. Rows become Python
    values only when asked for, so a million-row table opens without a million dicts."""

    def __init__(self, data: bytes, starts: Any, columns: Any) -> None:
        self.data = data
        self._starts = starts
        self.columns = columns
        self._cells: tuple[tuple[str, ...], ...] | None = None
        self._records: tuple[tuple[str, str], ...] | None = None

    @property
    def starts(self) -> Any:
        """The byte offset of each row's first byte, and of the end of the last row (found
        when first needed for a table made by a save)."""
        if self._starts is None:
            self._starts = _row_starts(self.data)
        return self._starts

    def __len__(self) -> int:
        return int(self.columns.num_rows)

    def span(self, index: int) -> tuple[int, int]:
        return int(self.starts[index]), int(self.starts[index + 1])

    def record(self, index: int) -> tuple[str, str]:
        begin, stop = self.span(index)
        raw = self.data[begin:stop].decode("utf-8")
        ending = _terminator(raw)
        return raw[: len(raw) - len(ending)], ending

    def cells_at(self, indices: Sequence[int]) -> list[tuple[str, ...]]:
        import pyarrow as pa

        if not len(indices):
            return []
        picked = self.columns.take(pa.array(list(indices), pa.int64()))
        columns = [picked.column(i).to_pylist() for i in range(picked.num_columns)]
        return list(zip(*columns, strict=True))

    @property
    def cells(self) -> tuple[tuple[str, ...], ...]:
        if self._cells is None:
            self._cells = tuple(self.cells_at(range(len(self))))
        return self._cells

    @property
    def records(self) -> tuple[tuple[str, str], ...]:
        if self._records is None:
            self._records = tuple(self.record(i) for i in range(len(self)))
        return self._records


@dataclass(frozen=True)
class TableFile:
    """A CSV file as read for editing.

    ``rows`` is the editor's copy (built when first asked for: :meth:`rows_at` gives a few
    without building them all); the private fields keep what :func:`render` and
    :func:`save_changes` need to write untouched rows back byte for byte.
    """

    name: str
    digest: str
    header: list[str]
    #: the data rows as read (their exact text and cells)
    _body: _Rows | _PlainRows = field(repr=False, compare=False)
    #: everything before the first data row: BOM-less text of leading blank lines and header
    _prefix: str = field(default="", repr=False, compare=False)
    _newline: str = field(default="\n", repr=False, compare=False)
    _bom: bool = field(default=False, repr=False, compare=False)
    _trailing_newline: bool = field(default=True, repr=False, compare=False)
    #: the rows, once built
    _built: list[list[dict[str, str]]] = field(default_factory=list, repr=False, compare=False)

    @property
    def rows(self) -> list[dict[str, str]]:
        if not self._built:
            self._built.append(
                [dict(zip(self.header, cells, strict=True)) for cells in self._body.cells]
            )
        return self._built[0]

    @property
    def row_count(self) -> int:
        return len(self._body)

    def rows_at(self, indices: Sequence[int]) -> list[dict[str, str]]:
        """The rows at ``indices`` (positions in the file's order), as dicts."""
        return [dict(zip(self.header, c, strict=True)) for c in self._body.cells_at(indices)]

    def column(self, column: str) -> list[str]:
        """Every cell of ``column`` in file order (empty when there is no such column)."""
        if column not in self.header:
            return []
        at = self.header.index(column)
        if isinstance(self._body, _PlainRows):
            values: list[str] = self._body.columns.column(at).to_pylist()
            return values
        return [cells[at] for cells in self._body.cells]

    def indices_where(self, column: str, value: str) -> list[int]:
        """The positions of the rows whose ``column`` holds ``value`` (spaces around
        either ignored), in file order; none when there is no such column."""
        if column not in self.header:
            return []
        at, wanted = self.header.index(column), value.strip()
        body = self._body
        if isinstance(body, _PlainRows):
            import numpy as np
            import pyarrow.compute as pc

            encoded = body.columns.column(at).combine_chunks().dictionary_encode()
            hit = [str(v).strip() == wanted for v in encoded.dictionary.to_pylist()]
            if not any(hit):
                return []
            mask = pc.take(pa_bool(hit), encoded.indices).to_numpy(zero_copy_only=False)
            return [int(i) for i in np.flatnonzero(mask)]
        return [i for i, cells in enumerate(body.cells) if cells[at].strip() == wanted]

    @property
    def _records(self) -> tuple[tuple[str, str], ...]:
        """The exact text of each data row, and what follows it: its line ending and any
        blank lines after it (kept when the row is edited)."""
        return self._body.records

    @property
    def _cells(self) -> tuple[tuple[str, ...], ...]:
        """The cells of each data row as read, in header order."""
        return self._body.cells


def pa_bool(values: list[bool]) -> Any:
    import pyarrow as pa

    return pa.array(values, pa.bool_())


def rewritten(table: TableFile, header: list[str], rows: list[dict[str, str]]) -> TableFile:
    """``table`` with a new header and rows and no original text to reuse: :func:`render`
    then writes the header and every row afresh (BOM kept)."""
    return TableFile(
        name=table.name,
        digest=table.digest,
        header=header,
        _body=_Rows((), ()),
        _prefix="",
        _newline=table._newline,
        _bom=table._bom,
        _trailing_newline=table._trailing_newline,
        _built=[rows],
    )


@dataclass(frozen=True)
class RowDiff:
    """Rows added, removed and changed between two versions of a table.

    Rows with an exact match on the other side (even elsewhere: moved) are not reported;
    the rest are paired by position into ``changed`` (old, new).
    """

    added: list[dict[str, str]]
    removed: list[dict[str, str]]
    changed: list[tuple[dict[str, str], dict[str, str]]]

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


@dataclass(frozen=True)
class SaveResult:
    """A save (or undo) that happened: the file's digest before and after, and the rows;
    ``table`` is the file as saved, ready for the next edit, when :func:`save_changes`
    could make it without reading the file again (None: read it with :func:`read_table`)."""

    file: str
    old_digest: str
    new_digest: str
    diff: RowDiff
    table: TableFile | None = field(default=None, repr=False, compare=False)


class _UnknownColumn(ValueError):
    def __init__(self, column: str) -> None:
        super().__init__(f"the column '{column}' is not in the table")
        self.column = column


# -- identity ------------------------------------------------------------------------------


#: A-Z to a-z and nothing else: ``casefold()`` maps ``ß`` to ``ss``, the ligature U+FB01
#: to ``fi`` and the long s (U+017F) to ``s``, so ``straße@…`` matched ``strasse@…``
#: (someone else's address)
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def address_key(address: str) -> str:
    """An e-mail address as compared: NFC, surrounding ASCII spaces dropped, ASCII letters
    lower-cased; every other character must match exactly."""
    return unicodedata.normalize("NFC", address).strip(" \t\r\n").translate(_ASCII_LOWER)


def is_allowed(user: str | None, allowed: Collection[str]) -> bool:
    """Whether ``user`` (a *verified* e-mail address) is in ``allowed``, compared by
    :func:`address_key` (exactly, but for ASCII case, spaces around it and NFC form).

    No user (``None`` or blank) is never allowed. A single string is taken as one address.
    The caller passes an address only when the identity provider verified it
    (:func:`mapapp.editing.editor.verified_email`).
    """
    if not isinstance(user, str) or not address_key(user):
        return False
    names = [allowed] if isinstance(allowed, str) else allowed
    me = address_key(user)
    return any(isinstance(a, str) and address_key(a) == me for a in names)


def _require_allowed(user: str | None, allowed: Collection[str]) -> str:
    if not is_allowed(user, allowed):
        who = f"'{user.strip()}'" if user and user.strip() else "someone who is not signed in"
        raise SaveRefused(
            "forbidden",
            f"{who} may not change the data; sign in with an editor's account",
        )
    assert user is not None
    return user.strip()


# -- reading -------------------------------------------------------------------------------


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _target(data_dir: Path, name: str) -> Path:
    """The CSV file ``name`` directly inside ``data_dir``; ValueError for any other name."""
    if (
        not name
        or Path(name).name != name
        or name.startswith(".")
        or "\\" in name
        or not name.lower().endswith(".csv")
    ):
        raise ValueError(f"{name!r} is not the name of a CSV file in the data folder")
    return Path(data_dir) / name


def _terminator(raw: str) -> str:
    """The line ending ``raw`` ends with ("" when none)."""
    if raw.endswith("\r\n"):
        return "\r\n"
    if raw.endswith(("\n", "\r")):
        return raw[-1]
    return ""


def _split_records(text: str) -> list[tuple[list[str], str]]:
    """Each CSV record with its exact text (line ending included), in file order. Called
    only on text :func:`mapapp.core.read.parse_csv` has read without a problem."""
    consumed: list[str] = []

    def lines() -> Iterator[str]:
        for line in io.StringIO(text, newline=""):
            consumed.append(line)
            yield line

    records: list[tuple[list[str], str]] = []
    for record in csv.reader(lines(), strict=True):
        records.append((record, "".join(consumed)))
        consumed.clear()
    return records


#: what stops a file being edited as a table (the validator reports these too, in the
#: same words: both read through mapapp.core.read)
UNEDITABLE = frozenset(
    {"bad-encoding", "bad-csv", "empty-file", "duplicate-column", "wrong-cell-count"}
)


def _refuse(issues: list[Issue]) -> SaveRefused:
    first = issues[0]
    message = f"{first.location()}: {first.message}; fix the file before editing it here"
    return SaveRefused("invalid", message, Report(issues))


def _parse(name: str, data: bytes) -> TableFile:
    """The table in ``data`` (the bytes of the CSV file ``name``), ready for editing.

    Raises :class:`SaveRefused` ("invalid", with a report) when the bytes cannot be edited
    as a table: not UTF-8, not CSV, no header, a repeated column, or a row whose cell count
    differs from the header's.
    """
    text, issues = decode(data, name)
    if text is None:
        raise _refuse(issues)
    parsed = parse_csv(text, name)
    blocking = [i for i in parsed.issues if i.code in UNEDITABLE]
    if blocking:
        raise _refuse(blocking)
    # the same records as parse_csv read (the same reader on the same text), now with the
    # exact text of each, so a save can keep every untouched byte
    prefix = ""
    header: list[str] | None = None
    records: list[tuple[str, str]] = []
    cells: list[tuple[str, ...]] = []
    for record, raw in _split_records(text):
        blank = not record or record == [""]
        if header is None:
            prefix += raw
            if not blank:
                header = parsed.header
        elif blank:
            # blank lines stay with the row above them (or the header)
            if records:
                records[-1] = (records[-1][0], records[-1][1] + raw)
            else:
                prefix += raw
        else:
            ending = _terminator(raw)
            records.append((raw[: len(raw) - len(ending)], ending))
            cells.append(tuple(record))
    assert header is not None, "parse_csv reports a file without a header (empty-file)"
    # the file's line ending: the most common one (the header's included)
    endings = Counter("\r\n" if after.startswith("\r\n") else after[:1] for _, after in records)
    endings[_terminator(prefix)] += 1
    del endings[""]
    return TableFile(
        name=name,
        digest=_digest(data),
        header=header,
        _body=_Rows(tuple(records), tuple(cells)),
        _prefix=prefix,
        _newline=endings.most_common(1)[0][0] if endings else "\n",
        _bom=data.startswith(codecs.BOM_UTF8),
        _trailing_newline=text.endswith(("\n", "\r")),
    )


def _read_bytes(path: Path, name: str) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise SaveRefused("io-error", f"{name} is too large to edit here")
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise SaveRefused("io-error", f"{name} is not in the data folder") from exc
    except OSError as exc:
        raise SaveRefused("io-error", f"{name} cannot be read: {exc.strerror or exc}") from exc


def _row_starts(data: bytes) -> Any:
    """Where each line after the first (the header) starts in a plain file's bytes, and
    its end: the rows' starts and the end of the last row."""
    import numpy as np

    newlines = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == ord("\n")).astype(np.int64)
    starts = newlines + 1
    if data.endswith(b"\n"):
        return starts
    return np.append(starts, np.int64(len(data)))


def _parse_plain(name: str, data: bytes) -> TableFile | None:
    """The table in ``data`` read as columns (pyarrow), when the file is *plain*: UTF-8, one
    record a line (no blank lines, no line break inside a value, no lone CR), quotes only
    as RFC 4180 puts them, every row with the header's cell count -- then pyarrow and
    Python's csv reader read the same cells (as :mod:`mapapp.core.screen` relies on). None
    otherwise: :func:`_parse` reads it, and names what stops it being edited."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    bom = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    body = data[bom:] if bom else data
    if b"\x00" in data or data.count(b"\r") != data.count(b"\r\n") or not _quotes_plain(body):
        return None
    first = data.find(b"\n", bom)
    if first < 0:
        return None
    try:
        raw_header = data[bom : first + 1].decode("utf-8")
        header = next(csv.reader(io.StringIO(raw_header, newline=""), strict=True))
    except (UnicodeDecodeError, csv.Error, StopIteration):
        return None
    clean = [h.strip().strip("\ufeff").strip() for h in header]
    if not header or header == [""] or clean != header or len(set(header)) != len(header):
        return None
    names = [f"c{i}" for i in range(len(header))]
    try:
        columns = pacsv.read_csv(
            pa.BufferReader(body),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1),
            parse_options=pacsv.ParseOptions(newlines_in_values=False),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError, ValueError, TypeError):
        return None  # a row with the wrong cell count, or not UTF-8
    starts = _row_starts(data)
    if columns.num_rows == 0 or columns.num_rows != starts.size - 1:
        return None  # blank lines: lines and rows differ
    ends_open = not data.endswith(b"\n")
    crlf = data.count(b"\r\n")
    lf = starts.size - ends_open - crlf  # the lines ended by LF alone
    if crlf != lf:
        newline = "\r\n" if crlf > lf else "\n"
    else:  # a tie: the first row's (as Counter.most_common keeps the first seen)
        newline = "\r\n" if data[int(starts[1]) - 2 : int(starts[1])] == b"\r\n" else "\n"
    return TableFile(
        name=name,
        digest=_digest(data),
        header=header,
        _body=_PlainRows(data, starts, columns),
        _prefix=raw_header,
        _newline=newline,
        _bom=bool(bom),
        _trailing_newline=not ends_open,
    )


def read_table(data_dir: Path, name: str) -> TableFile:
    """Read the CSV file ``name`` of ``data_dir`` for editing.

    Raises ValueError for a name that is not a CSV file directly in the folder, and
    :class:`SaveRefused` when the file cannot be read ("io-error") or parsed ("invalid").
    A plain file (the usual kind, and the large ones) is read as columns; its rows become
    Python values only when asked for.
    """
    data = _read_bytes(_target(data_dir, name), name)
    return _parse_plain(name, data) or _parse(name, data)


# -- writing rows as CSV -------------------------------------------------------------------


def _cells_of(header: Sequence[str], row: Mapping[str, Any]) -> tuple[str, ...]:
    """The row's cells in header order: a missing or None cell is empty."""
    for key in row:
        if key not in header:
            raise _UnknownColumn(str(key))
    return tuple("" if row.get(col) is None else str(row.get(col)) for col in header)


def _format_record(cells: Sequence[str]) -> str:
    """One CSV record, minimally quoted, without a line ending."""
    out = io.StringIO()
    # the writer quotes a value holding CR or LF only if they are in its line terminator
    csv.writer(out, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n").writerow(cells)
    return out.getvalue().removesuffix("\r\n")


def render(table: TableFile, rows: list[dict[str, str]]) -> bytes:
    """The bytes of ``table``'s file holding ``rows`` instead of the rows it was read with.

    A row with the same cells as a row of the file (matched as :func:`row_diff` does) is
    written with that row's exact original text. An edited row is written with minimal
    quoting and keeps the line ending (and any blank lines) that followed the row it
    replaces; a new row gets the file's line ending. The header line, BOM and final newline
    (or its absence) are kept. Raises ValueError when a row has a column the header lacks.
    """
    cells = [_cells_of(table.header, row) for row in rows]
    match = _match(table._cells, cells)
    edited = {new: old for old, new in match.changed}
    pieces = [table._prefix or _format_record(table.header) + table._newline]
    for index, row in enumerate(cells):
        if index in match.same:
            pieces.append("".join(table._records[match.same[index]]))
        elif index in edited:
            pieces.append(_format_record(row) + table._records[edited[index]][1])
        else:
            pieces.append(_format_record(row) + table._newline)
    # only the last piece may lack a line ending, and only if the file's last line did
    for i, piece in enumerate(pieces[:-1]):
        if not _terminator(piece):
            pieces[i] = piece + table._newline
    last = pieces[-1]
    if not table._trailing_newline:
        pieces[-1] = last[: len(last) - len(_terminator(last))]
    elif not _terminator(last):
        pieces[-1] = last + table._newline
    data = "".join(pieces).encode("utf-8")
    return codecs.BOM_UTF8 + data if table._bom else data


# -- comparing versions --------------------------------------------------------------------


@dataclass
class _Match:
    """How the rows of two versions correspond, by index."""

    #: new index -> old index of a row with identical cells (in place or moved)
    same: dict[int, int] = field(default_factory=dict)
    #: (old index, new index) of a row edited in place
    changed: list[tuple[int, int]] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)
    added: list[int] = field(default_factory=list)


def _match(old: Sequence[Hashable], new: Sequence[Hashable]) -> _Match:
    """Match identical rows (longest common run first, then moved rows, each in order);
    pair the rest by position within each stretch of difference."""
    match = _Match()
    blocks: list[tuple[range, range]] = []
    opcodes = SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal":
            match.same.update(zip(range(j1, j2), range(i1, i2), strict=True))
        else:
            blocks.append((range(i1, i2), range(j1, j2)))
    spare: dict[Hashable, deque[int]] = {}
    for olds, _ in blocks:
        for i in olds:
            spare.setdefault(old[i], deque()).append(i)
    moved: set[int] = set()
    for _, news in blocks:
        for j in news:
            if spare.get(new[j]):
                match.same[j] = spare[new[j]].popleft()
                moved.add(match.same[j])
    for olds, news in blocks:
        left = [i for i in olds if i not in moved]
        right = [j for j in news if j not in match.same]
        match.changed.extend(zip(left, right, strict=False))
        match.removed.extend(left[len(right) :])
        match.added.extend(right[len(left) :])
    return match


def _key(row: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(row.items()))


def row_diff(old: list[dict[str, str]], new: list[dict[str, str]]) -> RowDiff:
    """The rows added, removed and changed from ``old`` to ``new``.

    Rows kept in place, or moved, are not reported. Among the rest, the rows in one stretch
    of difference are paired by position into ``changed``; extra ones are added or removed.
    """
    match = _match([_key(r) for r in old], [_key(r) for r in new])
    return RowDiff(
        added=[dict(new[j]) for j in match.added],
        removed=[dict(old[i]) for i in match.removed],
        changed=[(dict(old[i]), dict(new[j])) for i, j in match.changed],
    )


def _rows_of(name: str, data: bytes) -> list[dict[str, str]]:
    """The rows in ``data``, or none if it cannot be parsed (for an audit diff only)."""
    try:
        return _parse(name, data).rows
    except SaveRefused:
        return []


# -- validation ----------------------------------------------------------------------------


def candidate_folder(data_dir: Path, name: str, content: bytes, into: Path) -> Path:
    """Copy the data folder's files into ``into`` with ``name`` holding ``content``.

    Only regular, non-hidden files directly in ``data_dir`` are copied (not ``.mapapp/``),
    and those of its archive folder (``sources/``: the archived texts the quotes are
    checked against), with their modification times. ``into`` is created if needed;
    returns it.
    """
    _target(data_dir, name)
    into = Path(into)
    into.mkdir(parents=True, exist_ok=True)
    for path in sorted(Path(data_dir).iterdir()):
        if path.name != name and not path.name.startswith(".") and path.is_file():
            shutil.copy2(path, into / path.name)
    archives = Path(data_dir) / ARCHIVE_DIR
    if archives.is_dir() and not archives.is_symlink():
        (into / ARCHIVE_DIR).mkdir(exist_ok=True)
        for path in sorted(archives.iterdir()):
            if not path.name.startswith(".") and path.is_file():
                shutil.copy2(path, into / ARCHIVE_DIR / path.name)
    try:
        (into / name).write_bytes(content)
    except OSError as exc:
        if exc.filename:
            raise
        raise OSError(exc.errno, exc.strerror, str(into / name)) from exc
    return into


def _check_folder(data_dir: Path, state: Path, name: str, content: bytes) -> None:
    """Refuse ("invalid") unless the data folder validates with ``content`` as ``name``.

    The candidate is assembled at one fixed place (under the lock), so the schema read from
    its ``datapackage.json`` is cached across saves instead of once per temporary folder.
    """
    folder = state / CANDIDATE_DIR
    shutil.rmtree(folder, ignore_errors=True)
    try:
        candidate_folder(data_dir, name, content, folder)
        try:
            # the findings of load_dataset, with a large control table screened as arrays
            report = validate(folder)
        except SchemaError as exc:
            message = f"the data package descriptor cannot be used: {exc}"
            report = Report([Issue("datapackage.json", None, None, "bad-schema", message)])
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if not report.valid:
        count = report.count
        raise SaveRefused(
            "invalid",
            f"not saved: the data would have {count} problem{'s' if count != 1 else ''}; "
            "nothing was changed",
            report,
        )


# -- the lock, history and audit log -------------------------------------------------------


@contextmanager
def _locked(data_dir: Path, name: str | None = None) -> Iterator[Path]:
    """Hold the data folder's save lock (to save ``name``); yields the app's state folder."""
    state = Path(data_dir) / STATE_DIR
    _refuse_served(state)
    try:
        state.mkdir(exist_ok=True)
        _refuse_served(state)  # again, now that it exists (a link may point at a new folder)
        lock = FileLock(state / LOCK_FILE, timeout=LOCK_TIMEOUT, poll_interval=LOCK_POLL)
        lock.acquire()
    except Timeout as exc:
        raise SaveRefused(
            "io-error",
            f"another save has been running for over {LOCK_TIMEOUT:.0f} seconds; "
            "try again in a moment",
        ) from exc
    except OSError as exc:
        raise _io_error(exc, name, Path(data_dir)) from exc
    try:
        yield state
    finally:
        lock.release()


def _state_name(state: Path, path: Path) -> str:
    return STATE_DIR if path == state else f"{STATE_DIR}/{path.name}"


def _refuse_served(state: Path) -> None:
    """Refuse to use a state folder (or its lock, history or audit log) that resolves
    inside a folder the web server publishes, through links or not."""
    served = [d.resolve() for d in SERVED_DIRS]
    for path in (state, *(state / n for n in (LOCK_FILE, HISTORY_DIR, AUDIT_FILE, CANDIDATE_DIR))):
        real = path.resolve()
        if any(real.is_relative_to(d) for d in served):
            raise SaveRefused(
                "io-error",
                f"not saved: the app's state folder ({_state_name(state, path)}) "
                "resolves inside a folder the web server publishes, where anyone could read "
                "the audit log; make it a plain folder in the data folder (remove the link); "
                "nothing was changed",
            )


def _io_error(exc: OSError, name: str | None = None, data_dir: Path | None = None) -> SaveRefused:
    """The refusal for a failed read or write: names the file saved, why, and where (the
    path that failed, relative to the data folder when it is inside it)."""
    why = exc.strerror or str(exc)
    where = ""
    # a copy or a rename names its source first and the file it writes second
    failed = exc.filename2 or exc.filename
    if failed:
        path = Path(os.fsdecode(failed))
        if data_dir is not None and path.is_relative_to(data_dir):
            where = f": {path.relative_to(data_dir).as_posix()}"
        else:
            where = f": {path.name}"
    what = f"{name} could not be saved" if name else "not saved"
    return SaveRefused(
        "io-error",
        f"{what}: the data folder cannot be written ({why}{where}); nothing was changed",
    )


def _require_writable(data_dir: Path, name: str) -> None:
    """Refuse to replace a file nobody may write (its mode has no w bit).

    The save renames a new file onto the old one, which the file's own permissions do not
    stop (nor do they stop root); a file marked read-only is kept as it is on purpose. (An
    immutable file, ``chattr +i``, refuses the rename itself: an io-error too.)
    """
    path = Path(data_dir) / name
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return
    if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        raise SaveRefused(
            "io-error",
            f"not saved: {name} is read-only (no one may write it); make it writable "
            "first if it should change; nothing was changed",
        )


def _fsync_dir(path: Path) -> None:
    """Make a rename in ``path`` durable (best effort: not every system allows it)."""
    with suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _write_new(path: Path, data: bytes, mode: int | None = None) -> None:
    """Write ``data`` to the new file ``path`` and flush it to disk; no file on failure."""
    out = path.open("xb")
    with _no_file_on_failure(path), out:
        if mode is not None:
            os.fchmod(out.fileno(), mode)
        out.write(data)
        out.flush()
        os.fsync(out.fileno())


@contextmanager
def _no_file_on_failure(path: Path) -> Iterator[None]:
    """Remove the new file ``path`` if the block fails, and name it in an OSError that
    names no file (a failed write does not say which one it was)."""
    try:
        yield
    except BaseException as exc:
        with suppress(OSError):
            path.unlink()
        if isinstance(exc, OSError) and not exc.filename:
            raise OSError(exc.errno, exc.strerror, str(path)) from exc
        raise


#: why the kernel may refuse to copy between files: then the bytes are written instead
_NO_COPY = frozenset(
    {errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EBADF}
)


def _identity(info: os.stat_result) -> tuple[int, ...]:
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)


def _write_pieces(
    path: Path,
    pieces: list[_Piece],
    source: Path,
    identity: tuple[int, ...],
    data: bytes,
    mode: int,
) -> None:
    """Write the new file ``path`` holding ``data``, made from ``pieces``: each range
    copied from ``source`` by the kernel (no copy through this process: a 150 MB file in a
    tenth of a second, where writing it from memory took over a second on a process's
    first save), each new piece written; then flushed to disk. ``source`` must still be the
    file ``identity`` names, before and after the copy; if it is not, or the kernel cannot
    copy, ``data`` is written instead. No file is left on failure."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with _no_file_on_failure(path):
        try:
            os.fchmod(fd, mode)
            copied = _copy_pieces(fd, pieces, source, identity)
            if not copied:
                os.ftruncate(fd, 0)
                os.lseek(fd, 0, os.SEEK_SET)
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)


def _copy_pieces(fd: int, pieces: list[_Piece], source: Path, identity: tuple[int, ...]) -> bool:
    """Copy ``pieces`` into ``fd`` (see :func:`_write_pieces`); False when the kernel cannot
    copy, or ``source`` is not (or no longer) the file ``identity`` names."""
    try:
        src = os.open(source, os.O_RDONLY)
    except OSError:
        return False
    try:
        if _identity(os.fstat(src)) != identity:
            return False
        for piece in pieces:
            if isinstance(piece, tuple):
                at, end = piece
                while at < end:
                    try:
                        done = os.copy_file_range(src, fd, end - at, at)
                    except OSError as exc:
                        if exc.errno in _NO_COPY:
                            return False
                        raise
                    if done == 0:
                        return False  # the file is shorter than it was
                    at += done
            else:
                view = memoryview(piece)
                while view:
                    view = view[os.write(fd, view) :]
        return _identity(os.fstat(src)) == identity
    finally:
        os.close(src)


def _link_history(target: Path, history: Path, identity: tuple[int, ...]) -> bool:
    """Make ``history`` a hard link to ``target`` if ``target`` is still the file
    ``identity`` names; whether it did (no link is left when not)."""
    try:
        os.link(target, history)
    except OSError:
        return False
    info = history.stat()
    if (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns) != identity:
        history.unlink()
        return False
    return True


def _stamp(now: datetime) -> str:
    return now.strftime("%Y%m%dT%H%M%S%fZ")


def _append_audit(state: Path, entry: dict[str, Any]) -> None:
    """Append ``entry`` as one line of the audit log, flushed to disk."""
    path = state / AUDIT_FILE
    line = json.dumps(entry, ensure_ascii=False).encode("utf-8") + b"\n"
    # unbuffered: a failed write is reported once, here, not again when the file closes
    with path.open("ab", buffering=0) as out:
        size = out.tell()
        if size:
            # a line cut short by a crash must not swallow this one
            with path.open("rb") as log:
                log.seek(size - 1)
                if log.read(1) != b"\n":
                    line = b"\n" + line
        try:
            view = memoryview(line)
            while view:
                view = view[out.write(view) :]
            os.fsync(out.fileno())
        except OSError as exc:
            if exc.filename:
                raise
            raise OSError(exc.errno, exc.strerror, str(path)) from exc


def _commit(
    data_dir: Path,
    state: Path,
    name: str,
    old: bytes,
    new: bytes,
    entry: dict[str, Any],
    link: tuple[int, ...] | None = None,
    pieces: list[_Piece] | None = None,
) -> None:
    """Replace ``name``'s ``old`` bytes with ``new``, keeping ``old`` and logging ``entry``.

    With ``link`` (what identifies the file ``old`` was read from: see
    :func:`_current_with_identity`), the history copy is a hard link to that file when it
    is still the one there (the rename leaves it to the history alone): no copy of a large
    file. Otherwise, or when linking fails, the old bytes are written. With ``pieces`` too
    (``new`` as ranges of that file and new bytes: :func:`_pieces`), the new file is made
    by copying those ranges in the kernel (see :func:`_write_pieces`).

    The new bytes go to a hidden temporary file beside the target, flushed to disk; the old
    bytes to ``history/``; the audit line is appended; then the temporary file is renamed
    onto the target (atomic). If any step fails, what the earlier ones wrote is undone and
    the OSError propagates: the file is either wholly old or wholly new.
    """
    target = Path(data_dir) / name
    now = datetime.now(UTC)
    history = state / HISTORY_DIR / f"{name}.{_stamp(now)}.{entry['old_digest'][:12]}"
    temp = Path(data_dir) / f".{name}.{_stamp(now)}.{os.getpid()}.tmp"
    entry = {"time": now.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), **entry}
    entry["history"] = history.relative_to(state).as_posix()
    written: list[Path] = []
    audit_size: int | None = None
    audit_started = False
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
        if pieces is not None and link is not None:
            _write_pieces(temp, pieces, target, link, new, mode)
        else:
            _write_new(temp, new, mode)
        written.append(temp)
        history.parent.mkdir(exist_ok=True)
        if not (link is not None and _link_history(target, history, link)):
            _write_new(history, old)
        written.append(history)
        _fsync_dir(history.parent)
        audit = state / AUDIT_FILE
        audit_size = audit.stat().st_size if audit.exists() else None
        audit_started = True
        _append_audit(state, entry)
        os.replace(temp, target)  # noqa: PTH105 -- the one atomic step, named as such
    except OSError:
        for path in written:
            with suppress(OSError):
                path.unlink()
        if audit_started:
            with suppress(OSError):
                if audit_size is None:  # the log did not exist: leave none, not an empty one
                    (state / AUDIT_FILE).unlink(missing_ok=True)
                else:
                    os.truncate(state / AUDIT_FILE, audit_size)
        raise
    _fsync_dir(state)
    _fsync_dir(Path(data_dir))


def _diff_fields(diff: RowDiff) -> dict[str, Any]:
    return {
        "added": diff.added,
        "removed": diff.removed,
        "changed": [[old, new] for old, new in diff.changed],
    }


def audit_entries(data_dir: Path) -> list[dict[str, Any]]:
    """Every entry of the audit log, oldest first; an entry's index is its line number - 1.

    A line that is not a JSON object (cut short by a crash) is given as
    ``{"action": "unreadable", "raw": <the line>}`` so that indices stay stable.
    """
    path = Path(data_dir) / STATE_DIR / AUDIT_FILE
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return []
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    entries: list[dict[str, Any]] = []
    for line in lines:
        try:
            entry = json.loads(line)
        except ValueError:
            entry = None
        entries.append(entry if isinstance(entry, dict) else {"action": "unreadable", "raw": line})
    return entries


# -- saving and undoing --------------------------------------------------------------------


def _current(data_dir: Path, name: str) -> bytes:
    """The file's bytes now; a missing file counts as changed (digest of nothing)."""
    try:
        return _target(data_dir, name).read_bytes()
    except FileNotFoundError:
        return b""


def _conflict(name: str) -> SaveRefused:
    return SaveRefused(
        "conflict",
        f"not saved: {name} has changed since you loaded it (someone else saved it); "
        "reload and apply your edit again",
    )


def save_table(
    data_dir: Path,
    table: TableFile,
    rows: list[dict[str, str]],
    *,
    user: str | None,
    allowed: Collection[str],
) -> SaveResult:
    """Save ``rows`` as the new content of ``table``'s file, as ``user``.

    Refused (:class:`SaveRefused`, nothing changed) when ``user`` is not in ``allowed``
    ("forbidden"), the file changed since ``table`` was read ("conflict"), the data folder
    would not validate ("invalid", with the report) or the folder cannot be written
    ("io-error"). Saving the file's current content again changes nothing and logs nothing.
    ValueError when ``table.name`` is not a CSV file directly in the data folder.
    """
    who = _require_allowed(user, allowed)
    name = table.name
    _target(data_dir, name)
    try:
        new = render(table, rows)
    except _UnknownColumn as exc:
        message = f"not saved: the column '{exc.column}' is not in {name}"
        raise SaveRefused(
            "invalid", message, Report([Issue(name, 1, exc.column, "unknown-column", message)])
        ) from exc
    try:
        # a stale table is refused at once, without queueing for the lock; the check that
        # counts is the one under the lock below
        if _digest(_current(data_dir, name)) != table.digest:
            raise _conflict(name)
        with _locked(data_dir, name) as state:
            old = _current(data_dir, name)
            old_digest, new_digest = _digest(old), _digest(new)
            if old_digest != table.digest:
                raise _conflict(name)
            if new == old:
                return SaveResult(name, old_digest, old_digest, RowDiff([], [], []))
            _require_writable(data_dir, name)
            _check_folder(data_dir, state, name, new)
            old_rows = [dict(zip(table.header, cells, strict=True)) for cells in table._cells]
            new_rows = [
                dict(zip(table.header, _cells_of(table.header, r), strict=True)) for r in rows
            ]
            diff = row_diff(old_rows, new_rows)
            entry = {"user": who, "action": "save", "file": name}
            entry |= {"old_digest": old_digest, "new_digest": new_digest, **_diff_fields(diff)}
            _commit(data_dir, state, name, old, new, entry)
            return SaveResult(name, old_digest, new_digest, diff)
    except OSError as exc:
        raise _io_error(exc, name, Path(data_dir)) from exc


def _last_save(entries: list[dict[str, Any]], user: str) -> int | None:
    """The index of ``user``'s most recent save that has not been undone."""
    undone = {e.get("undoes") for e in entries if e.get("action") == "undo"}
    for index in range(len(entries) - 1, -1, -1):
        entry = entries[index]
        if (
            entry.get("action") == "save"
            and str(entry.get("user", "")).casefold() == user.casefold()
            and index not in undone
        ):
            return index
    return None


def _history_bytes(state: Path, entry: dict[str, Any]) -> bytes:
    """The version ``entry`` replaced, checked against its digest."""
    name = str(entry.get("history", ""))
    path = state / name
    if not name or Path(name).is_absolute() or ".." in Path(name).parts or not path.is_file():
        raise SaveRefused("io-error", f"the saved copy of {entry.get('file')} is missing")
    data = path.read_bytes()
    if _digest(data) != entry.get("old_digest"):
        raise SaveRefused("io-error", f"the saved copy of {entry.get('file')} is damaged")
    return data


def undo_last(data_dir: Path, *, user: str | None, allowed: Collection[str]) -> SaveResult:
    """Undo ``user``'s most recent save that has not been undone yet.

    Undo restores the file's bytes from before that save, exactly, and logs an "undo" entry
    (``"undoes"``: the index of the save in :func:`audit_entries`). Refused (nothing
    changed) with "forbidden", "nothing-to-undo", "conflict" (the file changed after that
    save: someone saved it since), "invalid" (the folder would not validate, e.g. a later
    edit of another file relies on the saved version) or "io-error".
    """
    who = _require_allowed(user, allowed)
    name: str | None = None
    try:
        with _locked(data_dir) as state:
            entries = audit_entries(data_dir)
            index = _last_save(entries, who)
            if index is None:
                raise SaveRefused("nothing-to-undo", "you have no saved edit left to undo")
            entry = entries[index]
            name = str(entry["file"])
            current = _current(data_dir, name)
            if _digest(current) != entry.get("new_digest"):
                raise SaveRefused(
                    "conflict",
                    f"cannot undo: {name} has been changed since your save (someone saved "
                    "it after you); edit it by hand instead",
                )
            restored = _history_bytes(state, entry)
            _require_writable(data_dir, name)
            checked = _folder_digests(data_dir)  # before the check (see _check_edit)
            _check_folder(data_dir, state, name, restored)
            diff = row_diff(_rows_of(name, current), _rows_of(name, restored))
            old_digest, new_digest = _digest(current), _digest(restored)
            undo = {"user": who, "action": "undo", "file": name, "undoes": index}
            undo |= {"old_digest": old_digest, "new_digest": new_digest, **_diff_fields(diff)}
            _commit(data_dir, state, name, current, restored, undo)
            # keep the record of the valid folder current (best effort: the undo is done)
            with suppress(OSError, SchemaError):
                if _validated(state) is not None:
                    files = {**checked, name: new_digest}
                    _remember_valid(state, files, _places_of(data_dir, files, state))
            return SaveResult(name, old_digest, new_digest, diff)
    except OSError as exc:
        raise _io_error(exc, name, Path(data_dir)) from exc


# -- saving an edit: the changed rows spliced into the file -----------------------------------


@dataclass(frozen=True)
class Changes:
    """An edit of a table, as a table editor reports it: rows are named by their position
    in the file as read (``0`` is the first data row).

    ``edited`` maps a row to its new cells (only the cells that changed are needed; the
    others are kept); ``deleted`` rows are removed; ``added`` rows go at the end.
    """

    edited: Mapping[int, Mapping[str, Any]] = field(default_factory=dict)
    deleted: Collection[int] = ()
    added: Sequence[Mapping[str, Any]] = ()

    @property
    def empty(self) -> bool:
        return not (self.edited or self.deleted or self.added)


@dataclass(frozen=True)
class _Edit:
    """An edit resolved against its table: new cells by row, rows deleted, rows added."""

    changed: dict[int, tuple[str, ...]]
    deleted: frozenset[int]
    added: list[tuple[str, ...]]
    old: dict[int, tuple[str, ...]]

    @property
    def empty(self) -> bool:
        return not (self.changed or self.deleted or self.added)


def _unknown_column(name: str, exc: _UnknownColumn) -> SaveRefused:
    message = f"not saved: the column '{exc.column}' is not in {name}"
    return SaveRefused(
        "invalid", message, Report([Issue(name, 1, exc.column, "unknown-column", message)])
    )


def _resolve(table: TableFile, changes: Changes) -> _Edit:
    """The edit's cells, checked against the table: a row that is not in it is a
    ValueError; a column the header lacks a refusal ("invalid"); an edit that leaves a row
    as it was is no change."""
    count = table.row_count
    touched = sorted({int(i) for i in changes.edited} | {int(i) for i in changes.deleted})
    for index in touched:
        if not 0 <= index < count:
            raise ValueError(f"row {index} is not in {table.name} ({count} rows)")
    old = dict(zip(touched, table._body.cells_at(touched), strict=True))
    deleted = frozenset(int(i) for i in changes.deleted)
    changed: dict[int, tuple[str, ...]] = {}
    try:
        for index, cells in changes.edited.items():
            if int(index) in deleted:
                continue
            before = old[int(index)]
            merged = dict(zip(table.header, before, strict=True))
            merged.update(cells)
            new = _cells_of(table.header, merged)
            if new != before:
                changed[int(index)] = new
        added = [_cells_of(table.header, row) for row in changes.added]
    except _UnknownColumn as exc:
        raise _unknown_column(table.name, exc) from exc
    return _Edit(changed, deleted, added, old)


def _splice(table: TableFile, edit: _Edit) -> bytes:
    """The file's bytes with the edit made: every other row byte for byte as it was, an
    edited row minimally quoted with the line ending (and blank lines) that followed it, a
    new row with the file's line ending; BOM, header and final newline (or its absence)
    kept, as :func:`render` writes them."""
    body = table._body
    if not isinstance(body, _PlainRows):
        rows: list[dict[str, str]] = []
        for index, cells in enumerate(body.cells):
            if index in edit.deleted:
                continue
            rows.append(dict(zip(table.header, edit.changed.get(index, cells), strict=True)))
        rows += [dict(zip(table.header, cells, strict=True)) for cells in edit.added]
        return render(table, rows)
    data = memoryview(body.data)  # slices of a view copy nothing: the join copies once
    return b"".join(data[p[0] : p[1]] if isinstance(p, tuple) else p for p in _pieces(table, edit))


#: a piece of a spliced file: a range of the old file's bytes, or new bytes
_Piece = tuple[int, int] | bytes


def _pieces(table: TableFile, edit: _Edit) -> list[_Piece]:
    """The spliced file of a plain table as ranges of its old bytes and new bytes (see
    :func:`_splice`): the ranges can be copied file to file, in the kernel."""
    body = table._body
    assert isinstance(body, _PlainRows)
    data = body.data
    newline = table._newline.encode()

    def tail(piece: _Piece, size: int) -> bytes:
        return (
            data[max(piece[0], piece[1] - size) : piece[1]]
            if isinstance(piece, tuple)
            else piece[-size:]
        )

    pieces: list[_Piece] = [(0, int(body.starts[0]))]
    at = int(body.starts[0])
    for index in sorted(edit.deleted | set(edit.changed)):
        begin, stop = body.span(index)
        if begin > at:
            pieces.append((at, begin))
        if index in edit.changed:
            ending = _terminator(data[begin:stop].decode("utf-8")).encode()
            pieces.append(_format_record(edit.changed[index]).encode("utf-8") + ending)
        at = stop
    if at < len(data):
        pieces.append((at, len(data)))
    pieces += [_format_record(cells).encode("utf-8") + newline for cells in edit.added]
    pieces = [p for p in pieces if (p[1] > p[0] if isinstance(p, tuple) else p)]
    # only the last piece may lack a line ending, and only if the file's last line did
    out: list[_Piece] = []
    for piece in pieces[:-1]:
        out.append(piece)
        if tail(piece, 1) not in (b"\n", b"\r"):
            out.append(newline)
    last = pieces[-1]
    cut = len(_terminator(tail(last, 2).decode("latin-1")))
    if not table._trailing_newline and cut:
        last = (last[0], last[1] - cut) if isinstance(last, tuple) else last[:-cut]
    out.append(last)
    if table._trailing_newline and tail(last, 1) not in (b"\n", b"\r"):
        out.append(newline)
    return out


def changes_diff(table: TableFile, changes: Changes) -> RowDiff:
    """The rows ``changes`` would add, remove and change (an unknown column or a row that
    is not in the table: an empty diff; the save names them)."""
    try:
        return _edit_diff(table, _resolve(table, changes))
    except (SaveRefused, ValueError):
        return RowDiff([], [], [])


def spliced(table: TableFile, changes: Changes) -> bytes:
    """The bytes of ``table``'s file with ``changes`` made, as :func:`save_changes` writes
    them."""
    return _splice(table, _resolve(table, changes))


def _edit_diff(table: TableFile, edit: _Edit) -> RowDiff:
    header = table.header

    def row(cells: tuple[str, ...]) -> dict[str, str]:
        return dict(zip(header, cells, strict=True))

    return RowDiff(
        added=[row(c) for c in edit.added],
        removed=[row(edit.old[i]) for i in sorted(edit.deleted)],
        changed=[(row(edit.old[i]), row(c)) for i, c in sorted(edit.changed.items())],
    )


# -- the last folder that validated, and validating an edit by what it can affect ------------

#: in the state folder: the digest of every file of the last folder that validated whole
VALIDATED_FILE = "validated.json"
#: the places' ids by the digest of the places file (a save needs them, not their shapes)
_PLACE_IDS: dict[str, frozenset[str]] = {}


def _folder_files(data_dir: Path) -> list[Path]:
    """The files a validation reads (those :func:`candidate_folder` copies), sorted."""
    files = [p for p in Path(data_dir).iterdir() if not p.name.startswith(".") and p.is_file()]
    archives = Path(data_dir) / ARCHIVE_DIR
    if archives.is_dir() and not archives.is_symlink():
        files += [p for p in archives.iterdir() if not p.name.startswith(".") and p.is_file()]
    return sorted(files)


def _folder_digests(data_dir: Path, known: Mapping[str, str] | None = None) -> dict[str, str]:
    """Each file's SHA-256 by its path in the folder (``known`` ones not read again)."""
    known = known or {}
    out = {}
    for path in _folder_files(data_dir):
        rel = path.relative_to(data_dir).as_posix()
        out[rel] = known[rel] if rel in known else _digest(path.read_bytes())
    return out


def _record(state: Path) -> dict[str, Any]:
    try:
        recorded = json.loads((state / VALIDATED_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return recorded if isinstance(recorded, dict) else {}


def _validated(state: Path) -> dict[str, str] | None:
    """The digests of the files of the last folder that validated whole, if recorded."""
    files = _record(state).get("files")
    return files if isinstance(files, dict) else None


def _remember_valid(
    state: Path, digests: Mapping[str, str], places: tuple[str, frozenset[str]] | None
) -> None:
    """Record that the folder with these files validated, and its places' ids by the
    places file's digest (best effort: without the record, the next save validates the
    whole folder)."""
    record: dict[str, Any] = {"files": dict(digests)}
    if places is not None:
        record["places"] = {"digest": places[0], "ids": sorted(places[1])}
    temp = state / f".{VALIDATED_FILE}.{os.getpid()}.tmp"
    with suppress(OSError):
        temp.write_text(json.dumps(record, sort_keys=True), encoding="utf-8")
        os.replace(temp, state / VALIDATED_FILE)  # noqa: PTH105 -- atomic, named as such
    with suppress(OSError):
        temp.unlink(missing_ok=True)


def remember_if_valid(data_dir: Path) -> bool:
    """Validate the whole folder and, if it is valid, record its files' digests so that
    the next save validates only what it can affect (the edit page calls this when it
    opens). Whether the folder is valid."""
    data_dir = Path(data_dir)
    with _locked(data_dir) as state:
        before = _folder_digests(data_dir)
        if _validated(state) == before:
            if "places" not in _record(state):
                _remember_valid(state, before, _places_of(data_dir, before, state))
            return True
        try:
            valid = validate(data_dir).valid
        except SchemaError:
            return False
        if valid and _folder_digests(data_dir) == before:
            _remember_valid(state, before, _places_of(data_dir, before, state))
        return valid


def _places_of(
    data_dir: Path, digests: Mapping[str, str], state: Path
) -> tuple[str, frozenset[str]] | None:
    """(the places file's digest, the ids of its places), from memory, the validation
    record or the file itself; None when the schema has no one places file."""
    from mapapp.core.schema import load_schema

    schema = load_schema(data_dir)
    geo = [r for r in schema.resources if r.format == "geojson"]
    if len(geo) != 1 or geo[0].path not in digests:
        return None
    digest = digests[geo[0].path]
    known = _PLACE_IDS.get(digest)
    if known is not None:
        return digest, known
    places = _record(state).get("places")
    if isinstance(places, dict) and places.get("digest") == digest:
        ids = frozenset(str(i) for i in places.get("ids", []))
    else:
        data = (Path(data_dir) / geo[0].path).read_bytes()
        if _digest(data) != digest:
            return None
        ids = frozenset(affected.place_ids(data))
    _PLACE_IDS.clear()  # one places file at a time: a server edits one folder
    _PLACE_IDS[digest] = ids
    return digest, ids


def _affected_records(
    table: TableFile, edit: _Edit, new: bytes
) -> tuple[list[tuple[int, dict[str, str]]], set[str]] | None:
    """The rows of the places the edit touches, as they are in the new file (line, cells),
    in file order; None when the new file's lines cannot be known this way."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    body = table._body
    header = table.header
    if not isinstance(body, _PlainRows) or "place_id" not in header:
        return None
    at = header.index("place_id")
    new_cells = [*edit.changed.values(), *edit.added]
    for cells in new_cells:
        text = _format_record(cells)
        if "\n" in text or "\r" in text:
            return None  # a line break inside a value: lines after it move
        if "\x00" in text:
            return None  # the reader refuses the whole file (bad-encoding)
    if new.count(b"\n") > MAX_CSV_ROWS + 1:
        return None  # the validator refuses the file by its length (counting as it does)
    touched = {c[at].strip() for c in new_cells}
    touched |= {edit.old[i][at].strip() for i in edit.deleted | set(edit.changed)}
    encoded = body.columns.column(at).combine_chunks().dictionary_encode()
    hit = pa.array([str(v).strip() in touched for v in encoded.dictionary.to_pylist()])
    mask = pc.take(hit, encoded.indices)
    rows = np.flatnonzero(mask.to_numpy(zero_copy_only=False))
    gone = np.fromiter(sorted(edit.deleted), dtype=np.int64, count=len(edit.deleted))
    kept = rows[~np.isin(rows, gone)]
    found = body.cells_at(kept.tolist())
    # a kept row's line: 2 for the first data row, less the deleted rows before it
    lines = kept + 2 - np.searchsorted(gone, kept)
    records = []
    for index, line, was in zip(kept.tolist(), lines.tolist(), found, strict=True):
        records.append((int(line), dict(zip(header, edit.changed.get(index, was), strict=True))))
    first_new = len(body) - len(edit.deleted) + 2
    for k, added in enumerate(edit.added):
        if added[at].strip() in touched:
            records.append((first_new + k, dict(zip(header, added, strict=True))))
    return records, touched


def _affected_check(
    data_dir: Path,
    state: Path,
    table: TableFile,
    edit: _Edit,
    new: bytes,
    digests: Mapping[str, str] | None = None,
) -> Report | None:
    """The new folder's problems found by the places the edit touches
    (:func:`mapapp.core.affected.affected_report`: the whole validator's findings), or None
    when that cannot be sure: the folder as it is now is not the one recorded as valid
    (a file changed outside the store, or it never validated), the table is not the
    control table, or the new file's lines cannot be known row by row. ``digests``: the
    folder's, with the table's file as read (worked out when not given)."""
    from mapapp.core.schema import load_schema

    if digests is None:
        digests = _folder_digests(data_dir, {table.name: table.digest})
    try:
        if _validated(state) != digests:
            return None
        if affected.edited_file(load_schema(data_dir)) != table.name:
            return None
    except (SchemaError, KeyError):
        return None
    picked = _affected_records(table, edit, new)
    places = _places_of(data_dir, digests, state)
    if picked is None or places is None:
        return None
    return affected.affected_report(data_dir, table.header, picked[0], places[1])


def _check_edit(
    data_dir: Path, state: Path, table: TableFile, edit: _Edit, new: bytes, new_digest: str
) -> dict[str, str]:
    """Refuse ("invalid") unless the folder validates with ``new`` as the table's file:
    by the places the edit touches when :func:`_affected_check` can be sure, else the
    whole folder on a candidate copy. Returns the digests of the folder that validated
    (taken before it was read: a file changed meanwhile makes them stale, never wrong)."""
    digests = _folder_digests(data_dir, {table.name: table.digest})
    report = _affected_check(data_dir, state, table, edit, new, digests)
    if report is None:
        _check_folder(data_dir, state, table.name, new)
    elif not report.valid:
        count = report.count
        raise SaveRefused(
            "invalid",
            f"not saved: the data would have {count} problem{'s' if count != 1 else ''}; "
            "nothing was changed",
            report,
        )
    return {**digests, table.name: new_digest}


def check_changes(data_dir: Path, table: TableFile, changes: Changes) -> Report:
    """The problems the folder would have with ``changes`` saved (an empty report when
    it would be valid), found as :func:`save_changes` finds them; nothing is written. (A
    stale table is checked as it was read, the whole folder: its save is refused.)"""
    data_dir = Path(data_dir)
    try:
        edit = _resolve(table, changes)
    except SaveRefused as refused:
        return refused.report or Report()
    new = _splice(table, edit)
    try:
        with _locked(data_dir, table.name) as state:
            _check_edit(data_dir, state, table, edit, new, "")
    except SaveRefused as refused:
        if refused.report is not None:
            return refused.report
        raise
    except OSError as exc:
        raise _io_error(exc, table.name, data_dir) from exc
    return Report()


def save_changes(
    data_dir: Path,
    table: TableFile,
    changes: Changes,
    *,
    user: str | None,
    allowed: Collection[str],
) -> SaveResult:
    """Save an edit of ``table`` (the rows changed, deleted and added, as a table editor
    reports them) as ``user``: :func:`save_table`'s guarantees, at the cost of the edit.

    The changed rows are spliced into the file's bytes (every other line untouched); the
    folder is validated by what the edit can affect (see :func:`_check_edit`); the lock,
    the conflict check against ``table.digest``, the atomic write, the history copy (a
    hard link to the replaced file where the file system allows) and the audit entry with
    the diff are those of :func:`save_table`. Refused (:class:`SaveRefused`, nothing
    changed) for the same reasons; ValueError for a row that is not in the table.
    """
    who = _require_allowed(user, allowed)
    name = table.name
    data_dir = Path(data_dir)
    _target(data_dir, name)
    edit = _resolve(table, changes)
    try:
        new = _splice(table, edit)
    except UnicodeEncodeError as exc:
        raise SaveRefused(
            "invalid",
            f"not saved: a cell holds text that cannot be written as UTF-8 ({exc.reason})",
        ) from exc
    try:
        with _locked(data_dir, name) as state:
            old, identity = _current_with_identity(data_dir, name)
            old_digest = _digest(old)
            if old_digest != table.digest:
                raise _conflict(name)
            if edit.empty or new == old:
                return SaveResult(name, old_digest, old_digest, RowDiff([], [], []))
            _require_writable(data_dir, name)
            new_digest = _digest(new)
            checked = _check_edit(data_dir, state, table, edit, new, new_digest)
            diff = _edit_diff(table, edit)
            entry = {"user": who, "action": "save", "file": name}
            entry |= {"old_digest": old_digest, "new_digest": new_digest, **_diff_fields(diff)}
            plain = isinstance(table._body, _PlainRows)
            pieces = _pieces(table, edit) if plain and hasattr(os, "copy_file_range") else None
            _commit(data_dir, state, name, old, new, entry, link=identity, pieces=pieces)
            # the folder as saved validated: the next save checks only what it touches
            # (best effort: the save is done; without the record the next one checks all)
            with suppress(OSError, SchemaError):
                _remember_valid(state, checked, _places_of(data_dir, checked, state))
            saved = _saved_table(table, edit, new, new_digest)
            return SaveResult(name, old_digest, new_digest, diff, saved)
    except OSError as exc:
        raise _io_error(exc, name, data_dir) from exc


def _saved_table(table: TableFile, edit: _Edit, new: bytes, digest: str) -> TableFile | None:
    """``table`` as it is once ``edit`` is saved as ``new`` (digest ``digest``): its columns
    are the old ones cut where the edit falls, with the new rows between (no copy, no
    parse); None when the new file would not be plain (a line break inside a value)."""
    import pyarrow as pa

    body = table._body
    if not isinstance(body, _PlainRows):
        return None
    rows = [*edit.changed.values(), *edit.added]
    if any("\n" in c or "\r" in c or "\x00" in c for cells in rows for c in cells):
        return None
    names = body.columns.column_names

    def table_of(cells: Sequence[tuple[str, ...]]) -> Any:
        columns = [pa.array([row[i] for row in cells], pa.string()) for i in range(len(names))]
        return pa.Table.from_arrays(columns, names=names)

    pieces = []
    at = 0
    for index in sorted(edit.deleted | set(edit.changed)):
        if index > at:
            pieces.append(body.columns.slice(at, index - at))
        if index in edit.changed:
            pieces.append(table_of([edit.changed[index]]))
        at = index + 1
    if at < len(body):
        pieces.append(body.columns.slice(at))
    if edit.added:
        pieces.append(table_of(edit.added))
    columns = pa.concat_tables(pieces) if pieces else body.columns.slice(0, 0)
    if columns.num_rows == 0:
        return None  # a table with no rows is read the row-by-row way
    return TableFile(
        name=table.name,
        digest=digest,
        header=table.header,
        _body=_PlainRows(new, None, columns),
        _prefix=table._prefix,
        _newline=table._newline,
        _bom=table._bom,
        _trailing_newline=table._trailing_newline,
    )


def _current_with_identity(data_dir: Path, name: str) -> tuple[bytes, tuple[int, ...] | None]:
    """The file's bytes now, and what identifies the file they were read from (device,
    inode, size, modification time; None when missing or linked elsewhere too)."""
    try:
        with _target(data_dir, name).open("rb") as handle:
            info = os.fstat(handle.fileno())
            data = handle.read()
    except FileNotFoundError:
        return b"", None
    if info.st_nlink != 1 or info.st_size != len(data):
        return data, None
    return data, (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)
