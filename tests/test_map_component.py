"""The page map's server side: the published bundle, the day the map sends back, and the
data versions it is drawn from (the browser side is in tests/browser/)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from datetime import date
from pathlib import Path

import pytest

from mapapp.core.validate import load_dataset
from mapapp.ui.map_component import COMPONENT_TEXT, WEB_ASSETS, map_day, static_asset
from mapapp.ui.shell import current_version, file_stamp, load_version
from mapapp.web import export, publish
from mapapp.web.assets import STATIC_DIR, Tiles, web_file
from mapapp.web.export import restore_view

from .conftest import DATA

FIRST, LAST = date(2015, 1, 1), date(2015, 12, 31)


def test_map_day_takes_only_real_days_in_range() -> None:
    assert map_day({"day": "2015-08-11"}, FIRST, LAST) == date(2015, 8, 11)
    for bad in (
        None,
        {},
        {"day": None},
        {"day": "2015-02-30"},
        {"day": "<script>"},
        {"day": "2016-01-01"},
        {"day": "2014-12-31"},
        {"day": 20150811},
        "2015-08-11",
    ):
        assert map_day(bad, FIRST, LAST) is None, bad


def _bundle() -> dict[str, object]:
    ds = load_dataset(DATA).dataset
    assert ds is not None
    return export.build_bundle(ds, Tiles(None, ""))


def main_frames_of(bundle: dict[str, object]) -> dict[str, object]:
    """The first frame of a bundle (its keys: ``start`` and every variant)."""
    frames = bundle["frames"]
    assert isinstance(frames, list)
    first: dict[str, object] = frames[0]
    return first


def test_publish_bundle_names_it_by_content_and_keeps_the_newest(tmp_path: Path) -> None:
    bundle = _bundle()
    first = publish.publish_bundle(bundle, tmp_path)
    assert first.name.endswith(".json") and len(first.stem) == 20
    main = json.loads(first.read_text(encoding="utf-8"))
    # the html table is in files of HTML_FILE_SIZE entries; put together it is the same
    files = main["html"]["files"]
    assert main["html"]["size"] == publish.HTML_FILE_SIZE
    table = [t for name in files for t in json.loads((tmp_path / name).read_text("utf-8"))]
    # the frames: English under the newest report in the main file, each other variant in
    # a file of its own; of the tables what the opening frame draws, the rest in a file;
    # put together they are the same
    assert all(set(frame) == {"start", "en"} for frame in main["frames"])
    assert len(main["entries"]) < main["counts"]["entries"] and "labels" not in main
    variants = main["variants"]
    assert set(variants) == set(main_frames_of(bundle)) - {"start", "en"} != set()
    restored = restore_view(main, lambda name: json.loads((tmp_path / name).read_text("utf-8")))
    assert {**restored, "html": table} == bundle
    for path in [first, *(tmp_path / name for name in [*files, *variants.values()])]:
        assert "<" not in path.read_text(encoding="utf-8"), "no markup-looking text in files"
    assert publish.publish_bundle(bundle, tmp_path) == first, "same content, same name"
    other = publish.publish_bundle({**bundle, "palette": "colour-blind"}, tmp_path)
    assert other != first and other.is_file() and first.is_file()
    # old bundles (with their html files) go beyond KEEP_BUNDLES; no temporary files left
    for i in range(publish.KEEP_BUNDLES + 3):
        path = publish.publish_bundle({**bundle, "n": i}, tmp_path)
        for part in [path, *tmp_path.glob(f"{path.stem}-*.json")]:
            os.utime(part, (i + 10, i + 10))
    mains = [p for p in tmp_path.iterdir() if "-" not in p.stem]
    assert len(mains) == publish.KEEP_BUNDLES
    assert not [p for p in tmp_path.iterdir() if not p.name.endswith(".json")]
    kept = {p.stem for p in mains}
    assert all(p.stem.split("-")[0] in kept for p in tmp_path.glob("*-*.json"))


def test_a_large_html_table_is_split_into_files(tmp_path: Path) -> None:
    bundle = {**_bundle(), "html": [f"<b>{i}</b>" for i in range(2 * publish.HTML_FILE_SIZE + 1)]}
    main = json.loads(publish.publish_bundle(bundle, tmp_path).read_text(encoding="utf-8"))
    files = main["html"]["files"]
    assert len(files) == 3
    last = json.loads((tmp_path / files[2]).read_text(encoding="utf-8"))
    assert last == [f"<b>{2 * publish.HTML_FILE_SIZE}</b>"]


def test_web_assets_are_served_under_their_content_hash() -> None:
    for name in WEB_ASSETS:
        url = static_asset(name)
        served = STATIC_DIR / "mapapp" / url.rsplit("/", 1)[1]
        assert served.read_text(encoding="utf-8") == web_file(name)
        assert url.startswith("/app/static/mapapp/") and url != f"/app/static/mapapp/{name}"
    assert set(COMPONENT_TEXT) >= {"date", "prev", "next", "tiles_failed", "map_failed"}


def _copy(src: Path, dst: Path) -> Path:
    dst.mkdir()
    for p in src.iterdir():
        if p.is_file():
            (dst / p.name).write_bytes(p.read_bytes())
        elif p.is_dir() and not p.name.startswith("."):  # the archived sources
            shutil.copytree(p, dst / p.name)
    return dst


def test_current_version_keeps_the_last_good_data(tmp_path: Path) -> None:
    folder = _copy(DATA, tmp_path / "data")
    good, problems = current_version(folder)
    assert problems is None and good.result.dataset is not None
    assert good.timeline is good.timeline, "made once per version"

    control = folder / "control.csv"
    control.write_text("place_id\n", encoding="utf-8")
    shown, problems = current_version(folder)
    assert shown is good, "the last good version stays"
    assert problems is not None and not problems.valid
    assert {i.file for i in problems.issues} == {"control.csv"}

    control.unlink()
    shown, problems = current_version(folder)
    assert shown is good
    assert problems is not None and "control.csv" in {i.file for i in problems.issues}


def test_a_folder_never_valid_shows_its_own_problems(tmp_path: Path) -> None:
    folder = tmp_path / "empty"
    folder.mkdir()
    version, problems = current_version(folder)
    assert problems is None
    assert version.result.dataset is None and not version.result.report.valid


def test_an_unusable_schema_is_a_report_not_a_crash(tmp_path: Path) -> None:
    folder = _copy(DATA, tmp_path / "data")
    (folder / "datapackage.json").write_text("{not json", encoding="utf-8")
    version = load_version(str(folder), file_stamp(folder))
    assert version.result.dataset is None
    assert [i.code for i in version.result.report.issues] == ["bad-schema"]


def test_files_of_another_layout_are_never_reused(tmp_path: Path) -> None:
    """A bundle an older version published (the whole html table inside) under the name the
    same data would have had: publishing now must not take it for the new layout."""
    bundle = _bundle()
    old_name = hashlib.sha256(export.to_json(bundle).encode("utf-8")).hexdigest()[:20]
    (tmp_path / f"{old_name}.json").write_text(export.to_json(bundle), encoding="utf-8")
    main = json.loads(publish.publish_bundle(bundle, tmp_path).read_text(encoding="utf-8"))
    assert main["html"]["size"] == publish.HTML_FILE_SIZE


@pytest.mark.parametrize(
    "breakage",
    ["not json", "a folder", "missing everywhere", "not utf-8", "bad resources"],
)
def test_a_broken_schema_never_shows_a_server_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, breakage: str
) -> None:
    """Finding 9: a broken datapackage.json showed the server's absolute path to viewers."""
    from mapapp.core import schema

    folder = _copy(DATA, tmp_path / "data")
    descriptor = folder / "datapackage.json"
    if breakage == "not json":
        descriptor.write_text("{not json", encoding="utf-8")
    elif breakage == "a folder":
        descriptor.unlink()
        descriptor.mkdir()  # not a file: then the shipped one, made missing too
        monkeypatch.setattr(schema, "DEFAULT_DATA_DIR", tmp_path / "nowhere")
    elif breakage == "missing everywhere":
        descriptor.unlink()
        monkeypatch.setattr(schema, "DEFAULT_DATA_DIR", tmp_path / "nowhere")
    elif breakage == "not utf-8":
        descriptor.write_bytes(b"\xff\xfe not utf-8")
    else:
        descriptor.write_text('{"resources": 5}', encoding="utf-8")
    version = load_version(str(folder), file_stamp(folder))
    assert version.result.dataset is None
    text = " ".join(i.message + i.file for i in version.result.report.sorted())
    assert str(tmp_path) not in text and "/work" not in text and "datapackage.json" in text


def test_a_symlinked_data_file_is_refused_not_read(tmp_path: Path) -> None:
    """Finding 9: a data file that is a symlink echoed its target's first line (its
    'header') on the public page."""
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:the-secret-first-line\n", encoding="utf-8")
    folder = _copy(DATA, tmp_path / "data")
    for name in ("factions.csv", "neighbourhoods.geojson"):
        (folder / name).unlink()
        (folder / name).symlink_to(secret)
    version = load_version(str(folder), file_stamp(folder))
    assert version.result.dataset is None
    issues = version.result.report.sorted()
    assert {(i.file, i.code) for i in issues if i.code == "symlinked-file"} == {
        ("factions.csv", "symlinked-file"),
        ("neighbourhoods.geojson", "symlinked-file"),
    }
    assert not any("the-secret-first-line" in i.message for i in issues)


def test_a_symlinked_descriptor_is_refused(tmp_path: Path) -> None:
    folder = _copy(DATA, tmp_path / "data")
    real = tmp_path / "elsewhere.json"
    (folder / "datapackage.json").rename(real)
    (folder / "datapackage.json").symlink_to(real)
    version = load_version(str(folder), file_stamp(folder))
    assert version.result.dataset is None
    assert "symbolic link" in version.result.report.sorted()[0].message
