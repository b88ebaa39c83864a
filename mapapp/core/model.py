"""The typed tables the rest of the program works with, built only from validated data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mapapp.core.dates import FuzzyDate


@dataclass(frozen=True)
class Place:
    id: str
    name_en: str
    name_ar: str
    kind: str
    ref_lat: float
    ref_lon: float
    ref_source: str
    ref_confidence: str
    boundary_approximate: bool
    boundary_note: str
    #: the GeoJSON geometry object as written (WGS84 lon/lat)
    geometry: dict[str, Any]
    #: the geometry serialised once at load time: the cache key for drawing it
    geometry_json: str = ""
    #: the kind of provenance of the reference point (ocha-place-point, encyclopedia, ...)
    ref_basis: str = ""


@dataclass(frozen=True)
class Faction:
    id: str
    name_en: str
    name_ar: str
    colour: str
    colour_cb: str
    bloc: str
    kind: str
    note: str


@dataclass(frozen=True)
class Source:
    id: str
    outlet: str
    outlet_ar: str
    author: str
    author_ar: str
    title_ar: str
    url: str
    published: FuzzyDate
    quoted_in: str
    note: str
    #: Admiralty source reliability, A (completely reliable) to F (cannot be judged); "" unrated
    reliability: str = ""
    #: SHA-256 of the archived text (data folder: sources/<id>.txt); "" when not archived
    archive_sha256: str = ""


@dataclass(frozen=True)
class Claimant:
    """Who speaks inside a source (the outlet itself, an unnamed source, activists...)."""

    id: str
    name_en: str
    name_ar: str
    note: str


@dataclass(frozen=True)
class ControlRow:
    """One source's claim that one faction holds one place: from ``start`` (when control
    began, if the source says) or else from ``as_of`` (the day the report describes), until
    ``end`` (exclusive) or on; past ``as_of`` plus the dataset's horizon it is stale."""

    line: int
    place_id: str
    faction_id: str
    start: FuzzyDate | None
    end: FuzzyDate | None
    status: str
    source_id: str
    claims: tuple[str, ...]
    claimant: str
    quote_ar: str
    quote_en: str
    note: str
    #: where quote_ar is in the archived text of ``quote_archive`` (see mapapp.core.evidence)
    quote_start: int | None = None
    quote_end: int | None = None
    #: the source whose archived text holds quote_ar at those offsets, checked by the
    #: validator; "" when no archive is kept: the quote is unverified
    quote_archive: str = ""
    #: the day the claim describes the place as of (the report's date); None only for rows
    #: built by hand without one (read then as the source's publication date)
    as_of: FuzzyDate | None = None
    #: Admiralty information credibility, 1 (confirmed) to 6 (cannot be judged); "" unrated
    credibility: str = ""


@dataclass(frozen=True)
class Event:
    line: int
    id: str
    date: FuzzyDate
    end: FuzzyDate | None
    place_id: str
    kind: str
    actors: tuple[str, ...]
    against: tuple[str, ...]
    source_id: str
    claims: tuple[str, ...]
    claimant: str
    quote_ar: str
    quote_en: str
    note: str
    #: True for conditions (siege, under attack) that hold on the place over a span
    is_condition: bool
    #: as for :class:`ControlRow`
    quote_start: int | None = None
    quote_end: int | None = None
    quote_archive: str = ""


@dataclass(frozen=True)
class Dataset:
    places: dict[str, Place]
    factions: dict[str, Faction]
    sources: dict[str, Source]
    control: tuple[ControlRow, ...]
    events: tuple[Event, ...]
    #: days a report keeps a state current (datapackage.json x-mapapp.horizon_days)
    horizon_days: int = 90
    claimants: dict[str, Claimant] = field(default_factory=dict)
