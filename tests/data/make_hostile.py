"""Write ``tests/data/hostile/``: the shipped data with an injection payload in every text field.

Run ``python tests/data/make_hostile.py`` from anywhere; the output is deterministic.

Every free-text field (names, notes, outlets, authors, titles, quotes, boundary notes) gets
one of :data:`PAYLOADS` appended, cycling through the list. The same original text in the
same column always gets the same payload, so rows that quote one sentence still quote one
sentence. Ids, dates, colours, URLs and geometry are left alone, so the folder still
validates: the app must show the payloads as literal text and never run them.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parents[1] / "data"
TARGET = HERE / "hostile"

#: HTML, script, template-literal, URL, bidi and template-engine injections
PAYLOADS: tuple[str, ...] = (
    '<img src=x onerror="window.__xss=1">',
    "<script>window.__xss=2</script>",
    "${window.__xss=3}",
    "`;window.__xss=4;`",
    "</script><script>window.__xss=5</script>",
    '<svg onload="window.__xss=6">',
    "javascript:window.__xss=7",
    "\u202eoverride-to-left",
    "{{7*7}}",
    "\\",
    '\\\'"><iframe src="javascript:window.parent.__xss=8">',
)

#: the free-text columns of each CSV file
CSV_FIELDS: dict[str, tuple[str, ...]] = {
    "factions.csv": ("name_en", "name_ar", "note"),
    "sources.csv": ("outlet", "outlet_ar", "author", "author_ar", "title_ar", "note"),
    "control.csv": ("quote_ar", "quote_en", "note"),
    "events.csv": ("quote_ar", "quote_en", "note"),
}
#: the free-text properties of each place
PLACE_FIELDS: tuple[str, ...] = ("name_en", "name_ar", "ref_source", "boundary_note")
UNCHANGED: tuple[str, ...] = ("datapackage.json",)


class Spiker:
    """Appends the next payload to each distinct (column, text) it is given."""

    def __init__(self) -> None:
        self.seen: dict[tuple[str, str], str] = {}

    def __call__(self, column: str, text: str) -> str:
        key = (column, text)
        if key not in self.seen:
            payload = PAYLOADS[len(self.seen) % len(PAYLOADS)]
            self.seen[key] = f"{text} {payload}" if text else payload
        return self.seen[key]


def spike_csv(text: str, fields: tuple[str, ...], spike: Spiker) -> str:
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
        writer.writerow({k: spike(k, v) if k in fields else v for k, v in row.items()})
    return out.getvalue()


def spike_places(text: str, spike: Spiker) -> str:
    collection: dict[str, Any] = json.loads(text)
    for feature in collection["features"]:
        props: dict[str, Any] = feature["properties"]
        for name in PLACE_FIELDS:
            props[name] = spike(name, str(props.get(name) or ""))
    return json.dumps(collection, ensure_ascii=False, indent=2) + "\n"


def build(target: Path = TARGET) -> int:
    """Write the hostile folder to ``target``; returns how many distinct texts were spiked."""
    spike = Spiker()
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for name in UNCHANGED:
        shutil.copyfile(SOURCE / name, target / name)
    places = (SOURCE / "neighbourhoods.geojson").read_text(encoding="utf-8-sig")
    (target / "neighbourhoods.geojson").write_text(spike_places(places, spike), encoding="utf-8")
    for name, fields in CSV_FIELDS.items():
        text = (SOURCE / name).read_text(encoding="utf-8-sig")
        (target / name).write_text(spike_csv(text, fields, spike), encoding="utf-8")
    return len(spike.seen)


def main() -> None:
    count = build()
    print(f"wrote {TARGET} ({count} texts spiked)")


if __name__ == "__main__":
    main()
