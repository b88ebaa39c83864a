"""The catalogue of problem codes: each declared once, with a title and what to do.

Every :class:`~mapapp.core.report.Issue` names one of these codes (it refuses any other, so
a new problem cannot ship undeclared); ``mapapp codes`` lists them, and EDITING.md's
readers can look a code up. The message of an issue says what is wrong *here* (file, line,
column, the value); the catalogue says what the code means in general.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Code:
    code: str
    title: str
    todo: str


_DECLARED = (
    # files
    Code("missing-file", "a data file is missing", "restore the file (see git) or its name"),
    Code("empty-file", "a data file is empty", "restore its header and rows (see git)"),
    Code("file-too-large", "a data file is too large to read", "split or shorten it"),
    Code("bad-encoding", "a file is not UTF-8 text", "save it as UTF-8 (CSV UTF-8 in a sheet)"),
    Code("bad-schema", "datapackage.json cannot be used", "fix datapackage.json (see git)"),
    Code(
        "symlinked-file",
        "a data file is a symbolic link, so it is not read",
        "put the file itself in the data folder",
    ),
    Code(
        "unencodable-text",
        "text holds a lone surrogate escape no browser can show",
        "write the character itself, or its whole \\ud83d\\ude00-style pair",
    ),
    # CSV shape
    Code("bad-csv", "a file cannot be read as CSV", 'balance the double quotes (") in values'),
    Code("blank-header", "a column has no name", "name the column or delete it"),
    Code("duplicate-column", "a column appears twice", "delete or rename one of them"),
    Code("missing-column", "a required column is missing", "add the column to the header"),
    Code("unknown-column", "a column the schema does not know", "check its name or delete it"),
    Code(
        "wrong-cell-count",
        "a row has more or fewer cells than the header",
        "check for a missing or extra comma, or a comma in a value without double quotes",
    ),
    Code("too-many-rows", "a file has more rows than the map can draw", "split the data"),
    # cells
    Code("missing-value", "a required cell is empty", "fill it in (see mapapp docs)"),
    Code("empty-quote", "a row quotes no words", "quote the source's exact words"),
    Code("too-long", "a cell is longer than any value may be", "shorten it"),
    Code("bad-value", "a value is not one of those allowed", "use one of the listed values"),
    Code("bad-precision", "a date precision is not day, month or year", "write one of them"),
    Code("bad-type", "a value is not of the column's type", "write a number, or true/false"),
    Code("bad-id", "an id is not lowercase letters, digits and _", "write it like that"),
    Code("bad-colour", "a colour is not #rrggbb", "write it as #rrggbb, e.g. #1b7837"),
    Code("bad-url", "an address is not an http(s) web address", "write the full address"),
    Code("bad-date", "a date cannot be read", "write YYYY, YYYY-MM or YYYY-MM-DD, or source:<id>"),
    Code(
        "precision-mismatch",
        "a date and its precision disagree",
        "make the precision match how the date is written",
    ),
    Code(
        "bad-relative-date",
        "a source's date relative to another cannot be worked out",
        "check relative_to and offset_days (no loops)",
    ),
    # references and keys
    Code("duplicate-id", "an id is used twice", "give each row its own id"),
    Code("unknown-place", "a place id is not in neighbourhoods.geojson", "fix it or add it"),
    Code("unknown-faction", "a faction id is not in factions.csv", "fix it or add it there"),
    Code("unknown-source", "a source id is not in sources.csv", "fix it or add it there"),
    Code(
        "unknown-claimant",
        "a claimant id is not in claimants.csv",
        "fix it, or add the speaker to claimants.csv (open vocabulary)",
    ),
    Code("unknown-reference", "an id is not in the file it refers to", "fix it or add it"),
    # periods
    Code("end-before-start", "a period ends on or before it starts", "fix the start or end"),
    Code(
        "overlapping-period",
        "a place has two periods for one faction at once",
        "end the first before the second starts",
    ),
    Code(
        "end-before-as-of",
        "a claim without a start ends on or before the report it is known from",
        "give the start the source names, or an as_of on or before the time it describes",
    ),
    Code(
        "conflicting-control",
        "a source contradicts itself: its sole control overlaps another faction it names",
        "end one period, or record them as shared (another source saying otherwise is a "
        "row with its own source_id, and is accepted)",
    ),
    Code(
        "shared-alone",
        "shared control with only one faction (of the same source)",
        "add the other faction's row",
    ),
    Code(
        "allied-alone",
        "an ally with no controlling faction of the same source to be allied with",
        "add the controlling faction's row, or use another status",
    ),
    # the evidence: archived sources (data/sources/<id>.txt) and where each quote is in them
    Code(
        "archive-missing",
        "a source records a SHA-256 but its archived text is missing",
        "put the text back in sources/<id>.txt, or clear archive_sha256",
    ),
    Code(
        "archive-unrecorded",
        "an archived text has no SHA-256 in sources.csv",
        "run mapapp quotes --write to record it and locate the quotes",
    ),
    Code(
        "archive-changed",
        "an archived text is not the one whose SHA-256 was recorded",
        "restore the file from git; to replace it, clear archive_sha256 and run mapapp quotes",
    ),
    Code("bad-archive", "an archived source is not a file", "save it as a UTF-8 text file"),
    Code(
        "stray-archive",
        "a file in sources/ is the archive of no source",
        "name it <source id>.txt for a source in sources.csv, or remove it",
    ),
    Code(
        "quote-unlocated",
        "a quote of an archived source has no offsets",
        "run mapapp quotes --write, or write the offsets the message gives",
    ),
    Code(
        "bad-offsets",
        "quote_start and quote_end are not a stretch of the archived text",
        "give both, start before end, within the text (or run mapapp quotes --write)",
    ),
    Code(
        "quote-mismatch",
        "the archived text at a quote's offsets is not the quote",
        "use the offsets the message suggests, or copy the quote verbatim from the archive",
    ),
    Code(
        "offsets-without-archive",
        "a quote has offsets but its source has no archived text",
        "archive the source (EDITING.md), or clear quote_start and quote_end",
    ),
    # the proposer's lexicons
    Code(
        "bad-cue-value",
        "a cue gives a value the data does not accept",
        "write a status (control), an event kind (event) or a claimant (attribution)",
    ),
    # places file
    Code("bad-json", "the places file is not valid JSON", "check commas and brackets"),
    Code("bad-geojson", "the places file is not a GeoJSON FeatureCollection", "re-export it"),
    Code("wrong-crs", "the places file is not in WGS84", "re-export it in EPSG:4326"),
    Code("missing-feature-id", "a feature has no id", "give it the place's id"),
    Code("duplicate-feature-id", "two features share an id", "give each place its own id"),
    Code("bad-geometry", "a feature's geometry is not a polygon", "draw it as a polygon"),
    Code("invalid-geometry", "a polygon crosses itself", "fix it in QGIS (Fix geometries)"),
    Code("too-many-vertices", "a polygon has too many points", "simplify it"),
    Code("overlapping-polygons", "two places overlap", "move the shared edge"),
    Code(
        "reference-point-outside",
        "a place's reference point is outside its polygon",
        "move the point or the boundary",
    ),
)

CODES: dict[str, Code] = {c.code: c for c in _DECLARED}
assert len(CODES) == len(_DECLARED), "a code is declared twice"


class UndeclaredCode(ValueError):
    """A problem was raised with a code the catalogue does not declare."""


def check(code: str) -> str:
    """``code`` if declared; else :class:`UndeclaredCode`, saying where to declare it."""
    if code not in CODES:
        raise UndeclaredCode(
            f"problem code {code!r} is not declared; add it to mapapp/core/codes.py"
        )
    return code


#: suggestions are looked for only for values and vocabularies up to these sizes (difflib
#: compares the value with every known one: a damaged file must not make that slow)
SUGGEST_MAX_CHARS = 100
SUGGEST_MAX_KNOWN = 500


def did_you_mean(value: str, known: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the known value closest to ``value``, or ``""``."""
    choices = sorted(set(known))
    if len(value) > SUGGEST_MAX_CHARS or len(choices) > SUGGEST_MAX_KNOWN:
        return ""
    close = difflib.get_close_matches(value, choices, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
