"""A synthetic, valid data folder of any size, for the benchmarks.

``python benchmarks/synth.py --places N --rows R --out DIR`` writes a complete data folder
(``datapackage.json`` copied from ``data/``, ``neighbourhoods.geojson``, ``factions.csv``,
``sources.csv``, ``control.csv``, ``events.csv``) that passes ``python -m mapapp validate``:

* the places are a jittered hexagon tiling around southern Damascus: every vertex and every
  edge is computed once and shared by the two or three places that meet there, so
  neighbours have no gaps and no overlaps; each edge gets 1-4 extra jittered points, so a
  polygon has 12-30 vertices, and each contains its reference point (its hexagon's centre);
* the control rows spread over 2012-2020, place by place: back-to-back periods of sole,
  shared (2-3 factions), partial (alone or with a faction present) and presence control,
  with gaps (no data), periods with no known start, open-ended last periods, approximate
  and year/month/day-precision boundaries and ``source:`` dates. Periods of one place
  never overlap, so no faction overlaps itself and ``sole`` never overlaps another faction;
* a few factions, sources and events (including siege and under-attack conditions).

Everything is drawn from one seeded generator: the same arguments give the same bytes.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import random
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "data" / "datapackage.json"
#: the middle of the shipped places (southern Damascus)
CENTRE_LAT, CENTRE_LON = 33.465, 36.315
METRES_PER_DEGREE = 111_320.0
FIRST_YEAR, LAST_YEAR = 2012, 2020

FACTIONS = [
    # id, name_en, name_ar, colour, colour_cb, bloc, kind
    ("regime", "Syrian regime forces", "قوات النظام السوري", "#d62728", "#d55e00", "regime"),
    ("isis", "Islamic State (ISIS)", "تنظيم داعش", "#1a1a1a", "#000000", "jihadist"),
    ("nusra", "al-Nusra Front", "جبهة النصرة", "#b8860b", "#e69f00", "jihadist"),
    ("jaysh_islam", "Jaysh al-Islam", "جيش الإسلام", "#1b7837", "#0072b2", "opposition"),
    ("ahrar_sham", "Ahrar al-Sham", "أحرار الشام", "#7570b3", "#56b4e9", "opposition"),
    ("ajnad_sham", "Ajnad al-Sham", "أجناد الشام", "#66c2a4", "#009e73", "opposition"),
    ("opposition", "Opposition factions", "فصائل المعارضة", "#4daf4a", "#f0e442", "opposition"),
    ("local_council", "Local council", "المجلس المحلي", "#a6761d", "#cc79a7", "civil"),
]
SOURCES = [
    # id, outlet, outlet_ar, published
    ("syn_daily_2013", "Synthetic Daily", "اليومية", "2013-04-17"),
    ("syn_weekly_2015", "Synthetic Weekly", "الأسبوعية", "2015-09-08"),
    ("syn_report_2017", "Synthetic Report", "التقرير", "2017-02-21"),
    ("syn_monitor_2019", "Synthetic Monitor", "المرصد", "2019-11-05"),
]
QUOTES = [
    ("يسيطر على الحي", "controls the neighbourhood"),
    ("تقاسم السيطرة على البلدة", "shared control of the town"),
    ("سيطر على أجزاء من المخيم", "took parts of the camp"),
    ("تنتشر قواته في المنطقة", "its forces are in the area"),
    ("انسحب من الحي بعد معارك", "withdrew after battles"),
]
CLAIMANTS = ["anonymous-source", "activists", "elaph"]
CONTROL_HEADER = [
    "place_id",
    "faction_id",
    "start",
    "start_precision",
    "end",
    "end_precision",
    "as_of",
    "as_of_precision",
    "status",
    "source_id",
    "credibility",
    "claim",
    "claimant",
    "quote_ar",
    "quote_en",
    "note",
]
EVENTS_HEADER = [
    "id",
    "date",
    "date_precision",
    "end",
    "end_precision",
    "place_id",
    "kind",
    "actors",
    "against",
    "source_id",
    "claim",
    "claimant",
    "quote_ar",
    "quote_en",
    "note",
]
#: (kind, statuses of its rows, weight): one period of one place
PERIOD_KINDS: list[tuple[str, tuple[str, ...], float]] = [
    ("sole", ("sole",), 0.45),
    ("shared2", ("shared", "shared"), 0.20),
    ("shared3", ("shared", "shared", "shared"), 0.07),
    ("partial", ("partial",), 0.10),
    ("partial_presence", ("partial", "presence"), 0.08),
    ("presence", ("presence",), 0.10),
]


@dataclass(frozen=True)
class Boundary:
    """A period boundary as written in the CSV, and the day it is read at."""

    day: date
    text: str
    precision: str


def place_id(index: int) -> str:
    return f"p{index:05d}"


# -- geometry ------------------------------------------------------------------------------
# A pointy-top hexagon grid on an integer lattice: x in units of half a hexagon's width
# (sqrt(3)/2 * size), y in units of half its circumradius (size / 2). Hexagon (c, r) is
# centred at (2c + r % 2, 3r); its corners are the six offsets below, so corners shared by
# neighbours have the same integer key, and so does the edge between two corners.
_CORNERS = [(1, 1), (0, 2), (-1, 1), (-1, -1), (0, -2), (1, -1)]


class HexTiling:
    def __init__(self, count: int, seed: int) -> None:
        self.count = count
        self.seed = seed
        self.cols = max(1, math.ceil(math.sqrt(count)))
        #: circumradius in metres: neighbourhood-sized for a few places, smaller for many
        self.size = max(150.0, 650.0 / math.sqrt(max(count, 12) / 12))
        self.rows = math.ceil(count / self.cols)
        self._vertices: dict[tuple[int, int], tuple[float, float]] = {}
        self._edges: dict[tuple[tuple[int, int], tuple[int, int]], list[tuple[float, float]]] = {}
        self._cos_lat = math.cos(math.radians(CENTRE_LAT))

    def _rng(self, *key: object) -> random.Random:
        return random.Random(f"{self.seed}:" + ":".join(map(str, key)))

    def _metres(self, x: float, y: float) -> tuple[float, float]:
        """Lattice units to metres from the grid's centre."""
        half_w = math.sqrt(3) / 2 * self.size
        cx = (2 * (self.cols - 1) + 1) / 2
        cy = 3 * (self.rows - 1) / 2
        return (x - cx) * half_w, (y - cy) * self.size / 2

    def _lonlat(self, mx: float, my: float) -> tuple[float, float]:
        lon = CENTRE_LON + mx / (METRES_PER_DEGREE * self._cos_lat)
        lat = CENTRE_LAT + my / METRES_PER_DEGREE
        return round(lon, 5), round(lat, 5)

    def _vertex(self, key: tuple[int, int]) -> tuple[float, float]:
        """A corner in metres, jittered once (the same for every hexagon sharing it)."""
        found = self._vertices.get(key)
        if found is None:
            rng = self._rng("v", *key)
            mx, my = self._metres(*key)
            jitter = 0.12 * self.size
            found = (mx + rng.uniform(-jitter, jitter), my + rng.uniform(-jitter, jitter))
            self._vertices[key] = found
        return found

    def _edge(self, a: tuple[int, int], b: tuple[int, int]) -> list[tuple[float, float]]:
        """The points strictly between corners a and b (in metres), in a -> b order. Stored
        once per unordered edge, so the neighbour on the other side walks the same points
        backwards. Points advance monotonically along the edge and stay within a tenth of
        its length of it, so the ring never crosses itself."""
        key = (a, b) if a < b else (b, a)
        points = self._edges.get(key)
        if points is None:
            rng = self._rng("e", *key[0], *key[1])
            (ax, ay), (bx, by) = self._vertex(key[0]), self._vertex(key[1])
            length = math.hypot(bx - ax, by - ay)
            nx, ny = -(by - ay) / length, (bx - ax) / length
            k = rng.randint(1, 4)
            points = []
            for i in range(1, k + 1):
                t = (i + rng.uniform(-0.25, 0.25)) / (k + 1)
                offset = rng.uniform(-0.1, 0.1) * length
                points.append((ax + t * (bx - ax) + offset * nx, ay + t * (by - ay) + offset * ny))
            self._edges[key] = points
        return points if key == (a, b) else points[::-1]

    def cell(self, index: int) -> tuple[list[list[float]], tuple[float, float]]:
        """The closed ring (lon, lat) of place ``index`` and its reference point (lat, lon)."""
        c, r = index % self.cols, index // self.cols
        x, y = 2 * c + r % 2, 3 * r
        corners = [(x + dx, y + dy) for dx, dy in _CORNERS]
        ring: list[list[float]] = []
        for i, a in enumerate(corners):
            b = corners[(i + 1) % len(corners)]
            for mx, my in [self._vertex(a), *self._edge(a, b)]:
                ring.append(list(self._lonlat(mx, my)))
        ring.append(ring[0])
        lon, lat = self._lonlat(*self._metres(x, y))
        return ring, (lat, lon)


# -- dates ---------------------------------------------------------------------------------
def boundary_pool(rng: random.Random, extra_days: int) -> list[Boundary]:
    """Every boundary a period may start or end on, sorted, with distinct days: month starts
    (some approximate, January sometimes as a year), single days, and the sources' dates."""
    pool: dict[date, Boundary] = {}
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        for month in range(1, 13):
            day = date(year, month, 1)
            roll = rng.random()
            if month == 1 and roll < 0.3:
                text, precision = f"{year}", rng.choice(["", "year"])
            elif roll < 0.1:
                text, precision = f"{year}-{month:02d}~", ""
            else:
                text, precision = f"{year}-{month:02d}", rng.choice(["", "", "month"])
            pool[day] = Boundary(day, text, precision)
    for sid, _, _, published in SOURCES:
        day = date.fromisoformat(published)
        pool[day] = Boundary(day, f"source:{sid}", "")
    span = (date(LAST_YEAR, 12, 31) - date(FIRST_YEAR, 1, 1)).days
    while len(pool) < 108 + len(SOURCES) + extra_days:
        day = date(FIRST_YEAR, 1, 1) + timedelta(days=rng.randrange(span))
        if day.day == 1 or day in pool:
            continue
        approx = "~" if rng.random() < 0.1 else ""
        precision = rng.choice(["", "day"]) if not approx else ""
        pool[day] = Boundary(day, day.isoformat() + approx, precision)
    return sorted(pool.values(), key=lambda b: b.day)


# -- control rows --------------------------------------------------------------------------
def split_quota(quota: int, rng: random.Random) -> list[tuple[str, ...]]:
    """Periods (as the statuses of their rows) whose rows add up to exactly ``quota``."""
    periods: list[tuple[str, ...]] = []
    left = quota
    while left > 0:
        kinds = [(s, w) for _, s, w in PERIOD_KINDS if len(s) <= left]
        statuses = rng.choices([s for s, _ in kinds], weights=[w for _, w in kinds])[0]
        periods.append(statuses)
        left -= len(statuses)
    return periods


def place_rows(pid: str, quota: int, pool: list[Boundary], rng: random.Random) -> list[list[str]]:
    """Back-to-back periods of one place (with a few gaps), ``quota`` rows in all."""
    periods = split_quota(quota, rng)
    if not periods:
        return []
    gaps = sum(1 for _ in periods[1:] if rng.random() < 0.15) if len(periods) > 1 else 0
    gaps = min(gaps, len(pool) - 1 - len(periods))
    if gaps < 0:
        raise ValueError(f"{quota} rows for one place need more distinct dates than the pool has")
    bounds = sorted(rng.sample(range(len(pool)), len(periods) + gaps + 1))
    # the first and last slots are always periods (so a no-start and an open end can occur)
    middle = ["period"] * max(0, len(periods) - 2) + ["gap"] * gaps
    rng.shuffle(middle)
    kinds = ["period", *middle, "period"] if len(periods) > 1 else ["period"]
    rows: list[list[str]] = []
    factions = [f[0] for f in FACTIONS]
    previous: set[str] = set()
    queue = iter(periods)
    for i, kind in enumerate(kinds):
        if kind == "gap":
            previous = set()
            continue
        statuses = next(queue)
        start, end = pool[bounds[i]], pool[bounds[i + 1]]
        start_text, start_prec = start.text, start.precision
        end_text, end_prec = end.text, end.precision
        as_of_text, as_of_prec = "", ""
        if i == 0 and rng.random() < 0.3:
            # the source gives no start: the claim holds as of the report (then that date)
            as_of_text, as_of_prec = start_text, start_prec
            start_text, start_prec = "", ""
        if i == len(kinds) - 1 and rng.random() < 0.5:
            end_text, end_prec = "", ""  # still holds
        # a new period changes hands: prefer factions that did not hold it just before
        fresh = [f for f in factions if f not in previous] or factions
        chosen = rng.sample(fresh, len(statuses)) if len(fresh) >= len(statuses) else []
        if not chosen:
            chosen = rng.sample(factions, len(statuses))
        previous = set(chosen)
        # one source per period: its rows together are one account (a source may not
        # contradict itself; different sources may, and are drawn as disputed)
        source = rng.choice(SOURCES)[0]
        for faction, status in zip(chosen, statuses, strict=True):
            quote_ar, quote_en = rng.choice(QUOTES)
            rows.append(
                [
                    pid,
                    faction,
                    start_text,
                    start_prec,
                    end_text,
                    end_prec,
                    as_of_text,
                    as_of_prec,
                    status,
                    source,
                    "",
                    f"C{rng.randint(1, 8)}",
                    rng.choice(CLAIMANTS),
                    quote_ar,
                    quote_en,
                    "",
                ]
            )
    return rows


# -- the folder ----------------------------------------------------------------------------
def write_places(out: Path, count: int, seed: int) -> None:
    tiling = HexTiling(count, seed)
    kinds = ["neighbourhood", "neighbourhood", "town", "camp"]
    with (out / "neighbourhoods.geojson").open("w", encoding="utf-8") as f:
        f.write('{"type": "FeatureCollection", "features": [\n')
        for i in range(count):
            ring, (lat, lon) = tiling.cell(i)
            feature = {
                "type": "Feature",
                "properties": {
                    "id": place_id(i),
                    "name_en": f"Place {i}",
                    "name_ar": f"مكان {i}",
                    "kind": kinds[i % len(kinds)],
                    "ref_lat": lat,
                    "ref_lon": lon,
                    "ref_source": "synthetic hexagon centre",
                    "ref_confidence": "low",
                    "boundary_approximate": True,
                    "boundary_note": "Synthetic boundary for benchmarks.",
                },
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
            sep = ",\n" if i < count - 1 else "\n"
            f.write(json.dumps(feature, ensure_ascii=False) + sep)
        f.write("]}\n")


def schema_columns(file: str) -> list[str]:
    """Every column the shipped schema declares for ``file``, in its order: the files are
    written with all of them (optional ones empty), as frictionless expects every label."""
    descriptor = json.loads(SCHEMA.read_text(encoding="utf-8"))
    (resource,) = (r for r in descriptor["resources"] if r["path"] == file)
    return [f["name"] for f in resource["schema"]["fields"]]


def widen(header: list[str], full: list[str]) -> Callable[[list[str]], list[str]]:
    """A function that moves a row written under ``header`` to the columns ``full``."""
    at = [header.index(c) if c in header else None for c in full]
    return lambda row: ["" if i is None else row[i] for i in at]


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    full = schema_columns(path.name)
    move = widen(header, full)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(full)
        writer.writerows(move(row) for row in rows)


def write_tables(out: Path, places: int, rows: int, rng: random.Random) -> None:
    write_csv(
        out / "factions.csv",
        ["id", "name_en", "name_ar", "colour", "colour_cb", "bloc", "kind", "note"],
        [
            [fid, en, ar, c, cb, bloc, "civil" if bloc == "civil" else "armed", ""]
            for fid, en, ar, c, cb, bloc in FACTIONS
        ],
    )
    sources_header = [
        "id", "outlet", "outlet_ar", "author", "author_ar", "title_ar", "url", "published",
        "published_precision", "relative_to", "offset_days", "approximate", "reliability",
        "quoted_in", "note",
    ]  # fmt: skip
    sources = [
        [sid, outlet, outlet_ar, "", "", "", f"https://example.org/{sid}", published,
         "day", "", "", "false", "", "", "Synthetic source for benchmarks."]
        for sid, outlet, outlet_ar, published in SOURCES
    ]  # fmt: skip
    write_csv(out / "sources.csv", sources_header, sources)
    write_csv(
        out / "claimants.csv",
        ["id", "name_en", "name_ar", "note"],
        [[c, c, "", "Synthetic claimant for benchmarks."] for c in CLAIMANTS],
    )
    per_place, extra = divmod(rows, places) if places else (0, 0)
    pool = boundary_pool(rng, extra_days=max(120, 2 * (per_place + 1)))
    full = schema_columns("control.csv")
    move = widen(CONTROL_HEADER, full)
    with (out / "control.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(full)
        for i in range(places):
            quota = per_place + (1 if i < extra else 0)
            writer.writerows(move(row) for row in place_rows(place_id(i), quota, pool, rng))
    write_csv(out / "events.csv", EVENTS_HEADER, events(places, rng))


def events(places: int, rng: random.Random) -> list[list[str]]:
    """A few events: attacks, shelling, a demonstration, and siege/under-attack conditions
    (with an end, or over their date's own month)."""
    if not places:
        return []
    out = []
    count = min(30, 6 + places // 500)
    kinds = ["siege", "under-attack", "attack", "shelling", "demonstration", "takeover"]
    factions = [f[0] for f in FACTIONS]
    for i in range(count):
        kind = kinds[i % len(kinds)]
        year, month = rng.randint(FIRST_YEAR, LAST_YEAR), rng.randint(1, 12)
        when = f"{year}-{month:02d}"
        end = ""
        if kind == "siege":
            end = f"{year + 1}-{month:02d}"
        actors, against = rng.sample(factions, 2)
        quote_ar, quote_en = rng.choice(QUOTES)
        out.append(
            [
                f"ev{i:03d}",
                when,
                "",
                end,
                "",
                place_id(rng.randrange(places)),
                kind,
                actors,
                against,
                rng.choice(SOURCES)[0],
                f"C{rng.randint(1, 8)}",
                rng.choice(CLAIMANTS),
                quote_ar,
                quote_en,
                "",
            ]
        )
    return out


def generate(out: Path, places: int, rows: int, seed: int = 2015) -> Path:
    """Write the folder (created if needed; its data files are overwritten)."""
    if places < 1:
        raise ValueError("at least one place")
    out.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SCHEMA, out / "datapackage.json")
    rng = random.Random(seed)
    write_places(out, places, seed)
    write_tables(out, places, rows, rng)
    write_optional(out)
    return out


def write_optional(out: Path) -> None:
    """The optional resources (the proposer's lexicons), empty: their header only, so that
    a validator that requires every declared file (frictionless) finds them."""
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    for res in schema["resources"]:
        if res.get("x-mapapp", {}).get("optional"):
            header = ",".join(f["name"] for f in res["schema"]["fields"])
            (out / res["path"]).write_text(header + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--places", type=int, required=True, help="number of places (N)")
    parser.add_argument("--rows", type=int, required=True, help="number of control rows (R)")
    parser.add_argument("--out", type=Path, required=True, help="the folder to write")
    parser.add_argument("--seed", type=int, default=2015)
    args = parser.parse_args(argv)
    generate(args.out, args.places, args.rows, args.seed)
    print(f"wrote {args.places} places and {args.rows} control rows to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
