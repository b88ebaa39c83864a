"""The proposer's rows in the editor's hands: edit, accept, check with all the data, save.

The page (``mapapp/ui/propose_panel.py``) shows :func:`editable_records` in a table; what
comes back goes through :func:`accepted` (the editor's edits applied; the quote and its
offsets are never taken from the table, so they stay the article's own words), then
:func:`plan` (the rows each file gains, checked together with every other file), then
:func:`save`. A save *appends* the accepted rows to the file as it is at that moment and
goes through :func:`mapapp.editing.store.save_changes` (allow-list, lock, validation, audit
log); if another editor saved the same file in between, it reads the file again and
appends again, so two editors adding rows at once both keep theirs.
"""

from __future__ import annotations

import tempfile
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from mapapp.core.model import Dataset
from mapapp.core.report import Report
from mapapp.core.validate import load_dataset
from mapapp.editing import store
from mapapp.editing.editor import cells
from mapapp.editing.propose.proposer import Proposal
from mapapp.editing.propose.rows import TABLES, to_rows
from mapapp.editing.review import ReviewItem, review

#: the columns an editor may change in the table, beside "accept"
EDITABLE = (
    "place_id", "faction_ids", "status", "event_kind", "date", "date_precision", "claimant",
    "source_id", "quote_en",
)  # fmt: skip
#: how many times a save re-reads a file another editor just saved
RETRIES = 5


def editable_records(proposals: Sequence[Proposal]) -> list[dict[str, Any]]:
    """One record per proposal for the table: accepted unless the data already has it."""
    return [
        {
            # the English translation first: the one cell every accepted row needs filled
            "quote_en": p.quote_en,
            "accept": not p.existing,
            "kind": p.kind,
            "place_id": p.place_id,
            "faction_ids": ";".join(p.faction_ids),
            "status": p.status,
            "event_kind": p.event_kind,
            "date": p.date,
            "date_precision": p.date_precision,
            "claimant": p.claimant,
            "source_id": p.source_id,
            "quote_ar": p.quote_ar,
            "confidence": p.confidence,
            "existing": p.existing,
            "reasons": "; ".join(p.reasons),
        }
        for p in proposals
    ]


def accepted(proposals: Sequence[Proposal], records: Sequence[Mapping[Any, Any]]) -> list[Proposal]:
    """The proposals ticked "accept", with the editor's edits of :data:`EDITABLE` applied."""
    out = []
    for p, record in zip(proposals, records, strict=False):
        if cells(record.get("accept")) != "True":
            continue
        values = {name: cells(record.get(name)).strip() for name in EDITABLE}
        factions = [f.strip() for f in values.pop("faction_ids").split(";") if f.strip()]
        edited = replace(p, faction_ids=factions)
        for name, value in values.items():
            setattr(edited, name, value)
        out.append(edited)
    return out


@dataclass
class Plan:
    """What saving the accepted proposals would add, and whether the data stays valid."""

    rows: dict[str, list[dict[str, str]]]
    report: Report
    changes: list[ReviewItem] = field(default_factory=list)
    new_dataset: Dataset | None = None

    @property
    def can_save(self) -> bool:
        return bool(self.rows) and self.report.valid


def _new_rows(
    table: store.TableFile, proposals: Sequence[Proposal], kind: str
) -> list[dict[str, str]]:
    taken = set(table.column("id"))
    rows: list[dict[str, str]] = []
    for p in proposals:
        if p.kind == kind:
            new = to_rows(p, table.header, taken)
            taken |= {r.get("id", "") for r in new}
            rows += new
    return rows


def plan(data_dir: Path, proposals: Sequence[Proposal], current: Dataset | None) -> Plan:
    """The rows each file would gain, checked with the whole folder on a copy."""
    tables = {kind: store.read_table(data_dir, name) for kind, name in TABLES.items()}
    rows = {
        TABLES[kind]: new
        for kind, table in tables.items()
        if (new := _new_rows(table, proposals, kind))
    }
    if not rows:
        return Plan({}, Report())
    with tempfile.TemporaryDirectory(prefix="mapapp-propose-") as tmp:
        folder: Path | None = None
        for kind, table in tables.items():
            name = TABLES[kind]
            if name in rows:
                content = store.spliced(table, store.Changes(added=rows[name]))
                if folder is None:
                    folder = store.candidate_folder(data_dir, name, content, Path(tmp))
                else:
                    (folder / name).write_bytes(content)
        assert folder is not None
        result = load_dataset(folder)
    changes = review(current, result.dataset) if current and result.dataset else []
    return Plan(rows, result.report, changes, result.dataset)


def save(
    data_dir: Path, plan: Plan, *, user: str | None, allowed: Collection[str]
) -> list[store.SaveResult]:
    """Append the planned rows to their files, one save per file (see the module doc)."""
    saved = []
    for name, rows in plan.rows.items():
        for attempt in range(RETRIES):
            table = store.read_table(data_dir, name)
            try:
                saved.append(
                    store.save_changes(
                        data_dir, table, store.Changes(added=rows), user=user, allowed=allowed
                    )
                )
                break
            except store.SaveRefused as refused:
                if refused.code != "conflict" or attempt == RETRIES - 1:
                    raise
    return saved
