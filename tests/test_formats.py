"""Output formats of a day's state: records, CSV, GeoJSON, text tables; safe text."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from typing import Any

from mapapp.core.model import Dataset
from mapapp.core.timeline import Timeline
from mapapp.core.validate import load_dataset
from mapapp.draw import formats

from .conftest import VALID

DAY = date(2015, 9, 15)


def _records() -> tuple[Dataset, list[dict[str, Any]]]:
    ds = load_dataset(VALID).dataset
    assert ds is not None
    states = Timeline(ds).state_at(DAY)
    return ds, [formats.state_record(ds, s) for s in states.values()]


def test_csv_geojson_and_flat_rows_carry_the_same_places() -> None:
    ds, records = _records()
    rows = list(csv.DictReader(io.StringIO(formats.states_to_csv(records))))
    assert [r["place_id"] for r in rows] == list(ds.places)
    assert all(r["date"] == DAY.isoformat() for r in rows)
    collection = json.loads(formats.states_to_geojson(ds, records))
    assert [f["id"] for f in collection["features"]] == list(ds.places)
    assert all(f["geometry"]["type"] in {"Polygon", "MultiPolygon"} for f in collection["features"])
    flat = formats.flat_state(records[0])
    assert set(flat) == set(rows[0]) and all(isinstance(v, str) for v in flat.values())


def test_no_cell_starts_a_formula_and_no_text_drives_a_terminal() -> None:
    for dangerous in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx"):
        assert formats.sheet_cell(dangerous).startswith("'")
    assert formats.sheet_cell("al-Qadam") == "al-Qadam"
    assert formats.terminal_text("a\x1b[31mb\u202ec") == "a\\u001b[31mb\\u202ec"


def test_text_table_aligns_columns() -> None:
    table = formats.text_table(["id", "name"], [["a", "long name"], ["bb", "x"]])
    assert table.splitlines() == ["id  name", "--  ---------", "a   long name", "bb  x"]
