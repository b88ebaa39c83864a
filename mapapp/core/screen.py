"""A columnar screen for the large table (control.csv): the validator's own findings, with a
million rows checked as arrays instead of one Python row at a time.

How it stays identical to :mod:`mapapp.core.validate`:

* the file is read with pyarrow only when it is *plain* -- UTF-8, one record per line (no
  blank lines, no line breaks inside quotes, no lone CR), quotes only as RFC 4180 allows --
  so that row ``i`` is on line ``i + 2`` and both readers see the same cells; anything else
  goes the validator's row-by-row way, which names the problem;
* each *distinct* value of a column (a few thousand among a million cells) is checked once
  with the validator's own per-cell function, references once per distinct id;
* the period rules (overlaps, sole and shared control) and end-before-start are worked out
  as array operations over all rows;
* every row of a place with anything suspect -- a bad cell, an unknown reference, a period
  rule broken -- then goes through the validator's row-by-row checks, with its real line,
  together with every other row of that place, so the messages (and the lines they cite)
  are the validator's. Rows of other places are known to have no problem.

Only the report comes out: :func:`screened_report` never builds a dataset.
"""

from __future__ import annotations

import csv
import gc
import io
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from mapapp.core import geometry
from mapapp.core.dates import DateSpec, FuzzyDate, resolve_cell
from mapapp.core.read import (
    MAX_CSV_ROWS,
    MAX_FILE_BYTES,
    RawGeoJSON,
    RawRow,
    RawTable,
    uneven_row,
    wrong_cell_count,
)
from mapapp.core.report import Issue, Report
from mapapp.core.schema import Field, Resource, Schema, load_schema
from mapapp.core.validate import (
    MAX_CELL_CHARS,
    LoadResult,
    _check_cell,
    _check_columns,
    _Validator,
    geometry_known,
)

#: the table screened (the one that grows to millions of rows)
SCREENED = "control"
#: smaller files take the row-by-row way (as fast, and nothing to prove)
MIN_BYTES = 1_000_000
#: more than any day's ordinal (date.max is 3,652,059): keys are ``group * _BIG + ordinal``
_BIG = 4_000_000
_FIRST, _LAST = date.min.toordinal(), date.max.toordinal()
#: what str.strip() removes besides ASCII whitespace (a cell with any of it at either end,
#: or ASCII whitespace there, goes the row-by-row way)
_WS = r"\s\x0b\x1c-\x1f\x85\xa0\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}"
_EDGE_WS = f"^[{_WS}]|[{_WS}]$"
#: the same characters (those str.isspace() accepts), for trimming
_SPACES = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680"
    + "".join(chr(c) for c in range(0x2000, 0x200B))
    + "\u2028\u2029\u202f\u205f\u3000"
)

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]


def screened_report(data_dir: Path, min_bytes: int = MIN_BYTES) -> Report:
    """Every problem in the data folder, as :func:`mapapp.core.validate.validate` reports
    them; the control table is screened as arrays when its file has at least
    ``min_bytes`` bytes (0: always, as the tests do)."""
    schema = load_schema(data_dir)
    # the cyclic garbage collector paused for the run: the places file's JSON alone makes
    # hundreds of thousands of (acyclic) lists, each batch of them setting off collections
    # that walk all the others (0.4 s of the places file's 0.65 s at 10,000 places)
    was = gc.isenabled()
    gc.disable()
    try:
        return _ScreenedValidator(schema, Path(data_dir), min_bytes).run().report
    finally:
        if was:
            gc.enable()


# -- reading -----------------------------------------------------------------------------------
def _quotes_plain(data: bytes) -> bool:
    """Whether every double quote is where RFC 4180 puts it (so pyarrow and Python's csv
    read the same cells): a quoted field opens at a field's start and closes before a
    delimiter, quotes inside it doubled. Worked out from the quotes alone: outside a
    quoted field an even number of quotes precede a position."""
    if b'"' not in data:
        return True
    raw = np.frombuffer(data, dtype=np.uint8)
    quotes = np.flatnonzero(raw == ord('"'))
    if quotes.size == 0:
        return True
    run_start = np.ones(quotes.size, dtype=bool)
    run_start[1:] = quotes[1:] != quotes[:-1] + 1
    firsts = np.flatnonzero(run_start)  # index in `quotes` of each run's first quote
    lengths = np.diff(np.append(firsts, quotes.size))
    begin = quotes[firsts]
    end = begin + lengths  # the byte after the run
    # the byte before each run and after it (a newline before and after the file)
    before = np.where(begin > 0, raw[np.maximum(begin - 1, 0)], ord("\n"))
    after = np.where(end < raw.size, raw[np.minimum(end, raw.size - 1)], ord("\n"))
    opens_field = np.isin(before, np.frombuffer(b",\n", dtype=np.uint8))
    ends_field = np.isin(after, np.frombuffer(b",\r\n", dtype=np.uint8))
    inside = firsts % 2 == 1  # an odd number of quotes before the run: in a quoted field
    odd = lengths % 2 == 1
    ok = np.where(
        inside,
        ~odd | ends_field,  # doubled quotes stay inside; the closing one ends the field
        opens_field & (odd | ends_field),  # opens (or is the empty field "")
    )
    return bool(ok.all()) and quotes.size % 2 == 0


@dataclass
class Coded:
    """One column as its distinct cells (``values``, a pyarrow string array) and, per row,
    the index of its cell among them (``codes``): each check is made once per distinct
    cell and its outcome spread to the rows by the codes."""

    values: Any
    codes: IntArray

    def spread(self, per_value: BoolArray) -> BoolArray:
        """Each row's flag from the flags of the distinct cells."""
        if not per_value.any():
            return np.zeros(len(self.codes), dtype=bool)
        flags: BoolArray = per_value[self.codes]
        return flags


@dataclass
class Plain:
    """A plain CSV file as read by pyarrow: every cell a string, each column read
    dictionary-encoded (its distinct cells once, and a code per row)."""

    header: list[str]
    table: Any
    #: the file line of each row of ``table``
    lines: IntArray
    #: the rows with the wrong number of cells (not in ``table``), as the validator reads
    #: them, and how many cells each has
    wrong: list[tuple[RawRow, int]]

    def coded(self, index: int) -> Coded:
        """Column ``index`` as its distinct cells and each row's code (the table's
        dictionaries are unified: one dictionary a column, shared by its chunks)."""
        import pyarrow as pa

        chunks = self.table.column(index).chunks
        if not chunks:
            return Coded(pa.array([], pa.string()), np.zeros(0, dtype=np.int64))
        codes = np.concatenate([c.indices.to_numpy(zero_copy_only=False) for c in chunks])
        return Coded(chunks[0].dictionary, codes.astype(np.int64, copy=False))


def _read_plain(path: Path) -> Plain | None:
    """The file's cells when it is plain (see the module's doc), else None."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    try:
        if not path.is_file() or path.stat().st_size > MAX_FILE_BYTES:
            return None
        data = path.read_bytes()
    except OSError:
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    newlines = data.count(b"\n")
    if (
        b"\x00" in data
        or (b"\r" in data and data.count(b"\r") != data.count(b"\r\n"))
        or newlines > MAX_CSV_ROWS + 1  # the reader refuses such a file, with its message
        or not _quotes_plain(data)
    ):
        return None
    first = data.find(b"\n")
    try:
        head = data[: first if first >= 0 else len(data)].decode("utf-8").rstrip("\r")
        header = next(csv.reader(io.StringIO(head), strict=True))
    except (UnicodeDecodeError, csv.Error, StopIteration):
        return None
    names = [f"c{i}" for i in range(len(header))]
    # each column dictionary-encoded as it is read (as fast as plain strings): the screen
    # checks distinct cells, a few thousand among a million, and works with their codes
    convert = pacsv.ConvertOptions(
        column_types=dict.fromkeys(names, pa.dictionary(pa.int32(), pa.string())),
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )
    # rows with the wrong number of cells: pyarrow names their lines only when it reads
    # in one thread, so that slower read is made only when the fast one finds such a row
    wrong: list[tuple[RawRow, int]] = []

    def skip(row: Any) -> str:
        record = next(csv.reader(io.StringIO(row.text), strict=True), [])
        wrong.append((uneven_row(header, record, int(row.number)), len(record)))
        return "skip"

    for threads in (True, False):
        try:
            table = pacsv.read_csv(
                pa.BufferReader(data),
                read_options=pacsv.ReadOptions(
                    column_names=names, skip_rows=1, use_threads=threads
                ),
                parse_options=pacsv.ParseOptions(
                    newlines_in_values=False, invalid_row_handler=None if threads else skip
                ),
                convert_options=convert,
            )
            break
        except (pa.ArrowInvalid, pa.ArrowTypeError, ValueError, TypeError):
            if not threads:
                return None
    lines = newlines + (0 if data.endswith(b"\n") else 1)
    if table.num_rows == 0 or table.num_rows + 1 + len(wrong) != lines:
        return None  # blank lines or line breaks in values: lines and rows differ
    row_lines = np.delete(np.arange(2, lines + 1), [row.line - 2 for row, _ in wrong])
    return Plain(header, table.unify_dictionaries(), row_lines, wrong)


# -- the screen ----------------------------------------------------------------------------------
class _ScreenedValidator(_Validator):
    def __init__(self, schema: Schema, data_dir: Path, min_bytes: int) -> None:
        super().__init__(schema, data_dir)
        self.build = False
        self.min_bytes = min_bytes
        self.pending: list[tuple[Resource, Plain]] = []
        #: the screened table's read, started before the run (see :meth:`run`)
        self.reading: dict[str, Future[Plain | None]] = {}
        #: the places' geometry checks, started once the places are read: (the places,
        #: the metric CRS, their findings)
        self.checking: tuple[RawGeoJSON, str, Future[list[Issue]]] | None = None
        self.pool: ThreadPoolExecutor | None = None

    def screened(self, res: Resource) -> bool:
        """Whether the table is read as a plain file and screened."""
        try:
            small = (self.dir / res.path).stat().st_size < self.min_bytes
        except OSError:
            small = True
        return not small and res.name == SCREENED and not res.primary_key

    def run(self) -> LoadResult:
        # the large table is read (pyarrow, in its own threads, without the GIL) while
        # this thread parses and checks the places file and the small tables, and the
        # places' geometry is checked (GEOS and PROJ, mostly without the GIL) while the
        # tables are; their findings are still added when their turn comes, so none moves
        with ThreadPoolExecutor(max_workers=2) as pool:
            self.pool = pool
            try:
                for res in self.schema.resources:
                    if res.format != "geojson" and self.screened(res):
                        self.reading[res.name] = pool.submit(_read_plain, self.dir / res.path)
                return super().run()
            finally:
                self.pool = None

    def read_places(self, res: Resource) -> None:
        super().read_places(res)
        geo, crs = self.geo, self.schema.metric_crs
        if geo is not None and self.pool is not None and not geometry_known(geo, crs):
            self.checking = (geo, crs, self.pool.submit(self.geometry_now, geo, crs))

    def geometry_now(self, geo: RawGeoJSON, metric_crs: str) -> list[Issue]:
        return list(geometry.check_features(geo, metric_crs))

    def geometry_issues(self, geo: RawGeoJSON, metric_crs: str) -> list[Issue]:
        checking, self.checking = self.checking, None
        if checking is not None and checking[0] is geo and checking[1] == metric_crs:
            return checking[2].result()
        return self.geometry_now(geo, metric_crs)

    def read_table(self, res: Resource) -> None:
        reading = self.reading.pop(res.name, None)
        if reading is not None:
            read = reading.result()
        else:
            read = _read_plain(self.dir / res.path) if self.screened(res) else None
        if read is None:
            super().read_table(res)
            return
        header = read.header
        clean = [h.strip().strip("\ufeff").strip() for h in header]
        required = {f.name for f in res.fields if f.required}
        if clean != header or len(set(header)) != len(header) or not required <= set(header):
            super().read_table(res)  # header problems: reported the validator's way
            return
        self.rows[res.name] = []
        self.ids[res.name] = set()
        self.add(_check_columns(res, RawTable(res.path, header=header)))
        self.add(wrong_cell_count(res.path, row.line, count, header) for row, count in read.wrong)
        self.pending.append((res, read))

    def check_references(self) -> Iterator[Issue]:
        # every file has been read: ids are known, so the screened tables can be checked
        for res, read in self.pending:
            self.screen(res, read)
        self.pending.clear()
        return iter(list(super().check_references()))

    def quiet_source_dates(self) -> dict[str, FuzzyDate]:
        """The sources' dates, without reporting their problems (the run does that)."""
        report, self.report = self.report, Report()
        try:
            return self.resolve_source_dates()
        finally:
            self.report = report

    def screen(self, res: Resource, read: Plain) -> None:
        import pyarrow.compute as pc

        header, table = read.header, read.table
        columns = {name: read.coded(i) for i, name in enumerate(header)}
        n = table.num_rows
        suspect = np.zeros(n, dtype=bool)
        source_dates = self.quiet_source_dates()
        starts: dict[str, IntArray] = {}
        refs = {fk.field: fk.resource for fk in res.foreign_keys}
        for fld in res.fields:
            column = columns.get(fld.name)
            if column is None:
                continue  # an optional column left out: every cell is empty, which is fine
            if fld.is_date:
                bad, first_day = self.screen_dates(res, fld, column, columns, source_dates)
                suspect |= bad
                starts[fld.name] = first_day
            elif _plain_text(fld) and fld.name not in refs:
                length = pc.utf8_length(column.values).to_numpy(zero_copy_only=False)
                # a space at either end: trimming shortens it (faster than a regex)
                trimmed = pc.utf8_length(pc.utf8_trim(column.values, characters=_SPACES))
                bad = (length > MAX_CELL_CHARS) | (trimmed.to_numpy(zero_copy_only=False) != length)
                if fld.required:
                    bad |= length == 0
                suspect |= column.spread(bad)
            else:
                target = fld.references or refs.get(fld.name)
                suspect |= self.screen_distinct(res, fld, column, target)
        suspect |= self.screen_evidence(columns)
        places = columns.get("place_id")
        if places is not None and "start" in starts and "end" in starts:
            # a row with a cell too many is still built (its cells are all there): its
            # place's periods are checked with it, the validator's way
            uneven = {row.cells.get("place_id", "").strip() for row, _ in read.wrong}
            self.screen_periods(columns, starts, suspect, places, uneven, source_dates)
        else:
            suspect[:] = True
        affected = np.flatnonzero(suspect)
        if affected.size:
            picked = table.take(affected).to_pylist()
            names = [f"c{i}" for i in range(len(header))]
            records = [
                (int(line), {h: row[c] for h, c in zip(header, names, strict=True)})
                for line, row in zip(read.lines[affected].tolist(), picked, strict=True)
            ]
            self.check_rows(res, records, skip=[frozenset()] * len(records))
        if read.wrong:  # checked by the cells they have, as the validator does
            rows = [(row.line, row.cells) for row, _ in read.wrong]
            self.check_rows(res, rows, skip=[row.lacking for row, _ in read.wrong])

    def screen_evidence(self, columns: dict[str, Coded]) -> BoolArray:
        """Rows whose quote the validator checks against an archived source: those giving
        quote offsets, and those citing a source that is archived or quotes another (they
        go the validator's way, which reads the archives)."""
        import pyarrow.compute as pc

        sources = columns["source_id"]
        out = np.zeros(len(sources.codes), dtype=bool)
        for name in ("quote_start", "quote_end"):
            if name in columns:
                given = pc.utf8_length(columns[name].values).to_numpy(zero_copy_only=False) > 0
                out |= columns[name].spread(given)
        archived = {
            r.values["id"]
            for r in self.rows.get("sources", [])
            if r.values.get("archive_sha256") or r.values.get("quoted_in")
        }
        if archived:
            hit = [str(v).strip() in archived for v in sources.values.to_pylist()]
            out |= sources.spread(np.asarray(hit, dtype=bool))
        return out

    def screen_distinct(
        self, res: Resource, fld: Field, column: Coded, target: str | None
    ) -> BoolArray:
        """Each distinct value checked once, as the validator checks a cell; ids it refers
        to looked up once."""
        bad = []
        known = None if target is None or target in self.unknown_ids else self.ids.get(target)
        for raw in column.values.to_pylist():
            values: dict[str, Any] = {}
            problem = any(True for _ in _check_cell(res, fld, raw, 0, {}, values))
            if not problem and known is not None:
                value = values.get(fld.name)
                wanted = value if isinstance(value, tuple) else (value,)
                problem = any(v and v not in known for v in wanted)
            bad.append(problem)
        return column.spread(np.asarray(bad, dtype=bool))

    def screen_dates(
        self,
        res: Resource,
        fld: Field,
        column: Coded,
        columns: dict[str, Coded],
        source_dates: dict[str, FuzzyDate],
    ) -> tuple[BoolArray, IntArray]:
        """(suspect, first day's ordinal or 0 when empty) per row: each distinct pair of
        date and precision cell checked and resolved once."""
        import pyarrow as pa

        prec_field = fld.extra.get("precision_field")
        precision = columns.get(prec_field) if prec_field else None
        if precision is None:
            precision = Coded(pa.array([""]), np.zeros(len(column.codes), dtype=np.int64))
        dates, precisions = column.values.to_pylist(), precision.values.to_pylist()
        pair, present = _pairs(column.codes, precision.codes, len(precisions))
        bad, first = [], []
        for code in present.tolist():
            raw, prec = dates[code // len(precisions)], precisions[code % len(precisions)]
            values: dict[str, Any] = {}
            cells = {prec_field: prec} if prec_field else {}
            problem = any(True for _ in _check_cell(res, fld, raw, 0, cells, values))
            spec = values.get(fld.name)
            day = 0
            if not problem and raw.strip():
                # no date read (its precision cell is wrong), or a source with no usable
                # date (unknown, or its own date broken): the validator's way explains
                try:
                    if not isinstance(spec, DateSpec):
                        raise KeyError(fld.name)
                    day = resolve_cell(spec, source_dates).earliest.toordinal()
                except KeyError:
                    problem = True
            bad.append(problem)
            first.append(day)
        # per pair code: the outcome of the pair it stands for (pairs that occur only)
        bad_of = np.zeros(len(dates) * len(precisions), dtype=bool)
        first_of = np.zeros(len(dates) * len(precisions), dtype=np.int64)
        bad_of[present], first_of[present] = bad, first
        return bad_of[pair], first_of[pair]

    def screen_periods(
        self,
        columns: dict[str, Coded],
        starts: dict[str, IntArray],
        suspect: BoolArray,
        places: Coded,
        hit: set[str],
        source_dates: dict[str, FuzzyDate],
    ) -> None:
        """Marks (in ``suspect``) every row of a place where a row is suspect or a period
        rule is broken. A claim covers its days from its start or, without one, from its
        as_of (the source's date when empty), to its end; the rules hold per place and
        source (a source may not contradict itself; sources may disagree): end on or before
        start (or as_of), the same faction twice at once, 'sole' beside another faction
        that is not an ally, 'shared' with nobody, 'allied' with nobody to ally with."""
        has_start, has_end = starts["start"] > 0, starts["end"] > 0
        sources = columns["source_id"]
        published = []
        for sid in sources.values.to_pylist():
            window = source_dates.get(str(sid).strip())
            published.append(window.earliest.toordinal() if window else 0)
        source = sources.codes
        given = starts.get("as_of", np.zeros(len(suspect), dtype=np.int64))
        as_of = np.where(given > 0, given, np.asarray(published, dtype=np.int64)[source])
        suspect |= as_of == 0  # no report date to be had: the validator's way explains
        begin = np.where(has_start, starts["start"], as_of)
        end = np.where(has_end, starts["end"], _LAST)
        # before its start (or, with no start, its as_of); or no end and starting on the
        # last day there is: no day held, left out of the period rules by the validator;
        # its place goes the validator's way (the linear overlap test wants no empty span)
        suspect |= end <= begin
        place = places.codes
        faction = columns["faction_id"].codes
        # statuses as codes (a million strings compared as Python objects cost seconds)
        status = columns["status"].codes
        named = columns["status"].values.to_pylist()

        def code(word: str) -> int:
            return named.index(word) if word in named else -1

        good = np.flatnonzero(~suspect)
        width_s = int(source.max()) + 1 if source.size else 1
        width_f = int(faction.max()) + 1 if faction.size else 1
        group = place * width_s + source
        fac, st, b, e, at = faction, status, begin, end, place
        if good.size < len(suspect):  # the suspect rows' places are flagged already
            group, fac, st, b, e, at = (a[good] for a in (group, fac, st, b, e, at))
        # Only whether a place has a broken row matters (all its rows then go the
        # validator's way), so no overlaps are counted. First, one faction twice at once
        # in a group (place and source): in order of (group, faction, start), a row
        # overlapping a neighbour in its run
        own = (group * width_f + fac) * _BIG
        order = np.argsort(own + b, kind="stable")  # the file's order nearly: quick
        twice = order[_overlapped(own[order] + b[order], own[order] + e[order])]
        # Then, in a group with no faction twice at once, a row overlaps no row of its own
        # faction but itself, so it has another faction beside it exactly when another row
        # overlaps it, and a rival when another row that is not an ally does
        base = group * _BIG
        order = np.argsort(base + b, kind="stable")
        starts_, ends_, kind = base[order] + b[order], base[order] + e[order], st[order]
        ally = kind == code("allied")
        beside = _overlapped(starts_, ends_)
        rival = _overlapped(starts_, ends_, ~ally) if ally.any() else beside
        broken = ((kind == code("sole")) & rival) | ((kind == code("shared")) & ~beside)
        broken |= ally & ~rival
        flagged = np.zeros(len(places.values), dtype=bool)
        flagged[place[suspect]] = True
        flagged[at[twice]] = True
        flagged[at[order[broken]]] = True
        # a place's id as the validator reads it (stripped): ' a' and 'a' are one place
        names = [str(p).strip() for p in places.values.to_pylist()]
        hit = hit | {names[i] for i in np.flatnonzero(flagged).tolist()}
        if hit:
            entries = np.asarray([name in hit for name in names], dtype=bool)
            suspect |= entries[place]


def _plain_text(fld: Field) -> bool:
    """A free-text column: only emptiness and length can be wrong."""
    return (
        fld.type == "string"
        and fld.enum is None
        and not fld.pattern
        and not fld.delimiter
        and not fld.references
        and not fld.is_date
    )


def _pairs(first: IntArray, second: IntArray, width: int) -> tuple[IntArray, IntArray]:
    """Per row, one code for its pair of codes (``first * width + second``), and the codes
    that occur, ascending (found by counting when the codes are few enough, else sorted)."""
    pair: IntArray = first * width + second
    if not pair.size:
        return pair, pair
    top = int(pair.max()) + 1
    if top <= 4 * pair.size + (1 << 16):
        present: IntArray = np.flatnonzero(np.bincount(pair, minlength=top))
    else:
        present = np.unique(pair)
    return pair, present


def _overlapped(starts: IntArray, ends: IntArray, of: BoolArray | None = None) -> BoolArray:
    """For each interval ``[start, end)`` (none empty; in ascending order of start; keys
    of different groups offset so far apart that no two groups' intervals meet), whether
    another interval -- of those marked in ``of``, all by default -- overlaps it: one
    before it ends after it starts, or the first after it starts before it ends. Linear,
    by running maxima (and minima)."""
    hit = np.zeros(starts.size, dtype=bool)
    if starts.size < 2:
        return hit
    if of is None:
        hit[1:] = np.maximum.accumulate(ends)[:-1] > starts[1:]
        hit[:-1] |= starts[1:] < ends[:-1]  # ascending: the next one starts first
        return hit
    hit[1:] = np.maximum.accumulate(np.where(of, ends, -1))[:-1] > starts[1:]
    after = np.where(of, starts, np.iinfo(np.int64).max)[::-1]
    hit[:-1] |= np.minimum.accumulate(after)[::-1][1:] < ends[:-1]
    return hit


__all__ = ["MIN_BYTES", "screened_report"]
