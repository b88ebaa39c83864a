"""The data's schema, read from ``datapackage.json`` (a Frictionless Data Package).

The descriptor is the single declaration of files, columns, types, allowed values and the
references between files. The validator, the docs and any editing form read it from here.
Project-specific extras live under ``x-mapapp`` keys, which the standard ignores.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

DESCRIPTOR = "datapackage.json"
#: the schema shipped with the package's data, used when a data folder has none
DEFAULT_DATA_DIR = Path(__file__).resolve().parents[2] / "data"


class SchemaError(Exception):
    """datapackage.json is missing or not usable: validation cannot run."""


@dataclass(frozen=True)
class Field:
    name: str
    type: str = "string"
    description: str = ""
    example: Any = None
    required: bool = False
    unique: bool = False
    enum: tuple[str, ...] | None = None
    pattern: str | None = None
    min_length: int | None = None
    #: project extras: kind ("date", "quote"), precision_field, references, delimiter
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def is_date(self) -> bool:
        return self.extra.get("kind") == "date"

    @property
    def is_quote(self) -> bool:
        return self.extra.get("kind") == "quote"

    @property
    def references(self) -> str | None:
        ref = self.extra.get("references")
        return str(ref) if ref else None

    @property
    def delimiter(self) -> str | None:
        d = self.extra.get("delimiter")
        return str(d) if d else None


@dataclass(frozen=True)
class ForeignKey:
    field: str
    resource: str
    ref_field: str


@dataclass(frozen=True)
class Resource:
    name: str
    path: str
    format: str
    description: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    #: a folder without this file is still valid (``"x-mapapp": {"optional": true}``)
    optional: bool = False

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)


@dataclass(frozen=True)
class Schema:
    resources: tuple[Resource, ...]
    conditions: tuple[str, ...]
    metric_crs: str
    #: days after its newest report that a state stays current (then it is stale)
    horizon_days: int = 90

    def resource(self, name: str) -> Resource:
        for r in self.resources:
            if r.name == name:
                return r
        raise KeyError(name)


def _field(d: dict[str, Any]) -> Field:
    c = d.get("constraints", {})
    enum = c.get("enum")
    return Field(
        name=d["name"],
        type=d.get("type", "string"),
        description=d.get("description", ""),
        example=d.get("example"),
        required=bool(c.get("required", False)),
        unique=bool(c.get("unique", False)),
        enum=tuple(enum) if enum else None,
        pattern=c.get("pattern"),
        min_length=c.get("minLength"),
        extra=dict(d.get("x-mapapp", {})),
    )


def _as_tuple(value: str | list[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def _resource(d: dict[str, Any]) -> Resource:
    if "schema" in d:
        s = d["schema"]
        fields = tuple(_field(f) for f in s["fields"])
        fks = []
        for fk in s.get("foreignKeys", []):
            ref = fk["reference"]
            fks.append(
                ForeignKey(
                    field=_as_tuple(fk["fields"])[0],
                    resource=ref["resource"] or d["name"],
                    ref_field=_as_tuple(ref["fields"])[0],
                )
            )
        pk = _as_tuple(s.get("primaryKey", []))
    else:
        fields = tuple(_field(f) for f in d.get("x-mapapp", {}).get("properties", []))
        fks, pk = [], ("id",)
    return Resource(
        name=d["name"],
        path=d["path"],
        format=d.get("format", ""),
        description=d.get("description", ""),
        fields=fields,
        primary_key=pk,
        foreign_keys=tuple(fks),
        optional=bool(d.get("x-mapapp", {}).get("optional", False)),
    )


def parse_schema(descriptor: dict[str, Any]) -> Schema:
    extra = descriptor.get("x-mapapp", {})
    return Schema(
        resources=tuple(_resource(r) for r in descriptor["resources"]),
        conditions=tuple(extra.get("conditions", [])),
        metric_crs=extra.get("metric_crs", "EPSG:32637"),
        horizon_days=_horizon(extra.get("horizon_days", DEFAULT_HORIZON_DAYS)),
    )


#: the default horizon: a report older than about a quarter is no longer news of the day
DEFAULT_HORIZON_DAYS = 90


def _horizon(value: Any) -> int:
    """``horizon_days`` from the descriptor: a whole number of days, 1 to 36,500."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 36_500:
        raise TypeError(
            f"x-mapapp.horizon_days must be a whole number of days from 1 to 36500, not {value!r}"
        )
    return value


@lru_cache(maxsize=16)
def _load(path: Path, mtime_ns: int) -> Schema:
    try:
        descriptor = json.loads(path.read_text(encoding="utf-8-sig"))
        return parse_schema(descriptor)
    except OSError as exc:  # its text names the server's path: say only why
        raise SchemaError(
            f"{DESCRIPTOR}: cannot read the data package descriptor: {exc.strerror or 'unreadable'}"
        ) from exc
    except (ValueError, KeyError, TypeError) as exc:
        raise SchemaError(
            f"{DESCRIPTOR}: the data package descriptor is not usable: {exc}"
        ) from exc


def load_schema(data_dir: Path | None = None) -> Schema:
    """The schema in ``data_dir/datapackage.json``, or the shipped one if that folder has none."""
    path = (data_dir or DEFAULT_DATA_DIR) / DESCRIPTOR
    if path.is_symlink():
        raise SchemaError(
            f"{DESCRIPTOR} is a symbolic link; a data folder holds its own files, so it is "
            "not read (copy the file in instead)"
        )
    if not path.is_file():
        path = DEFAULT_DATA_DIR / DESCRIPTOR
    if not path.is_file():  # messages reach viewers: the file's name, never a server path
        raise SchemaError(f"{DESCRIPTOR}: the data package descriptor is missing")
    return _load(path, path.stat().st_mtime_ns)
