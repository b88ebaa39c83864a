"""``mapapp export``: the static site's files, its data bundle, and the CLI around them."""

from __future__ import annotations

import json
import re
import tomllib
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from mapapp.cli import main
from mapapp.core import fronts
from mapapp.core.model import Dataset
from mapapp.core.timeline import Rule, Timeline
from mapapp.core.validate import load_dataset
from mapapp.draw import popups
from mapapp.draw.i18n import LANGS, Lang
from mapapp.draw.layers import state_layers
from mapapp.draw.style import front_legend_items, legend_items
from mapapp.web.assets import OSM_TILES, Tiles
from mapapp.web.export import (
    CHUNK_SIZE,
    MANIFEST,
    OUTPUTS,
    ExportError,
    build_bundle,
    frame_days,
    opening_frame,
    read_site,
    split_site,
    to_js,
    to_json,
    write_site,
)

from .conftest import DATA, FIXTURES, ROOT, run_mapapp

HOSTILE = FIXTURES / "hostile"
PREFIX = "window.MAPAPP_DATA = "


def export(out: Path, *args: str, data: Path = DATA) -> None:
    assert main(["export", "--out", str(out), "--data", str(data), *args]) == 0


def bundle_of(folder: Path) -> dict[str, Any]:
    """The whole bundle a site holds: ``data.js`` and its html table from the chunks."""
    text = (folder / "data.js").read_text(encoding="utf-8")
    assert text.startswith(PREFIX) and text.endswith(";\n")
    return read_site(folder)


def dataset(folder: Path = DATA) -> Dataset:
    ds = load_dataset(folder).dataset
    assert ds is not None
    return ds


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped data, exported with the default (OpenStreetMap) basemap."""
    out = tmp_path_factory.mktemp("export") / "site"
    export(out)
    return out


@pytest.fixture(scope="module")
def bundle(site: Path) -> dict[str, Any]:
    return bundle_of(site)


def test_writes_the_page_the_data_our_code_and_leaflet(site: Path) -> None:
    for name in ("index.html", "data.js", "app.js", "app.css", MANIFEST):
        assert (site / name).is_file(), name
    for name in ("leaflet.js", "leaflet.css", "images/layers.png"):
        assert (site / "leaflet" / name).is_file(), name
    assert sorted(p.name for p in site.iterdir()) == sorted(OUTPUTS)
    assert "Leaflet" in (site / "leaflet" / "leaflet.js").read_text(encoding="utf-8")[:500]


def test_geometry_is_stored_once(site: Path, bundle: dict[str, Any]) -> None:
    places = bundle["places"]
    assert [p["id"] for p in places] == list(dataset().places)
    assert len(places) == 12
    assert len({p["geometry"] for p in places}) == 12
    text = (site / "data.js").read_text(encoding="utf-8")
    for place in places:
        geometry = bundle["geometries"][place["geometry"]]
        ring = json.dumps(geometry["coordinates"], separators=(",", ":"))
        assert text.count(ring) == 1, place["id"]
    # and every geometry in the table is a different one
    texts = [json.dumps(g, sort_keys=True) for g in bundle["geometries"]]
    assert len(texts) == len(set(texts))


def test_range_and_frames_cover_every_change(bundle: dict[str, Any]) -> None:
    timeline = Timeline(dataset())
    first, last, default = timeline.view_range()
    assert bundle["range"] == {
        "first": first.isoformat(),
        "last": last.isoformat(),
        "default": default.isoformat(),
    }
    starts = [f["start"] for f in bundle["frames"]]
    assert starts == sorted(set(starts))
    assert starts[0] == first.isoformat()
    changes = [d.isoformat() for d in timeline.change_dates()]
    assert bundle["changes"] == changes
    assert set(changes) <= set(starts)
    assert len(bundle["frames"]) <= len(frame_days(dataset(), first, last))


def _materialise(bundle: dict[str, Any], lang: str) -> list[list[int]]:
    """The entry of every place in every frame."""
    states: list[list[int]] = []
    for frame in bundle["frames"]:
        state = list(states[-1]) if states else [-1] * len(bundle["places"])
        for place, entry in frame[lang]["set"]:
            state[place] = entry
        states.append(state)
    assert all(-1 not in s for s in states)
    return states


def _from_layers(ds: Dataset, day: date, lang: Lang) -> dict[str, Any]:
    layers = state_layers(ds, Timeline(ds).state_at(day), day, "conventional", lang)
    places = {
        f["properties"]["id"]: (
            f["geometry"],
            f["properties"]["style"],
            f["properties"]["popup"],
            f["properties"]["tooltip"],
        )
        for f in layers.places["features"]
    }
    patterns: dict[str, list[Any]] = {pid: [] for pid in places}
    for f in layers.patterns["features"]:
        patterns[f["properties"]["id"]].append((f["geometry"], f["properties"]["style"]))
    outlines = {
        f["properties"]["id"]: f["properties"]["style"] for f in layers.outlines["features"]
    }
    markers = sorted(
        json.dumps(
            [
                f["geometry"]["coordinates"],
                f["properties"]["style"],
                f["properties"]["popup"],
                f["properties"]["tooltip"],
            ]
        )
        for f in layers.markers["features"]
    )
    return {"places": places, "patterns": patterns, "outlines": outlines, "markers": markers}


def own(style: dict[str, Any], pid: str) -> dict[str, Any]:
    """A place's style as map.js draws it: its own class filled in (``{id}``: its id)."""
    if "{id}" not in style.get("className", ""):
        return style
    return {**style, "className": style["className"].replace("{id}", pid)}


def _from_bundle(bundle: dict[str, Any], states: list[list[int]], day: date, lang: str) -> Any:
    index = max(i for i, f in enumerate(bundle["frames"]) if f["start"] <= day.isoformat())
    geometries, styles, html = bundle["geometries"], bundle["styles"], bundle["html"]

    def marker(m: int) -> str:
        lon, lat, style, popup, tooltip = bundle["markers"][m]
        return json.dumps([[lon, lat], styles[style], html[popup], html[tooltip]])

    places, patterns, outlines, markers = {}, {}, {}, []
    for place, e in zip(bundle["places"], states[index], strict=True):
        fill, outline, popup, tooltip, stripes, conditions = bundle["entries"][e]
        pid = place["id"]
        drawn = (geometries[place["geometry"]], own(styles[fill], pid))
        places[pid] = (*drawn, html[popup], html[tooltip])
        patterns[pid] = [(geometries[g], own(styles[s], pid)) for g, s in stripes]
        outlines[pid] = own(styles[outline], pid)
        markers += [marker(m) for m in conditions]
    markers += [marker(m) for m in bundle["frames"][index][lang]["events"]]
    return {
        "places": places,
        "patterns": patterns,
        "outlines": outlines,
        "markers": sorted(markers),
    }


def test_every_day_draws_exactly_what_the_app_draws(bundle: dict[str, Any]) -> None:
    """The frames are the app's layers, day by day, in both languages."""
    ds = dataset()
    first, last = (
        date.fromisoformat(bundle["range"]["first"]),
        date.fromisoformat(bundle["range"]["last"]),
    )
    for lang in LANGS:
        states = _materialise(bundle, lang)
        day = first
        while day <= last:
            assert _from_bundle(bundle, states, day, lang) == _from_layers(ds, day, lang), (
                day,
                lang,
            )
            day += timedelta(days=1)


def test_legend_and_words_are_the_apps(bundle: dict[str, Any]) -> None:
    legend = bundle["html"][bundle["frames"][-1]["ar"]["legend"]]
    assert 'class="mapapp-legend-item"' in legend
    assert "تنظيم داعش" in legend
    assert bundle["text"]["ar"]["title"].startswith("جنوب دمشق")
    assert bundle["selectedWeight"] == 2


def test_entries_are_shared_between_frames(bundle: dict[str, Any]) -> None:
    frames, places = len(bundle["frames"]), len(bundle["places"])
    variants = [k for k in bundle["frames"][0] if k != "start"]
    assert len(variants) == len(LANGS) * len(bundle["rules"])
    assert len(bundle["entries"]) < frames * places * len(variants) / 2
    assert len(bundle["html"]) == len(set(bundle["html"]))
    # a later frame lists only the places that change
    assert any(0 < len(f["en"]["set"]) < places for f in bundle["frames"][1:])


def test_data_js_has_no_angle_bracket(site: Path, bundle: dict[str, Any]) -> None:
    text = (site / "data.js").read_text(encoding="utf-8")
    assert "<" not in text
    assert "\\u003c/div>" in text
    assert any("<script" not in h and h.startswith("<") for h in bundle["html"])


def test_hostile_data_cannot_close_the_script(tmp_path: Path) -> None:
    export(tmp_path / "site", "--tiles", "none", data=HOSTILE)
    text = (tmp_path / "site" / "data.js").read_text(encoding="utf-8")
    assert "<" not in text
    assert "\u2028" not in text
    assert "\u2029" not in text
    bundle = bundle_of(tmp_path / "site")
    # HTML (inserted as HTML) carries the payloads escaped; names (set as text) carry them raw
    html = "".join(bundle["html"])
    assert "&lt;script&gt;window.__xss=2&lt;/script&gt;" in html
    assert "<script" not in html
    assert "<img" not in html
    names = json.dumps([p["name"] for p in bundle["places"]], ensure_ascii=False)
    assert "<script>window.__xss=2</script>" in names


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href") and value is not None:
                self.refs.append(value)


def _refs(page: str) -> list[str]:
    parser = _Refs()
    parser.feed(page)
    return parser.refs


def test_page_refers_only_to_its_own_files(site: Path) -> None:
    page = (site / "index.html").read_text(encoding="utf-8")
    refs = _refs(page)
    assert len(refs) == 7  # Leaflet (js, css), data.js, map.js, app.js, app.css, the .gpkg
    for ref in refs:
        assert not re.match(r"^([a-z]+:|//|/)", ref), ref
        assert (site / ref.split("?", 1)[0]).is_file(), ref
    # the only address off the site is the tile server, allowed for images in the CSP
    assert re.findall(r"https?://[^\s;\"&]+", page) == ["https://tile.openstreetmap.org"]
    assert "script-src &#x27;self&#x27;" in page


def test_tiles_default_to_openstreetmap_with_attribution(bundle: dict[str, Any]) -> None:
    assert bundle["tiles"]["url"] == OSM_TILES
    assert "OpenStreetMap" in bundle["tiles"]["attribution"]


def test_tiles_none_leaves_no_tile_address(tmp_path: Path) -> None:
    out = tmp_path / "site"
    export(out, "--tiles", "none")
    assert bundle_of(out)["tiles"] is None
    for name in ("index.html", "data.js", "app.js"):
        text = (out / name).read_text(encoding="utf-8")
        assert "tile.openstreetmap" not in text, name
        assert "{z}" not in text, name
    assert not re.search(r"https?://", (out / "index.html").read_text(encoding="utf-8"))


def test_a_tile_template_and_its_credit_as_text(tmp_path: Path) -> None:
    out = tmp_path / "site"
    url = "https://{s}.tiles.example.org/{z}/{x}/{y}.png"
    export(out, "--tiles", url, "--tiles-attribution", "<b>Example</b> & co")
    tiles = bundle_of(out)["tiles"]
    assert tiles == {"url": url, "attribution": "&lt;b&gt;Example&lt;/b&gt; &amp; co"}
    assert "https://*.tiles.example.org" in (out / "index.html").read_text(encoding="utf-8")


def test_a_bad_tile_address_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--out", str(tmp_path / "x"), "--tiles", "javascript:alert(1)"]) == 2
    assert "--tiles takes osm, none" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_exporting_again_replaces_the_previous_export_cleanly(tmp_path: Path) -> None:
    out = tmp_path / "site"
    export(out)
    (out / "CNAME").write_text("map.example.org\n", encoding="utf-8")
    (out / "leaflet" / "stale.js").write_text("old", encoding="utf-8")
    old_page = (out / "index.html").read_text(encoding="utf-8")
    export(out, "--tiles", "none")
    assert not (out / "leaflet" / "stale.js").exists()
    assert (out / "leaflet" / "leaflet.js").is_file()
    assert (out / "CNAME").read_text(encoding="utf-8") == "map.example.org\n"
    assert sorted(p.name for p in out.iterdir()) == sorted([*OUTPUTS, "CNAME"])
    page = (out / "index.html").read_text(encoding="utf-8")
    assert page != old_page, "data.js's version in the page follows its content"
    assert bundle_of(out)["tiles"] is None


def test_refuses_to_overwrite_files_it_did_not_write(tmp_path: Path) -> None:
    out = tmp_path / "site"
    out.mkdir()
    (out / "index.html").write_text("mine", encoding="utf-8")
    assert main(["export", "--out", str(out)]) == 2
    assert [p.name for p in out.iterdir()] == ["index.html"]
    assert (out / "index.html").read_text(encoding="utf-8") == "mine"


def test_command_reports_progress_and_size(tmp_path: Path) -> None:
    done = run_mapapp("export", "--out", str(tmp_path / "site"))
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    # a line per place drawn (12 places: a line each)
    assert lines[0] == f"place 1/{len(lines)}" == "place 1/12"
    assert lines[-1] == f"place {len(lines)}/{len(lines)}"
    assert re.match(
        r"Wrote .+index\.html: 12 places, \d+ frames, data\.js [\d,]+ bytes", done.stdout
    )


def test_invalid_data_is_not_exported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(
            ["export", "--out", str(tmp_path / "site"), "--data", str(FIXTURES / "broken-example")]
        )
    assert exit_info.value.code == 1
    assert "unknown-faction" in capsys.readouterr().err
    assert not (tmp_path / "site").exists()


def test_colour_blind_palette(tmp_path: Path) -> None:
    bundle = build_bundle(dataset(), Tiles(None, ""), "colour-blind")
    fills = {s.get("fillColor") for s in bundle["styles"]}
    assert "#000000" in fills, "ISIS in the colour-blind palette"
    assert "#1a1a1a" not in fills
    assert to_js(bundle).startswith(PREFIX)


def test_site_files_are_package_data() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "web/*" in config["tool"]["setuptools"]["package-data"]["mapapp"]
    for name in ("index.html", "app.js", "app.css"):
        assert (ROOT / "mapapp" / "web" / name).is_file()


def test_bundle_rows_are_named_and_map_js_reads_them_by_name(tmp_path: Path) -> None:
    """The bundle's contract on both sides: Python writes rows whose columns ``fields``
    names; map.js (run by node) finds every column it reads there and refuses another
    format with a clear error."""
    import shutil
    import subprocess

    from mapapp.web import export as web_export

    ds = load_dataset(ROOT / "tests" / "data" / "valid").dataset
    assert ds is not None
    bundle = web_export.build_bundle(ds, Tiles(None, ""))
    assert bundle["format"] == web_export.FORMAT
    assert bundle["fields"] == web_export.FIELDS
    for row in bundle["entries"]:
        entry = web_export.Entry(*row)
        assert all(len(s) == len(web_export.Stripe._fields) for s in entry.stripes)
        assert isinstance(entry.popup, int) and bundle["html"][entry.popup]
    for row in bundle["markers"]:
        marker = web_export.Marker(*row)
        assert -180 <= marker.lon <= 180 and -90 <= marker.lat <= 90
    (tmp_path / "bundle.json").write_text(web_export.to_json(bundle), encoding="utf-8")
    script = """
      require(process.argv[1]);
      const D = JSON.parse(require("fs").readFileSync(process.argv[2], "utf8"));
      const out = {fields: globalThis.MapappMap.fieldsOf(D)};
      try { globalThis.MapappMap.fieldsOf({...D, format: "mapapp-bundle/0"}); }
      catch (error) { out.refused = error.message; }
      console.log(JSON.stringify(out));
    """
    node = shutil.which("node")
    assert node, "node is needed (.ci/run installs it)"
    done = subprocess.run(
        [
            node,
            "-e",
            script,
            str(ROOT / "mapapp" / "web" / "map.js"),
            str(tmp_path / "bundle.json"),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    seen = json.loads(done.stdout)
    for kind, names in web_export.FIELDS.items():
        assert seen["fields"][kind] == {name: names.index(name) for name in seen["fields"][kind]}
        assert set(seen["fields"][kind]) == set(names), f"map.js reads every {kind} column"
    assert "mapapp-bundle/0" in seen["refused"] and web_export.FORMAT in seen["refused"]


def test_the_site_has_every_days_map_as_a_geopackage_for_qgis(site: Path) -> None:
    import geopandas as gpd

    page = (site / "index.html").read_text(encoding="utf-8")
    assert 'href="southern-damascus.gpkg"' in page
    history = gpd.read_file(site / "southern-damascus.gpkg")
    assert history.crs.to_epsg() == 4326
    assert {"place_id", "status", "factions", "valid_from", "valid_to"} <= set(history.columns)
    bundle = bundle_of(site)
    assert set(history["place_id"]) == {p["id"] for p in bundle["places"]}
    for _, rows in history.groupby("place_id"):
        spans = rows.sort_values("valid_from")
        assert spans["valid_from"].iloc[0] == bundle["range"]["first"]
        assert list(spans["valid_to"])[:-1] == list(spans["valid_from"])[1:], "no gaps"


# -- popups and tooltips in chunk scripts, loaded when one first opens ---------------------


def test_data_js_holds_no_popup_and_the_chunks_hold_every_one(site: Path) -> None:
    ds = dataset()
    built = json.loads(json.dumps(build_bundle(ds, Tiles(OSM_TILES, "")), ensure_ascii=False))
    data_js = (site / "data.js").read_text(encoding="utf-8")
    page = json.loads(data_js[len(PREFIX) : -2])
    legends = set(page["html"]["eager"].values())
    popups = [h for h in built["html"] if h not in legends]
    assert popups and all('class="mapapp-popup"' not in h for h in legends)
    # no popup or tooltip text in data.js: only the legends it shows before any click
    for text in popups:
        assert to_json(text) not in data_js, text
    assert page["html"]["load"] == "script"
    assert len(page["html"]["files"]) == -(-len(built["html"]) // CHUNK_SIZE)
    # the chunks hold the table whole, each text identical to the bundle's
    assert read_site(site) == built
    for path in page["html"]["files"]:
        text = (site / path).read_text(encoding="utf-8")
        assert "<" not in text and "\u2028" not in text
        assert text.startswith('window.__mapappChunk("') and text.count("\n") == 1


def test_chunks_are_named_by_their_content_and_split_at_the_chunk_size(tmp_path: Path) -> None:
    bundle = build_bundle(dataset(), Tiles(None, ""))
    many = {**bundle, "html": [*bundle["html"], *(f"<p>{i}</p>" for i in range(CHUNK_SIZE))]}
    page, chunks = split_site(many)
    assert list(chunks)[:2] == page["html"]["files"] and len(page["html"]["files"]) == 2
    assert list(chunks)[2:] == [
        page["html"]["later"],
        *page["variants"].values(),
        page["frontLinesFile"],
        page["rest"],
    ]
    # the front lines: the rest has those of the opening day, a chunk has every one
    shown = page["frontLinesAt"]
    assert page["fronts"][shown]["start"] <= page["range"]["default"]
    rest = json.loads(chunk_items(chunks[page["rest"]]))
    assert page["frontLines"] == [] and rest["frontLines"] == [
        x for x in many["frontLines"] if x["frames"][0] <= shown < x["frames"][1]
    ]
    assert 0 < len(rest["frontLines"]) < len(many["frontLines"])
    for path, text in chunks.items():
        key = path.removeprefix("chunks/").removesuffix(".js")
        assert text.startswith(f'window.__mapappChunk("{key}",')
    # one entry changed: only its chunk gets a new name, the other keeps its (cached) one
    edited = {**many, "html": [*many["html"][:-1], "<p>changed</p>"]}
    again = split_site(edited)[0]["html"]["files"]
    assert again[0] == page["html"]["files"][0] and again[1] != page["html"]["files"][1]
    write_site(tmp_path / "site", many, Tiles(None, ""))
    assert read_site(tmp_path / "site") == json.loads(json.dumps(many))
    assert sorted(p.name for p in (tmp_path / "site" / "chunks").iterdir()) == sorted(
        p.removeprefix("chunks/") for p in chunks
    )


def chunk_items(text: str) -> str:
    """The JSON a chunk script carries."""
    return text[text.index(",") + 1 : -len(");\n")]


def test_data_js_holds_what_the_opening_frame_draws_and_the_rest_follows(site: Path) -> None:
    page = json.loads((site / "data.js").read_text(encoding="utf-8")[len(PREFIX) : -2])
    whole = read_site(site)
    opening = opening_frame(whole)
    assert whole["frames"][opening]["start"] <= whole["range"]["default"]
    shown: dict[int, int] = {}
    for frame in whole["frames"][: opening + 1]:
        shown.update((place, entry) for place, entry in frame["en"]["set"])
    # every entry the opening frame shows, with the geometry it draws, and nothing else
    assert {int(i) for i in page["entries"]} == set(shown.values())
    drawn = {p["geometry"] for p in whole["places"]}
    drawn |= {s[0] for e in shown.values() for s in whole["entries"][e][4]}
    assert {int(i) for i in page["geometries"]} == drawn
    for name in ("entries", "geometries"):
        assert page["counts"][name] == len(whole[name]) > len(page[name])
        assert all(whole[name][int(i)] == row for i, row in page[name].items())
    assert page["restAt"] == opening and "labels" not in page and page["frontLines"] == []
    rest = json.loads(_chunk_of(site, page["rest"]))
    assert rest["labels"] == whole["labels"] and rest["labels"]
    assert not set(rest["entries"]) & set(page["entries"])
    assert not set(rest["geometries"]) & set(page["geometries"])


def _chunk_of(site: Path, path: str) -> str:
    return chunk_items((site / path).read_text(encoding="utf-8"))


def test_a_damaged_chunk_is_named(tmp_path: Path) -> None:
    write_site(tmp_path / "site", build_bundle(dataset(), Tiles(None, "")), Tiles(None, ""))
    chunk = next((tmp_path / "site" / "chunks").iterdir())
    chunk.write_text('window.__mapappChunk("0",[]);\n', encoding="utf-8")
    with pytest.raises(ExportError, match=re.escape(str(chunk))):
        read_site(tmp_path / "site")


def test_the_page_needs_nothing_but_data_js_to_open_in_english(site: Path) -> None:
    page = json.loads((site / "data.js").read_text(encoding="utf-8")[len(PREFIX) : -2])
    # in the variant it opens in (English, the newest report): its opening legends in
    # data.js, the other frames' in a chunk loaded once the map has painted; the other
    # languages' and rules' load as popups do
    eager = {int(i) for i in page["html"]["eager"]}
    later = {int(i) for i in json.loads(_chunk_of(site, page["html"]["later"]))}
    assert page["frames"][page["restAt"]]["en"]["legend"] in eager
    assert page["fronts"][page["frontLinesAt"]]["legend"]["en"] in eager
    assert {frame["en"]["legend"] for frame in page["frames"]} <= eager | later
    assert {front["legend"]["en"] for front in page["fronts"]} <= eager | later
    assert len(eager) <= 2 and not eager & later
    # the other languages and rules: their frames in a chunk each, their legends in chunks
    assert all(set(frame) == {"start", "en"} for frame in page["frames"])
    whole = read_site(site)
    assert set(page["variants"]) == set(whole["frames"][0]) - {"start", "en"} != set()
    assert "ar" in page["variants"] and "en@reliable" in page["variants"]
    assert not {frame["ar"]["legend"] for frame in whole["frames"]} & eager


def _places_drawn(ds: Dataset, states: Any, day: date, lang: Lang) -> dict[str, Any]:
    """Each place as the app's layers draw it (its own condition markers, no events)."""
    layers = state_layers(ds, states, day, "conventional", lang, events=False)
    drawn: dict[str, Any] = {
        f["properties"]["id"]: [
            f["geometry"],
            *(f["properties"][k] for k in ("style", "popup", "tooltip")),
            [],
            [],
            [],
        ]
        for f in layers.places["features"]
    }
    for f in layers.outlines["features"]:
        drawn[f["properties"]["id"]][4].append(f["properties"]["style"])
    for f in layers.patterns["features"]:
        drawn[f["properties"]["id"]][5].append([f["geometry"], f["properties"]["style"]])
    place_of = {e.id: e.place_id for e in ds.events}
    for f in layers.markers["features"]:
        p = f["properties"]
        drawn[place_of[p["id"]]][6].append(
            [f["geometry"]["coordinates"], p["style"], p["popup"], p["tooltip"]]
        )
    return drawn


@pytest.mark.parametrize("folder", [DATA, FIXTURES / "multi-source"], ids=["shipped", "multi"])
def test_every_rule_and_day_draws_each_place_as_the_app_does(folder: Path) -> None:
    """Every variant (language and rule) of every frame, place by place, is what the
    app's layers draw for that rule's state: drawings shared between rules included."""
    ds = dataset(folder)
    bundle = build_bundle(ds, Tiles(None, ""))
    geometries, styles, html = bundle["geometries"], bundle["styles"], bundle["html"]
    pids = [p["id"] for p in bundle["places"]]
    rules = [Rule.parse(r["key"]) for r in bundle["rules"]]
    assert len(rules) > 2 if folder != DATA else len(rules) >= 2
    for rule in rules:
        timeline = Timeline(ds, rule)
        for lang in LANGS:
            key = lang if rule.key == "newest" else f"{lang}@{rule.key}"
            states = _materialise(bundle, key)
            for k, frame in enumerate(bundle["frames"]):
                day = date.fromisoformat(frame["start"])
                day_states = timeline.state_at(day)
                want = _places_drawn(ds, day_states, day, lang)
                # the legend: the page's for that rule's states of the day
                items = legend_items(ds, list(day_states.values()), "conventional", lang, rule.key)
                assert html[frame[key]["legend"]] == popups.legend_html(items, lang), (key, day)
                for pid, e in zip(pids, states[k], strict=True):
                    fill, outline, popup, tooltip, stripes, conditions = bundle["entries"][e]
                    got = [
                        geometries[bundle["places"][pids.index(pid)]["geometry"]],
                        own(styles[fill], pid),
                        html[popup],
                        html[tooltip],
                        [own(styles[outline], pid)],
                        [[geometries[g], own(styles[s], pid)] for g, s in stripes],
                        [
                            [[m[0], m[1]], styles[m[2]], html[m[3]], html[m[4]]]
                            for m in (bundle["markers"][c] for c in conditions)
                        ],
                    ]
                    assert got == want[pid], (rule.key, lang, day, pid)


@pytest.mark.parametrize("folder", [DATA, FIXTURES / "multi-source"], ids=["shipped", "multi"])
def test_every_front_frame_has_the_pages_front_legend(folder: Path) -> None:
    """Each front-line frame's legend is the one the page draws for that day's fronts."""
    ds = dataset(folder)
    bundle = build_bundle(ds, Tiles(None, ""))
    timeline = Timeline(ds)
    assert bundle["fronts"]
    for frame in bundle["fronts"]:
        day = date.fromisoformat(frame["start"])
        shown = fronts.fronts_on(ds, timeline.state_at(day))
        for lang in LANGS:
            items = front_legend_items(ds, shown, "bloc", "conventional", lang)
            want = popups.legend_html(items, lang, note=False) if items else ""
            assert bundle["html"][frame["legend"][lang]] == want, (day, lang)
