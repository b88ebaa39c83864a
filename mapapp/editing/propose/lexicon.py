"""The proposer's lexicons, read from the data folder, and the one Arabic normaliser.

Three tables an editor extends like any other data file (declared in ``datapackage.json``,
checked by ``mapapp validate``): ``place_names.csv`` (the gazetteer), ``faction_names.csv``
(names and aliases, with the years each was in use) and ``cues.csv`` (control verbs, event
words, attributions, clause openers...). Each place's and faction's own ``name_ar`` and
``name_en`` count as names too, so a new place or faction is found before anyone lists its
variants.

Matching is on *normalised* words (:func:`normalise`): diacritics and tatweel removed
(pyarabic), every alef form to bare alef, ؤ to و, ئ and ى to ي, ة to ه, lone hamza
dropped, Latin letters case-folded. Clitics (و ب ل ف ك, and لل for ال) are handled by
:mod:`.mentions`, so lexicons hold bare names.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pyarabic.araby as araby

from mapapp.core.dates import DateFormatError, FuzzyDate, parse_date_cell
from mapapp.core.model import Dataset
from mapapp.core.read import RawTable, read_csv
from mapapp.core.report import Issue, Report
from mapapp.core.schema import Schema, SchemaError, load_schema
from mapapp.core.validate import load_dataset

PLACE_NAMES, FACTION_NAMES, CUES = "place_names.csv", "faction_names.csv", "cues.csv"
_FOLD = str.maketrans({"ؤ": "و", "ئ": "ي", "ى": "ي", "ة": "ه", "ء": "", "ٱ": "ا"})
#: a word: letters and digits with the marks (diacritics, tatweel) inside them
WORD = re.compile(r"[^\W_][\w\u0640\u064B-\u065F\u0670]*")


def normalise(text: str) -> str:
    """The form words are compared in (see the module docstring)."""
    text = str(araby.strip_tatweel(araby.strip_tashkeel(text)))
    return str(araby.normalize_alef(text)).translate(_FOLD).casefold()


def words(text: str) -> tuple[str, ...]:
    return tuple(normalise(m.group()) for m in WORD.finditer(text))


class LexiconError(Exception):
    """The data folder cannot be used by the proposer; ``report`` says where and why."""

    def __init__(self, message: str, report: Report) -> None:
        super().__init__(message)
        self.report = report


@dataclass(frozen=True)
class Name:
    """One name of a place or faction, as the proposer looks for it."""

    kind: str  # "place" or "faction"
    id: str
    text: str
    words: tuple[str, ...]
    used_from: FuzzyDate | None = None
    used_until: FuzzyDate | None = None
    #: where it comes from, for reasons: "place_names.csv:12" or "factions.csv (name_ar)"
    origin: str = ""


@dataclass(frozen=True)
class Cue:
    phrase: str
    words: tuple[str, ...]
    role: str
    value: str
    aspect: str
    origin: str = ""


@dataclass
class Lexicon:
    names: list[Name]
    cues: list[Cue]
    dataset: Dataset
    statuses: tuple[str, ...]
    event_kinds: tuple[str, ...]
    claimants: tuple[str, ...]
    #: by first word: names and cues, longest first
    name_index: dict[str, list[Name]] = field(default_factory=dict)
    cue_index: dict[str, list[Cue]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        names: dict[str, list[Name]] = defaultdict(list)
        for n in self.names:
            names[n.words[0]].append(n)
        cues: dict[str, list[Cue]] = defaultdict(list)
        for c in self.cues:
            cues[c.words[0]].append(c)
        self.name_index = {k: sorted(v, key=lambda n: -len(n.words)) for k, v in names.items()}
        self.cue_index = {k: sorted(v, key=lambda c: -len(c.words)) for k, v in cues.items()}


def _allowed(schema: Schema, resource: str, column: str) -> tuple[str, ...]:
    """The values a column allows; none (anything goes) when it has no list or is absent."""
    try:
        return tuple(schema.resource(resource).field(column).enum or ())
    except KeyError:
        return ()


def _date(text: str) -> FuzzyDate | None:
    if not text.strip():
        return None
    try:
        return parse_date_cell(text.strip()).literal
    except DateFormatError:
        return None


def load_lexicon(data_dir: Path) -> Lexicon:
    """The lexicons of ``data_dir``, which must validate as a whole.

    Raises :class:`LexiconError` (with the validator's report) when it does not, or when a
    cue's value is not one the data accepts (a status, an event kind or a claimant).
    """
    try:
        result = load_dataset(data_dir)
        schema = load_schema(data_dir)
    except SchemaError as exc:
        issue = Issue("datapackage.json", None, None, "bad-schema", str(exc))
        raise LexiconError(str(exc), Report([issue])) from None
    if result.dataset is None:
        raise LexiconError(f"the data in {data_dir} has problems", result.report)
    ds = result.dataset
    names = [res.name for res in schema.resources]

    def table_of(resource: str, default: str) -> RawTable:
        """The lexicon's rows; none when the folder (or its schema) has no such file."""
        path = data_dir / (schema.resource(resource).path if resource in names else default)
        return read_csv(path, path.name) if path.exists() else RawTable(path.name)

    statuses = _allowed(schema, "control", "status")
    kinds = _allowed(schema, "events", "kind")
    claimants = _allowed(schema, "control", "claimant")

    found: list[Name] = []
    for place in ds.places.values():
        for col in ("name_ar", "name_en"):
            text = getattr(place, col)
            if words(text):
                found.append(Name("place", place.id, text, words(text), origin=f"places ({col})"))
    for faction in ds.factions.values():
        for col in ("name_ar", "name_en"):
            text = getattr(faction, col)
            if words(text):
                found.append(
                    Name("faction", faction.id, text, words(text), origin=f"factions.csv ({col})")
                )
    table = table_of("place_names", PLACE_NAMES)
    for row in table.rows:
        text = row.cells.get("name", "")
        if words(text):
            found.append(
                Name(
                    "place",
                    row.cells["place_id"],
                    text,
                    words(text),
                    origin=f"{PLACE_NAMES}:{row.line}",
                )
            )
    table = table_of("faction_names", FACTION_NAMES)
    for row in table.rows:
        text = row.cells.get("name", "")
        if words(text):
            found.append(
                Name(
                    "faction",
                    row.cells["faction_id"],
                    text,
                    words(text),
                    _date(row.cells.get("used_from", "")),
                    _date(row.cells.get("used_until", "")),
                    origin=f"{FACTION_NAMES}:{row.line}",
                )
            )
    # a name listed again (factions.csv and faction_names.csv) is kept once, with its dates
    unique: dict[tuple[str, str, tuple[str, ...]], Name] = {}
    for n in found:
        key = (n.kind, n.id, n.words)
        if key not in unique or n.used_from or n.used_until:
            unique[key] = n

    cues: list[Cue] = []
    problems: list[Issue] = []
    allowed = {
        "control": statuses,
        "event": kinds,
        "partial": ("partial",),
        "attribution": claimants,
    }
    table = table_of("cues", CUES)
    for row in table.rows:
        role, value = row.cells.get("role", ""), row.cells.get("value", "").strip()
        ok = allowed.get(role)
        if ok is not None and ok and value not in ok:
            problems.append(
                Issue(
                    CUES,
                    row.line,
                    "value",
                    "bad-cue-value",
                    f"'{value}' is not a value a {role} cue can give; use one of: " + ", ".join(ok),
                )
            )
            continue
        phrase = row.cells.get("phrase", "")
        if words(phrase):
            cues.append(
                Cue(
                    phrase,
                    words(phrase),
                    role,
                    value,
                    row.cells.get("aspect", ""),
                    f"{CUES}:{row.line}",
                )
            )
    if problems:
        raise LexiconError(f"{CUES} has problems", Report(problems))
    return Lexicon(list(unique.values()), cues, ds, statuses, kinds, claimants)
