"""Reading the data files into raw tables of text cells, with the lines an editor sees.

Nothing here interprets values: that is :mod:`mapapp.validate`'s job. What this module
does is read bytes safely -- UTF-8 with or without a byte-order mark, LF or CRLF line
endings -- and report, as :class:`~mapapp.report.Issue` values, anything that stops a
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

from mapapp.report import Issue

#: refuse to read files larger than this, rather than hang the app or the CLI
MAX_FILE_BYTES = 200 * 1024 * 1024
csv.field_size_limit(MAX_FILE_BYTES)


@dataclass(frozen=True)
class RawRow:
    line: int
    cells: dict[str, str]


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


def read_text(path: Path, file: str) -> tuple[str | None, list[Issue]]:
    """The file's text, or None and the issue that prevented reading it."""
    if not path.exists():
        return None, [Issue(file, None, None, "missing-file", f"the file {file} is missing")]
    if not path.is_file():
        return None, [
            Issue(file, None, None, "missing-file", f"{file} is not a file (it is a folder?)")
        ]
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        return None, [
            Issue(
                file,
                None,
                None,
                "file-too-large",
                f"{file} is {size / 1e6:.0f} MB; files over {MAX_FILE_BYTES / 1e6:.0f} MB "
                "are not read",
            )
        ]
    data = path.read_bytes()
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
    table = RawTable(file)
    text, issues = read_text(path, file)
    if text is None:
        table.issues, table.readable = issues, False
        return table
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    last_line = 0
    try:
        for record in reader:
            first_line, last_line = last_line + 1, reader.line_num
            if not record or record == [""]:
                continue
            if not table.header:
                table.header = [h.strip() for h in record]
                _check_header(table)
                continue
            if len(record) != len(table.header):
                table.issues.append(
                    Issue(
                        file,
                        first_line,
                        None,
                        "wrong-cell-count",
                        f"this row has {len(record)} cells but the header has "
                        f"{len(table.header)}; check for a missing or extra comma, or a "
                        "comma inside a value that is not in double quotes",
                    )
                )
                continue
            table.rows.append(RawRow(first_line, dict(zip(table.header, record, strict=True))))
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


_FEATURE = re.compile(r'"type"\s*:\s*"Feature"')


def read_geojson(path: Path, file: str) -> RawGeoJSON:
    """Read a GeoJSON FeatureCollection; geometry is left as parsed JSON."""
    raw = RawGeoJSON(file)
    text, issues = read_text(path, file)
    if text is None:
        raw.issues = issues
        return raw
    if not text.strip():
        raw.issues.append(Issue(file, None, None, "empty-file", f"{file} is empty"))
        return raw
    try:
        doc = json.loads(text)
    except RecursionError:
        raw.issues.append(Issue(file, None, None, "bad-json", "the JSON is nested too deeply"))
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
    raw.document = doc
    starts = [text[: m.start()].count("\n") + 1 for m in _FEATURE.finditer(text)]
    lines: list[int | None] = list(starts) if len(starts) == len(features) else []
    for index, feature in enumerate(features):
        line = lines[index] if lines else None
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
        raw.features.append(
            RawFeature(
                index, line, props if isinstance(props, dict) else {}, feature.get("geometry")
            )
        )
    return raw
