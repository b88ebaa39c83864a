"""The in-app editor's logic, without Streamlit: columns, preview, and who may write.

The page (``mapapp/ui/edit_page.py``) only lays these out. Writing goes through
:func:`mapapp.editing.store.save_table`, which checks the editor's identity itself.
"""

from __future__ import annotations

import getpass
import math
import re
import tempfile
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mapapp.core.evidence import locate_quote
from mapapp.core.model import Dataset
from mapapp.core.report import Report
from mapapp.core.schema import Field, Schema
from mapapp.core.validate import load_dataset
from mapapp.editing import store
from mapapp.editing.review import ReviewItem, review

#: the tables an editor can change in the app (places need a GIS editor)
EDITABLE = ("control.csv", "events.csv", "sources.csv", "claimants.csv", "factions.csv")


@dataclass(frozen=True)
class ColumnSpec:
    """How a column is edited: free text (with an optional pattern) or a choice."""

    name: str
    help: str
    required: bool
    options: tuple[str, ...] | None = None
    pattern: str | None = None


def resource_for(schema: Schema, file: str) -> str:
    for res in schema.resources:
        if res.path == file:
            return res.name
    raise KeyError(file)


def _choices(fld: Field, target: str | None, ds: Dataset | None) -> tuple[str, ...] | None:
    """Allowed values, or the ids a reference column may take; None for free text."""
    if fld.enum:
        return tuple(fld.enum) if fld.required else ("", *fld.enum)
    if ds is None or target is None or fld.delimiter:
        return None
    tables: dict[str, Collection[str]] = {
        "neighbourhoods": ds.places,
        "factions": ds.factions,
        "sources": ds.sources,
    }
    ids = tables.get(target)
    if ids is None:
        return None
    return tuple(ids) if fld.required else ("", *ids)


def column_specs(schema: Schema, file: str, ds: Dataset | None) -> list[ColumnSpec]:
    """One spec per column of ``file``: choices for ids and allowed values, patterns else."""
    res = schema.resource(resource_for(schema, file))
    targets = {fk.field: fk.resource for fk in res.foreign_keys}
    return [
        ColumnSpec(
            name=fld.name,
            help=fld.description,
            required=fld.required,
            options=_choices(fld, fld.references or targets.get(fld.name), ds),
            pattern=fld.pattern,
        )
        for fld in res.fields
    ]


def cells(value: Any) -> str:
    """A table editor's cell as CSV text (empty for missing values)."""
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    return str(value)


@dataclass(frozen=True)
class NewClaim:
    """What the "add a claim from another source" form asks: one source's claim that one
    faction holds one place, as of its report (or since a start it gives)."""

    place_id: str
    faction_id: str
    status: str
    source_id: str
    claimant: str
    quote_ar: str
    quote_en: str
    start: str = ""
    as_of: str = ""
    end: str = ""
    credibility: str = ""
    claim: str = ""
    note: str = ""


def claim_row(
    claim: NewClaim, header: Sequence[str], data_dir: Path | None = None
) -> dict[str, str]:
    """The new claim as a control.csv row in the file's column order (cells the file has no
    column for are dropped; the validator then says what is missing). Every value is
    stripped; the precision cells are left empty (read from the dates as written). With
    ``data_dir``, a quote of an archived source gets its offsets in the archived text when
    it occurs there once (see :func:`mapapp.core.evidence.locate_quote`)."""
    offsets = locate_quote(data_dir, claim.source_id, claim.quote_ar) if data_dir else None
    values = {
        "place_id": claim.place_id,
        "faction_id": claim.faction_id,
        "start": claim.start,
        "end": claim.end,
        "as_of": claim.as_of,
        "status": claim.status,
        "source_id": claim.source_id,
        "credibility": claim.credibility,
        "claim": claim.claim or "X1",
        "claimant": claim.claimant,
        "quote_ar": claim.quote_ar,
        "quote_en": claim.quote_en,
        "note": claim.note,
        "quote_start": str(offsets[0]) if offsets else "",
        "quote_end": str(offsets[1]) if offsets else "",
    }
    return {name: values.get(name, "").strip() for name in header}


def rows_from_records(
    records: Sequence[Mapping[Any, Any]], header: Sequence[str]
) -> list[dict[str, str]]:
    """Edited records back to CSV rows in the file's column order; blank rows dropped."""
    rows = []
    for record in records:
        row = {name: cells(record.get(name)) for name in header}
        if any(row.values()):
            rows.append(row)
    return rows


@dataclass
class Preview:
    """What a save would do: the row diff, the problems, and the change on the map."""

    diff: store.RowDiff
    report: Report
    map_changes: list[ReviewItem] = field(default_factory=list)
    new_dataset: Dataset | None = None

    @property
    def can_save(self) -> bool:
        return not self.diff.empty and self.report.valid


def preview(
    data_dir: Path, table: store.TableFile, rows: list[dict[str, str]], current: Dataset | None
) -> Preview:
    """Validate the edited table together with the rest of the folder, on a copy."""
    diff = store.row_diff(table.rows, rows)
    if diff.empty:
        return Preview(diff, Report())
    return _preview_of(data_dir, table.name, store.render(table, rows), diff, current)


def _preview_of(
    data_dir: Path, name: str, content: bytes, diff: store.RowDiff, current: Dataset | None
) -> Preview:
    """The folder with ``content`` as file ``name``, loaded on a copy: its problems and,
    against ``current``, the change on the map."""
    with tempfile.TemporaryDirectory(prefix="mapapp-preview-") as tmp:
        folder = store.candidate_folder(data_dir, name, content, Path(tmp))
        result = load_dataset(folder)
    changes: list[ReviewItem] = []
    if result.dataset is not None and current is not None:
        changes = review(current, result.dataset)
    return Preview(diff, result.report, changes, result.dataset)


#: rows a table shows at once: a table of a million rows is edited a page at a time
PAGE_ROWS = 1_000
#: tables up to this many rows show what an edit changes on the map (that loads the whole
#: new folder row by row; a larger table's edit is validated by the places it touches)
MAP_PREVIEW_ROWS = 20_000


def page_indices(table: store.TableFile, place: str = "", page: int = 0) -> list[int]:
    """The positions of the rows shown: those of ``place`` (every row when empty), the
    ``page``-th :data:`PAGE_ROWS` of them."""
    if place.strip():
        chosen: Sequence[int] = table.indices_where("place_id", place)
    else:
        chosen = range(table.row_count)
    start = max(0, page) * PAGE_ROWS
    return list(chosen[start : start + PAGE_ROWS])


def changes_from_editor(
    state: Mapping[str, Any],
    shown: Sequence[int],
    pending: Sequence[Mapping[str, str]],
    header: Sequence[str],
) -> store.Changes:
    """The edit a table editor made, from its state (Streamlit's ``data_editor``:
    ``edited_rows`` by position, ``added_rows``, ``deleted_rows``) over a table showing the
    rows at ``shown`` and then the ``pending`` new rows. Cells become CSV text (empty for a
    missing value); columns not in ``header`` are ignored; an added row left blank is
    dropped."""
    edited: dict[int, dict[str, str]] = {}
    extra = [dict(row) for row in pending]
    for key, cells_by_column in (state.get("edited_rows") or {}).items():
        position = int(key)
        values = {str(k): cells(v) for k, v in dict(cells_by_column).items() if str(k) in header}
        if position < len(shown):
            edited.setdefault(shown[position], {}).update(values)
        elif position - len(shown) < len(extra):
            extra[position - len(shown)].update(values)
    deleted: set[int] = set()
    dropped: set[int] = set()
    for key in state.get("deleted_rows") or []:
        position = int(key)
        if position < len(shown):
            deleted.add(shown[position])
        else:
            dropped.add(position - len(shown))
    added = [row for i, row in enumerate(extra) if i not in dropped]
    for record in state.get("added_rows") or []:
        row = {name: cells(dict(record).get(name)) for name in header}
        if any(row.values()):
            added.append(row)
    added = [{name: cells(row.get(name)) for name in header} for row in added]
    return store.Changes(edited=edited, deleted=deleted, added=added)


def preview_changes(
    data_dir: Path, table: store.TableFile, changes: store.Changes, current: Dataset | None
) -> Preview:
    """What saving ``changes`` would do: the rows, the problems (found as the save finds
    them: by the places the edit touches when it can be sure) and, for a table of at most
    :data:`MAP_PREVIEW_ROWS` rows, the change on the map."""
    diff = store.changes_diff(table, changes)
    if diff.empty:
        return Preview(diff, Report())
    if table.row_count > MAP_PREVIEW_ROWS:
        return Preview(diff, store.check_changes(data_dir, table, changes))
    return _preview_of(data_dir, table.name, store.spliced(table, changes), diff, current)


#: rows of each table the preview shows: a pasted block of thousands of rows is counted,
#: not drawn on every rerun
PREVIEW_ROWS = 200


@dataclass(frozen=True)
class PreviewTable:
    """One table of the preview: its title (a key of :mod:`mapapp.editing.words`), the rows
    shown and how many more there are."""

    key: str
    rows: list[dict[str, str]]
    more: int

    @property
    def note(self) -> str:
        return f"… and {self.more:,} more rows not shown" if self.more else ""


def preview_tables(diff: store.RowDiff, limit: int = PREVIEW_ROWS) -> list[PreviewTable]:
    """The added, removed and changed rows as at most ``limit`` rows a table."""
    changed = [row for pair in diff.changed for row in pair]
    out = []
    for key, rows in (
        ("added_rows", diff.added),
        ("removed_rows", diff.removed),
        ("changed_rows", changed),
    ):
        if rows:
            out.append(PreviewTable(key, rows[:limit], max(0, len(rows) - limit)))
    return out


def md_literal(text: str) -> str:
    """Text shown literally inside a line of Streamlit's Markdown (an address in a notice):
    every character that starts Markdown, HTML, math or a shortcode mid-line
    backslash-escaped, line breaks folded."""
    flat = " ".join(text.splitlines())
    return re.sub(r"([\\`*_{}\[\]()#!|<>~:$&])", r"\\\1", flat)


def verified_email(user: Mapping[str, Any]) -> tuple[str, bool]:
    """(the signed-in user's e-mail or "", whether the identity provider verified it).

    Only ``email_verified`` exactly true counts: an unverified address is whatever the
    account's owner typed, so it may be an editor's address without being theirs.
    """
    if not user.get("is_logged_in"):
        return "", False
    email = user.get("email")
    if not isinstance(email, str):
        return "", False
    return email, user.get("email_verified") is True


def editors_from_secrets(secrets: Mapping[str, Any]) -> tuple[str, ...]:
    """The allow-listed editor e-mails (``[mapapp] editors = [...]`` in secrets.toml)."""
    section = secrets.get("mapapp") or {}
    editors = section.get("editors") if isinstance(section, Mapping) else None
    if isinstance(editors, str):
        editors = [editors]
    if not isinstance(editors, Sequence):
        return ()
    return tuple(str(e).strip().lower() for e in editors if str(e).strip())


def auth_configured(secrets: Mapping[str, Any]) -> bool:
    """Whether Streamlit's built-in login (OIDC, ``[auth]`` in secrets.toml) is set up."""
    auth = secrets.get("auth")
    return (
        isinstance(auth, Mapping)
        and bool(auth.get("redirect_uri"))
        and bool(auth.get("cookie_secret"))
    )


#: set to 1 to edit on one's own machine without a login (see :func:`local_access`)
LOCAL_ENV = "MAPAPP_LOCAL_EDITING"
#: the addresses that only this machine can reach
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass(frozen=True)
class LocalAccess:
    """Local mode: ``user`` (the operating-system user) edits, or ``refused`` says why not."""

    user: str = ""
    refused: bool = False
    address: str = ""


def local_access(env: Mapping[str, str], server_address: str | None) -> LocalAccess | None:
    """Local mode, if asked for (``MAPAPP_LOCAL_EDITING=1``); None when it is not.

    It is granted only when the server listens on a loopback address (``--server.address
    127.0.0.1``): anyone who can reach the server could otherwise edit without a login.
    The identity is the operating-system user running the server, written to the audit log.
    """
    if env.get(LOCAL_ENV, "").strip().lower() not in ("1", "true", "yes", "on"):
        return None
    address = (server_address or "").strip()
    if address not in LOOPBACK:
        return LocalAccess(refused=True, address=address or "every network interface")
    return LocalAccess(user=getpass.getuser(), address=address)


SECRETS_EXAMPLE = """\
# .streamlit/secrets.toml (never commit it)
[auth]
redirect_uri = "https://your.host/oauth2callback"
cookie_secret = "a long random string"
client_id = "…"
client_secret = "…"
server_metadata_url = "https://accounts.google.com/.well-known/openid-configuration"

[mapapp]
editors = ["editor@example.org"]
"""
