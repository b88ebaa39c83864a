"""Proposals as rows of the data files: the one place that knows their columns.

:func:`to_rows` maps a proposal to rows of ``control.csv`` (one per faction: the data
records shared control as one row per faction) or ``events.csv`` (one row; the factions as
``actors``). Columns the proposer cannot fill (``quote_en``, ``note``, ``against``) are left
empty for the editor; a column the mapping does not know is left empty too, so the rows
follow whatever header the file has.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Collection, Sequence

from mapapp.editing.propose.proposer import Proposal

TABLES = {"control": "control.csv", "event": "events.csv"}


def event_id(p: Proposal, taken: Collection[str]) -> str:
    """A new event id: kind_place_date (``attack_yalda_2015_09``), numbered if taken."""
    when = re.sub(r"[^0-9]+", "_", p.date.split(":")[-1]).strip("_") if p.date else ""
    if p.date.startswith("source:"):
        when = p.date.removeprefix("source:").rstrip("~")
    base = re.sub(r"[^a-z0-9]+", "_", f"{p.event_kind}_{p.place_id}_{when}".lower()).strip("_")
    ident, n = base, 2
    while ident in taken:
        ident, n = f"{base}_{n}", n + 1
    return ident


def to_rows(
    p: Proposal, header: Sequence[str], taken_ids: Collection[str] = ()
) -> list[dict[str, str]]:
    """The rows ``p`` adds to its table, with the table's ``header`` as keys."""
    common = {
        "place_id": p.place_id,
        "source_id": p.source_id,
        "claim": f"at{p.quote_start}",
        "claimant": p.claimant,
        "quote_ar": p.quote_ar,
        "quote_en": p.quote_en,
        "note": "",
    }
    if p.kind == "control":
        cells = [
            {
                **common,
                "faction_id": faction,
                "start": p.date,
                "start_precision": p.date_precision,
                "status": p.status,
            }
            for faction in p.faction_ids
        ]
    else:
        cells = [
            {
                **common,
                "id": event_id(p, taken_ids),
                "date": p.date,
                "date_precision": p.date_precision,
                "kind": p.event_kind,
                "actors": ";".join(p.faction_ids),
            }
        ]
    return [{name: row.get(name, "") for name in header} for row in cells]


def rows_to_csv(header: Sequence[str], rows: Sequence[dict[str, str]]) -> str:
    """CSV text with a header line, quoted as the data files are."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(header), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
