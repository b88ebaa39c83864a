"""The page's bundles as static files: named by content, html in files, old ones pruned."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from mapapp.web import publish


def _bundle(n: int = 3) -> dict[str, object]:
    return {"format": "test", "html": [f"<p>{i}</p>" for i in range(n)], "frames": []}


def test_the_html_table_comes_back_whole_from_its_files(tmp_path: Path) -> None:
    bundle = _bundle(publish.HTML_FILE_SIZE + 5)
    main = publish.publish_bundle(bundle, tmp_path)
    published = json.loads(main.read_text(encoding="utf-8"))
    parts = [
        json.loads((tmp_path / name).read_text(encoding="utf-8"))
        for name in published["html"]["files"]
    ]
    assert [len(p) for p in parts] == [publish.HTML_FILE_SIZE, 5]
    assert [item for part in parts for item in part] == bundle["html"]
    rest = {k: v for k, v in published.items() if k != "html"}
    assert rest == {"format": "test", "frames": [], "variants": {}}


def test_an_unwritable_folder_is_an_oserror_the_page_turns_into_inline(tmp_path: Path) -> None:
    blocker = tmp_path / "bundles"
    blocker.write_text("a file where the folder should be", encoding="utf-8")
    with pytest.raises(OSError, match=r"bundles"):
        publish.publish_bundle(_bundle(), blocker)


def test_chart_rows_are_named_by_content_and_old_ones_pruned(tmp_path: Path) -> None:
    first = publish.publish_rows([{"day": "2015-01-01", "km2": 1.0}], tmp_path)
    assert publish.publish_rows([{"day": "2015-01-01", "km2": 1.0}], tmp_path) == first
    other = publish.publish_rows([{"day": "2015-01-01", "km2": 2.0}], tmp_path)
    assert other != first and first.is_file()
    for i in range(publish.KEEP_ROWS + 3):
        publish.publish_rows([{"i": i}], tmp_path)
    assert len(list(tmp_path.glob("*.json"))) == publish.KEEP_ROWS
    assert json.loads(
        publish.publish_rows([{"i": 0, "<": "</script>"}], tmp_path).read_text(encoding="utf-8")
    ) == [{"i": 0, "<": "</script>"}]


def test_old_bundles_go_past_a_size_budget_the_newest_stays(tmp_path: Path) -> None:
    """Streamlit stops serving a static folder of more than 1 GB: the published bundles are
    kept under :data:`publish.MAX_BUNDLE_BYTES`, however few, and the newest always stays."""
    bundle = _bundle(publish.HTML_FILE_SIZE + 5)
    first = publish.publish_bundle(bundle, tmp_path)
    one = sum(p.stat().st_size for p in tmp_path.iterdir())
    budget = int(2.5 * one)
    paths = [first]
    for i in range(5):
        paths.append(publish.publish_bundle({**bundle, "n": i}, tmp_path, budget))
        for n, path in enumerate(paths):  # older ones older on disk
            for part in [path, *tmp_path.glob(f"{path.stem}-*.json")]:
                if part.exists():
                    os.utime(part, (n + 10, n + 10))
    mains = sorted(p for p in tmp_path.iterdir() if "-" not in p.stem)
    assert mains == sorted(paths[-2:]), "the two newest fit the budget, no third"
    assert sum(p.stat().st_size for p in tmp_path.iterdir()) <= 2.5 * one
    newest = publish.publish_bundle({**bundle, "n": "big"}, tmp_path, 1)
    assert [p for p in tmp_path.iterdir() if "-" not in p.stem] == [newest]
