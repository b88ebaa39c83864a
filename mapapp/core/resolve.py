"""Resolved records: a place's state on a day with everything needed to draw and cite it
already joined -- its place, the factions, sources (and the sources that quote them) and
claimants its claims and conditions name, and the dataset's horizon. Drawing (popups,
style, layers) takes these, not the whole dataset."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from mapapp.core.model import Claimant, Dataset, Faction, Place, Source
from mapapp.core.timeline import PlaceState


class Lookups(Protocol):
    """What drawing looks names up in: a :class:`PlaceRecord` (or, for dataset-wide views
    such as events, the :class:`~mapapp.core.model.Dataset` itself)."""

    @property
    def places(self) -> Mapping[str, Place]: ...
    @property
    def factions(self) -> Mapping[str, Faction]: ...
    @property
    def sources(self) -> Mapping[str, Source]: ...
    @property
    def claimants(self) -> Mapping[str, Claimant]: ...
    @property
    def horizon_days(self) -> int: ...


@dataclass(frozen=True)
class PlaceRecord:
    """One place's state with its claims, factions, sources and quotes joined."""

    state: PlaceState
    places: Mapping[str, Place]
    factions: Mapping[str, Faction]
    sources: Mapping[str, Source]
    claimants: Mapping[str, Claimant]
    horizon_days: int

    @property
    def place(self) -> Place:
        return self.places[self.state.place_id]


def _with_quoting(ds: Dataset, ids: Iterable[str]) -> dict[str, Source]:
    """The sources named, and the sources that quote them (their citations name those)."""
    out: dict[str, Source] = {}
    todo = [i for i in ids if i in ds.sources]
    while todo:
        sid = todo.pop()
        if sid in out:
            continue
        out[sid] = ds.sources[sid]
        if out[sid].quoted_in in ds.sources:
            todo.append(out[sid].quoted_in)
    return out


def resolve(ds: Dataset, state: PlaceState) -> PlaceRecord:
    """The state joined with what it names (and nothing else of the dataset)."""
    rows = (*state.rows, *state.claims, *state.deciding)
    events = state.conditions
    faction_ids = {r.faction_id for r in rows} | {u.faction_id for u in state.uncertainty}
    faction_ids |= {f for e in events for f in (*e.actors, *e.against)}
    faction_ids |= {f for fids in state.sides.values() for f in fids}
    source_ids = [r.source_id for r in rows] + [e.source_id for e in events]
    claimant_ids = {r.claimant for r in rows} | {e.claimant for e in events}
    return PlaceRecord(
        state=state,
        places={state.place_id: ds.places[state.place_id]},
        factions={f: ds.factions[f] for f in faction_ids if f in ds.factions},
        sources=_with_quoting(ds, source_ids),
        claimants={c: ds.claimants[c] for c in claimant_ids if c in ds.claimants},
        horizon_days=ds.horizon_days,
    )
