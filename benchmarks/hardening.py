"""The resource cases of the second hardening round (issue 16, findings 2 and 4), measured.

Each case is valid-looking data inside every documented limit that once took minutes or
gigabytes. ``python benchmarks/hardening.py`` builds each case in a temporary folder and
measures it in its own subprocess, one at a time (wall time and peak resident memory of
that process): validating the folder (``load_dataset``, what ``mapapp validate``, the page
and the editor's preview run) and, when it is valid, building the map's bundle (what the
page and ``mapapp export`` do before the first map).

    python benchmarks/hardening.py                 # every case, printed as a table
    python benchmarks/hardening.py --json out.json # and the figures as JSON
    python benchmarks/hardening.py --only events   # duplicates, polygon, periods, events

The generators are also used by ``tests/test_scaling.py`` (at small sizes, counting work,
never timing it).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "tests" / "data" / "valid"

#: the sizes of the report (issue 16) and the figures measured then, before the fixes
CASES: dict[str, tuple[int, str]] = {
    "duplicates": (4_000, "296 s, 14.8 GB (mapapp validate)"),
    "polygon": (8, "34 s before the first map"),
    "periods": (4_000, "214 s (bundle build)"),
    "events": (100_000, "133 s, 2.7 GB"),
}


def _append_rows(path: Path, rows: list[list[str]]) -> None:
    with path.open("a", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerows(rows)


def _add_place(folder: Path, pid: str, lon: float, lat: float, size: float) -> None:
    """A square place (five points) of ``size`` degrees with its reference at the centre."""
    path = folder / "neighbourhoods.geojson"
    data = json.loads(path.read_text(encoding="utf-8"))
    feature = json.loads(json.dumps(data["features"][0]))
    x0, y0, x1, y1 = lon - size / 2, lat - size / 2, lon + size / 2, lat + size / 2
    feature["properties"].update(
        {"id": pid, "name_en": pid.title(), "ref_lat": lat, "ref_lon": lon}
    )
    feature["geometry"] = {
        "type": "Polygon",
        "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]],
    }
    data["features"].append(feature)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def duplicates(folder: Path, n: int) -> Path:
    """The valid fixture with its first control row pasted ``n`` more times."""
    shutil.copytree(BASE, folder)
    control = folder / "control.csv"
    lines = control.read_text(encoding="utf-8").splitlines(keepends=True)
    control.write_text("".join(lines) + lines[1] * n, encoding="utf-8")
    return folder


def _row(header: list[str], **values: str) -> list[str]:
    return [values.get(column, "") for column in header]


def polygon(folder: Path, degrees: int) -> Path:
    """A five-point square place ``degrees`` by ``degrees``, shared by two factions (so the
    map stripes it), away from the fixture's places."""
    shutil.copytree(BASE, folder)
    _add_place(folder, "vast", 45.0, 25.0, float(degrees))
    header = next(csv.reader(io.StringIO((folder / "control.csv").read_text("utf-8"))))
    common = {"place_id": "vast", "start": "2015-01-01", "start_precision": "day"}
    common |= {"status": "shared", "source_id": "art", "claim": "C7", "claimant": "elaph"}
    common |= {"quote_ar": "اقتباس", "quote_en": "quote"}
    _append_rows(
        folder / "control.csv",
        [_row(header, faction_id=f, **common) for f in ("regime", "isis")],
    )
    return folder


def periods(folder: Path, n: int) -> Path:
    """``n`` consecutive one-day periods for one new place, factions alternating."""
    shutil.copytree(BASE, folder)
    _add_place(folder, "busy", 36.5, 33.2, 0.01)
    header = next(csv.reader(io.StringIO((folder / "control.csv").read_text("utf-8"))))
    first = date(2010, 1, 1)
    rows = []
    for k in range(n):
        day, after = first + timedelta(days=k), first + timedelta(days=k + 1)
        rows.append(
            _row(
                header,
                place_id="busy",
                faction_id=("regime", "isis")[k % 2],
                start=day.isoformat(),
                start_precision="day",
                end=after.isoformat(),
                end_precision="day",
                status="sole",
                source_id="art",
                claim="C7",
                claimant="elaph",
                quote_ar="اقتباس",
                quote_en="quote",
            )
        )
    _append_rows(folder / "control.csv", rows)
    return folder


def events(folder: Path, n: int) -> Path:
    """``n`` dated events, one a day over 2,000 days from 2012 (then several a day), at
    the fixture's places; a new place held 2010–2030 makes every one of those days part of
    the map's range."""
    shutil.copytree(BASE, folder)
    _add_place(folder, "long", 36.5, 33.2, 0.01)
    header = next(csv.reader(io.StringIO((folder / "control.csv").read_text("utf-8"))))
    _append_rows(
        folder / "control.csv",
        [
            _row(
                header,
                place_id="long",
                faction_id="regime",
                start="2010-01-01",
                start_precision="day",
                end="2030-01-01",
                end_precision="day",
                status="sole",
                source_id="art",
                claim="C7",
                claimant="elaph",
                quote_ar="اقتباس",
                quote_en="quote",
            )
        ],
    )
    text = (folder / "events.csv").read_text(encoding="utf-8")
    header = next(csv.reader(io.StringIO(text)))
    places = ("alpha", "beta", "gamma")
    first = date(2012, 1, 1)
    rows = [
        _row(
            header,
            id=f"ev{k}",
            date=(first + timedelta(days=k % 2_000)).isoformat(),
            date_precision="day",
            place_id=places[k % 3],
            kind="attack",
            actors="regime",
            against="isis",
            source_id="art",
            claim="C8",
            claimant="activists",
            quote_ar="هجوم",
            quote_en="attack",
        )
        for k in range(n)
    ]
    _append_rows(folder / "events.csv", rows)
    return folder


MAKERS: dict[str, Callable[[Path, int], Path]] = {
    "duplicates": duplicates,
    "polygon": polygon,
    "periods": periods,
    "events": events,
}


def measure(folder: Path) -> dict[str, Any]:
    """Validate the folder and, if valid, build the map's bundle (in this process)."""
    from mapapp.core.validate import load_dataset
    from mapapp.web.assets import Tiles
    from mapapp.web.export import build_bundle, to_json

    began = time.perf_counter()
    result = load_dataset(folder)
    out: dict[str, Any] = {"validate_s": round(time.perf_counter() - began, 2)}
    out["problems"] = result.report.count
    out["report_bytes"] = len(result.report.to_text().encode("utf-8"))
    if result.dataset is not None:
        began = time.perf_counter()
        bundle = build_bundle(result.dataset, Tiles(None, ""))
        out["bundle_s"] = round(time.perf_counter() - began, 2)
        out["bundle_bytes"] = len(to_json(bundle).encode("utf-8"))
    out["total_s"] = round(out["validate_s"] + out.get("bundle_s", 0.0), 2)
    out["peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return out


def run_case(name: str, size: int) -> dict[str, Any]:
    """One case in a fresh subprocess (so its peak memory is its own)."""
    with tempfile.TemporaryDirectory(prefix=f"mapapp-{name}-") as tmp:
        folder = MAKERS[name](Path(tmp) / "data", size)
        done = subprocess.run(
            [sys.executable, __file__, "--measure", str(folder)],
            capture_output=True,
            text=True,
            check=False,
            cwd=ROOT,
        )
    if done.returncode != 0:
        return {"error": done.stderr[-2000:]}
    figures: dict[str, Any] = json.loads(done.stdout)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help="comma-separated cases: " + ", ".join(CASES))
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure is not None:
        print(json.dumps(measure(args.measure)))
        return 0
    names = args.only.split(",") if args.only else list(CASES)
    results = {}
    print("| case | size | before | validate | bundle | peak memory | problems | report |")
    print("|---|---|---|---|---|---|---|---|")
    for name in names:
        size, before = CASES[name]
        got = run_case(name, size)
        results[name] = {"size": size, "before": before, **got}
        if "error" in got:
            print(f"| {name} | {size:,} | {before} | error: {got['error'][-200:]!r} |")
            continue
        bundle = f"{got['bundle_s']} s" if "bundle_s" in got else "(invalid: no map)"
        print(
            f"| {name} | {size:,} | {before} | {got['validate_s']} s | {bundle} | "
            f"{got['peak_mb']:,} MB | {got['problems']:,} | {got['report_bytes']:,} B |",
            flush=True,
        )
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
