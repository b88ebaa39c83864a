"""Shared paths and helpers for the tests."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
FIXTURES = ROOT / "tests" / "data"
VALID = FIXTURES / "valid"


def run_mapapp(*args: str) -> subprocess.CompletedProcess[str]:
    """``python -m mapapp ARGS`` from the repo root, as a user runs it: output captured as
    UTF-8 text, the exit status left to the caller."""
    return subprocess.run(
        [sys.executable, "-m", "mapapp", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )


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
