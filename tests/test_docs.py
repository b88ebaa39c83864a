"""The docs cannot drift: README's commands and example output are the real ones."""

from __future__ import annotations

import re
import subprocess
import sys

from mapapp.cli import command_names

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _setup_commands() -> list[str]:
    section = README.split("## Set up", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section, flags=re.S)


def test_readme_gives_exactly_two_setup_commands() -> None:
    commands = _setup_commands()
    assert len(commands) == 2, commands
    run, test = commands
    assert "requirements.txt" in run
    assert "streamlit run mapapp/app.py" in run
    assert "requirements-dev.txt" in test
    assert "pytest" in test


def test_ci_runs_the_readmes_test_command_verbatim() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    test_command = _setup_commands()[1]
    assert test_command in ci.splitlines()


def test_readme_validator_example_is_real_output() -> None:
    block = README.split("$ mapapp validate tests/data/broken-example\n", 1)[1].split("\n```", 1)[0]
    result = subprocess.run(
        [sys.executable, "-m", "mapapp", "validate", "tests/data/broken-example"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert result.stdout.strip() == block.strip()


def test_every_cli_command_is_in_the_readme() -> None:
    commands = command_names()
    for name in commands:
        assert f"mapapp {name}" in README, name


def test_every_data_file_is_in_the_readme() -> None:
    for path in sorted((ROOT / "data").iterdir()):
        assert f"data/{path.name}" in README, path.name
