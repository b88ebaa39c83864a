"""The map's attribution is built from each place's provenance, never one claim for all."""

from __future__ import annotations

import dataclasses

import pytest

from mapapp.core.model import Dataset
from mapapp.core.validate import load_dataset
from mapapp.draw.credits import BASIS, attribution, boundaries, reference_points
from mapapp.draw.i18n import LANGS, Lang
from mapapp.web.assets import Tiles
from mapapp.web.export import build_bundle

from .conftest import DATA


@pytest.fixture(scope="module")
def ds() -> Dataset:
    result = load_dataset(DATA)
    assert result.dataset is not None, result.report.to_text()
    return result.dataset


def _group(text: str, label: str) -> list[str]:
    """The place names listed after ``label (`` in the attribution."""
    start = text.index(label + " (") + len(label) + 2
    depth, end = 1, start
    while depth:
        depth += {"(": 1, ")": -1}.get(text[end], 0)
        end += 1
    return text[start : end - 1].split(", ")


def test_shipped_attribution_names_each_kind_of_reference_point(ds: Dataset) -> None:
    text = attribution(ds, "en")
    assert "OCHA reference points" not in text
    by_basis: dict[str, list[str]] = {}
    for place in ds.places.values():
        by_basis.setdefault(place.ref_basis, []).append(place.name_en)
    assert set(by_basis) == {
        "ocha-place-point",
        "ocha-polygon-centroid",
        "encyclopedia",
        "inferred",
    }
    for basis, names in by_basis.items():
        assert _group(text, BASIS[basis]["en"]) == names, basis
    assert "Yarmouk Camp" not in _group(text, BASIS["ocha-place-point"]["en"])
    assert _group(text, BASIS["ocha-polygon-centroid"]["en"]) == ["al-Qadam"]
    assert _group(text, BASIS["inferred"]["en"]) == ["Airport road"]


def test_arabic_attribution_names_the_places_in_arabic(ds: Dataset) -> None:
    text = attribution(ds, "ar")
    assert all(p.name_ar in text for p in ds.places.values())
    assert "أوتشا" in text and "القدم" in text


def test_the_attribution_follows_the_data(ds: Dataset) -> None:
    places = {
        pid: dataclasses.replace(p, ref_basis="ocha-place-point") for pid, p in ds.places.items()
    }
    all_ocha = dataclasses.replace(ds, places=places)
    text = reference_points(all_ocha, "en")
    assert _group(text, BASIS["ocha-place-point"]["en"]) == [p.name_en for p in places.values()]
    assert BASIS["encyclopedia"]["en"] not in text
    unknown = dataclasses.replace(
        ds, places={k: dataclasses.replace(p, ref_basis="") for k, p in ds.places.items()}
    )
    assert BASIS["other"]["en"] in reference_points(unknown, "en")


def test_boundaries_say_which_are_approximate(ds: Dataset) -> None:
    assert "not surveyed" in boundaries(ds, "en")
    surveyed = {
        pid: dataclasses.replace(p, boundary_approximate=pid != "qadam")
        for pid, p in ds.places.items()
    }
    some = boundaries(dataclasses.replace(ds, places=surveyed), "en")
    assert "al-Qadam" not in some and "Yarmouk Camp" in some
    none = {pid: dataclasses.replace(p, boundary_approximate=False) for pid, p in ds.places.items()}
    assert "approximate" not in boundaries(dataclasses.replace(ds, places=none), "en")


@pytest.mark.parametrize("lang", LANGS)
def test_the_export_carries_the_built_attribution(ds: Dataset, lang: Lang) -> None:
    bundle = build_bundle(ds, Tiles(None, ""))
    assert bundle["text"][lang]["attribution"] == attribution(ds, lang)
