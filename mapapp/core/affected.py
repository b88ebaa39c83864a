"""Validate an edit of the control table by the places it touches.

The rules on control rows hold per row (cells, references, quotes, dates) and per place and
source (periods overlapping, a source contradicting itself); no rule relates rows of
different places, and control.csv has no key to be unique. So when a folder was valid as a
whole and only control.csv changed, the new folder's problems are exactly those that
:func:`mapapp.core.validate.validate` finds among the rows of the places the edit touches
(a row's old place and its new one), each at its line in the new file: the other rows, and
every other file, are as they were when they validated.

:func:`affected_report` runs the validator's own checks on those rows alone (with their real
lines), and on every other file but the places' geometry (the places' ids are given), so
its messages are the validator's. The caller (the editor's store) must know that the rest
of the folder validated: it keeps the digests of the last folder that did.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from pathlib import Path

from mapapp.core.read import RawTable
from mapapp.core.report import Report
from mapapp.core.schema import Resource, Schema, load_schema
from mapapp.core.validate import _check_columns, _Validator

#: the table whose edits are validated by the places they touch
EDITED = "control"


class _AffectedValidator(_Validator):
    def __init__(
        self,
        schema: Schema,
        data_dir: Path,
        header: list[str],
        records: list[tuple[int, dict[str, str]]],
        place_ids: Collection[str],
    ) -> None:
        super().__init__(schema, data_dir)
        self.build = False
        self.header = header
        self.records = records
        self.place_ids = set(place_ids)

    def read_table(self, res: Resource) -> None:
        if res.name != EDITED:
            super().read_table(res)
            return
        self.rows[res.name] = []
        self.ids[res.name] = set()
        self.add(_check_columns(res, RawTable(res.path, header=self.header)))
        absent = frozenset(f.name for f in res.fields if f.required and f.name not in self.header)
        self.check_rows(res, self.records, absent, skip=[frozenset()] * len(self.records))

    def read_places(self, res: Resource) -> None:
        # the places file is unchanged and valid: its ids are all a control row can use
        self.rows[res.name] = []
        self.ids[res.name] = set(self.place_ids)


def affected_report(
    data_dir: Path,
    header: Sequence[str],
    records: list[tuple[int, dict[str, str]]],
    place_ids: Collection[str],
) -> Report:
    """The problems of ``data_dir`` with its control table's rows of the touched places
    replaced by ``records`` ((line in the new file, cells by column), in file order), given
    that the folder validated before the edit and only control.csv changed. ``place_ids``
    are the ids of the places file (unchanged)."""
    schema = load_schema(data_dir)
    validator = _AffectedValidator(schema, Path(data_dir), list(header), records, place_ids)
    return validator.run().report


def edited_file(schema: Schema) -> str:
    """The file whose edits :func:`affected_report` validates."""
    return schema.resource(EDITED).path


def place_ids(data: bytes) -> set[str]:
    """The ids of the places in the bytes of a places file that validated (each feature's
    ``id`` property, as the validator reads it)."""
    import json

    document = json.loads(data.decode("utf-8-sig"))
    return {str(feature["properties"]["id"]).strip() for feature in document.get("features", [])}


__all__ = ["EDITED", "affected_report", "edited_file", "place_ids"]
