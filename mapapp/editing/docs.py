"""The editors' column reference, generated from the schema so it cannot drift.

:func:`columns_markdown` turns :func:`~mapapp.core.schema.load_schema` into one markdown table per
data file: every column with whether it is required, its type and allowed values, what it
means and an example. ``EDITING.md`` embeds it between :data:`START` and :data:`END`;
``mapapp docs --write EDITING.md`` regenerates that block.
"""

from __future__ import annotations

from typing import Any

from mapapp.core.schema import Field, Resource, Schema

START = "<!-- columns:start -->"
END = "<!-- columns:end -->"

_DATE = (
    "date: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, or `source:<source id>`; "
    "a trailing `~` marks it approximate"
)
_ID = "id: lowercase letters, digits and `_`, starting with a letter"


def _cell(text: str) -> str:
    """Text safe inside a markdown table cell."""
    return " ".join(text.split()).replace("|", "\\|")


def _code(text: str) -> str:
    return f"`{text}`"


def _example(value: Any) -> str:
    if value is None:
        return ""
    if value == "":
        return "(empty)"
    if isinstance(value, bool):
        return _code("true" if value else "false")
    return _code(str(value))


def _target(schema: Schema, resource: Resource, name: str) -> str:
    """The file a reference points to (an empty resource name means the same file)."""
    return schema.resource(name or resource.name).path


def _kind(schema: Schema, resource: Resource, fld: Field) -> str:
    """The type and allowed values of a column, in words."""
    references = {fk.field: fk.resource for fk in resource.foreign_keys}
    if fld.references:
        references[fld.name] = fld.references
    parts: list[str] = []
    pattern = fld.pattern or ""
    if fld.is_date:
        parts.append(_DATE)
    elif fld.enum is not None:
        parts.append("one of " + ", ".join(_code(v) for v in fld.enum))
    elif fld.type == "boolean":
        parts.append("`true` or `false`")
    elif fld.type == "integer":
        parts.append("whole number (negative for before)")
    elif fld.type == "number":
        parts.append("number (decimal degrees)")
    elif fld.name in references and fld.delimiter:
        target = _target(schema, resource, references[fld.name])
        parts.append(f"ids in {_code(target)}, separated by {_code(fld.delimiter)}")
    elif fld.name in references:
        parts.append(f"an id in {_code(_target(schema, resource, references[fld.name]))}")
    elif pattern.startswith("^#"):
        parts.append("colour: `#rrggbb`")
    elif pattern.startswith("^https?"):
        parts.append("web address starting `http://` or `https://`")
    elif pattern.startswith("^[a-z]"):
        parts.append(_ID)
    elif pattern.startswith("^[A-Za-z0-9_.-]+(;"):
        parts.append("codes (letters, digits, `_`, `.`, `-`) separated by `;`")
    elif pattern:
        parts.append(f"text matching {_code(pattern)}")
    elif fld.is_quote:
        parts.append("text, right to left" if fld.extra.get("dir") == "rtl" else "text")
    else:
        parts.append("text")
    if fld.min_length:
        parts.append("not empty")
    if fld.unique:
        parts.append("unique")
    return "; ".join(parts)


def resource_markdown(schema: Schema, resource: Resource) -> str:
    """One file's columns as a markdown section with a table."""
    what = "property" if resource.format == "geojson" else "column"
    lines = [
        f"### {_code(resource.path)}",
        "",
        _cell(resource.description),
        "",
        f"| {what} | required | type and allowed values | meaning | example |",
        "|---|---|---|---|---|",
    ]
    for fld in resource.fields:
        lines.append(
            "| "
            + " | ".join(
                [
                    _code(fld.name),
                    "yes" if fld.required else "no",
                    _cell(_kind(schema, resource, fld)),
                    _cell(fld.description),
                    _cell(_example(fld.example)),
                ]
            )
            + " |"
        )
    return "\n".join(lines) + "\n"


def columns_records(schema: Schema) -> list[dict[str, Any]]:
    """Every column of every data file as data (``mapapp docs --format json``)."""
    return [
        {
            "file": resource.path,
            "column": fld.name,
            "required": fld.required,
            "type": _kind(schema, resource, fld),
            "allowed": list(fld.enum) if fld.enum is not None else None,
            "meaning": fld.description,
            "example": fld.example,
        }
        for resource in schema.resources
        for fld in resource.fields
    ]


def columns_markdown(schema: Schema) -> str:
    """Every column of every data file: one markdown table per file, in schema order."""
    return "\n".join(resource_markdown(schema, r) for r in schema.resources)


def replace_block(page: str, block: str) -> str:
    """``page`` with the text between :data:`START` and :data:`END` replaced by ``block``.

    Raises ValueError when the markers are missing or out of order.
    """
    head, sep, rest = page.partition(START)
    _old, sep2, tail = rest.partition(END)
    if not sep or not sep2:
        raise ValueError(f"the markers {START} and {END} are not both there, in that order")
    return f"{head}{START}\n{block.rstrip()}\n{END}{tail}"


def extract_block(page: str) -> str:
    """The text between :data:`START` and :data:`END` (without the surrounding newlines)."""
    _head, sep, rest = page.partition(START)
    middle, sep2, _tail = rest.partition(END)
    if not sep or not sep2:
        raise ValueError(f"the markers {START} and {END} are not both there, in that order")
    return middle.strip("\n")
