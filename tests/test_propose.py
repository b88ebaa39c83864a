"""The proposer (mapapp/editing/propose/): quotes, rules, dates, lexicons, bad input, CLI,
and its scores on the gold set (the article of September 2015 and hand-written sentences)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest

from mapapp.core.dates import FuzzyDate, Precision, literal_date
from mapapp.editing.propose.article import ArticleError, read_article, read_article_bytes
from mapapp.editing.propose.lexicon import Lexicon, LexiconError, load_lexicon, normalise
from mapapp.editing.propose.mentions import clitic_forms, find_names, tokenize
from mapapp.editing.propose.proposer import Proposal, analyse
from mapapp.editing.propose.rows import rows_to_csv, to_rows
from mapapp.editing.propose.score import score_control, score_events
from mapapp.editing.propose.when import find_dates

from .conftest import DATA, FIXTURES, run_mapapp

GOLD = FIXTURES / "propose"
ARTICLE = GOLD / "elaph_2015_09.txt"


@pytest.fixture(scope="module")
def lex() -> Lexicon:
    return load_lexicon(DATA)


def _propose(lex: Lexicon, text: str, published: str = "2015-10-20") -> list[Proposal]:
    return analyse(text, lex, "new_article", published).proposals


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


# -- quotes: always exact spans --------------------------------------------------------
@pytest.mark.parametrize("name", ["elaph_2015_09.txt", "extra.txt"])
def test_every_quote_is_the_text_at_its_offsets(lex: Lexicon, name: str) -> None:
    text = read_article(GOLD / name).text
    proposals = analyse(text, lex, "elaph_2015_09", "2015-10-20").proposals
    assert proposals
    for p in proposals:
        assert text[p.quote_start : p.quote_end] == p.quote_ar
        assert p.quote_ar.strip() == p.quote_ar and p.quote_ar


def test_html_offsets_refer_to_the_visible_text_scripts_are_not_read(lex: Lexicon) -> None:
    body = ARTICLE.read_text(encoding="utf-8").replace("&", "&amp;")
    page = (
        "<!doctype html><html><head><title>إيلاف</title>"
        '<meta property="article:published_time" content="2015-09-14T10:00:00Z">'
        "<script>var s = 'يسيطر داعش على يلدا';</script><style>p{}</style></head><body>"
        + "".join(f"<p>{line}</p>" for line in body.split("\n"))
        + "<script>document.write('تسيطر قوات النظام على ببيلا')</script></body></html>"
    )
    article = read_article_bytes(page.encode(), "page.html")
    assert article.kind == "html" and article.published == "2015-09-14"
    assert "var s" not in article.text and "document.write" not in article.text
    result = analyse(article.text, lex, "elaph_2015_09", page_date=article.published)
    assert len(result.proposals) >= 15
    for p in result.proposals:
        assert article.text[p.quote_start : p.quote_end] == p.quote_ar
    # the script's "ISIS holds Yalda" proposes nothing
    assert not [
        p
        for p in result.proposals
        if p.place_id == "yalda" and p.kind == "control" and p.faction_ids == ["isis"]
    ]


# -- the gold set -----------------------------------------------------------------------
def test_article_meets_the_targets_on_its_gold_rows(lex: Lexicon) -> None:
    dates = {s.id: s.published for s in lex.dataset.sources.values()}
    proposed = [
        p.to_json()
        for p in analyse(ARTICLE.read_text(encoding="utf-8"), lex, "elaph_2015_09").proposals
    ]
    control = score_control(_csv(GOLD / "gold-control.csv"), proposed, dates).fields
    assert control["control place+faction"].recall >= 0.9
    assert control["control place+faction"].precision >= 0.8
    assert control["control status"].recall >= 0.8
    assert control["control date+precision"].recall >= 0.8
    events = score_events(_csv(GOLD / "gold-events.csv"), proposed, dates).fields
    assert events["event place+kind"].precision >= 0.8
    assert events["event place+kind"].recall >= 0.8


def test_hand_written_sentences_unlike_the_article(lex: Lexicon) -> None:
    gold = json.loads((GOLD / "extra-gold.json").read_text(encoding="utf-8"))
    text = (GOLD / "extra.txt").read_text(encoding="utf-8")
    proposed = [
        p.to_json() for p in analyse(text, lex, gold["source"], gold["published"]).proposals
    ]
    control = score_control(gold["control"], proposed, {}).fields
    events = score_events(gold["events"], proposed, {}).fields
    for fields in (control, events):
        for name, s in fields.items():
            assert s.recall >= 0.8 and s.precision >= 0.8, (name, s)


# -- the rules --------------------------------------------------------------------------
def test_shared_partial_and_presence(lex: Lexicon) -> None:
    ps = _propose(
        lex,
        "تنتشر قوات النظام في يلدا وأجزاء من ببيلا، "
        "بينما يسيطر جيش الإسلام وأجناد الشام على القدم.",
    )
    got = {(p.place_id, tuple(p.faction_ids), p.status) for p in ps if p.kind == "control"}
    assert got == {
        ("yalda", ("regime",), "presence"),
        ("babbila", ("regime",), "partial"),
        ("qadam", ("jaysh_islam", "ajnad_sham"), "shared"),
    }


def test_a_negated_claim_is_not_proposed(lex: Lexicon) -> None:
    assert _propose(lex, "لم تسيطر قوات النظام على عقربا.") == []


def test_without_a_place_or_faction_nothing_is_proposed(lex: Lexicon) -> None:
    assert _propose(lex, "يسيطر جيش الإسلام على مناطق واسعة من الغوطة.") == []
    assert [p.kind for p in _propose(lex, "تسيطر على يلدا منذ سنوات.")] == []


def test_claimant_is_the_attribution_or_the_outlet(lex: Lexicon) -> None:
    ps = _propose(lex, "وبحسب الناشطين، قصفت قوات النظام بلدة يلدا. وتسيطر قوات النظام على عقربا.")
    claimants = {(p.kind, p.place_id): p.claimant for p in ps}
    assert claimants[("event", "yalda")] == "activists"
    assert claimants[("control", "aqraba")] == "new"  # the outlet's own voice (its id's first word)


def test_an_alias_outside_its_years_lowers_confidence_and_says_so(lex: Lexicon) -> None:
    before = _propose(lex, "تسيطر جبهة فتح الشام على يلدا.", published="2015-05-01")
    during = _propose(lex, "تسيطر جبهة فتح الشام على يلدا.", published="2016-09-01")
    assert before[0].faction_ids == during[0].faction_ids == ["nusra"]
    assert before[0].confidence < during[0].confidence
    assert any("2016-07-28" in r and "check" in r for r in before[0].reasons)


def test_a_crosshead_proposes_nothing_but_the_paragraph_does(lex: Lexicon) -> None:
    text = "تظاهرة في حي القدم\nخرجت تظاهرة من أحد مساجد بلدة يلدا، تضامنا مع حي القدم المحاصر.\n"
    ps = _propose(lex, text)
    assert {(p.event_kind, p.place_id) for p in ps if p.event_kind == "demonstration"} == {
        ("demonstration", "yalda")
    }


def test_reasons_name_what_matched(lex: Lexicon) -> None:
    p = _propose(lex, "وتسيطر قوات النظام على ببيلا.")[0]
    assert "place matched «ببيلا» → babbila, 100" in p.reasons
    assert 0 < p.confidence <= 1


def test_existing_rows_are_pointed_at(lex: Lexicon) -> None:
    ps = analyse(ARTICLE.read_text(encoding="utf-8"), lex, "elaph_2015_09").proposals
    qadam = next(p for p in ps if p.kind == "control" and p.place_id == "qadam")
    assert qadam.existing.startswith("control.csv line ")


# -- words and names --------------------------------------------------------------------
def test_normalise_folds_hamza_taa_marbuta_diacritics_and_tatweel() -> None:
    assert normalise("الإسلامـيّة") == normalise("الاسلاميه")
    assert normalise("أجناد") == normalise("اجناد")
    assert normalise("Yarmouk") == "yarmouk"


def test_clitics_are_stripped_for_matching() -> None:
    forms = {f for f, _ in clitic_forms("للحجر")}
    assert "الحجر" in forms
    assert "يلدا" in {f for f, _ in clitic_forms("وبيلدا")}


def test_names_found_with_clitics_designators_and_a_misspelling(lex: Lexicon) -> None:
    text = "وبيلدا، ولمخيم اليرموك، والسبينه، ومخيم اليرمك"
    found = [(m.id, m.score) for m in find_names(text, tokenize(text), lex)]
    ids = [i for i, _ in found]
    assert ids == ["yalda", "yarmouk", "sbeineh", "yarmouk"]
    assert found[-1][1] < 100  # the misspelling, matched fuzzily
    for m in find_names(text, tokenize(text), lex):
        assert text[m.start : m.end] == m.surface


# -- dates ------------------------------------------------------------------------------
def _dates(
    text: str, published: FuzzyDate, relative: dict[int, str] | None = None
) -> list[tuple[str, str]]:
    return [
        (d.cell, d.precision)
        for d in find_dates(text, tokenize(text), published, "a", relative or {})
    ]


DAY = literal_date(2015, 9, 30)
MONTH = literal_date(2015, 9)


@pytest.mark.parametrize(
    ("phrase", "published", "expected"),
    [
        ("منذ ثلاثة أسابيع", DAY, ("2015-09-09~", "day")),
        ("قبل يومين", DAY, ("2015-09-28", "day")),
        ("منذ 10 أيام", DAY, ("2015-09-20", "day")),
        ("منذ أسبوعين", DAY, ("2015-09-16~", "day")),
        ("أمس", DAY, ("2015-09-29", "day")),
        ("الشهر الماضي", DAY, ("2015-08", "month")),
        ("العام الماضي", DAY, ("2014", "year")),
        ("نهاية شهر آذار/مارس الماضي", DAY, ("2015-03", "month")),
        ("في أيلول الماضي", DAY, ("2014-09", "month")),
        ("في أيلول", DAY, ("2015-09", "month")),
        ("مطلع كانون الثاني 2014", DAY, ("2014-01", "month")),
        ("في 15 تشرين الأول 2013", DAY, ("2013-10-15", "day")),
        ("في حزيران عام 2012", DAY, ("2012-06", "month")),
        ("في 3/4/2015", DAY, ("2015-04-03", "day")),
        ("منذ ثلاثة أسابيع", MONTH, ("2015-08~", "month")),
    ],
)
def test_date_phrases(phrase: str, published: FuzzyDate, expected: tuple[str, str]) -> None:
    assert _dates(phrase, published) == [expected]


def test_a_relative_date_that_a_source_already_has_is_that_source() -> None:
    assert _dates("منذ ثلاثة أسابيع", MONTH, {-21: "earlier"}) == [("source:earlier", "")]


def test_shifted_month_window_is_day_precision() -> None:
    # the core's rule the proposer relies on: a month moved by days is a span of days
    shifted = MONTH.shifted(-21, approximate=True, derivation="")
    assert shifted.precision is Precision.DAY and shifted.earliest == date(2015, 8, 11)


# -- rows -------------------------------------------------------------------------------
def test_to_rows_follows_the_header_one_row_per_faction(lex: Lexicon) -> None:
    p = _propose(lex, "يسيطر جيش الإسلام وأجناد الشام على القدم.")[0]
    header = ["place_id", "faction_id", "start", "status", "quote_ar", "new_column"]
    rows = to_rows(p, header)
    assert [r["faction_id"] for r in rows] == ["jaysh_islam", "ajnad_sham"]
    assert all(list(r) == header and r["new_column"] == "" for r in rows)
    back = list(csv.DictReader(io.StringIO(rows_to_csv(header, rows))))
    assert back == rows


def test_event_ids_are_new(lex: Lexicon) -> None:
    p = _propose(lex, "قصفت قوات النظام بلدة يلدا.")[0]
    first = to_rows(p, ["id", "kind"], set())[0]["id"]
    second = to_rows(p, ["id", "kind"], {first})[0]["id"]
    assert first != second and second.startswith(first)


# -- lexicons are data, validated ------------------------------------------------------
def test_a_gazetteer_row_for_an_unknown_place_is_a_validation_problem(data_copy: Path) -> None:
    with (data_copy / "place_names.csv").open("a", encoding="utf-8") as f:
        f.write("nowhere,لا مكان,ar,\n")
    result = run_mapapp("validate", str(data_copy), "--json")
    assert result.returncode == 1
    problems = json.loads(result.stdout)
    assert any(p["file"] == "place_names.csv" and p["column"] == "place_id" for p in problems)


def test_a_cue_with_a_value_the_data_does_not_accept_names_file_line_column(
    data_copy: Path,
) -> None:
    with (data_copy / "cues.csv").open("a", encoding="utf-8") as f:
        f.write("يحتل,control,occupied,,\n")
    with pytest.raises(LexiconError) as caught:
        load_lexicon(data_copy)
    issue = caught.value.report.issues[0]
    lines = (data_copy / "cues.csv").read_text(encoding="utf-8").count("\n")
    assert (issue.file, issue.line, issue.column) == ("cues.csv", lines, "value")
    assert "sole" in issue.message


def test_an_editor_adds_a_name_and_it_is_found(data_copy: Path) -> None:
    with (data_copy / "place_names.csv").open("a", encoding="utf-8") as f:
        f.write("yalda,بلدة الصمود,ar,A nickname.\n")
    lex = load_lexicon(data_copy)
    ps = analyse("تسيطر قوات النظام على بلدة الصمود.", lex, "x", "2016-01-01").proposals
    assert [(p.place_id, p.faction_ids) for p in ps] == [("yalda", ["regime"])]


# -- what it cannot read ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"The regime holds Yalda.", "no Arabic"),
        (b"\x00\x01\x02binary", "not text"),
        ("يلدا".encode("cp1256"), "not UTF-8"),
        (
            b"<html><body><script>var x='\xd9\x8a\xd9\x84\xd8\xaf\xd8\xa7';</script></body></html>",
            "no Arabic",
        ),
    ],
)
def test_unreadable_input_is_a_clear_error(content: bytes, message: str) -> None:
    with pytest.raises(ArticleError, match=message):
        read_article_bytes(content, "in.txt")


def test_a_huge_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as f:
        f.truncate(100_000_000)  # sparse: 100 MB that take no disk
    result = run_mapapp("propose", str(huge), "--source", "elaph_2015_09")
    assert result.returncode == 2
    assert "100.0 MB" in result.stderr and result.stdout == ""


# -- the command ------------------------------------------------------------------------
def test_cli_json_contract() -> None:
    result = run_mapapp("propose", str(ARTICLE), "--source", "elaph_2015_09", "--format", "json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    text = ARTICLE.read_text(encoding="utf-8")
    keys = {
        "kind",
        "place_id",
        "faction_ids",
        "date",
        "claimant",
        "quote_ar",
        "quote_start",
        "quote_end",
        "confidence",
        "reasons",
    }
    for row in rows:
        assert keys <= set(row)
        assert row["kind"] in ("control", "event")
        assert ("status" if row["kind"] == "control" else "event_kind") in row
        assert isinstance(row["faction_ids"], list) and 0 <= row["confidence"] <= 1
        assert text[row["quote_start"] : row["quote_end"]] == row["quote_ar"]


def test_cli_csv_rows_paste_into_the_files(data_copy: Path, tmp_path: Path) -> None:
    with (data_copy / "sources.csv").open(encoding="utf-8", newline="") as f:
        header = next(csv.reader(f))
    new = {"id": "elaph_2015_10", "outlet": "Elaph", "outlet_ar": "إيلاف"}
    new |= {"published": "2015-10-20", "approximate": "false"}
    with (data_copy / "sources.csv").open("a", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerow([new.get(c, "") for c in header])
    article = tmp_path / "a.txt"
    article.write_text(
        "تتواجد قوات النظام في بلدة يلدا. وقصفت قوات النظام حي القدم.\n", encoding="utf-8"
    )
    result = run_mapapp(
        "propose",
        str(article),
        "--source",
        "elaph_2015_10",
        "--data",
        str(data_copy),
        "--format",
        "csv",
    )
    assert result.returncode == 0, result.stderr
    control_block, events_block = result.stdout.split("\n\n")
    control = list(csv.DictReader(io.StringIO(control_block)))
    events = list(csv.DictReader(io.StringIO(events_block)))
    assert [(r["place_id"], r["faction_id"], r["status"], r["start"]) for r in control] == [
        ("yalda", "regime", "presence", "source:elaph_2015_10")
    ]
    assert [(r["place_id"], r["kind"], r["date"]) for r in events] == [
        ("qadam", "shelling", "source:elaph_2015_10~")
    ]
    # with an English gloss, they are valid data
    for name, rows in (("control.csv", control), ("events.csv", events)):
        with (data_copy / name).open("a", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writerows([{**r, "quote_en": "gloss"} for r in rows])
    check = run_mapapp("validate", str(data_copy))
    assert check.returncode == 0, check.stdout


def test_cli_unknown_source_without_a_date_is_refused(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text("تسيطر قوات النظام على بلدة يلدا.", encoding="utf-8")
    result = run_mapapp("propose", str(article), "--source", "nobody")
    assert result.returncode == 2 and "--published" in result.stderr
    ok = run_mapapp(
        "propose",
        str(article),
        "--source",
        "nobody",
        "--published",
        "2016-02-03",
        "--format",
        "json",
    )
    assert ok.returncode == 0 and json.loads(ok.stdout)[0]["date"] == "2016-02-03"


def test_cli_print_text_shows_what_html_offsets_refer_to(tmp_path: Path) -> None:
    page = tmp_path / "p.html"
    page.write_text(
        "<html><body><h1>عنوان</h1><p>تسيطر قوات النظام على يلدا.</p></body></html>",
        encoding="utf-8",
    )
    result = run_mapapp(
        "propose", str(page), "--source", "x", "--published", "2016", "--print-text"
    )
    assert result.stdout == "عنوان\nتسيطر قوات النظام على يلدا.\n"


def test_highlights_escape_the_article(lex: Lexicon) -> None:
    from mapapp.editing.propose.highlight import highlight_html

    text = 'تسيطر قوات النظام على يلدا <script>alert(1)</script> "&" <img src=x onerror=alert(2)>.'
    result = analyse(text, lex, "x", "2016-01-01")
    html = highlight_html(result.text, result.highlights)
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html and 'class="mapapp-place"' in html
    assert (
        html.count("<mark") == len({(h.start, h.end) for h in result.highlights}) or "<mark" in html
    )
