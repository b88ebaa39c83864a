"""Reading the data files into raw tables of text cells, with the lines an editor sees.

Nothing here interprets values: that is :mod:`mapapp.core.validate`'s job. What this module
does is read bytes safely -- UTF-8 with or without a byte-order mark, LF or CRLF line
endings -- and report, as :class:`~mapapp.core.report.Issue` values, anything that stops a
file from being read at all (missing, not UTF-8, not CSV, not JSON).
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mapapp.core.report import Issue

#: refuse to read files larger than this, rather than hang the app or the CLI
MAX_FILE_BYTES = 200 * 1024 * 1024
csv.field_size_limit(MAX_FILE_BYTES)
#: rows (lines below the header) a CSV file may have: the largest the project has measured
#: (benchmarks/: one million control rows validate in about two minutes); longer files are
#: refused after counting that many lines, without parsing them
MAX_CSV_ROWS = 1_000_000
#: the places file is small (12 hand-drawn places are 12 kB; 10,000 synthetic ones 8.5 MB)
MAX_GEOJSON_BYTES = 20 * 1024 * 1024
#: points (vertices) in all the places' polygons together
MAX_VERTICES = 500_000
#: nesting of arrays and objects in the GeoJSON; a MultiPolygon's coordinates are 8 deep
MAX_JSON_DEPTH = 32
#: bytes read at a time while counting lines
_CHUNK = 1024 * 1024
#: a lone surrogate (a JSON escape like ``\\ud83d`` without its pair): not a character, so
#: no browser, page or terminal can encode it; UTF-8 files cannot hold one, JSON escapes can
_SURROGATE = re.compile("[\ud800-\udfff]")
#: a JSON escape that may spell half of a surrogate pair (a quick test before the walk)
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


@dataclass(frozen=True)
class RawRow:
    line: int
    cells: dict[str, str]
    #: columns this row has no cell for (a row with too few cells): not checked again
    lacking: frozenset[str] = frozenset()


@dataclass
class RawTable:
    file: str
    header: list[str] = field(default_factory=list)
    rows: list[RawRow] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    #: False when the file could not be read at all
    readable: bool = True


@dataclass(frozen=True)
class RawFeature:
    index: int
    line: int | None
    properties: dict[str, Any]
    geometry: Any


@dataclass
class RawGeoJSON:
    file: str
    document: dict[str, Any] | None = None
    features: list[RawFeature] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):,.1f} MB"


def _read_bytes(path: Path, file: str, max_lines: int | None) -> tuple[bytes | None, list[Issue]]:
    """The file's bytes; with ``max_lines``, stop reading as soon as it has more lines."""
    if max_lines is None:
        return path.read_bytes(), []
    chunks: list[bytes] = []
    newlines = 0
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            newlines += chunk.count(b"\n")
            if newlines > max_lines:
                return None, [
                    Issue(
                        file,
                        None,
                        None,
                        "too-many-rows",
                        f"{file} has more than {max_lines - 1:,} rows below the header; a data "
                        f"file may have at most {max_lines - 1:,} rows, so reading stopped "
                        f"at line {max_lines + 1:,} and the file is not read",
                    )
                ]
            chunks.append(chunk)
    return b"".join(chunks), []


def read_text(
    path: Path,
    file: str,
    max_bytes: int = MAX_FILE_BYTES,
    max_lines: int | None = None,
) -> tuple[str | None, list[Issue]]:
    """The file's text, or None and the issue that prevented reading it.

    Files over ``max_bytes`` are not read at all; with ``max_lines``, reading stops at the
    first line past the limit.
    """
    if path.is_symlink():  # it could show another file's first line to every viewer
        return None, [
            Issue(
                file,
                None,
                None,
                "symlinked-file",
                f"{file} is a symbolic link; a data folder holds its own files, so it is not "
                "read: replace the link with the file itself",
            )
        ]
    if not path.exists():
        return None, [Issue(file, None, None, "missing-file", f"the file {file} is missing")]
    if not path.is_file():
        return None, [
            Issue(file, None, None, "missing-file", f"{file} is not a file (it is a folder?)")
        ]
    size = path.stat().st_size
    limit = min(max_bytes, MAX_FILE_BYTES)
    if size > limit:
        return None, [
            Issue(
                file,
                None,
                None,
                "file-too-large",
                f"{file} is {_mb(size)}; it may be at most {_mb(limit)}, so it is not read",
            )
        ]
    data, issues = _read_bytes(path, file, max_lines)
    if data is None:
        return None, issues
    return decode(data, file)


def decode(data: bytes, file: str) -> tuple[str | None, list[Issue]]:
    """The bytes of ``file`` as text (UTF-8, with or without a byte-order mark), or None and
    the issue saying why not. The validator and the editor's store both read through this,
    so a file is worded the same by both."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, [
            Issue(
                file,
                line,
                None,
                "bad-encoding",
                f"byte {data[exc.start]:#04x} at line {line} is not UTF-8; save the file as "
                "UTF-8 (in a spreadsheet: 'CSV UTF-8')",
            )
        ]
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        return None, [
            Issue(
                file,
                line,
                None,
                "bad-encoding",
                "the file contains a NUL byte; is it UTF-16? save it as UTF-8",
            )
        ]
    return text, []


def read_csv(path: Path, file: str) -> RawTable:
    """Read a CSV file into rows of named text cells. Header = line 1; blank lines skipped."""
    text, issues = read_text(path, file, max_lines=MAX_CSV_ROWS + 1)
    if text is None:
        return RawTable(file, issues=issues, readable=False)
    return parse_csv(text, file)


def parse_csv(text: str, file: str) -> RawTable:
    """The CSV text of ``file`` as rows of named text cells, with every problem that stops
    it being a table (the one CSV reader: the validator's and the editor's)."""
    table = RawTable(file)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    last_line = 0
    unique = True
    try:
        for record in reader:
            first_line, last_line = last_line + 1, reader.line_num
            if not record or record == [""]:
                continue
            if not table.header:
                # a second byte-order mark (a file saved twice with one) is not part of a name
                table.header = [h.strip().strip("\ufeff").strip() for h in record]
                unique = len(set(table.header)) == len(table.header)
                _check_header(table)
                continue
            if len(record) != len(table.header):
                table.issues.append(wrong_cell_count(file, first_line, len(record), table.header))
                table.rows.append(uneven_row(table.header, record, first_line))
                continue
            # a duplicated column (reported on the header): the first one counts
            pairs = zip(table.header, record, strict=True)
            cells = dict(pairs) if unique else dict(reversed(list(pairs)))
            table.rows.append(RawRow(first_line, cells))
    except csv.Error as exc:
        # report the line the broken row starts on: an unbalanced quote swallows the lines
        # after it, so the reader only notices further down (or at the end of the file)
        start = last_line + 1
        noticed = f", noticed at line {reader.line_num}" if reader.line_num > start else ""
        table.issues.append(
            Issue(
                file,
                start,
                None,
                "bad-csv",
                f"the file cannot be read as CSV from this line ({exc}{noticed}); check for an "
                'unbalanced double quote (") in a value',
            )
        )
    if not table.header:
        table.issues.append(Issue(file, None, None, "empty-file", f"{file} is empty"))
        table.readable = False
    return table


def uneven_row(header: list[str], record: list[str], line: int) -> RawRow:
    """A row with the wrong number of cells, still checked by position (every problem in
    one run). A row cut short may end in a cut cell: its last one is not checked either."""
    cells = dict(zip(header, record, strict=False))
    short = len(record) < len(header)
    return RawRow(line, cells, frozenset(header[len(record) - short :]))


def wrong_cell_count(file: str, line: int, cells: int, header: list[str]) -> Issue:
    """A row with more or fewer cells than the header (also used by the columnar screen)."""
    return Issue(
        file,
        line,
        None,
        "wrong-cell-count",
        f"this row has {cells} cells but the header has {len(header)}; check for a missing "
        "or extra comma, or a comma inside a value that is not in double quotes",
    )


def _check_header(table: RawTable) -> None:
    seen: set[str] = set()
    for position, name in enumerate(table.header, start=1):
        if not name:
            table.issues.append(
                Issue(
                    table.file,
                    1,
                    None,
                    "blank-header",
                    f"column {position} of the header has no name",
                )
            )
        elif name in seen:
            table.issues.append(
                Issue(
                    table.file,
                    1,
                    name,
                    "duplicate-column",
                    f"the column '{name}' appears twice in the header",
                )
            )
        seen.add(name)


def read_geojson(path: Path, file: str) -> RawGeoJSON:
    """Read a GeoJSON FeatureCollection; geometry is left as parsed JSON."""
    raw = RawGeoJSON(file)
    text, issues = read_text(path, file, max_bytes=MAX_GEOJSON_BYTES)
    if text is None:
        raw.issues = issues
        return raw
    if not text.strip():
        raw.issues.append(Issue(file, None, None, "empty-file", f"{file} is empty"))
        return raw
    too_deep = Issue(
        file,
        None,
        None,
        "bad-json",
        f"the JSON is nested more than {MAX_JSON_DEPTH} levels deep (lists inside lists, "
        "or objects inside objects); a GeoJSON file of places needs at most 8",
    )
    try:
        doc = json.loads(text)
    except RecursionError:
        raw.issues.append(too_deep)
        return raw
    except ValueError as exc:
        line = getattr(exc, "lineno", None)
        msg = getattr(exc, "msg", str(exc))
        raw.issues.append(
            Issue(file, line, None, "bad-json", f"not valid JSON: {msg}; check commas and brackets")
        )
        return raw
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        got = doc.get("type") if isinstance(doc, dict) else type(doc).__name__
        raw.issues.append(
            Issue(
                file,
                1,
                "type",
                "bad-geojson",
                f"the file must be a GeoJSON FeatureCollection, but its type is '{got}'",
            )
        )
        return raw
    features = doc.get("features")
    if not isinstance(features, list):
        raw.issues.append(
            Issue(file, 1, "features", "bad-geojson", "'features' must be a list of features")
        )
        return raw
    scan = _Scan.of(text)
    if scan is not None and scan.depth <= MAX_JSON_DEPTH and scan.positions <= MAX_VERTICES:
        depth, vertices = scan.depth, scan.positions  # bounds within the limits: enough
    else:
        depth, vertices = _measure(doc)
    if depth > MAX_JSON_DEPTH:
        raw.issues.append(too_deep)
        return raw
    if vertices > MAX_VERTICES:
        raw.issues.append(
            Issue(
                file,
                None,
                "geometry",
                "too-many-vertices",
                f"the polygons have more than {MAX_VERTICES:,} points in all; simplify them "
                "(in QGIS: Vector > Geometry Tools > Simplify) so the map stays fast",
            )
        )
        return raw
    # lone surrogates: located per property first, then written as escapes everywhere
    bad_props: dict[int, list[str]] = {}
    if _SURROGATE_ESCAPE.search(text):
        for index, feature in enumerate(features):
            props = feature.get("properties") if isinstance(feature, dict) else None
            if isinstance(props, dict):
                keys = [
                    _shown(k)
                    for k, v in props.items()
                    if _has_surrogate(k) or _without_surrogates(v)[1]
                ]
                if keys:
                    bad_props[index] = keys
        doc, found = _without_surrogates(doc)
        features = doc["features"]
        if found and not bad_props:
            raw.issues.append(
                _unencodable(file, None, None, "a name or value outside the features' properties")
            )
    raw.document = doc
    lines: dict[int, int] = {}
    scanned = scan.feature_lines(len(features)) if scan is not None else None
    if scanned is not None:
        lines = dict(enumerate(scanned))
    else:  # the scan could not tell: each feature parsed again where it starts
        starts = _feature_offsets(text)
        if starts is not None and len(starts) == len(features):
            lines = dict(enumerate(_lines_at(text, starts)))
    for index, feature in enumerate(features):
        line = lines.get(index)
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            raw.issues.append(
                Issue(
                    file,
                    line,
                    None,
                    "bad-geojson",
                    f"feature {index + 1} is not a GeoJSON Feature object",
                )
            )
            continue
        props = feature.get("properties")
        for key in bad_props.get(index, []):
            raw.issues.append(_unencodable(file, line, key, f"the property '{key}'"))
        raw.features.append(
            RawFeature(
                index, line, props if isinstance(props, dict) else {}, feature.get("geometry")
            )
        )
    return raw


def _has_surrogate(value: object) -> bool:
    return isinstance(value, str) and _SURROGATE.search(value) is not None


def _shown(text: str) -> str:
    """Text with each lone surrogate written as its escape, so it can be printed."""
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _without_surrogates(node: Any) -> tuple[Any, bool]:
    """The document with every lone surrogate in a string or key written as its escape
    (so nothing downstream carries one), and whether there was any. The depth is
    already checked (at most :data:`MAX_JSON_DEPTH`)."""
    if isinstance(node, str):
        return (_shown(node), True) if _has_surrogate(node) else (node, False)
    if isinstance(node, list):
        pairs = [_without_surrogates(v) for v in node]
        return [v for v, _ in pairs], any(f for _, f in pairs)
    if isinstance(node, dict):
        out, found = {}, False
        for key, value in node.items():
            clean, hit = _without_surrogates(value)
            found = found or hit or _has_surrogate(key)
            out[_shown(key)] = clean
        return out, found
    return node, False


def _unencodable(file: str, line: int | None, column: str | None, where: str) -> Issue:
    return Issue(
        file,
        line,
        column,
        "unencodable-text",
        f"{where} holds a lone surrogate (a '\\ud800'–'\\udfff' escape without its pair), "
        "which no browser can show; write the character itself, or its full pair",
    )


_WS = re.compile(r"[ \t\n\r]*")
_WS_BYTES = re.compile(rb"[ \t\n\r]*")
#: what may follow the "[" of a list whose first member is not a number (so not a position)
_NOT_POSITION = frozenset(b'[{]"tfn')


@dataclass
class _Scan:
    """A JSON document's brackets, found in one pass over its bytes (numpy) instead of
    walking the parsed document and parsing each feature again for its line: the nesting
    depth, how many lists may be positions, and each top-level "features" member's line.
    The first two are upper bounds of what :func:`_measure` counts (it does not count inside
    a position, nor a value a repeated key replaced): within the limits, the document is."""

    data: bytes
    #: every bracket outside strings, in order, and the nesting depth after each
    brackets: Any
    after: Any
    #: each string outside strings: where its opening and closing quotes are
    opens: Any
    closes: Any
    depth: int
    positions: int

    @staticmethod
    def of(text: str) -> _Scan | None:
        """The scan of a document json.loads read; None when its quotes or brackets do not
        pair up as expected (then the document is walked as before)."""
        import numpy as np

        data = text.encode("utf-8")
        raw = np.frombuffer(data, dtype=np.uint8)
        quotes = np.flatnonzero(raw == ord('"'))
        if quotes.size and b"\\" in data:  # a quote after an odd run of backslashes is text
            real = np.ones(quotes.size, dtype=bool)
            after_backslash = np.flatnonzero(raw[np.maximum(quotes - 1, 0)] == ord("\\"))
            for k in after_backslash.tolist():
                at, run = int(quotes[k]) - 1, 0
                while at >= 0 and data[at] == ord("\\"):
                    at, run = at - 1, run + 1
                real[k] = run % 2 == 0
            quotes = quotes[real]
        if quotes.size % 2:
            return None
        kind = np.zeros(256, dtype=np.int8)
        kind[[ord("["), ord("{")]] = 1
        kind[[ord("]"), ord("}")]] = -1
        step = kind[raw]
        brackets = np.flatnonzero(step)
        # outside strings: an even number of quotes before it
        brackets = brackets[np.searchsorted(quotes, brackets) % 2 == 0]
        after = np.cumsum(step[brackets], dtype=np.int64)
        if not brackets.size or after.min() < 0 or after[-1] != 0:
            return None
        lists = brackets[raw[brackets] == ord("[")]
        following = raw[np.minimum(lists + 1, raw.size - 1)]
        not_position = np.isin(following, np.frombuffer(bytes(_NOT_POSITION), dtype=np.uint8))
        return _Scan(
            data,
            brackets,
            after,
            quotes[0::2],
            quotes[1::2],
            int(after.max()),
            int(lists.size - np.count_nonzero(not_position)),
        )

    def _depth_at(self, at: Any) -> Any:
        """The nesting depth at each offset (the depth after the last bracket before it)."""
        import numpy as np

        k = np.searchsorted(self.brackets, at)
        return np.where(k > 0, self.after[np.maximum(k - 1, 0)], 0)

    def _next(self, at: int) -> int:
        """The offset of the first byte from ``at`` that is not JSON whitespace."""
        match = _WS_BYTES.match(self.data, at)
        return match.end() if match else at

    def feature_lines(self, count: int) -> list[int] | None:
        """The line of each of the ``count`` members of the top-level "features" list (of an
        object, the line of its first member, as :func:`_feature_offsets` gives): None
        unless there is exactly one such key, written plainly, and every member is an
        object or a list (the slower way then tells)."""
        import numpy as np

        data = self.data
        first = self._next(0)
        if data[first : first + 1] != b"{":
            return None
        top = np.flatnonzero(self._depth_at(self.opens) == 1)
        keys = []
        for k in top.tolist():
            start, end = int(self.opens[k]), int(self.closes[k])
            name = data[start + 1 : end]
            if b"\\" in name:
                return None  # an escape could spell "features"
            colon = self._next(end + 1)
            if name == b"features" and data[colon : colon + 1] == b":":
                keys.append(colon)
        if len(keys) != 1:
            return None
        begin = self._next(keys[0] + 1)
        if data[begin : begin + 1] != b"[":
            return None
        k = int(np.searchsorted(self.brackets, begin))
        close = k + 1 + int(np.argmax(self.after[k + 1 :] == 1))  # the bracket closing it
        inner = np.arange(k + 1, close)
        # members: brackets opening at depth 2 (so depth 3 after them)
        members = self.brackets[inner[(self.after[inner] == 3) & (self.after[inner - 1] == 2)]]
        if len(members) != count:
            return None
        offsets = [self._next(at + 1) if data[at] == ord("{") else at for at in members.tolist()]
        newlines = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == ord("\n"))
        lines: list[int] = (np.searchsorted(newlines, offsets) + 1).tolist()
        return lines


def _feature_offsets(text: str) -> list[int] | None:
    """Where each entry of the top-level "features" list starts in the text (the last such
    key, as json.loads keeps); None if the text is not shaped as expected. Only the
    document's own top level is walked, so "Feature" inside a geometry or a property does
    not shift the count."""
    decoder = json.JSONDecoder()

    def skip(at: int) -> int:
        match = _WS.match(text, at)
        return match.end() if match else at

    try:
        at = skip(0)
        if text.startswith("\ufeff", at):
            at = skip(at + 1)
        if text[at] != "{":
            return None
        found: list[int] | None = None
        at = skip(at + 1)
        while text[at] != "}":
            key, at = decoder.raw_decode(text, at)
            at = skip(at)
            if text[at] != ":":
                return None
            at = skip(at + 1)
            if key == "features" and text[at] == "[":
                found, at = [], skip(at + 1)
                while text[at] != "]":
                    # the line of its first member ("type": "Feature" as usually written)
                    found.append(skip(at + 1) if text[at] == "{" else at)
                    _, at = decoder.raw_decode(text, at)
                    at = skip(at)
                    if text[at] == ",":
                        at = skip(at + 1)
                at += 1
            else:
                _, at = decoder.raw_decode(text, at)
            at = skip(at)
            if text[at] == ",":
                at = skip(at + 1)
        return found
    except (ValueError, IndexError, RecursionError):
        return None


def _lines_at(text: str, offsets: list[int]) -> list[int]:
    """The line of each offset (ascending), counting newlines once (linear)."""
    lines: list[int] = []
    line, position = 1, 0
    for offset in offsets:
        line += text.count("\n", position, offset)
        position = offset
        lines.append(line)
    return lines


def _measure(doc: dict[str, Any]) -> tuple[int, int]:
    """(nesting depth, number of positions), walking the document without recursion.

    A position is a list that starts with a number; positions are counted, not walked (a
    position holding anything but numbers is a bad geometry, reported later). Stops early
    once the depth passes :data:`MAX_JSON_DEPTH` or the positions pass :data:`MAX_VERTICES`.
    """
    deepest, positions = 1, 0
    stack: list[tuple[dict[str, Any] | list[Any], int]] = [(doc, 1)]
    while stack and deepest <= MAX_JSON_DEPTH and positions <= MAX_VERTICES:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        for child in node.values() if isinstance(node, dict) else node:
            if isinstance(child, list):
                if child and type(child[0]) in (int, float):  # not bool: type(True) is bool
                    positions += 1
                    deepest = max(deepest, depth + 1)
                else:
                    stack.append((child, depth + 1))
            elif isinstance(child, dict):
                stack.append((child, depth + 1))
    return deepest, positions
