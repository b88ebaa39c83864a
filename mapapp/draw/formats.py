"""Turning states and changes into plain records, and records into table, JSON, CSV or GeoJSON.

The records are what the CLI prints and what the app offers for download, so both agree.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from mapapp.core.dates import FuzzyDate
from mapapp.core.model import Dataset, Event
from mapapp.core.report import printable
from mapapp.core.timeline import Change, PlaceState
from mapapp.draw.i18n import KIND, STATUS, Lang, date_label, label, t, uncertainty_text

#: a spreadsheet reads a cell that starts with one of these as a formula
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def terminal_text(text: str) -> str:
    """``text`` with every control character and bidi control shown as ``\\uXXXX``, so text
    from the data printed to a terminal cannot drive it or reorder the line."""
    return printable(text)


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


def report_day(d: FuzzyDate | None) -> str | None:
    """A report's date as one ISO day: the last day of its window (the day by which it was
    reported, from which the horizon is counted)."""
    return d.latest.isoformat() if d else None


def claimant_name(ds: Dataset, claimant: str, lang: Lang = "en") -> str:
    """Who speaks, from claimants.csv (the id itself when the table does not have it)."""
    c = ds.claimants.get(claimant)
    if c is None:
        return claimant
    return c.name_ar if lang == "ar" and c.name_ar else c.name_en


def claim_records(ds: Dataset, state: PlaceState) -> list[dict[str, Any]]:
    """Every claim covering the place on the day, all sources, the shown side first."""
    shown = {id(r) for r in state.rows}
    deciding = {id(r) for r in state.deciding}
    horizon = timedelta(days=ds.horizon_days)
    ordered = sorted(state.claims, key=lambda r: (id(r) not in shown, id(r) not in deciding))
    out = []
    for r in ordered:
        as_of = r.as_of or ds.sources[r.source_id].published
        src = ds.sources[r.source_id]
        out.append(
            {
                "source_id": r.source_id,
                "faction_ids": [r.faction_id],
                "status": r.status,
                "claimant": r.claimant,
                "reported": report_day(as_of),
                "reported_window": date_record(as_of),
                "stale": state.day > as_of.latest + horizon,
                "shown": id(r) in shown,
                "outlet": src.outlet,
                "reliability": src.reliability,
                "credibility": r.credibility,
                "began": date_record(r.start),
                "end": date_record(r.end),
                "faction_id": r.faction_id,
                "claimant_name": claimant_name(ds, r.claimant),
                "claims": list(r.claims),
                "quote_ar": r.quote_ar,
                "quote_en": r.quote_en,
                "control_line": r.line,
            }
        )
    return out


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
                "stale": c.id in state.stale_conditions,
                "reported": report_day(c.date),
                "source_id": c.source_id,
                "claimant": c.claimant,
                "quote_ar": c.quote_ar,
                "quote_en": c.quote_en,
            }
            for c in state.conditions
        ],
        "agreement": state.agreement,
        "claims": claim_records(ds, state),
        "as_of": report_day(state.as_of),
        "as_of_window": date_record(state.as_of),
        "first_reported": report_day(state.first_reported),
        "stale": state.stale,
        "horizon_days": ds.horizon_days,
        "rule": state.rule,
        "sides": [
            {"source_id": sid, "faction_ids": list(fids)} for sid, fids in state.sides.items()
        ],
        "events": [
            {
                "kind": e.kind,
                "event_id": e.id,
                "date": e.date.iso(),
                "source_id": e.source_id,
                "claimant": e.claimant,
                "actors": list(e.actors),
                "against": list(e.against),
                "quote_ar": e.quote_ar,
                "quote_en": e.quote_en,
            }
            for e in place_events(ds, state.place_id, state.day)
        ],
    }


#: events are listed with a place's state for this many days up to the day (as on the map)
EVENT_WINDOW_DAYS = 60


def place_events(ds: Dataset, place_id: str, day: date) -> list[Event]:
    """The place's events (not conditions) whose date window overlaps the ``EVENT_WINDOW_DAYS``
    up to ``day``."""
    start = day - timedelta(days=EVENT_WINDOW_DAYS)
    return [
        e
        for e in ds.events
        if e.place_id == place_id
        and not e.is_condition
        and e.date.earliest <= day
        and e.date.latest >= start
    ]


def change_record(ds: Dataset, change: Change) -> dict[str, Any]:
    return {
        "date": change.after.day.isoformat(),
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
        holders = [f for f in state["factions"] if f["status"] != "allied"]
        allies = [f["name_en"] for f in state["factions"] if f["status"] == "allied"]
        if state["status"] == "mixed":  # each its own status
            text = " + ".join(f"{f['name_en']} ({f['status']})" for f in holders)
        else:
            names = " + ".join(f["name_en"] for f in holders)
            text = f"{names} ({state['status']})" if names else ""
        if allies:
            text += (" " if text else "") + "with ally " + " + ".join(allies)
    if state["conditions"]:
        text += " [" + ", ".join(c["kind"] for c in state["conditions"]) + "]"
    if state.get("agreement") == "disputed":
        text += " (disputed)"
    if state.get("stale"):
        text += " (stale)"
    return text


def _since_text(record: dict[str, Any]) -> str:
    if record["since"]:
        return str(record["since"]["label"])
    if record["factions"] and record["as_of_window"]:
        return f"as of {record['as_of_window']['label']}"
    return "unknown" if record["factions"] else ""


def _flags(record: dict[str, Any]) -> str:
    flags = []
    if record["agreement"] == "disputed":
        flags.append("DISPUTED")
    if record["stale"]:
        flags.append(f"STALE (reported {record['as_of']}, horizon {record['horizon_days']} days)")
    elif record["uncertain"]:
        flags.append("uncertain")
    return ", ".join(flags)


def who_says_what(record: dict[str, Any]) -> str:
    """For a disputed place: each source and the factions it names."""
    if record["agreement"] != "disputed":
        return ""
    return "; ".join(
        f"{side['source_id']} says {'+'.join(side['faction_ids'])}" for side in record["sides"]
    )


def to_json(records: Sequence[dict[str, Any]]) -> str:
    """JSON with every terminal control escaped (``\\u009b``…): reads back the same text."""
    return printable(json.dumps(list(records), ensure_ascii=False, indent=2), keep_lines=True)


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
        "agreement": record["agreement"],
        "as_of": record["as_of"] or "",
        "stale": "true" if record["stale"] else "false",
        "rule": record["rule"],
        # every claim: source=faction(status)@reported, the shown side first
        "claims": ";".join(
            f"{c['source_id']}={'+'.join(c['faction_ids'])}({c['status']})@{c['reported']}"
            for c in record["claims"]
        ),
    }


def states_to_csv(records: Iterable[dict[str, Any]], *, terminal: bool = False) -> str:
    """The states as CSV, one row a place; no cell starts a spreadsheet formula. For a
    terminal (``terminal``), controls and line breaks in a cell are shown as escapes."""
    shown = printable if terminal else (lambda v: v)
    rows = [{k: shown(sheet_cell(v)) for k, v in flat_state(r).items()} for r in records]
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
    text = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)
    return printable(text, keep_lines=True)


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
            _flags(r),
            ", ".join(r["source_ids"]),
            who_says_what(r),
        ]
        for r in records
    ]
    table = text_table(["place", "state", "since", "caveats", "sources", "who says what"], rows)
    events = [(r["place_id"], e) for r in records for e in r["events"]]
    if events:
        lines = [
            f"  {terminal_text(pid)}: {terminal_text(e['kind'])} ({terminal_text(e['date'])}), "
            f"{terminal_text('+'.join(e['actors']))}"
            + (f" against {terminal_text('+'.join(e['against']))}" if e["against"] else "")
            + f", claimed by {terminal_text(e['claimant'])} in {terminal_text(e['source_id'])}"
            for pid, e in events
        ]
        table += "\nEvents reported in the 60 days up to the day:\n" + "\n".join(lines)
    return table


def changes_to_table(records: Sequence[dict[str, Any]]) -> str:
    if not records:
        return "No place changes between these dates."
    rows = [
        [
            r["date"],
            r["place_id"],
            state_summary(r["before"]),
            state_summary(r["after"]),
            ", ".join(r["source_ids"]),
        ]
        for r in records
    ]
    return text_table(["date", "place", "before", "after", "sources"], rows)


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
