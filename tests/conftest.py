"""Shared paths and helpers for the tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
FIXTURES = ROOT / "tests" / "data"
VALID = FIXTURES / "valid"
#: the seed article; it lives beside the repo, not in it
ARTICLE = ROOT.parent / "shared" / "seed" / "article-ar.txt"


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped data folder."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


@pytest.fixture
def valid_copy(tmp_path: Path) -> Path:
    """A writable copy of the tiny valid fixture set."""
    target = tmp_path / "valid"
    shutil.copytree(VALID, target)
    return target
