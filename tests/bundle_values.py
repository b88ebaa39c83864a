"""A bundle resolved to the values it shows: every index into its tables replaced by the
row it names. Two bundles that show the same map resolve equal, whatever order their
tables are in and whatever rows they keep that no frame uses (a patched bundle's)."""

from __future__ import annotations

import json
from typing import Any

#: the bundle's parts that hold no table index (compared as they are)
PLAIN = (
    "format",
    "fields",
    "palette",
    "range",
    "changes",
    "rules",
    "bounds",
    "tiles",
    "selectedWeight",
    "text",
    "labels",
    "context",
    "ground",
)


def resolved(bundle: dict[str, Any]) -> dict[str, Any]:
    html, styles, geometries = bundle["html"], bundle["styles"], bundle["geometries"]

    def marker(i: int) -> tuple[Any, ...]:
        lon, lat, style, popup, tooltip = bundle["markers"][i]
        return (lon, lat, styles[style], html[popup], html[tooltip])

    def entry(i: int) -> tuple[Any, ...]:
        fill, outline, popup, tooltip, stripes, markers = bundle["entries"][i]
        return (
            styles[fill],
            styles[outline],
            html[popup],
            html[tooltip],
            [(geometries[g], styles[s]) for g, s in stripes],
            [marker(m) for m in markers],
        )

    frames = []
    for frame in bundle["frames"]:
        out: dict[str, Any] = {"start": frame["start"]}
        for key, value in frame.items():
            if key == "start":
                continue
            out[key] = {
                "set": {pos: entry(e) for pos, e in value["set"]},
                "events": [marker(m) for m in value["events"]],
                "legend": html[value["legend"]],
            }
        frames.append(out)
    lines = sorted(
        json.dumps(
            [
                geometries[line["geometry"]],
                [styles[s] for s in line["styles"]],
                {lang: html[i] for lang, i in line["tooltip"].items()},
                line["kind"],
                line["pair"],
                line["frames"],
            ],
            sort_keys=True,
        )
        for line in bundle["frontLines"]
    )
    return {
        **{key: bundle[key] for key in PLAIN},
        "places": [{**p, "geometry": geometries[p["geometry"]]} for p in bundle["places"]],
        "frames": frames,
        "fronts": [
            {"start": f["start"], "legend": {k: html[i] for k, i in f["legend"].items()}}
            for f in bundle["fronts"]
        ],
        "frontLines": lines,
    }
