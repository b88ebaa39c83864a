"""The in-app editor's logic: columns, rows, preview, and who may edit."""

from __future__ import annotations

from pathlib import Path

from mapapp.core.schema import load_schema
from mapapp.core.validate import load_dataset
from mapapp.editing import editor as editing
from mapapp.editing import store

from .conftest import DATA


def _specs(file: str) -> dict[str, editing.ColumnSpec]:
    ds = load_dataset(DATA).dataset
    return {s.name: s for s in editing.column_specs(load_schema(DATA), file, ds)}


def test_columns_offer_choices_for_ids_and_allowed_values() -> None:
    specs = _specs("control.csv")
    assert specs["place_id"].options is not None
    assert "yarmouk" in specs["place_id"].options
    assert specs["faction_id"].options is not None
    assert "ajnad_sham" in specs["faction_id"].options
    assert specs["source_id"].options == ("elaph_2015_09", "elaph_investigation")
    assert specs["status"].options == ("sole", "shared", "partial", "presence", "allied")
    assert specs["start_precision"].options == ("", "day", "month", "year")
    assert specs["quote_ar"].options is None
    assert specs["quote_ar"].required
    assert specs["start"].pattern is not None
    events = _specs("events.csv")
    assert events["actors"].options is None, "lists of ids are typed as text"
    assert "siege" in (events["kind"].options or ())


def test_rows_from_records_keeps_column_order_and_drops_blank_rows() -> None:
    records: list[dict[str, object]] = [
        {"b": "2", "a": "1"},
        {"a": None, "b": float("nan")},
        {"a": " x ", "b": None},
    ]
    assert editing.rows_from_records(records, ["a", "b"]) == [
        {"a": "1", "b": "2"},
        {"a": " x ", "b": ""},
    ]


def test_preview_of_a_valid_edit_shows_rows_and_map_changes(data_copy: Path) -> None:
    current = load_dataset(data_copy).dataset
    table = store.read_table(data_copy, "control.csv")
    rows = [dict(r) for r in table.rows]
    qadam = next(r for r in rows if r["place_id"] == "qadam")
    qadam["end"] = "2015-09"
    qadam["end_precision"] = "month"
    result = editing.preview(data_copy, table, rows, current)
    assert result.report.valid, result.report.to_text()
    assert len(result.diff.changed) == 1
    assert result.can_save
    assert {i.place_id for i in result.map_changes} == {"qadam"}


def test_preview_of_an_invalid_edit_cannot_be_saved_and_writes_nothing(data_copy: Path) -> None:
    before = {p.name: p.read_bytes() for p in data_copy.iterdir() if p.is_file()}
    current = load_dataset(data_copy).dataset
    table = store.read_table(data_copy, "control.csv")
    rows = [dict(r) for r in table.rows]
    rows[0]["faction_id"] = "nobody"
    result = editing.preview(data_copy, table, rows, current)
    assert not result.can_save
    assert [(i.file, i.line, i.column, i.code) for i in result.report.sorted()] == [
        ("control.csv", 2, "faction_id", "unknown-faction")
    ]
    after = {p.name: p.read_bytes() for p in data_copy.iterdir() if p.is_file()}
    assert after == before


def test_no_change_means_nothing_to_save(data_copy: Path) -> None:
    table = store.read_table(data_copy, "factions.csv")
    result = editing.preview(data_copy, table, [dict(r) for r in table.rows], None)
    assert result.diff.empty
    assert not result.can_save


def test_editors_and_auth_from_secrets() -> None:
    assert editing.editors_from_secrets({}) == ()
    assert editing.editors_from_secrets({"mapapp": {"editors": ["A@Example.org", " "]}}) == (
        "a@example.org",
    )
    assert editing.editors_from_secrets({"mapapp": {"editors": "one@example.org"}}) == (
        "one@example.org",
    )
    assert not editing.auth_configured({})
    assert not editing.auth_configured({"auth": {"redirect_uri": "x"}})
    assert editing.auth_configured({"auth": {"redirect_uri": "x", "cookie_secret": "y"}})


def test_the_preview_shows_a_bounded_number_of_rows() -> None:
    """Finding 2: a pasted block of thousands of rows is counted, not drawn each rerun."""
    from mapapp.editing.editor import PREVIEW_ROWS, preview_tables
    from mapapp.editing.store import RowDiff

    row = {"a": "1"}
    diff = RowDiff([row] * (PREVIEW_ROWS + 25), [row] * 3, [(row, row)] * (PREVIEW_ROWS + 1))
    tables = preview_tables(diff)
    assert [t.key for t in tables] == ["added_rows", "removed_rows", "changed_rows"]
    assert [(len(t.rows), t.more) for t in tables] == [
        (PREVIEW_ROWS, 25),
        (3, 0),
        (PREVIEW_ROWS, PREVIEW_ROWS + 2),
    ]
    assert tables[0].note == "… and 25 more rows not shown" and tables[1].note == ""


def test_a_new_claim_becomes_a_row_in_the_files_column_order() -> None:
    header = ["place_id", "faction_id", "start", "as_of", "status", "source_id", "claimant",
              "quote_ar", "quote_en", "note"]  # fmt: skip
    row = editing.claim_row(
        editing.NewClaim(
            place_id="asali",
            faction_id="isis",
            status="sole",
            source_id="other",
            claimant="other-desk",
            quote_ar=" نص ",
            quote_en="text",
            as_of="2015-09-20",
            credibility="3",
        ),
        header,
    )
    assert list(row) == header, "credibility has no column in this file: dropped"
    assert row["quote_ar"] == "نص" and row["as_of"] == "2015-09-20" and row["start"] == ""


def test_the_editor_state_becomes_the_changes_by_row_in_the_file() -> None:
    """Streamlit's data_editor names rows by their position in the table shown: a page of
    the file's rows, then the new rows not saved yet."""
    header = ["id", "name"]
    shown = [40, 41, 42]  # a page showing rows 40-42 of the file
    pending = [{"id": "p", "name": "P"}, {"id": "q", "name": "Q"}]
    state = {
        "edited_rows": {1: {"name": "changed", "_index": 9}, 3: {"name": "Q2"}},
        "deleted_rows": [2, 4],
        "added_rows": [{"id": "n", "name": None}, {"id": None, "name": ""}],
    }
    changes = editing.changes_from_editor(state, shown, pending, header)
    assert changes.edited == {41: {"name": "changed"}}
    assert set(changes.deleted) == {42}
    # positions 3 and 4 are the pending rows: the first edited, the second deleted; a
    # blank added row is dropped
    assert list(changes.added) == [{"id": "p", "name": "Q2"}, {"id": "n", "name": ""}]


def test_a_large_table_is_shown_a_page_or_a_place_at_a_time(tmp_path: Path) -> None:
    from benchmarks import synth

    folder = synth.generate(tmp_path / "data", 12, editing.PAGE_ROWS + 300)
    table = store.read_table(folder, "control.csv")
    assert table.row_count == editing.PAGE_ROWS + 300
    assert editing.page_indices(table) == list(range(editing.PAGE_ROWS))
    assert editing.page_indices(table, page=1) == list(range(editing.PAGE_ROWS, table.row_count))
    place = table.rows_at([500])[0]["place_id"]
    mine = editing.page_indices(table, f" {place} ")
    assert 500 in mine
    assert [r["place_id"] for r in table.rows_at(mine)] == [place] * len(mine)
    assert len(mine) == sum(r["place_id"] == place for r in table.rows)


def test_preview_of_changes_checks_as_the_save_does(data_copy: Path) -> None:
    current = load_dataset(data_copy).dataset
    table = store.read_table(data_copy, "control.csv")
    bad = store.Changes(edited={0: {"faction_id": "nobody"}})
    result = editing.preview_changes(data_copy, table, bad, current)
    assert [c for _, c in result.diff.changed] == [{**table.rows[0], "faction_id": "nobody"}]
    assert "unknown-faction" in result.report.codes()
    assert not result.can_save
    good = store.Changes(edited={0: {"note": "checked again"}})
    result = editing.preview_changes(data_copy, table, good, current)
    assert result.report.valid and result.can_save
