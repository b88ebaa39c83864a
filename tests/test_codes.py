"""The catalogue of problem codes and the vocabularies of the schema: each declared once,
each with its words, style and legend line; a row's every mistake in one run."""

from __future__ import annotations

import ast
import csv
import json
import shutil
from pathlib import Path

import pytest

from mapapp.core.codes import CODES, UndeclaredCode, did_you_mean
from mapapp.core.report import Issue
from mapapp.core.schema import load_schema
from mapapp.core.validate import load_dataset
from mapapp.draw.i18n import BLOC, KIND, LANGS, STATUS
from mapapp.draw.style import STATUS_LOOK, legend_items

from .conftest import FIXTURES, ROOT, run_mapapp

VALID = FIXTURES / "valid"


def test_an_undeclared_code_is_refused() -> None:
    with pytest.raises(UndeclaredCode, match=r"mapapp/core/codes\.py"):
        Issue("control.csv", 2, "status", "no-such-code", "message")
    assert Issue("control.csv", 2, "status", "bad-value", "m").code == "bad-value"


def test_every_code_written_in_the_code_is_declared() -> None:
    """Every literal passed as an Issue's code (and every code fixture) is in the catalogue."""
    used: set[str] = set()
    for path in (ROOT / "mapapp").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Issue":
                arg = node.args[3] if len(node.args) > 3 else None
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    used.add(arg.value)
    assert used, "the scan found the Issue calls"
    assert used <= set(CODES), sorted(used - set(CODES))
    fixtures = {p.name.split(".")[0] for p in (FIXTURES / "invalid").iterdir()}
    assert fixtures <= set(CODES), sorted(fixtures - set(CODES))
    assert all(c.title and c.todo for c in CODES.values())


def test_mapapp_codes_lists_the_catalogue() -> None:
    done = run_mapapp("codes", "--format", "json")
    assert done.returncode == 0, done.stderr
    listed = json.loads(done.stdout)
    assert [c["code"] for c in listed] == list(CODES)
    assert all(set(c) >= {"code", "title"} and c["title"] for c in listed)
    text = run_mapapp("codes").stdout
    assert "wrong-cell-count" in text and CODES["bad-colour"].title in text


def test_every_status_kind_and_bloc_of_the_schema_has_words_a_style_and_a_legend_line() -> None:
    schema = load_schema()  # the shipped schema: what the editors may write
    statuses = schema.resource("control").field("status").enum
    kinds = schema.resource("events").field("kind").enum
    assert statuses and kinds
    ds = load_dataset(VALID).dataset
    assert ds is not None
    legend = {i.key for lang in LANGS for i in legend_items(ds, [], "conventional", lang)}
    for status in (*statuses, "mixed", "no-data"):
        assert all(STATUS.get(status, {}).get(lang) for lang in LANGS), f"label of {status}"
        assert status in STATUS_LOOK, f"style of {status}"
    for status in (*statuses, "no-data"):
        assert status in legend, f"legend line of {status}"
    for kind in kinds:
        assert all(KIND.get(kind, {}).get(lang) for lang in LANGS), f"label of {kind}"
    blocs = schema.resource("factions").field("bloc").enum
    assert blocs
    for bloc in blocs:  # the sides of fronts and of ground held
        assert all(BLOC.get(bloc, {}).get(lang) for lang in LANGS), f"label of bloc {bloc}"


def test_an_unknown_status_is_an_error_not_shared_stripes() -> None:
    from dataclasses import replace
    from datetime import date

    from mapapp.core.resolve import resolve
    from mapapp.core.timeline import Timeline
    from mapapp.draw.style import place_style

    ds = load_dataset(VALID).dataset
    assert ds is not None
    state = next(iter(Timeline(ds).state_at(date(2015, 9, 15)).values()))
    with pytest.raises(ValueError, match="STATUS_LOOK"):
        place_style(resolve(ds, replace(state, status="contested")), "conventional")


def test_a_row_with_three_mistakes_gets_three_messages(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    shutil.copytree(VALID, folder)
    path = folder / "control.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header, row = rows[0], list(rows[1])
    row[header.index("start")] = "2015-13-45"
    row[header.index("faction_id")] = "regim"
    rows[1] = [*row, "an extra cell"]
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    report = load_dataset(folder).report
    on_line = {i.code: i for i in report.issues if i.file == "control.csv" and i.line == 2}
    assert set(on_line) == {"wrong-cell-count", "bad-date", "unknown-faction"}
    assert "did you mean 'regime'?" in on_line["unknown-faction"].message
    assert on_line["bad-date"].column == "start"


def test_did_you_mean_offers_the_closest_known_value() -> None:
    assert did_you_mean("regim", ["regime", "opposition"]) == " (did you mean 'regime'?)"
    assert did_you_mean("sharde", ["sole", "shared"]) == " (did you mean 'shared'?)"
    assert did_you_mean("zzzz", ["regime", "opposition"]) == ""
    assert did_you_mean("regim" * 100, ["regime"]) == "", "no search for a huge value"
