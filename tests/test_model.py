"""The typed tables the validator builds: frozen values, dates resolved, ids joined."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from mapapp.core.dates import FuzzyDate
from mapapp.core.validate import load_dataset

from .conftest import VALID


def test_the_valid_fixture_becomes_typed_frozen_tables() -> None:
    ds = load_dataset(VALID).dataset
    assert ds is not None
    assert all(isinstance(s.published, FuzzyDate) for s in ds.sources.values())
    # a source dated relative to another: three weeks before the article, approximate
    inv, art = ds.sources["inv"].published, ds.sources["art"].published
    assert inv.approximate and inv.earliest < art.earliest
    assert all(row.place_id in ds.places and row.faction_id in ds.factions for row in ds.control)
    assert all(row.source_id in ds.sources for row in ds.control)
    assert all(isinstance(p.ref_lat, float) for p in ds.places.values())
    row = ds.control[0]
    assert row.line == 2, "the line an editor sees, header = 1"
    with pytest.raises(dataclasses.FrozenInstanceError):
        row.status = "shared"  # type: ignore[misc]
    assert ds.control[0].end is not None and ds.control[0].end.earliest == date(2015, 3, 1)
