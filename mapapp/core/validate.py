"""Validate a data folder and build the typed :class:`~mapapp.core.model.Dataset` from it.

Every check yields :class:`~mapapp.core.report.Issue` values, so one run reports every problem.
Checks run in the order data flows: cells (type, allowed values, dates) -> keys and
references across files -> periods (overlaps, shared and sole control) -> geometry.
A dataset is built only when there are no problems at all.
"""

from __future__ import annotations

import contextlib
import gc
import json
import math
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from mapapp.core import evidence, geometry, overlap
from mapapp.core.codes import did_you_mean
from mapapp.core.dates import (
    DateFormatError,
    DateSpec,
    FuzzyDate,
    PrecisionMismatch,
    SourceDate,
    parse_date_cell,
    resolve_cell,
    resolve_source_dates,
)
from mapapp.core.model import Claimant, ControlRow, Dataset, Event, Faction, Place, Source
from mapapp.core.read import RawGeoJSON, RawTable, read_csv, read_geojson
from mapapp.core.report import Issue, Report
from mapapp.core.schema import Field, Resource, Schema, load_schema

#: the code for a reference to a missing row, by the file referred to
UNKNOWN_CODES = {
    "neighbourhoods": "unknown-place",
    "factions": "unknown-faction",
    "sources": "unknown-source",
    "claimants": "unknown-claimant",
}
#: the longest value a cell (or GeoJSON property) may hold; the longest shipped is 342
MAX_CELL_CHARS = 20_000
_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}


@dataclass
class LoadResult:
    """The outcome of reading a data folder: the dataset when valid, and the report."""

    dataset: Dataset | None
    report: Report


def validate(data_dir: Path) -> Report:
    """Every problem in the data folder (an empty report when the data is valid): the same
    findings as :func:`load_dataset`, with a large control table screened as arrays
    (:mod:`mapapp.core.screen`) and no dataset built."""
    from mapapp.core.screen import screened_report  # it builds on this module

    return screened_report(Path(data_dir))


def load_dataset(data_dir: Path) -> LoadResult:
    """Read, check and build the dataset in ``data_dir``.

    Raises :class:`~mapapp.core.schema.SchemaError` only when the schema itself is unusable.
    """
    schema = load_schema(data_dir)
    # reading makes many small objects and no cycles: in a process holding a large heap
    # (a server with bundles built) the cycle collector would walk all of it for nothing
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _Validator(schema, Path(data_dir)).run()
    finally:
        if collecting:
            gc.enable()


@dataclass
class _Row:
    """A row whose cells passed the per-cell checks, with parsed values."""

    file: str
    line: int
    values: dict[str, Any]


@dataclass(frozen=True, eq=False)
class _CleanPlaces:
    """A places file read and cell-checked with no problem: its bytes and what was built."""

    data: bytes
    geo: RawGeoJSON
    rows: tuple[_Row, ...]
    ids: frozenset[str]


#: the last places file found clean, by (its path, its resource): a new version of a folder
#: where only a table changed does not parse and check its 10,000 polygons again. Only a
#: file with no problem is kept, so every problem is still found and reported as before.
_CLEAN_PLACES: dict[tuple[str, Resource], _CleanPlaces] = {}
#: the most rows of one file whose checks are kept (about 2 kB a row)
MEMO_ROWS = 200_000
#: the most distinct cells of one column whose value is kept while a file is checked
MEMO_CELLS = 100_000
#: a cell not checked yet in this file, and one that passed without giving a value (a date
#: whose precision cell is reported instead)
_UNCHECKED, _NO_VALUE = object(), object()
#: per (folder, resource): the cells of each row whose cell checks passed in the last load,
#: with the values they gave (a row with any problem is checked again, so reported again)
_CLEAN_ROWS: dict[tuple[str, Resource], dict[tuple[tuple[str, str], ...], dict[str, Any]]] = {}
#: the places whose geometry checks found nothing (that very parsed file, that CRS)
_CLEAN_GEOMETRY: dict[int, tuple[RawGeoJSON, str]] = {}


def forget_clean() -> None:
    """Drop what earlier loads in this process found clean (places, rows, geometry), so the
    next load or validation reads and checks everything as a fresh process does (what
    ``mapapp validate`` does; benchmarks time that)."""
    _CLEAN_PLACES.clear()
    _CLEAN_ROWS.clear()
    _CLEAN_GEOMETRY.clear()


def geometry_known(geo: RawGeoJSON, metric_crs: str) -> bool:
    """Whether these very places were found clean by the geometry checks in this CRS."""
    kept = _CLEAN_GEOMETRY.get(id(geo))
    return kept is not None and kept[0] is geo and kept[1] == metric_crs


class _Validator:
    def __init__(self, schema: Schema, data_dir: Path) -> None:
        self.schema = schema
        self.dir = data_dir
        self.report = Report()
        #: rows that passed cell checks, per resource
        self.rows: dict[str, list[_Row]] = {}
        #: rows with problems, with the cells that passed: their references are still
        #: checked, so a row's every mistake is reported in one run
        self.partial: dict[str, list[_Row]] = {}
        #: all ids per resource (whatever the state of their other cells), for references
        self.ids: dict[str, set[str]] = {}
        #: resources whose ids are not all known (file unreadable, or its id column missing):
        #: references to them are not checked, as every one would be reported as unknown
        self.unknown_ids: set[str] = set()
        self.geo: RawGeoJSON | None = None
        self.geo_resource: Resource | None = None
        #: build the dataset when the data is valid (the columnar screen only reports)
        self.build = True
        #: (file, line) of each quote verified in an archive -> that archive's source id
        self.located: dict[tuple[str, int], str] = {}

    def add(self, issues: list[Issue] | Iterator[Issue]) -> None:
        self.report.extend(issues)

    # -- orchestration -------------------------------------------------------------------
    def run(self) -> LoadResult:
        for res in self.schema.resources:
            if res.format == "geojson":
                self.read_places(res)
            else:
                self.read_table(res)
        self.add(self.check_references())
        self.located = self.check_evidence()
        source_dates = self.resolve_source_dates()
        control = self.build_control(source_dates)
        events = self.build_events(source_dates)
        self.add(check_periods(control, self.file_of("control")))
        if self.geo is not None and self.geo_resource is not None:
            self.check_geometry(self.geo, self.schema.metric_crs)
        if not self.report.valid or not self.build:
            return LoadResult(None, self.report)
        return LoadResult(self.build_dataset(source_dates, control, events), self.report)

    def check_geometry(self, geo: RawGeoJSON, metric_crs: str) -> None:
        """The places' geometry checks: skipped for the very places found clean before (the
        checks depend on the geometries and the metric CRS alone)."""
        if geometry_known(geo, metric_crs):
            return
        issues = self.geometry_issues(geo, metric_crs)
        self.add(issues)
        if not issues and any(clean.geo is geo for clean in _CLEAN_PLACES.values()):
            _CLEAN_GEOMETRY.clear()
            _CLEAN_GEOMETRY[id(geo)] = (geo, metric_crs)

    def geometry_issues(self, geo: RawGeoJSON, metric_crs: str) -> list[Issue]:
        """What the geometry checks find in the places (a subclass may have them ready)."""
        return list(geometry.check_features(geo, metric_crs))

    def file_of(self, name: str) -> str:
        return self.schema.resource(name).path

    # -- reading and per-cell checks -----------------------------------------------------
    def read_table(self, res: Resource) -> None:
        if res.optional and not (self.dir / res.path).exists():
            self.rows[res.name], self.ids[res.name] = [], set()
            return
        table = read_csv(self.dir / res.path, res.path)
        self.add(table.issues)
        self.rows[res.name] = []
        self.ids[res.name] = set()
        if not table.readable or any(i.code == "bad-csv" for i in table.issues):
            self.unknown_ids.add(res.name)
        if not table.readable:
            return
        self.add(_check_columns(res, table))
        # a required column missing from the header is reported once, not on every row
        absent = frozenset(f.name for f in res.fields if f.required and f.name not in table.header)
        if absent & set(res.primary_key):
            self.unknown_ids.add(res.name)
        self.check_rows(
            res,
            [(row.line, row.cells) for row in table.rows],
            absent,
            skip=[row.lacking for row in table.rows],
        )

    def read_places(self, res: Resource) -> None:
        path = self.dir / res.path
        try:
            before = path.read_bytes()
        except OSError:
            before = None
        key = (str(path.resolve()), res)
        kept = _CLEAN_PLACES.get(key)
        if before is not None and kept is not None and kept.data == before:
            # the same bytes read, found clean and built before: nothing to report again
            self.geo, self.geo_resource = kept.geo, res
            self.rows[res.name] = list(kept.rows)
            self.ids[res.name] = set(kept.ids)
            return
        issues = len(self.report.issues) + sum(self.report.omitted.values())
        self._read_places(res)
        clean = len(self.report.issues) + sum(self.report.omitted.values()) == issues
        if clean and before is not None and self.geo is not None and res.name not in self.partial:
            with contextlib.suppress(OSError):
                if path.read_bytes() == before:  # not changed while it was read
                    _CLEAN_PLACES.clear()  # one folder's places at a time: they are large
                    _CLEAN_PLACES[key] = _CleanPlaces(
                        before, self.geo, tuple(self.rows[res.name]), frozenset(self.ids[res.name])
                    )

    def _read_places(self, res: Resource) -> None:
        geo = read_geojson(self.dir / res.path, res.path)
        self.add(geo.issues)
        self.geo, self.geo_resource = geo, res
        self.rows[res.name] = []
        self.ids[res.name] = set()
        if geo.document is None:
            self.unknown_ids.add(res.name)
        records: list[tuple[int, dict[str, str]]] = []
        skip: list[frozenset[str]] = []
        for feature in geo.features:
            line = feature.line or 0
            cells: dict[str, str] = {}
            for k, v in feature.properties.items():
                if type(v) is str:  # the commonest, first
                    cells[k] = v
                elif not isinstance(v, dict | list):
                    cells[k] = _json_to_cell(v)
            nested = frozenset(feature.properties) - frozenset(cells)
            if nested:
                self.add(
                    Issue(
                        res.path,
                        feature.line,
                        name,
                        "bad-type",
                        f"property '{name}' of feature {feature.index + 1} is a "
                        f"{'list' if isinstance(feature.properties[name], list) else 'object'}; "
                        "it must be text, a number, true or false",
                    )
                    for name in sorted(nested)
                )
            if not str(cells.get("id", "")).strip():
                self.add(
                    [
                        Issue(
                            res.path,
                            feature.line,
                            "id",
                            "missing-feature-id",
                            f"feature {feature.index + 1} has no 'id' property; give it the "
                            "place's id (lowercase letters, digits and _)",
                        )
                    ]
                )
                continue
            records.append((line, cells))
            skip.append(nested)
        self.check_rows(res, records, skip=skip)

    def check_rows(
        self,
        res: Resource,
        records: list[tuple[int, dict[str, str]]],
        absent: frozenset[str] = frozenset(),
        skip: list[frozenset[str]] | None = None,
    ) -> None:
        """Check each record's cells; ``absent`` are required columns missing from the file
        (already reported): rows are not built without them, but not reported again.
        ``skip``, one per record, are that record's cells already reported as unusable."""
        seen: dict[tuple[str, ...], int] = {}
        pk = res.primary_key
        # rows whose cells passed in the previous load of this file: the cell checks depend
        # on the row's cells and the resource alone, so an unchanged row needs none again
        memo_key = (str(self.dir.resolve()), res)
        before = _CLEAN_ROWS.pop(memo_key, {})
        clean: dict[tuple[tuple[str, str], ...], dict[str, Any]] = {}
        # per column, the value of each cell already found without a problem in this run:
        # a cell's check depends on the column and the cell alone (a date's also on its
        # precision cell, part of its key), so a repeated cell is checked once. A cell with
        # a problem is never kept: it is checked again on every row, so reported on each
        passed: dict[str, dict[str | tuple[str, str], Any]] = {f.name: {} for f in res.fields}
        columns = [
            (
                fld,
                fld.name,
                passed[fld.name],
                fld.extra.get("precision_field") if fld.is_date else None,
            )
            for fld in res.fields
        ]
        for index, (line, cells) in enumerate(records):
            values: dict[str, Any] = {}
            problems: list[Issue] = []
            unusable = (absent | skip[index] if absent else skip[index]) if skip else absent
            cell_key = tuple(cells.items()) if not unusable else None
            kept = before.get(cell_key) if cell_key is not None else None
            if kept is not None:
                values = dict(kept)
            else:
                for fld, name, seen_cells, prec in columns:
                    if unusable and name in unusable:
                        continue
                    raw = cells.get(name, "")
                    cell: str | tuple[str, str] = (raw, cells.get(prec, "")) if prec else raw
                    value = seen_cells.get(cell, _UNCHECKED)
                    if value is not _UNCHECKED:
                        if value is not _NO_VALUE:
                            values[name] = value
                        continue
                    found = list(_check_cell(res, fld, raw, line, cells, values))
                    if found:
                        problems.extend(found)
                    elif len(seen_cells) < MEMO_CELLS:
                        seen_cells[cell] = values.get(name, _NO_VALUE)
            if cell_key is not None and not problems and len(records) <= MEMO_ROWS:
                clean[cell_key] = dict(values)  # a copy: the row's own may be read by others
            key = tuple(cells.get(k, "").strip() for k in pk)
            if pk and all(key):
                if len(pk) == 1:
                    self.ids[res.name].add(key[0])
                if key in seen:
                    problems.append(_duplicate(res, pk, key, line, seen[key]))
                else:
                    seen[key] = line
            if problems:
                self.add(problems)
            if not problems and not unusable:
                self.rows[res.name].append(_Row(res.path, line, values))
            else:
                self.partial.setdefault(res.name, []).append(_Row(res.path, line, values))
        if len(records) <= MEMO_ROWS:
            _CLEAN_ROWS[memo_key] = clean

    # -- references ------------------------------------------------------------------------
    def check_references(self) -> Iterator[Issue]:
        for res in self.schema.resources:
            refs: dict[str, str] = {fk.field: fk.resource for fk in res.foreign_keys}
            for fld in res.fields:
                if fld.references:
                    refs[fld.name] = fld.references
            for row in [*self.rows.get(res.name, []), *self.partial.get(res.name, [])]:
                for column, target in refs.items():
                    value = row.values.get(column)
                    wanted = value if isinstance(value, tuple) else (value,)
                    if target in self.unknown_ids:
                        continue
                    for v in wanted:
                        if v and v not in self.ids.get(target, set()):
                            yield _unknown(res, column, target, v, row.line, self.schema, self.ids)
                for column in (f.name for f in res.fields if f.is_date):
                    spec = row.values.get(column)
                    if (
                        isinstance(spec, DateSpec)
                        and spec.source_ref
                        and "sources" not in self.unknown_ids
                        and spec.source_ref not in self.ids.get("sources", set())
                    ):
                        yield _unknown(
                            res, column, "sources", spec.source_ref, row.line, self.schema, self.ids
                        )

    # -- the evidence: archived sources and where each quote is in them --------------------
    def check_evidence(self) -> dict[tuple[str, int], str]:
        """Check the archived sources' SHA-256 and every quote's offsets (see
        :mod:`mapapp.core.evidence`); where each located quote is, by (file, line)."""
        if "sources" in self.unknown_ids:
            return {}  # which sources are archived is not known: checked once it reads
        sources = [
            evidence.SourceRecord(
                r.values["id"],
                r.line,
                r.values.get("archive_sha256") or "",
                r.values.get("quoted_in") or "",
            )
            for r in self.rows.get("sources", [])
        ]
        found = evidence.check_archives(
            self.dir, sources, self.file_of("sources"), self.ids.get("sources", set())
        )
        quotes = [
            evidence.QuoteRecord(
                row.file,
                row.line,
                row.values["source_id"],
                row.values["quote_ar"],
                row.values.get("quote_start"),
                row.values.get("quote_end"),
            )
            for name in ("control", "events")
            for row in self.rows.get(name, [])
        ]
        quoted_in = {s.id: s.quoted_in for s in sources}
        # a source row with a bad cell is reported already: its quotes wait until it is fixed
        found.unusable |= self.ids.get("sources", set()) - set(quoted_in)
        evidence.check_quotes(found, quotes, quoted_in)
        self.add(found.issues)
        return found.located

    # -- dates -----------------------------------------------------------------------------
    def resolve_source_dates(self) -> dict[str, FuzzyDate]:
        specs: dict[str, SourceDate] = {}
        lines: dict[str, int] = {}
        for row in self.rows.get("sources", []):
            v = row.values
            specs[v["id"]] = SourceDate(
                published=v.get("published") or None,  # "" when the cell is empty
                relative_to=v.get("relative_to") or None,
                offset_days=v.get("offset_days"),
                approximate=bool(v.get("approximate")),
            )
            lines[v["id"]] = row.line
        resolved, errors = resolve_source_dates(specs)
        file = self.file_of("sources")
        for err in errors:
            if "is not a source" in str(err):
                continue  # already reported as unknown-source
            column = err.column or (
                "relative_to" if specs[err.source_id].relative_to else "published"
            )
            self.add([Issue(file, lines[err.source_id], column, "bad-relative-date", str(err))])
        return resolved

    def _resolve(
        self, row: _Row, column: str, source_dates: dict[str, FuzzyDate]
    ) -> tuple[FuzzyDate | None, bool]:
        """(window, ok) for a date cell; ok is False when it refers to an unusable source."""
        spec = row.values.get(column)
        if not isinstance(spec, DateSpec):
            return None, True
        try:
            return resolve_cell(spec, source_dates), True
        except KeyError:
            return None, False

    def build_control(self, source_dates: dict[str, FuzzyDate]) -> list[ControlRow]:
        out = []
        file = self.file_of("control")
        for row in self.rows.get("control", []):
            start, ok_s = self._resolve(row, "start", source_dates)
            end, ok_e = self._resolve(row, "end", source_dates)
            as_of, ok_a = self._resolve(row, "as_of", source_dates)
            v = row.values
            if as_of is None and ok_a:
                as_of = source_dates.get(v["source_id"])
                ok_a = as_of is not None
            if not (ok_s and ok_e and ok_a) or as_of is None:
                continue
            if start is not None and end is not None and end.earliest <= start.earliest:
                self.add([_end_before_start(file, row.line, v["start"], v["end"], start, end)])
                continue
            if start is None and end is not None and end.earliest <= as_of.earliest:
                self.add([_end_before_as_of(file, row.line, v["end"], end, as_of)])
                continue
            out.append(
                ControlRow(
                    line=row.line,
                    place_id=v["place_id"],
                    faction_id=v["faction_id"],
                    start=start,
                    end=end,
                    status=v["status"],
                    source_id=v["source_id"],
                    claims=tuple(v["claim"].split(";")),
                    claimant=v["claimant"],
                    quote_ar=v["quote_ar"],
                    quote_en=v["quote_en"],
                    note=v.get("note", ""),
                    quote_start=v.get("quote_start"),
                    quote_end=v.get("quote_end"),
                    quote_archive=self.located.get((row.file, row.line), ""),
                    as_of=as_of,
                    credibility=v.get("credibility") or "",
                )
            )
        return out

    def build_events(self, source_dates: dict[str, FuzzyDate]) -> list[Event]:
        out = []
        file = self.file_of("events")
        conditions = set(self.schema.conditions)
        for row in self.rows.get("events", []):
            when, ok_d = self._resolve(row, "date", source_dates)
            end, ok_e = self._resolve(row, "end", source_dates)
            if not (ok_d and ok_e) or when is None:
                continue
            v = row.values
            if end is not None and end.earliest <= when.earliest:
                self.add([_end_before_start(file, row.line, v["date"], v["end"], when, end)])
                continue
            out.append(
                Event(
                    line=row.line,
                    id=v["id"],
                    date=when,
                    end=end,
                    place_id=v["place_id"],
                    kind=v["kind"],
                    actors=v.get("actors") or (),
                    against=v.get("against") or (),
                    source_id=v["source_id"],
                    claims=tuple(v["claim"].split(";")),
                    claimant=v["claimant"],
                    quote_ar=v["quote_ar"],
                    quote_en=v["quote_en"],
                    note=v.get("note", ""),
                    is_condition=v["kind"] in conditions,
                    quote_start=v.get("quote_start"),
                    quote_end=v.get("quote_end"),
                    quote_archive=self.located.get((row.file, row.line), ""),
                )
            )
        return out

    # -- the dataset ---------------------------------------------------------------------
    def build_dataset(
        self,
        source_dates: dict[str, FuzzyDate],
        control: list[ControlRow],
        events: list[Event],
    ) -> Dataset:
        assert self.geo is not None
        # ids are compared stripped (as the cell checks read them): " alpha " is alpha
        geometries = {
            _json_to_cell(f.properties.get("id")).strip(): f.geometry for f in self.geo.features
        }
        places = {}
        for row in self.rows["neighbourhoods"]:
            v = row.values
            places[v["id"]] = Place(
                id=v["id"],
                name_en=v["name_en"],
                name_ar=v["name_ar"],
                kind=v["kind"],
                ref_lat=v["ref_lat"],
                ref_lon=v["ref_lon"],
                ref_source=v["ref_source"],
                ref_confidence=v["ref_confidence"],
                boundary_approximate=v["boundary_approximate"],
                boundary_note=v.get("boundary_note", ""),
                geometry=geometries[v["id"]],
                geometry_json=json.dumps(geometries[v["id"]], sort_keys=True),
                ref_basis=v.get("ref_basis") or "",
            )
        factions = {
            r.values["id"]: Faction(
                **{k: r.values.get(k, "") for k in Faction.__dataclass_fields__}
            )
            for r in self.rows["factions"]
        }
        sources = {}
        for row in self.rows["sources"]:
            v = row.values
            sources[v["id"]] = Source(
                id=v["id"],
                outlet=v["outlet"],
                outlet_ar=v.get("outlet_ar", ""),
                author=v.get("author", ""),
                author_ar=v.get("author_ar", ""),
                title_ar=v.get("title_ar", ""),
                url=v.get("url", ""),
                published=source_dates[v["id"]],
                quoted_in=v.get("quoted_in", ""),
                note=v.get("note", ""),
                archive_sha256=(v.get("archive_sha256") or "").lower(),
                reliability=v.get("reliability") or "",
            )
        claimants = {
            r.values["id"]: Claimant(
                id=r.values["id"],
                name_en=r.values["name_en"],
                name_ar=r.values.get("name_ar", ""),
                note=r.values.get("note", ""),
            )
            for r in self.rows.get("claimants", [])
        }
        return Dataset(
            places,
            factions,
            sources,
            tuple(control),
            tuple(events),
            horizon_days=self.schema.horizon_days,
            claimants=claimants,
        )


# -- per-cell checks -----------------------------------------------------------------------
def _json_to_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _check_columns(res: Resource, table: RawTable) -> Iterator[Issue]:
    header = set(table.header)
    for fld in res.fields:
        if fld.name not in header and fld.required:
            yield Issue(
                res.path,
                1,
                fld.name,
                "missing-column",
                f"the required column '{fld.name}' is missing from the header",
            )
    known = set(res.field_names)
    for name in table.header:
        if name and name not in known:
            yield Issue(
                res.path,
                1,
                name,
                "unknown-column",
                f"the column '{name}' is not in the schema; expected columns are: "
                + ", ".join(res.field_names),
            )


def _code_for_pattern(fld: Field) -> str:
    if fld.name.startswith("colour"):
        return "bad-colour"
    if fld.name == "url":
        return "bad-url"
    return "bad-id" if fld.pattern and fld.pattern.startswith("^[a-z]") else "bad-value"


def _pattern_hint(fld: Field) -> str:
    code = _code_for_pattern(fld)
    if code == "bad-colour":
        return "is not a colour: write #rrggbb, for example #1b7837"
    if code == "bad-url":
        return "is not a web address: it must start with http:// or https:// and have no spaces"
    if fld.delimiter:
        return (
            "is not a list of ids: write ids (lowercase letters, digits, _) "
            f"separated by '{fld.delimiter}'"
        )
    if code == "bad-id":
        return "is not an id: use lowercase letters, digits and _, starting with a letter"
    return f"does not have the expected form (for example {fld.example})"


def _check_cell(
    res: Resource,
    fld: Field,
    raw: str,
    line: int,
    cells: dict[str, str],
    values: dict[str, Any],
) -> Iterator[Issue]:
    value = raw.strip()
    if not value:
        if fld.required:
            if fld.is_quote:
                yield Issue(
                    res.path,
                    line,
                    fld.name,
                    "empty-quote",
                    f"{fld.name} is empty: every row must quote the source's exact words "
                    "it rests on" + (" (in Arabic, verbatim)" if fld.name.endswith("_ar") else ""),
                )
            else:
                yield Issue(
                    res.path,
                    line,
                    fld.name,
                    "missing-value",
                    f"{fld.name} is empty but is required ({fld.description.rstrip('.')})",
                )
        values[fld.name] = None if fld.type != "string" else ""
        return
    shown = value if len(value) <= 80 else value[:77] + "..."
    if len(value) > MAX_CELL_CHARS:
        yield Issue(
            res.path,
            line,
            fld.name,
            "too-long",
            f"{fld.name} is {len(value):,} characters long; a value may be at most "
            f"{MAX_CELL_CHARS:,} (it starts '{value[:40]}...')",
        )
        return
    if fld.is_date:
        prec_field = fld.extra.get("precision_field")
        precision = cells.get(prec_field, "").strip() if prec_field else ""
        if precision not in ("", "day", "month", "year"):
            return  # reported on the precision column itself
        try:
            values[fld.name] = parse_date_cell(value, precision)
        except PrecisionMismatch as exc:
            yield Issue(res.path, line, prec_field, "precision-mismatch", str(exc))
        except DateFormatError as exc:
            yield Issue(res.path, line, fld.name, "bad-date", f"{fld.name} {exc}")
        return
    if fld.enum is not None and value not in fld.enum:
        code = "bad-precision" if fld.name.endswith("_precision") else "bad-value"
        yield Issue(
            res.path,
            line,
            fld.name,
            code,
            f"'{shown}' is not allowed in {fld.name}{did_you_mean(value, fld.enum)}; "
            f"use one of: {', '.join(fld.enum)}",
        )
        return
    if fld.type == "integer":
        if not re.fullmatch(r"[+-]?\d{1,18}", value):
            yield Issue(
                res.path,
                line,
                fld.name,
                "bad-type",
                f"'{shown}' is not a whole number; write for example {fld.example}",
            )
            return
        values[fld.name] = int(value)
        return
    if fld.type == "number":
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            yield Issue(
                res.path,
                line,
                fld.name,
                "bad-type",
                f"'{shown}' is not a number; write for example {fld.example}",
            )
            return
        values[fld.name] = number
        return
    if fld.type == "boolean":
        if value.lower() not in _TRUE | _FALSE:
            yield Issue(
                res.path,
                line,
                fld.name,
                "bad-type",
                f"'{shown}' is not true or false",
            )
            return
        values[fld.name] = value.lower() in _TRUE
        return
    if fld.pattern and not re.fullmatch(fld.pattern.strip("^$"), value):
        yield Issue(
            res.path,
            line,
            fld.name,
            _code_for_pattern(fld),
            f"'{shown}' {_pattern_hint(fld)}",
        )
        return
    values[fld.name] = tuple(value.split(fld.delimiter)) if fld.delimiter else value


def _duplicate(
    res: Resource, pk: tuple[str, ...], key: tuple[str, ...], line: int, first: int
) -> Issue:
    code = "duplicate-feature-id" if res.format == "geojson" else "duplicate-id"
    what = ", ".join(f"{k}='{v}'" for k, v in zip(pk, key, strict=True))
    return Issue(
        res.path,
        line,
        pk[0],
        code,
        f"{what} is already used on line {first}; every {pk[0]} must be unique",
    )


def _unknown(
    res: Resource,
    column: str,
    target: str,
    value: str,
    line: int,
    schema: Schema,
    ids: dict[str, set[str]] | None = None,
) -> Issue:
    target_file = schema.resource(target).path
    hint = did_you_mean(value, (ids or {}).get(target, ()))
    return Issue(
        res.path,
        line,
        column,
        UNKNOWN_CODES.get(target, "unknown-reference"),
        f"'{value}' is not an id in {target_file}{hint}; check the spelling or add it there first",
    )


def _end_before_start(
    file: str, line: int, start: DateSpec, end: DateSpec, s: FuzzyDate, e: FuzzyDate
) -> Issue:
    column = "end"
    return Issue(
        file,
        line,
        column,
        "end-before-start",
        f"the period ends ('{end.text}', {e.label()}) on or before it starts "
        f"('{start.text}', {s.label()}); the end must be after the start",
    )


def _end_before_as_of(file: str, line: int, end: DateSpec, e: FuzzyDate, as_of: FuzzyDate) -> Issue:
    return Issue(
        file,
        line,
        "end",
        "end-before-as-of",
        f"the claim has no start, so it holds from its as_of date ({as_of.label()}), but it "
        f"ends ('{end.text}', {e.label()}) on or before that day; give the start the source "
        "names, or an as_of on or before the time the source describes",
    )


# -- periods -------------------------------------------------------------------------------
_FAR_PAST, _FAR_FUTURE = date.min, date.max


def _bounds(row: ControlRow) -> tuple[date, date]:
    """The days a claim covers: from its start, or without one from its as_of date."""
    begin = row.start or row.as_of
    return (
        begin.earliest if begin else _FAR_PAST,
        row.end.earliest if row.end else _FAR_FUTURE,
    )


def _overlaps(a: ControlRow, b: ControlRow) -> bool:
    a0, a1 = _bounds(a)
    b0, b1 = _bounds(b)
    return a0 < b1 and b0 < a1


def _span(row: ControlRow) -> tuple[int, int]:
    begin, finish = _bounds(row)
    return begin.toordinal(), finish.toordinal()


def _and_more(line: int, count: int) -> str:
    """``line 7``, or ``line 7 and 1,203 others``: one issue a row, however many."""
    others = count - 1
    return (
        f"line {line}" if not others else f"line {line} and {others:,} other{'s' * (others != 1)}"
    )


def check_periods(rows: list[ControlRow], file: str) -> Iterator[Issue]:
    """A source contradicting itself: its own periods overlapping for one place and faction,
    its own sole control overlapping another faction it names (other than as an ally), shared
    control or an alliance with nobody to share it with. Different sources may disagree:
    that is data (the timeline shows it as disputed), not an error.

    Each row is reported at most once a code, with how many rows it overlaps and one of
    them, in O(n log n) (:mod:`mapapp.core.overlap`): a block of identical rows gives one
    issue a row, not one a pair. Rows that end before they start are reported elsewhere
    (``end-before-start``) and have no period to compare.
    """
    by_place: dict[tuple[str, str], list[ControlRow]] = defaultdict(list)
    for row in rows:
        if _span(row)[0] < _span(row)[1]:
            by_place[(row.place_id, row.source_id)].append(row)
    for place_rows in by_place.values():
        place_rows.sort(key=lambda r: r.line)
        spans = [_span(r) for r in place_rows]
        by_faction: dict[str, list[int]] = defaultdict(list)
        for i, row in enumerate(place_rows):
            by_faction[row.faction_id].append(i)
        for members in by_faction.values():  # the same faction, rows earlier in the file
            found = overlap.earlier_overlaps([spans[i] for i in members])
            for i, hit in zip(members, found, strict=True):
                if hit.count and hit.example is not None:
                    row, first = place_rows[i], place_rows[members[hit.example]]
                    yield Issue(
                        file,
                        row.line,
                        "start",
                        "overlapping-period",
                        f"source '{row.source_id}' already has '{row.faction_id}' holding "
                        f"'{row.place_id}' for part of this period "
                        f"({_and_more(first.line, hit.count)}); end one period before the "
                        "other starts",
                    )
        others = overlap.Others(spans, [r.faction_id for r in place_rows])
        rival_rows = [i for i, r in enumerate(place_rows) if r.status != "allied"]
        rivals = overlap.Others(
            [spans[i] for i in rival_rows], [place_rows[i].faction_id for i in rival_rows]
        )
        for i, row in enumerate(place_rows):
            if row.status not in ("sole", "shared", "allied"):
                continue
            rival = rivals.of_other_kinds(spans[i], row.faction_id)
            if row.status == "sole" and rival.count and rival.example is not None:
                shown = _and_more(place_rows[rival_rows[rival.example]].line, rival.count)
                yield Issue(
                    file,
                    row.line,
                    "status",
                    "conflicting-control",
                    f"status is 'sole' but source '{row.source_id}' itself has other factions "
                    f"holding '{row.place_id}' in the same period ({shown}); a source "
                    "may not contradict itself: use 'shared', 'partial' or 'presence' (or "
                    "'allied' for a named ally), or end one period first. Another source "
                    "that says otherwise is a row with its own source_id, and is accepted",
                )
            if row.status == "shared" and not others.of_other_kinds(spans[i], row.faction_id).count:
                yield Issue(
                    file,
                    row.line,
                    "status",
                    "shared-alone",
                    f"status is 'shared' but source '{row.source_id}' has no other faction "
                    f"holding '{row.place_id}' in this period; add the other factions' rows "
                    "(with the same source) or use 'sole'",
                )
            if row.status == "allied" and not rival.count:
                yield Issue(
                    file,
                    row.line,
                    "status",
                    "allied-alone",
                    f"status is 'allied' but source '{row.source_id}' has no faction holding "
                    f"'{row.place_id}' in this period for it to be allied with; add the "
                    "controlling faction's row (with the same source) or use another status",
                )


__all__ = ["LoadResult", "check_periods", "load_dataset", "validate"]
