"""Write ``tests/data/hostile/``: the shipped data with hostile text in every text field.

Run ``python tests/data/make_hostile.py`` from anywhere; the output is deterministic.

The payloads are the corpus of ``tests/hostile_payloads.py``. Every free-text field of every
data file (names, notes, outlets, authors, titles, quotes, translations, reference sources,
boundary notes) and every web address gets one, rotating through the corpus so that each
payload lands somewhere and each field gets several different ones:

* a ``text`` payload is appended to the original words (after a space);
* a ``url`` payload is appended to a web address (``sources.csv`` ``url``) with no space, so
  the address stays a valid http(s) URL; an empty address becomes ``https://evil.example/``
  plus a payload;
* a ``cell`` payload (a spreadsheet formula) replaces the whole value: formulas only act at
  the start of a cell. They go into places' ``name_en``, the one free-text column of the
  state CSV download;
* the ``long`` payload (18 KB, under the validator's limit of 20,000 characters a value)
  goes into one event's note only, so the fixture and the export stay quick to test; the
  ``huge`` one (100 KB) is over that limit and is not placed at all.

A few placements are pinned (see :data:`PINS`) because tests look them up: Yarmouk's English
name carries ``<script>window.__xss=2</script>`` and ISIS's English name carries
``<img src=x onerror="window.__xss=1">``, so both show in Yarmouk's popup in English; the
CRLF payload goes into the GeoJSON (a JSON string keeps ``\\r\\n`` verbatim); al-Qadam's
names get payloads without line breaks (tests compare it with rendered text).

The same original text in the same column of the same file always gets the same payload,
so rows that quote one sentence still quote one sentence.

Left alone, because the validator rightly refuses anything but its own form there: ids
(places, factions, sources, events; the references to them in ``place_id``, ``faction_id``,
``source_id``, ``relative_to``, ``quoted_in``, ``actors``, ``against``), dates and their
precision, colours, the allowed values (``bloc``, ``kind``, ``status``, ``claimant``,
``ref_confidence``), ``claim`` codes, numbers (``ref_lat``, ``ref_lon``, ``offset_days``),
booleans and geometry; a ``url`` that is not http(s) (``javascript:``, ``data:``) is refused
too (``bad-url``). ``datapackage.json`` is copied unchanged: it is the schema, read by the
validator and by ``mapapp docs``, and never shown to viewers of the map or the export.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
if str(ROOT) not in sys.path:  # run as a script: make ``tests`` importable
    sys.path.insert(0, str(ROOT))

from tests.hostile_payloads import CORPUS, Payload, payload  # noqa: E402

SOURCE = ROOT / "data"
TARGET = HERE / "hostile"

#: every payload of the corpus that the data can hold (not the ``huge`` one)
PAYLOADS: tuple[str, ...] = tuple(p.text for p in CORPUS if p.use != "huge")
#: payloads that rotate through the free-text fields (appended after the original words);
#: those with a double quote or a CR first, so that the GeoJSON (spiked first) holds them:
#: in a CSV file a quote is doubled and a test looks for each payload verbatim in some file
TEXT_PAYLOADS: tuple[Payload, ...] = tuple(
    sorted(
        (p for p in CORPUS if p.use in ("text", "url")),
        key=lambda p: '"' not in p.text and "\r" not in p.text,
    )
)
#: payloads that keep a web address valid
URL_PAYLOADS: tuple[Payload, ...] = tuple(p for p in CORPUS if p.use == "url")
#: payloads that replace the whole cell
CELL_PAYLOADS: tuple[Payload, ...] = tuple(p for p in CORPUS if p.use == "cell")

#: the free-text columns of each CSV file (and its web address)
CSV_FIELDS: dict[str, tuple[str, ...]] = {
    "factions.csv": ("name_en", "name_ar", "note"),
    "sources.csv": ("outlet", "outlet_ar", "author", "author_ar", "title_ar", "url", "note"),
    "control.csv": ("quote_ar", "quote_en", "note"),
    "events.csv": ("quote_ar", "quote_en", "note"),
    # claimant names reach every popup ("Claim by ...")
    "claimants.csv": ("name_en", "name_ar", "note"),
    # the proposer's lexicons: names and phrases are matched text, their notes free text
    "place_names.csv": ("note",),
    "faction_names.csv": ("note",),
    "cues.csv": ("note",),
}
#: columns that hold a web address
URL_FIELDS: frozenset[str] = frozenset({"url"})
#: the free-text properties of each place
PLACE_FIELDS: tuple[str, ...] = ("name_en", "name_ar", "ref_source", "boundary_note")
GEOJSON = "neighbourhoods.geojson"
UNCHANGED: tuple[str, ...] = ("datapackage.json",)

#: (file, row id, column) -> the payload placed there instead of the next in turn
PINS: dict[tuple[str, str, str], str] = {
    (GEOJSON, "yarmouk", "name_en"): payload("legacy-script"),
    ("factions.csv", "isis", "name_en"): payload("legacy-img"),
    (GEOJSON, "airport_road", "boundary_note"): payload("crlf"),
    # a blank line in a faction's name reaches the legend, and a place's, the selected place
    ("factions.csv", "regime", "name_en"): payload("md-blank-line-link"),
    (GEOJSON, "yarmouk", "name_ar"): payload("md-blank-line-pixel"),
    # and in Arabic too the popups carry the classic onerror payload (a place's Arabic name)
    (GEOJSON, "babbila", "name_ar"): payload("legacy-img"),
    # the browser tests compare al-Qadam's name with a tooltip's innerText, which folds line
    # breaks: its name gets a payload without any
    (GEOJSON, "qadam", "name_en"): payload("svg-onload"),
    (GEOJSON, "qadam", "name_ar"): payload("legacy-script"),
    ("events.csv", "demonstration_yalda", "note"): payload("long"),
    # formulas replace the whole name: places' English names reach the CSV download
    (GEOJSON, "tadamon", "name_en"): payload("formula-hyperlink"),
    (GEOJSON, "babbila", "name_en"): payload("formula-dde"),
    (GEOJSON, "aqraba", "name_en"): payload("formula-plus"),
}


class Spiker:
    """Gives each distinct (file, column, text) its payload: a pinned one, or the next in turn."""

    def __init__(self) -> None:
        self.seen: dict[tuple[str, str, str], str] = {}
        self._turn = 0
        self._url_turn = 0

    def __call__(self, file: str, row_id: str, column: str, text: str) -> str:
        pinned = PINS.get((file, row_id, column))
        if pinned is not None:
            whole = any(p.text == pinned for p in CELL_PAYLOADS)
            return pinned if whole or not text else f"{text} {pinned}"
        key = (file, column, text)
        if key not in self.seen:
            if column in URL_FIELDS:
                chosen = URL_PAYLOADS[self._url_turn % len(URL_PAYLOADS)].text
                self._url_turn += 1
                self.seen[key] = (text or "https://evil.example/") + chosen
            else:
                chosen = TEXT_PAYLOADS[self._turn % len(TEXT_PAYLOADS)].text
                self._turn += 1
                self.seen[key] = f"{text} {chosen}" if text else chosen
        return self.seen[key]


def _row_id(row: dict[str, str]) -> str:
    """A row's id (``place_id:faction_id:start`` for control rows, which have none)."""
    return row.get("id") or ":".join(row.get(k, "") for k in ("place_id", "faction_id", "start"))


def spike_csv(name: str, text: str, fields: tuple[str, ...], spike: Spiker) -> str:
    rows = list(csv.DictReader(io.StringIO(text)))
    if not rows:
        raise SystemExit("empty CSV file")
    header = list(rows[0])
    missing = [f for f in fields if f not in header]
    if missing:
        raise SystemExit(f"columns not found: {missing}")
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        rid = _row_id(row)
        writer.writerow({k: spike(name, rid, k, v) if k in fields else v for k, v in row.items()})
    return out.getvalue()


def spike_places(text: str, spike: Spiker) -> str:
    collection: dict[str, Any] = json.loads(text)
    for feature in collection["features"]:
        props: dict[str, Any] = feature["properties"]
        for name in PLACE_FIELDS:
            props[name] = spike(GEOJSON, str(props["id"]), name, str(props.get(name) or ""))
    return json.dumps(collection, ensure_ascii=False, indent=2) + "\n"


def build(target: Path = TARGET) -> int:
    """Write the hostile folder to ``target``; returns how many distinct texts were spiked."""
    spike = Spiker()
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for name in UNCHANGED:
        shutil.copyfile(SOURCE / name, target / name)
    places = (SOURCE / GEOJSON).read_text(encoding="utf-8-sig")
    (target / GEOJSON).write_text(spike_places(places, spike), encoding="utf-8")
    for name, fields in CSV_FIELDS.items():
        text = (SOURCE / name).read_text(encoding="utf-8-sig")
        # newline="": a CRLF inside a quoted cell is written as it is
        with (target / name).open("w", encoding="utf-8", newline="") as out:
            out.write(spike_csv(name, text, fields, spike))
    archive_quotes(target)
    return len(spike.seen) + len(PINS)


def _read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _write_rows(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def archive_quotes(target: Path) -> None:
    """Archive, for each source archived in the shipped data, a text made of the spiked
    quotes located in it (one per paragraph), with its SHA-256 and every quote's offsets:
    the hostile quotes stay verified, so hostile text reaches the "verified" line too."""
    from mapapp.core.evidence import archive_of, archive_path, occurrences, sha256_hex

    sources = _read_rows(target / "sources.csv")
    archived = {r["id"] for r in sources if r.get("archive_sha256", "").strip()}
    if not archived:
        return
    quoted_in = {r["id"]: r.get("quoted_in") or "" for r in sources}
    tables = {name: _read_rows(target / name) for name in ("control.csv", "events.csv")}
    texts: dict[str, str] = {}
    for sid in sorted(archived):
        quotes = [
            row["quote_ar"].strip()
            for rows in tables.values()
            for row in rows
            if archive_of(row["source_id"], quoted_in, archived) == sid
        ]
        texts[sid] = "\n&\n".join(dict.fromkeys(quotes)) + "\n"
        (target / "sources").mkdir(exist_ok=True)
        (target / archive_path(sid)).write_bytes(texts[sid].encode("utf-8"))
    for row in sources:
        if row["id"] in archived:
            row["archive_sha256"] = sha256_hex(texts[row["id"]].encode("utf-8"))
    _write_rows(target / "sources.csv", sources)
    for name, rows in tables.items():
        for row in rows:
            holder = archive_of(row["source_id"], quoted_in, archived)
            if holder is None:
                continue
            quote = row["quote_ar"].strip()
            (start,) = occurrences(texts[holder], quote)  # each quote once: the offsets are sure
            row["quote_start"], row["quote_end"] = str(start), str(start + len(quote))
        _write_rows(target / name, rows)


def main() -> None:
    count = build()
    print(f"wrote {TARGET} ({count} texts spiked)")


if __name__ == "__main__":
    main()
