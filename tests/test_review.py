"""mapapp review: what an edit changes on the map, between two folders or a git revision."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from mapapp.cli import main
from mapapp.core.model import Dataset
from mapapp.core.validate import load_dataset
from mapapp.editing import revision
from mapapp.editing.review import (
    NO_CHANGES,
    ReviewItem,
    review,
    review_records,
    review_to_text,
    span_text,
)

from .conftest import DATA, FIXTURES, VALID
from .hostile_payloads import HOSTILE_ENTRY_NAMES

EDITING_EXAMPLE = FIXTURES / "editing-example"
#: a new source and a period resting on it, by column: written under the file's own header
NEW_SOURCE = {
    "id": "new_report",
    "outlet": "Test Outlet",
    "url": "https://example.org/report",
    "published": "2015-10-05",
    "published_precision": "day",
    "approximate": "false",
    "note": "A source made up for this test.",
}
NEW_PERIOD = {
    "place_id": "qadam",
    "faction_id": "ajnad_sham",
    "start": "2015-01",
    "start_precision": "month",
    "end": "source:elaph_investigation",
    "status": "sole",
    "source_id": "new_report",
    "claim": "N1",
    "claimant": "activists",
    "quote_ar": "يسيطر أجناد الشام على القدم",
    "quote_en": "Ajnad al-Sham controls al-Qadam",
}
NEW_PERIOD_LINE = (
    "qadam (al-Qadam), 2015-01-01 to 2015-08-10: was no data; now Ajnad al-Sham (sole). "
    "Sources: new_report."
)


# -- building pairs ------------------------------------------------------------------------
def copy_pair(tmp_path: Path, source: Path = DATA) -> tuple[Path, Path]:
    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(source, old)
    shutil.copytree(source, new)
    return old, new


def edit_line(path: Path, line: int, old: str, new: str) -> None:
    """Replace ``old`` by ``new`` on one line (as an editor numbers it: the header is 1)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    assert old in lines[line - 1], (path, line, lines[line - 1][:80])
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    path.write_text("\n".join(lines), encoding="utf-8")


def delete_lines(path: Path, *numbers: int) -> None:
    lines = path.read_text(encoding="utf-8").split("\n")
    path.write_text(
        "\n".join(x for i, x in enumerate(lines, start=1) if i not in numbers), encoding="utf-8"
    )


def append_line(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as fh:
        fh.write(text + "\n")


def append_row(path: Path, values: dict[str, str]) -> None:
    """Append a row holding ``values`` in the columns of the file's header (others empty)."""
    with path.open(encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh))
    assert set(values) <= set(header), set(values) - set(header)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow([values.get(c, "") for c in header])
    append_line(path, out.getvalue().removesuffix("\n"))


def load(folder: Path) -> Dataset:
    result = load_dataset(folder)
    assert result.dataset is not None, result.report.to_text()
    return result.dataset


def compare(old: Path, new: Path) -> tuple[list[ReviewItem], list[str]]:
    a, b = load(old), load(new)
    items = review(a, b)
    return items, review_to_text(review_records(a, b, items)).splitlines()


def add_new_period(new: Path) -> None:
    """A new source, and a control period resting on it, before anything was known."""
    append_row(new / "sources.csv", NEW_SOURCE)
    append_row(new / "control.csv", NEW_PERIOD)


# -- the review itself ---------------------------------------------------------------------
def test_a_new_period_from_a_new_source_shows_the_place_span_and_source(tmp_path: Path) -> None:
    old, new = copy_pair(tmp_path)
    add_new_period(new)
    items, text = compare(old, new)
    # one item: the spans cut by other places' boundaries (yarmouk, 1 March) are merged
    assert len(items) == 1
    item = items[0]
    assert (item.place_id, item.start, item.end) == ("qadam", date(2015, 1, 1), date(2015, 8, 11))
    assert item.last_day == date(2015, 8, 10)
    assert item.before.status == "no-data"
    assert (item.after.status, item.after.faction_ids) == ("sole", ("ajnad_sham",))
    assert item.source_ids == ("new_report",)
    assert text == [NEW_PERIOD_LINE]


def test_a_later_end_shows_only_the_days_between_the_old_and_new_end(tmp_path: Path) -> None:
    old, new = copy_pair(tmp_path, VALID)
    edit_line(new / "control.csv", 6, "2015-07,month", "2015-08,month")
    items, text = compare(old, new)
    assert [(i.place_id, i.start, i.end) for i in items] == [
        ("beta", date(2015, 7, 1), date(2015, 8, 1))
    ]
    assert text == [
        "beta (Beta), 2015-07-01 to 2015-07-31: was no data; now Regime forces (sole). "
        "Sources: art."
    ]


def test_an_earlier_end_shows_the_days_no_longer_held(tmp_path: Path) -> None:
    old, new = copy_pair(tmp_path, VALID)
    edit_line(new / "control.csv", 6, "2015-07,month", "2015-06-20,day")
    items, _ = compare(old, new)
    assert [(i.place_id, i.start, i.end) for i in items] == [
        ("beta", date(2015, 6, 20), date(2015, 7, 1))
    ]
    assert (items[0].before.status, items[0].after.status) == ("sole", "no-data")


def test_shared_to_sole_control(tmp_path: Path) -> None:
    old, new = copy_pair(tmp_path)
    control = new / "control.csv"
    # yalda: Jaysh al-Islam alone; Liwa Sham al-Rasul and Ahrar al-Sham removed
    edit_line(control, 12, "yalda,jaysh_islam,,,,,,,shared,", "yalda,jaysh_islam,,,,,,,sole,")
    delete_lines(control, 13, 14)
    items, text = compare(old, new)
    # two spans: the difference holds while the report is current, and after it is stale
    assert [(i.place_id, i.start, i.end) for i in items] == [
        ("yalda", date(2015, 8, 11), date(2015, 12, 9)),
        ("yalda", date(2015, 12, 9), None),
    ]
    assert items[1].after.stale and items[1].before.stale
    item = items[0]
    assert item.before.status == "shared"
    assert item.before.faction_ids == ("jaysh_islam", "liwa_sham_rasul", "ahrar_sham")
    assert (item.after.status, item.after.faction_ids) == ("sole", ("jaysh_islam",))
    assert text[0] == (
        "yalda (Yalda), 2015-08-11 to 2015-12-08: was Jaysh al-Islam + Liwa Sham al-Rasul + "
        "Harakat Ahrar al-Sham (shared); now Jaysh al-Islam (sole). Sources: elaph_investigation."
    )


def test_no_change_is_empty(tmp_path: Path) -> None:
    old, new = copy_pair(tmp_path)
    items, text = compare(old, new)
    assert items == []
    assert text == [NO_CHANGES]


def test_an_edit_to_a_note_only_changes_nothing_on_the_map(tmp_path: Path) -> None:
    old, new = copy_pair(tmp_path)
    edit_line(new / "control.csv", 12, "Three factions named together", "Named together")
    assert (old / "control.csv").read_bytes() != (new / "control.csv").read_bytes()
    assert compare(old, new) == ([], [NO_CHANGES])


def test_an_unknown_start_is_the_span_from_the_report_on(tmp_path: Path) -> None:
    old, new = copy_pair(tmp_path, VALID)
    edit_line(new / "control.csv", 2, "alpha,opposition,", "alpha,regime,")
    items, text = compare(old, new)
    # no start: the claim holds as of its report (2015, the year), not from the beginning
    assert [(i.place_id, i.start, i.end) for i in items] == [
        ("alpha", date(2015, 1, 1), date(2015, 3, 1))
    ]
    assert text == [
        "alpha (Alpha), 2015-01-01 to 2015-02-28: was Opposition factions (sole); now Regime "
        "forces (sole). Sources: art."
    ]


def test_a_condition_shows_as_a_change(tmp_path: Path) -> None:
    old, new = copy_pair(tmp_path)
    # the siege dated to August 2015 instead of the article's month: its span moves
    edit_line(new / "events.csv", 9, "siege_qadam,source:elaph_2015_09,", "siege_qadam,2015-08,")
    items, text = compare(old, new)
    # from September both versions report the siege (it goes on, like control)
    assert [(i.place_id, i.start, i.end) for i in items] == [
        ("qadam", date(2015, 8, 1), date(2015, 8, 11)),
        ("qadam", date(2015, 8, 11), date(2015, 9, 1)),
    ]
    assert text[0] == (
        "qadam (al-Qadam), 2015-08-01 to 2015-08-10: was no data; now no data [siege]. "
        "Sources: elaph_2015_09."
    )
    assert text[1].endswith(
        "was Ajnad al-Sham (sole); now Ajnad al-Sham (sole) [siege]. "
        "Sources: elaph_investigation, elaph_2015_09."
    )


def test_undated_rows_hold_from_their_sources_date(tmp_path: Path) -> None:
    old, new = copy_pair(tmp_path, VALID)
    for folder, faction in ((old, "regime"), (new, "isis")):
        (folder / "control.csv").write_text(
            "place_id,faction_id,status,source_id,claim,claimant,quote_ar,quote_en\n"
            f"beta,{faction},sole,art,C6,elaph,اقتباس,quote\n",
            encoding="utf-8",
        )
        delete_lines(folder / "events.csv", 2)  # the siege: the only dated row left
    items, text = compare(old, new)
    # no start and no as_of: as of the source's publication (Sep 2015), stale 90 days on
    assert [(i.place_id, i.start, i.end) for i in items] == [
        ("beta", date(2015, 9, 1), date(2015, 12, 30)),
        ("beta", date(2015, 12, 30), None),
    ]
    assert text[0] == (
        "beta (Beta), 2015-09-01 to 2015-12-29: was Regime forces (sole); now ISIS (sole). "
        "Sources: art."
    )


def _square(pid: str, name: str, west: float) -> str:
    ring = [[west, 33.46], [west + 0.01, 33.46], [west + 0.01, 33.47], [west, 33.47]]
    ring.append(ring[0])
    return json.dumps(
        {
            "type": "Feature",
            "properties": {
                "id": pid,
                "name_en": name,
                "name_ar": "دلتا",
                "kind": "town",
                "ref_lat": 33.465,
                "ref_lon": west + 0.005,
                "ref_source": "test",
                "ref_confidence": "low",
                "boundary_approximate": True,
                "boundary_note": "",
            },
            "geometry": {"type": "Polygon", "coordinates": [ring]},
        }
    )


def test_places_added_and_removed_count_as_no_data_on_the_other_side(tmp_path: Path) -> None:
    old, new = copy_pair(tmp_path, VALID)
    geo = json.loads((new / "neighbourhoods.geojson").read_text(encoding="utf-8"))
    geo["features"] = [f for f in geo["features"] if f["properties"]["id"] != "beta"]
    geo["features"].append(json.loads(_square("delta", "Delta", 36.34)))
    (new / "neighbourhoods.geojson").write_text(json.dumps(geo), encoding="utf-8")
    delete_lines(new / "control.csv", 6)  # beta's period
    delete_lines(new / "events.csv", 2)  # beta's siege
    append_line(new / "control.csv", "delta,isis,2015-05,month,,,,,sole,art,C7,elaph,اقتباس,quote,")
    a, b = load(old), load(new)
    items = review(a, b)
    # the new version's places in its order (alpha, gamma, delta), then the removed beta
    # (each place's difference also changes on the day its report goes stale)
    assert [(i.place_id, i.start) for i in items] == [
        ("delta", date(2015, 5, 1)),
        ("delta", date(2015, 12, 30)),
        ("beta", date(2015, 6, 15)),
        ("beta", date(2015, 9, 1)),
        ("beta", date(2015, 12, 30)),
    ]
    records = review_records(a, b, items)
    assert [r["name_en"] for r in records] == ["Delta", "Delta", "Beta", "Beta", "Beta"]
    assert records[0]["before"]["status"] == "no-data"
    assert records[0]["after"]["factions"][0]["id"] == "isis"
    assert records[2]["after"]["status"] == "no-data"
    assert records[3]["before"]["conditions"][0]["kind"] == "siege"
    assert "delta (Delta), 2015-05-01 to 2015-12-29: was no data; now ISIS (sole)" in (
        review_to_text(records)
    )


def test_records_are_json_ready(tmp_path: Path) -> None:
    old, new = copy_pair(tmp_path)
    add_new_period(new)
    a, b = load(old), load(new)
    records = review_records(a, b, review(a, b))
    assert json.loads(json.dumps(records)) == records
    (record,) = records
    assert set(record) == {"place_id", "name_en", "start", "end", "before", "after", "source_ids"}
    assert (record["start"], record["end"]) == ("2015-01-01", "2015-08-11")
    assert record["after"]["claims"][0]["quote_ar"] == "يسيطر أجناد الشام على القدم"
    assert record["source_ids"] == ["new_report"]


@pytest.mark.parametrize(
    ("start", "end", "text"),
    [
        ("2015-03-01", "2015-08-11", "2015-03-01 to 2015-08-10"),
        ("2015-03-01", "2015-03-02", "on 2015-03-01"),
        ("2015-03-01", None, "from 2015-03-01 on"),
        (None, "2015-03-01", "until 2015-02-28"),
        (None, None, "at all times"),
    ],
)
def test_span_text(start: str | None, end: str | None, text: str) -> None:
    assert span_text(start, end) == text


# -- the command ---------------------------------------------------------------------------
def test_command_text_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old, new = copy_pair(tmp_path)
    add_new_period(new)
    assert main(["review", str(old), str(new)]) == 0
    assert capsys.readouterr().out == NEW_PERIOD_LINE + "\n"
    assert main(["review", str(old), str(new), "--format", "json"]) == 0
    (record,) = json.loads(capsys.readouterr().out)
    assert (record["place_id"], record["start"], record["end"]) == (
        "qadam",
        "2015-01-01",
        "2015-08-11",
    )


def test_command_with_no_change_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old, new = copy_pair(tmp_path, VALID)
    edit_line(new / "control.csv", 2, "start unknown", "start not known")
    assert main(["review", str(old), str(new)]) == 0
    assert capsys.readouterr().out == NO_CHANGES + "\n"
    assert main(["review", str(old), str(new), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


@pytest.mark.parametrize("side", ["old", "new"])
def test_command_names_the_side_with_problems_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], side: str
) -> None:
    folders = {"old": DATA, "new": DATA, side: EDITING_EXAMPLE}
    assert main(["review", str(folders["old"]), str(folders["new"])]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert f"The {side} data ({EDITING_EXAMPLE}) has problems:" in err
    assert "control.csv:20 [source_id]" in err
    other = "new" if side == "old" else "old"
    assert f"The {other} data" not in err


def test_command_missing_folder_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["review", str(DATA), str(tmp_path / "nowhere")]) == 2
    assert "is not a folder" in capsys.readouterr().err


# -- git revisions -------------------------------------------------------------------------
GIT_COMMIT = [
    "git",
    "-c",
    "user.name=Test",
    "-c",
    "user.email=test@example.org",
    "-c",
    "commit.gpgsign=false",
    "commit",
]
needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repository with a copy of the shipped data committed in ``data/``."""
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY"):
        monkeypatch.delenv(name, raising=False)
    root = tmp_path / "repo"
    shutil.copytree(DATA, root / "data")

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)

    git("init", "-q")
    git("add", "data")
    git(*GIT_COMMIT[1:], "-q", "-m", "data")
    return root


@needs_git
def test_review_against_a_git_revision(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    add_new_period(repo / "data")
    assert main(["review", "HEAD", str(repo / "data")]) == 0
    assert capsys.readouterr().out == NEW_PERIOD_LINE + "\n"


@needs_git
def test_review_against_a_git_revision_from_inside_the_folder(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    add_new_period(repo / "data")
    monkeypatch.chdir(repo / "data")
    assert main(["review", "HEAD", "."]) == 0
    assert capsys.readouterr().out == NEW_PERIOD_LINE + "\n"


@needs_git
def test_git_revision_without_changes(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["review", "HEAD", str(repo / "data")]) == 0
    assert capsys.readouterr().out == NO_CHANGES + "\n"


@needs_git
@pytest.mark.parametrize("revision", ["no-such-branch", "HEAD~5", "-x"])
def test_a_bad_revision_exits_2(
    repo: Path, capsys: pytest.CaptureFixture[str], revision: str
) -> None:
    assert main(["review", "--", revision, str(repo / "data")]) == 2
    assert f"'{revision}' is neither a folder nor a git revision" in capsys.readouterr().err


@needs_git
def test_a_folder_not_at_the_revision_exits_2(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(VALID, repo / "other")
    assert main(["review", "HEAD", str(repo / "other")]) == 2
    assert "does not exist at revision 'HEAD'" in capsys.readouterr().err


@needs_git
def test_a_revision_outside_a_repository_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    folder = tmp_path / "plain"
    shutil.copytree(VALID, folder)
    assert main(["review", "HEAD", str(folder)]) == 2
    assert "is not in a git repository" in capsys.readouterr().err


@needs_git
def test_git_mode_by_subprocess_reports_problems_at_the_revision(repo: Path) -> None:
    """The old side comes from git: its problems are named as REV:folder."""
    for f in EDITING_EXAMPLE.iterdir():
        shutil.copy(f, repo / "data" / f.name)
    subprocess.run(
        [*GIT_COMMIT, "-qam", "broken"],
        cwd=repo,
        check=True,
        capture_output=True,
    )
    shutil.rmtree(repo / "data")
    shutil.copytree(DATA, repo / "data")
    result = subprocess.run(
        [sys.executable, "-m", "mapapp", "review", "HEAD", "data"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert "The old data (HEAD:data) has problems:" in result.stderr


# -- crafted trees: entries that try to leave the scratch folder ---------------------------
def _crafted_commit(repo: Path, entries: list[tuple[bytes, bytes, bytes]]) -> str:
    """A commit whose ``data`` tree holds ``entries`` (mode, name, object id) verbatim,
    next to the shipped files: written with ``hash-object --literally``, as an attacker
    would, since ``git mktree`` refuses some of these names."""

    def run(args: list[str], data: bytes | None = None) -> str:
        out = subprocess.run(["git", *args], cwd=repo, input=data, capture_output=True, check=True)
        return out.stdout.decode("ascii").strip()

    listing = subprocess.run(
        ["git", "ls-tree", "-z", "HEAD:data"], cwd=repo, capture_output=True, check=True
    ).stdout
    rows = []
    for line in listing.split(b"\0"):
        if line:
            meta, name = line.split(b"\t", 1)
            mode, _kind, sha = meta.split()
            rows.append((mode, name, bytes.fromhex(sha.decode())))
    rows += [(m, n, bytes.fromhex(o.decode())) for m, n, o in entries]
    body = b"".join(m + b" " + n + b"\0" + o for m, n, o in rows)
    inner = run(["hash-object", "-t", "tree", "-w", "--literally", "--stdin"], body)
    top = run(
        ["hash-object", "-t", "tree", "-w", "--literally", "--stdin"],
        b"40000 data\0" + bytes.fromhex(inner),
    )
    return run(
        ["-c", "user.name=T", "-c", "user.email=t@example.org", "commit-tree", top, "-m", "x"]
    )


def _blob(repo: Path, content: bytes) -> bytes:
    out = subprocess.run(
        ["git", "hash-object", "-w", "--stdin"],
        cwd=repo,
        input=content,
        capture_output=True,
        check=True,
    )
    return out.stdout.strip()


def _every_file(folder: Path) -> set[Path]:
    return set(folder.rglob("*"))


@needs_git
@pytest.mark.parametrize(
    ("label", "name"), HOSTILE_ENTRY_NAMES, ids=[n for n, _ in HOSTILE_ENTRY_NAMES]
)
def test_a_crafted_entry_name_is_refused_and_nothing_is_written(
    repo: Path, tmp_path: Path, label: str, name: bytes
) -> None:
    if name.startswith(b"/tmp/"):  # an absolute name: aim it at this test's own folder
        name = bytes(tmp_path / "abs") + name[len(b"/tmp") :]
    sha = _crafted_commit(repo, [(b"100644", name, _blob(repo, b"pwned\n"))])
    scratch = tmp_path / "deep" / "down" / "scratch"
    scratch.mkdir(parents=True)
    before = _every_file(tmp_path)
    with pytest.raises(revision.RevisionError) as err:
        revision.extract(sha, repo / "data", scratch)
    message = str(err.value)
    assert "the entry '" in message
    assert not any(c in message for c in "\x1b\n\u202e"), message
    # nothing written beside the scratch folder (above it, or anywhere by an absolute name)
    assert {p for p in _every_file(tmp_path) - before if not p.is_relative_to(scratch)} == set()
    assert not (tmp_path / "deep" / "pwned.csv").exists()


@needs_git
@pytest.mark.parametrize(
    ("mode", "what"), [(b"120000", "a symbolic link"), (b"160000", "a commit (mode 160000)")]
)
def test_a_symlink_or_submodule_in_the_tree_is_refused(
    repo: Path, tmp_path: Path, mode: bytes, what: str
) -> None:
    target = _blob(repo, b"../../../../etc/passwd")
    if mode == b"160000":
        target = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, check=True
        ).stdout.strip()
    sha = _crafted_commit(repo, [(mode, b"zz.csv", target)])
    with pytest.raises(revision.RevisionError, match=re.escape(f"is {what}, not a plain file")):
        revision.extract(sha, repo / "data", tmp_path)
    assert not (tmp_path / "zz.csv").exists()


@needs_git
def test_review_of_a_crafted_revision_exits_2_naming_the_entry(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sha = _crafted_commit(repo, [(b"100644", b"../../pwned.csv", _blob(repo, b"x\n"))])
    assert main(["review", sha, str(repo / "data")]) == 2
    assert "the entry '../../pwned.csv'" in capsys.readouterr().err


@needs_git
def test_a_non_utf8_name_at_a_revision_is_named_escaped_not_a_crash(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sha = _crafted_commit(repo, [(b"100644", b"caf\xe9.csv", _blob(repo, b"x\n"))])
    assert main(["review", sha, str(repo / "data")]) == 2
    err = capsys.readouterr().err
    assert "caf\\xe9.csv" in err and "not UTF-8" in err
