"""Turning states and changes into plain records, and records into table, JSON, CSV or GeoJSON.

The records are what the CLI prints and what the app offers for download, so both agree.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

from mapapp.core.dates import FuzzyDate
from mapapp.core.model import Dataset
from mapapp.core.timeline import Change, PlaceState
from mapapp.draw.i18n import KIND, STATUS, Lang, date_label, label, t, uncertainty_text

#: characters a terminal acts on (escape sequences, bell, carriage return...) or that
#: reorder the rest of the line (bidi embeddings, overrides and isolates)
_TERMINAL = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
#: a spreadsheet reads a cell that starts with one of these as a formula
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def terminal_text(text: str) -> str:
    """``text`` with every control character and bidi control shown as ``\\uXXXX``, so text
    from the data printed to a terminal cannot drive it or reorder the line."""
    return _TERMINAL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def sheet_cell(value: str) -> str:
    """A CSV cell a spreadsheet shows as text: one that would start a formula gets a
    leading ``'`` (the usual defence against CSV formula injection)."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def date_record(d: FuzzyDate | None) -> dict[str, Any] | None:
    if d is None:
        return None
    return {
        "date": d.iso(),
        "earliest": d.earliest.isoformat(),
        "latest": d.latest.isoformat(),
        "precision": d.precision.value,
        "approximate": d.approximate,
        "label": d.label(),
        "derivation": d.derivation,
    }


def state_record(ds: Dataset, state: PlaceState) -> dict[str, Any]:
    """One place's state as JSON-ready data."""
    place = ds.places[state.place_id]
    return {
        "place_id": state.place_id,
        "name_en": place.name_en,
        "name_ar": place.name_ar,
        "date": state.day.isoformat(),
        "status": state.status,
        "factions": [
            {
                "id": r.faction_id,
                "name_en": ds.factions[r.faction_id].name_en,
                "name_ar": ds.factions[r.faction_id].name_ar,
                "status": r.status,
            }
            for r in state.rows
        ],
        # the start of the period in force; null with no data or an unknown start
        "since": date_record(state.since),
        "since_known": bool(state.rows) and state.since is not None,
        "uncertain": state.uncertain,
        "uncertainty": [
            uncertainty_text(u.kind, ds.factions[u.faction_id].name_en, u.boundary, "en")
            for u in state.uncertainty
        ],
        "source_ids": list(state.source_ids),
        "conditions": [
            {
                "kind": c.kind,
                "event_id": c.id,
                "source_id": c.source_id,
                "claimant": c.claimant,
                "quote_ar": c.quote_ar,
                "quote_en": c.quote_en,
            }
            for c in state.conditions
        ],
        "claims": [
            {
                "faction_id": r.faction_id,
                "status": r.status,
                "source_id": r.source_id,
                "claimant": r.claimant,
                "claims": list(r.claims),
                "quote_ar": r.quote_ar,
                "quote_en": r.quote_en,
                "control_line": r.line,
            }
            for r in state.rows
        ],
    }


def change_record(ds: Dataset, change: Change) -> dict[str, Any]:
    return {
        "place_id": change.place_id,
        "name_en": ds.places[change.place_id].name_en,
        "before": state_record(ds, change.before),
        "after": state_record(ds, change.after),
        "source_ids": list(change.source_ids),
    }


def state_summary(state: dict[str, Any]) -> str:
    """A state record in a few words: ``ISIS + al-Nusra Front (shared) [siege]``, ``no data``."""
    if state["status"] == "no-data":
        text = "no data"
    else:
        names = " + ".join(f["name_en"] for f in state["factions"])
        text = f"{names} ({state['status']})"
    if state["conditions"]:
        text += " [" + ", ".join(c["kind"] for c in state["conditions"]) + "]"
    return text


def _since_text(record: dict[str, Any]) -> str:
    if record["since"]:
        return str(record["since"]["label"])
    return "unknown" if record["factions"] else ""


def to_json(records: Sequence[dict[str, Any]]) -> str:
    return json.dumps(list(records), ensure_ascii=False, indent=2)


def flat_state(record: dict[str, Any]) -> dict[str, str]:
    """A state record as flat text columns (CSV, GeoPackage)."""
    since = record["since"] or {}
    return {
        "place_id": record["place_id"],
        "name_en": record["name_en"],
        "date": record["date"],
        "status": record["status"],
        "factions": ";".join(f["id"] for f in record["factions"]),
        "since": since.get("date", ""),
        "since_precision": since.get("precision", ""),
        "since_approximate": "true" if since.get("approximate") else "false",
        "uncertain": "true" if record["uncertain"] else "false",
        "conditions": ";".join(c["kind"] for c in record["conditions"]),
        "source_ids": ";".join(record["source_ids"]),
    }


def states_to_csv(records: Iterable[dict[str, Any]]) -> str:
    """The states as CSV, one row a place; no cell starts a spreadsheet formula."""
    rows = [{k: sheet_cell(v) for k, v in flat_state(r).items()} for r in records]
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return out.getvalue()


def states_to_geojson(ds: Dataset, records: Iterable[dict[str, Any]]) -> str:
    features = [
        {
            "type": "Feature",
            "id": r["place_id"],
            "properties": r,
            "geometry": ds.places[r["place_id"]].geometry,
        }
        for r in records
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)


def text_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain aligned table for terminals (controls in the text shown as escapes)."""
    header = [terminal_text(str(x)) for x in header]
    rows = [[terminal_text(str(x)) for x in row] for row in rows]
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=True)]
    lines = [
        "  ".join(str(x).ljust(w) for x, w in zip(r, widths, strict=True)).rstrip()
        for r in [header, ["-" * w for w in widths], *rows]
    ]
    return "\n".join(lines)


def states_to_table(records: Sequence[dict[str, Any]]) -> str:
    rows = [
        [
            r["place_id"],
            state_summary(r),
            _since_text(r),
            "uncertain" if r["uncertain"] else "",
            ", ".join(r["source_ids"]),
        ]
        for r in records
    ]
    return text_table(["place", "state", "since", "", "sources"], rows)


def changes_to_table(records: Sequence[dict[str, Any]]) -> str:
    if not records:
        return "No place changes between these dates."
    rows = [
        [
            r["place_id"],
            state_summary(r["before"]),
            state_summary(r["after"]),
            ", ".join(r["source_ids"]),
        ]
        for r in records
    ]
    return text_table(["place", "before", "after", "sources"], rows)


def display_rows(ds: Dataset, states: Sequence[PlaceState], lang: Lang) -> list[dict[str, str]]:
    """The state as a table for people (the accessible alternative to the map)."""
    ar = lang == "ar"
    rows = []
    for s in states:
        place = ds.places[s.place_id]
        rows.append(
            {
                t("place", lang): place.name_ar if ar else place.name_en,
                t("status", lang): label(STATUS, s.status, lang),
                t("factions", lang): ", ".join(
                    ds.factions[f].name_ar if ar else ds.factions[f].name_en for f in s.faction_ids
                ),
                t("since", lang): date_label(s.since, lang) if s.since else "",
                t("uncertain", lang): "✓" if s.uncertain else "",
                t("conditions", lang): ", ".join(label(KIND, k, lang) for k in s.condition_kinds),
                t("source", lang): ", ".join(s.source_ids),
            }
        )
    return rows


def fronts_to_table(records: Sequence[dict[str, Any]]) -> str:
    """Front segments for a terminal: the two places, their sides, length, firm or why not."""
    rows = [
        [
            f"{r['a']['place_id']} | {r['b']['place_id']}",
            f"{r['a']['side']} ({r['a']['status']}) | {r['b']['side']} ({r['b']['status']})",
            f"{r['length_m']:,} m",
            r["kind"] + (f" ({', '.join(r['because'])})" if r["because"] else ""),
        ]
        for r in records
    ]
    total = sum(r["length_m"] for r in records)
    table = text_table(["places", "sides (status)", "length", "kind"], rows)
    return f"{table}\n{len(records)} segments, {total:,} m in all."


def ground_flat(record: dict[str, Any]) -> dict[str, str]:
    """One day's ground as flat CSV cells: ``side:status_km2`` columns, then no data and
    the total."""
    row = {"date": record["date"]}
    for key, statuses in record["held_km2"].items():
        for status, km2 in statuses.items():
            row[f"{key}:{status}_km2"] = f"{km2:.3f}"
    row["no_data_km2"] = f"{record['no_data_km2']:.3f}"
    row["total_km2"] = f"{record['total_km2']:.3f}"
    return row


def ground_to_csv(records: Sequence[dict[str, Any]]) -> str:
    """The ground held, one row a day; no cell starts a spreadsheet formula."""
    rows = [{sheet_cell(k): sheet_cell(v) for k, v in ground_flat(r).items()} for r in records]
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return out.getvalue()


def ground_to_table(records: Sequence[dict[str, Any]]) -> str:
    """The ground held for a terminal: a column per side and status, km²."""
    flat = [ground_flat(r) for r in records]
    if not flat:
        return "(no days)"
    header = [k.removesuffix("_km2") for k in flat[0]]
    return text_table(header, [list(r.values()) for r in flat]) + "\n(km²)"
