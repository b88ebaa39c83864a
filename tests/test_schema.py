"""The schema (datapackage.json) read into fields, keys and references."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mapapp.core.schema import SchemaError, load_schema

from .conftest import VALID


def test_fields_know_their_kind_and_references() -> None:
    schema = load_schema(VALID)
    control = schema.resource("control")
    assert control.path == "control.csv"
    assert control.field("start").is_date
    assert control.field("quote_ar").is_quote
    assert control.field("status").enum == ("sole", "shared", "partial", "presence", "allied")
    keys = {(fk.field, fk.resource, fk.ref_field) for fk in control.foreign_keys}
    assert ("faction_id", "factions", "id") in keys
    assert ("source_id", "sources", "id") in keys
    assert schema.resource("factions").primary_key == ("id",)


def test_an_unusable_schema_is_an_error_naming_the_file(tmp_path: Path) -> None:
    (tmp_path / "datapackage.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(SchemaError, match=r"datapackage\.json"):
        load_schema(tmp_path)
    (tmp_path / "datapackage.json").write_text(json.dumps({"resources": 3}), encoding="utf-8")
    with pytest.raises(SchemaError):
        load_schema(tmp_path)
