"""The notebook API (folium map, GeoDataFrame, GeoPackage) and the layers it is built from:
colours, stripes, popups, assets, tiles, escaping."""

from __future__ import annotations

import csv
import json
import shutil
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

import mapapp
from mapapp import notebook
from mapapp.core.model import Dataset
from mapapp.core.resolve import resolve
from mapapp.core.timeline import Timeline
from mapapp.core.validate import load_dataset
from mapapp.draw.layers import StateLayers, state_layers
from mapapp.web import assets

from .conftest import DATA

ALLOWED_TAGS = {"div", "h4", "b", "bdi", "span", "p", "br", "blockquote", "a"}
ALLOWED_ATTRS = {"class", "lang", "dir", "href", "target", "rel"}


class _Markup(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attrs: set[str] = set()
        self.hrefs: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        for name, value in attrs:
            self.attrs.add(name)
            if name == "href":
                self.hrefs.append(value or "")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def markup(html: str) -> _Markup:
    parser = _Markup()
    parser.feed(html)
    return parser


@pytest.fixture(scope="module")
def ds() -> Dataset:
    dataset = load_dataset(DATA).dataset
    assert dataset is not None
    return dataset


def layers_on(ds: Dataset, day: date, lang: str = "en") -> StateLayers:
    return state_layers(ds, Timeline(ds).state_at(day), day, "conventional", lang)  # type: ignore[arg-type]


def by_id(fc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["properties"]["id"]: f for f in fc["features"]}


def test_one_place_feature_each_with_its_faction_colour(ds: Dataset) -> None:
    places = by_id(layers_on(ds, date(2015, 9, 15)).places)
    assert len(places) == 12
    assert places["qadam"]["properties"]["style"]["fillColor"] == "#66c2a4"
    assert places["yarmouk"]["properties"]["factions"] == ["isis", "nusra"]
    may = by_id(layers_on(ds, date(2015, 5, 1)).places)
    assert may["yarmouk"]["properties"]["style"]["fillColor"] == "#1a1a1a"
    assert may["tadamon"]["properties"]["status"] == "no-data"


def test_shared_control_is_striped_in_each_factions_colour(ds: Dataset) -> None:
    layers = layers_on(ds, date(2015, 9, 15))
    stripes = [f for f in layers.patterns["features"] if f["properties"]["id"] == "yalda"]
    assert sorted(f["properties"]["style"]["fillColor"] for f in stripes) == sorted(
        ["#1b7837", "#00441b", "#5aae61"]
    )
    assert all(f["properties"]["style"]["interactive"] is False for f in stripes)
    assert all(f["geometry"]["type"] in {"Polygon", "MultiPolygon"} for f in stripes)
    assert not [f for f in layers.patterns["features"] if f["properties"]["id"] == "qadam"]


def test_conditions_and_recent_events_are_markers(ds: Dataset) -> None:
    markers = by_id(layers_on(ds, date(2015, 9, 15)).markers)
    assert {"siege_qadam", "isis_attack_qadam", "demonstration_yalda"} <= set(markers)
    assert "isis_takeover_yarmouk" not in markers, "a March event is not recent in September"
    assert "isis_takeover_yarmouk" in by_id(layers_on(ds, date(2015, 4, 15)).markers)


def test_popup_cites_the_source_with_the_arabic_quote(ds: Dataset) -> None:
    places = by_id(layers_on(ds, date(2015, 9, 15)).places)
    popup = places["yarmouk"]["properties"]["popup"]
    parsed = markup(popup)
    text = "".join(parsed.text)
    assert "مخيم اليرموك" in text
    assert "ان داعش وبالتحالف مع النصرة يحكم سيطرته" in text
    assert "holds firm control over Yarmouk camp" in text
    assert "Elaph" in text and "Jawad al-Sayegh" in text and "Sep 2015" in text
    assert "about 11 Aug – 9 Sep 2015" in text
    assert "elaph_2015_09" not in text, "no raw ids in what readers see"
    assert parsed.hrefs == ["https://elaph.com/Web/News/2015/9/1038541.html"]
    assert 'dir="rtl"' in popup


def test_folium_map_has_the_days_layers_legend_and_no_jquery(ds: Dataset) -> None:
    import folium

    m = mapapp.folium_map("2015-09-15", ds)
    assert isinstance(m, folium.Map)
    html = m.get_root().render()
    layers = layers_on(ds, date(2015, 9, 15))
    # the same layers as the page: every place's fill colour and every stripe's colour
    for feature in layers.places["features"] + layers.patterns["features"]:
        assert json.dumps(feature["properties"]["style"]["fillColor"]) in html
    assert "mapapp-legend" in html and 'data-key="faction-isis"' in html
    assert "holds firm control over Yarmouk camp" in html, "the popups cite the source"
    assert "$(`" not in html, "no folium.Popup (jQuery template literal) is used"
    # another day, another map: the Yarmouk stripes of September are gone in April
    april = mapapp.folium_map(date(2015, 4, 15), ds, tiles=assets.Tiles(None, ""))
    assert april.get_root().render() != html


def test_folium_map_reads_a_folder_and_refuses_broken_data(tmp_path: Path) -> None:
    m = mapapp.folium_map("2015-09-15", DATA)
    assert "Yarmouk" in m.get_root().render()
    with pytest.raises(notebook.DataError, match="unknown-faction"):
        mapapp.folium_map("2015-09-15", DATA.parent / "tests" / "data" / "broken-example")


def test_geodataframe_joins_the_places_with_the_days_state(ds: Dataset) -> None:
    gdf = mapapp.geodataframe("2015-09-15", ds)
    assert gdf.crs.to_epsg() == 4326
    assert len(gdf) == len(ds.places)
    row = gdf.set_index("place_id").loc["yarmouk"]
    assert row["status"] == "sole" and row["factions"] == "isis;nusra"
    assert row.geometry.geom_type in {"Polygon", "MultiPolygon"}
    assert (
        gdf.set_index("place_id")
        .loc["yarmouk"]
        .geometry.contains(gdf.set_index("place_id").loc["yarmouk"].geometry.representative_point())
    )


def test_geopackage_round_trips_through_gdal(tmp_path: Path, ds: Dataset) -> None:
    import geopandas as gpd

    path = tmp_path / "day.gpkg"
    path.write_bytes(notebook.geopackage("2015-09-15", ds))
    back = gpd.read_file(path, layer=notebook.GPKG_LAYER)
    assert back.crs.to_epsg() == 4326
    assert sorted(back["place_id"]) == sorted(ds.places)
    history = notebook.history_geodataframe(ds)
    assert {"valid_from", "valid_to"} <= set(history.columns)
    yarmouk = history[history["place_id"] == "yarmouk"].sort_values("valid_from")
    assert list(yarmouk["valid_to"])[:-1] == list(yarmouk["valid_from"])[1:], "spans tile"


def test_default_tiles_are_openstreetmap_with_attribution(ds: Dataset) -> None:
    tiles = assets.Tiles.from_env("")
    assert tiles.url == assets.OSM_TILES
    html = notebook.folium_map("2015-09-15", ds, tiles=tiles).get_root().render()
    assert "tile.openstreetmap.org" in html and "OpenStreetMap" in html
    assert assets.Tiles.from_env("none").url is None
    custom = assets.Tiles.from_env("http://127.0.0.1:9000/{z}/{x}/{y}.png")
    assert custom.url == "http://127.0.0.1:9000/{z}/{x}/{y}.png"
    none = notebook.folium_map("2015-09-15", ds, tiles=assets.Tiles(None, ""))
    assert "tile.openstreetmap.org" not in none.get_root().render()


def test_install_leaflet_copies_the_packaged_files(tmp_path: Path) -> None:
    assert assets.install_leaflet(tmp_path)
    assert (tmp_path / "leaflet" / "leaflet.js").stat().st_size > 100_000
    assert (tmp_path / "leaflet" / "leaflet.css").is_file()
    assert (tmp_path / "leaflet" / "images" / "marker-icon.png").is_file()


PAYLOAD = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">${x}`\\'
FREE_TEXT = {
    "factions.csv": ["name_en", "name_ar", "note"],
    "sources.csv": ["outlet", "outlet_ar", "author", "author_ar", "title_ar", "note"],
    "control.csv": ["quote_ar", "quote_en", "note"],
    "events.csv": ["quote_ar", "quote_en", "note"],
}


def _poison(folder: Path) -> None:
    for name, columns in FREE_TEXT.items():
        path = folder / name
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        for row in rows:
            for column in columns:
                row[column] = row[column] + PAYLOAD
            # poisoned quotes are no longer the archived article's words: unarchive it
            for column in ("archive_sha256", "quote_start", "quote_end"):
                if column in row:
                    row[column] = ""
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    shutil.rmtree(folder / "sources", ignore_errors=True)
    geo = json.loads((folder / "neighbourhoods.geojson").read_text(encoding="utf-8"))
    for feature in geo["features"]:
        for key in ("name_en", "name_ar", "ref_source", "boundary_note"):
            feature["properties"][key] += PAYLOAD
    (folder / "neighbourhoods.geojson").write_text(json.dumps(geo), encoding="utf-8")


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_hostile_text_stays_text_in_popups_and_tooltips(tmp_path: Path, lang: str) -> None:
    folder = tmp_path / "data"
    shutil.copytree(DATA, folder)
    _poison(folder)
    result = load_dataset(folder)
    assert result.dataset is not None, result.report.to_text()
    hostile = result.dataset
    for day in (date(2015, 4, 15), date(2015, 9, 15)):
        layers = layers_on(hostile, day, lang)
        features = layers.places["features"] + layers.markers["features"]
        assert features
        for feature in features:
            for key in ("popup", "tooltip"):
                html = feature["properties"][key]
                parsed = markup(html)
                assert parsed.tags <= ALLOWED_TAGS, (key, parsed.tags)
                assert parsed.attrs <= ALLOWED_ATTRS, (key, parsed.attrs)
                assert all(h.startswith("https://") for h in parsed.hrefs)
                assert "${" not in html and "`" not in html and "\\" not in html
        # the payload reads literally once rendered
        text = "".join(markup(layers.places["features"][0]["properties"]["popup"]).text)
        assert "<script>window.__xss=1</script>" in text
    m = notebook.folium_map(date(2015, 9, 15), hostile, lang=lang, tiles=assets.Tiles(None, ""))  # type: ignore[arg-type]
    html = m.get_root().render()
    assert "<script>window.__xss" not in html
    assert "<img" not in html


def test_bidi_overrides_in_data_cannot_reorder_our_words(ds: Dataset) -> None:
    """A right-to-left override in a name is isolated in <bdi>, so the words after it
    (status, conditions) keep their order."""
    from dataclasses import replace

    from mapapp.draw import popups

    qadam = replace(ds.places["qadam"], name_en="al-Qadam\u202e evil")
    hostile = replace(ds, places={**ds.places, "qadam": qadam})
    state = Timeline(hostile).place_state("qadam", date(2015, 9, 15))
    tooltip = popups.place_tooltip(resolve(hostile, state), "en")
    assert "<bdi>al-Qadam\u202e evil</bdi>" in tooltip
    assert tooltip.index("</bdi>") < tooltip.index("Sole control")
    popup = popups.place_popup(resolve(hostile, state), "en")
    assert "<bdi>al-Qadam\u202e evil</bdi>" in popup


def test_timeline_chart_handles_more_than_5000_periods(ds: Dataset) -> None:
    """Altair refuses > 5,000 rows by default; the page must not crash on big data."""
    from dataclasses import replace

    from mapapp.draw.chart import timeline_spec

    row = ds.control[0]
    many = tuple(replace(row, line=i) for i in range(6000))
    spec = timeline_spec(
        replace(ds, control=many), date(2015, 1, 1), date(2015, 12, 31), "conventional", "en"
    )
    periods = [
        r for v in spec["datasets"].values() for r in v if not r["faction_id"].startswith("-")
    ]
    assert len(periods) == 6000


def test_notebook_map_has_names_fronts_and_a_control_to_hide_them(ds: Dataset) -> None:
    """The folium map names every place, without catching clicks, and draws the day's
    fronts with their tooltips; a layer control hides either."""
    from mapapp.core.fronts import fronts_on

    day = date(2015, 9, 15)
    m = notebook.folium_map(day, ds, lang="ar", tiles=assets.Tiles(None, ""))
    html = m.get_root().render()
    for place in ds.places.values():
        # folium writes a label's HTML as a JSON string: non-ASCII letters as \u escapes
        assert place.name_ar in html or json.dumps(place.name_ar)[1:-1] in html, place.id
    assert html.count("mapapp-label") >= len(ds.places)
    assert "pointer-events:none" in html
    assert fronts_on(ds, Timeline(ds).state_at(day))
    assert html.count('"dashArray": "9 9"') >= 1
    assert "L.control.layers" in html
    assert "جبهة" in html
