"""The folders by runtime, kept: what each may import (read from the source, not run), and
the CLI's path loads none of the heavy UI and GIS libraries."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

PACKAGE = ROOT / "mapapp"
#: the mapapp folders each folder may import (its own included)
ALLOWED = {
    "core": {"core"},
    "draw": {"core", "draw"},
    "web": {"core", "draw", "web"},
    "editing": {"core", "draw", "editing"},
}
HEAVY = {"streamlit", "folium", "streamlit_folium", "geopandas"}


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node but those under ``if TYPE_CHECKING:`` (imports for the type checker only)."""
    out: list[ast.AST] = []
    for child in ast.iter_child_nodes(tree):
        if isinstance(child, ast.If) and getattr(child.test, "id", None) == "TYPE_CHECKING":
            for other in child.orelse:
                out += [other, *_runtime_nodes(other)]
            continue
        out += [child, *_runtime_nodes(child)]
    return out


def _imports(path: Path) -> set[str]:
    names = set()
    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names |= {f"{node.module}.{a.name}" for a in node.names}
    return names


MODULES = {p.relative_to(PACKAGE).as_posix(): _imports(p) for p in PACKAGE.rglob("*.py")}


@pytest.mark.parametrize("module", sorted(MODULES))
def test_each_module_imports_only_what_its_folder_may(module: str) -> None:
    folder = module.split("/")[0] if "/" in module else None
    ours = {n.split(".")[1] for n in MODULES[module] if n.startswith("mapapp.")}
    ours -= {"__version__"}
    third = {n.split(".")[0] for n in MODULES[module]}
    if folder in ALLOWED:
        assert ours <= ALLOWED[folder], f"{module} imports {sorted(ours - ALLOWED[folder])}"
    if folder != "ui" and module != "app.py":
        assert "streamlit" not in third, f"{module} imports streamlit"
    if module != "notebook.py":
        assert not third & {"folium", "geopandas", "streamlit_folium"}, module
    if module == "cli.py":
        assert "ui" not in ours


@pytest.mark.parametrize(
    "code",
    [
        "import mapapp.cli",
        "import mapapp, mapapp.web.export, mapapp.web.publish, mapapp.editing.store",
        "from mapapp.cli import main; main(['state', '--on', '2015-09-15', '--format', 'json'])",
    ],
)
def test_the_cli_path_loads_no_ui_or_gis_library(code: str) -> None:
    probe = f"{code}\nimport sys\nprint(sorted(m for m in {sorted(HEAVY)!r} if m in sys.modules))"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout[-300:]


def test_the_notebook_api_loads_folium_only_when_asked() -> None:
    probe = (
        "import sys, mapapp\nassert 'folium' not in sys.modules\n"
        "mapapp.folium_map('2015-09-15')\nprint('folium' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert done.stdout.strip() == "True"
