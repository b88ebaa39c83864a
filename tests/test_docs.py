"""The docs cannot drift: README's commands and example output are the real ones."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from mapapp.cli import command_names, main
from mapapp.core.schema import load_schema, parse_schema
from mapapp.editing import docs

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


# -- EDITING.md: the editors' guide ----------------------------------------------------------
EDITING = (ROOT / "EDITING.md").read_text(encoding="utf-8")


def _mapapp(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mapapp", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def _shown_runs(page: str) -> list[tuple[str, str]]:
    """Every ``$ mapapp …`` run shown in a ```text block: (command, output as shown)."""
    blocks: list[tuple[str, str]] = re.findall(
        r"```text\n\$ mapapp (.+?)\n(.*?)```", page, flags=re.S
    )
    return blocks


def test_readme_links_to_the_editing_guide() -> None:
    section = README.split("## Editing the data", 1)[1].split("\n## ", 1)[0]
    assert "(EDITING.md)" in section


def test_editing_guide_column_reference_is_generated_from_the_schema() -> None:
    assert docs.extract_block(EDITING) == docs.columns_markdown(load_schema()).strip("\n")


def test_editing_guide_names_every_column_of_every_file() -> None:
    for resource in load_schema().resources:
        assert f"`{resource.path}`" in EDITING, resource.path
        for name in resource.field_names:
            assert f"`{name}`" in EDITING, f"{resource.name}.{name}"


def test_every_cli_command_is_in_the_readme_or_the_editing_guide() -> None:
    for name in command_names():
        assert f"mapapp {name}" in README + EDITING, name


def test_editing_guide_shows_the_validators_real_output() -> None:
    runs = dict(_shown_runs(EDITING))
    shown = runs["validate tests/data/editing-example"]
    result = _mapapp("validate", "tests/data/editing-example")
    assert result.returncode == 1
    assert result.stdout.strip() == shown.strip()
    # one line per problem, each file:line [column]: message (code)
    problems = result.stdout.splitlines()[1:]
    assert len(problems) >= 5
    assert all(re.fullmatch(r"  \S+:\d+ \[\w+\]: .+ \([a-z-]+\)", p) for p in problems)


def test_editing_guide_shows_real_output_of_every_command_it_runs() -> None:
    runs = _shown_runs(EDITING)
    assert {c.split()[0] for c, _ in runs} >= {"validate", "review"}
    for command, shown in runs:
        result = _mapapp(*command.split())
        assert result.returncode in (0, 1), result.stderr
        assert result.stdout.strip() == shown.strip(), command


def test_editing_examples_are_committed_fixtures() -> None:
    fixtures = ROOT / "tests" / "data"
    assert (fixtures / "editing-example" / "control.csv").is_file()
    assert (fixtures / "review-example" / "old" / "control.csv").is_file()
    assert (fixtures / "review-example" / "new" / "control.csv").is_file()


def test_pre_commit_hook_validates_the_data() -> None:
    config = (ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    assert "repo: local" in config
    assert "id: mapapp-validate" in config
    assert "entry: python -m mapapp validate data" in config
    assert "files: ^data/" in config
    assert "pass_filenames: false" in config
    assert "mapapp validate" in config
    assert ".pre-commit-config.yaml" in EDITING


def test_docs_command_prints_the_reference() -> None:
    result = _mapapp("docs")
    assert result.returncode == 0
    assert result.stdout == docs.columns_markdown(load_schema())


def test_docs_command_rewrites_the_block_in_place(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(f"before\n{docs.START}\nold-block\n{docs.END}\nafter\n", encoding="utf-8")
    assert main(["docs", "--write", str(page)]) == 0
    text = page.read_text(encoding="utf-8")
    assert text.startswith("before\n") and text.endswith("\nafter\n")
    assert "old-block" not in text
    assert docs.extract_block(text) == docs.columns_markdown(load_schema()).strip("\n")
    assert docs.replace_block(text, docs.columns_markdown(load_schema())) == text


def test_docs_command_without_markers_exits_2(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("no markers here\n", encoding="utf-8")
    assert main(["docs", "--write", str(page)]) == 2
    assert page.read_text(encoding="utf-8") == "no markers here\n"


def test_column_reference_escapes_table_cells() -> None:
    schema = parse_schema(
        {
            "resources": [
                {
                    "name": "things",
                    "path": "things.csv",
                    "format": "csv",
                    "description": "Things.",
                    "schema": {
                        "fields": [
                            {
                                "name": "mode",
                                "description": "a | b,\nover two lines",
                                "example": "a|b",
                                "constraints": {"required": True, "enum": ["a", "b"]},
                            }
                        ]
                    },
                }
            ]
        }
    )
    assert docs.columns_markdown(schema).splitlines()[-1] == (
        "| `mode` | yes | one of `a`, `b` | a \\| b, over two lines | `a\\|b` |"
    )
