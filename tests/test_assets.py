"""What the browser side is made of: tiles and their credit, Leaflet, our web files."""

from __future__ import annotations

from pathlib import Path

import pytest

from mapapp.web import assets


def test_tiles_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MAPAPP_TILES", raising=False)
    osm = assets.Tiles.from_env()
    assert osm.url == assets.OSM_TILES and osm.credit() == assets.OSM_NAME
    monkeypatch.setenv("MAPAPP_TILES", "none")
    assert assets.Tiles.from_env() == assets.Tiles(None, "")
    assert assets.Tiles.from_env().credit() is None
    monkeypatch.setenv("MAPAPP_TILES", "https://tiles.example.org/{z}/{x}/{y}.png")
    monkeypatch.setenv("MAPAPP_TILES_ATTRIBUTION", "Example tiles")
    assert assets.Tiles.from_env().credit() == "Example tiles"


def test_leaflet_is_ours_or_the_cdns(tmp_path: Path) -> None:
    assert assets.install_leaflet(tmp_path)
    assert (tmp_path / "leaflet" / "leaflet.js").stat().st_size > 100_000
    assert (tmp_path / "leaflet" / "images" / "marker-icon.png").is_file()
    assert assets.leaflet_urls(True) == (
        "/app/static/leaflet/leaflet.js",
        "/app/static/leaflet/leaflet.css",
    )
    assert all(u.startswith("https://") for u in assets.leaflet_urls(False))
    files = assets.leaflet_files()
    assert files is not None
    assert "Leaflet" in files[0] and ".leaflet-container" in files[1]


def test_web_files_and_write_once(tmp_path: Path) -> None:
    assert "MapappMap" in assets.web_file("map.js")
    target = tmp_path / "a.txt"
    assets.write_once(target, "first")
    assets.write_once(target, "second")  # content-named: the same name is the same text
    assert target.read_text(encoding="utf-8") == "first"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "no temp files left"
