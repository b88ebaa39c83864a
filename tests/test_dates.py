"""Dates with precision, approximation and relative derivation (mapapp.core.dates)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from mapapp.core.dates import (
    DateFormatError,
    DateSpec,
    Precision,
    PrecisionMismatch,
    SourceDate,
    literal_date,
    parse_date_cell,
    resolve_cell,
    resolve_source_dates,
)
from mapapp.core.timeline import Timeline
from mapapp.core.validate import load_dataset


@pytest.mark.parametrize(
    ("text", "earliest", "latest", "precision", "approximate"),
    [
        ("2015", date(2015, 1, 1), date(2015, 12, 31), Precision.YEAR, False),
        ("2015-09", date(2015, 9, 1), date(2015, 9, 30), Precision.MONTH, False),
        ("2016-02", date(2016, 2, 1), date(2016, 2, 29), Precision.MONTH, False),
        ("2015-09-14", date(2015, 9, 14), date(2015, 9, 14), Precision.DAY, False),
        ("2015-03~", date(2015, 3, 1), date(2015, 3, 31), Precision.MONTH, True),
        (" 2015-09-14 ", date(2015, 9, 14), date(2015, 9, 14), Precision.DAY, False),
    ],
)
def test_literal_dates_stand_for_their_whole_window(
    text: str, earliest: date, latest: date, precision: Precision, approximate: bool
) -> None:
    spec = parse_date_cell(text)
    assert spec.literal is not None
    assert (spec.literal.earliest, spec.literal.latest) == (earliest, latest)
    assert spec.literal.precision is precision
    assert spec.literal.approximate is approximate


@pytest.mark.parametrize("text", ["2015-13", "2015-02-30", "Sept 2015", "15/09/2015", "2015-9"])
def test_bad_dates_are_refused_with_the_forms_that_would_work(text: str) -> None:
    with pytest.raises(DateFormatError, match=r"YYYY-MM|calendar date"):
        parse_date_cell(text)


@pytest.mark.parametrize(
    ("text", "precision", "ok"),
    [
        ("2015-09", "month", True),
        ("2015-09", "day", False),
        ("2015-09-14", "month", False),
        ("2015", "year", True),
        ("2015", "month", False),
        ("2015-09-14", "", True),
    ],
)
def test_precision_column_must_agree_with_the_date(text: str, precision: str, ok: bool) -> None:
    if ok:
        parse_date_cell(text, precision)
    else:
        with pytest.raises(PrecisionMismatch, match=f"says '{precision}'"):
            parse_date_cell(text, precision)


def test_source_reference_takes_the_source_precision() -> None:
    spec = parse_date_cell("source:elaph_2015_09~")
    assert spec == DateSpec("source:elaph_2015_09~", True, source_ref="elaph_2015_09")
    with pytest.raises(DateFormatError, match="precision column must be empty"):
        parse_date_cell("source:elaph_2015_09", "month")
    resolved = resolve_cell(spec, {"elaph_2015_09": literal_date(2015, 9)})
    assert (resolved.earliest, resolved.latest) == (date(2015, 9, 1), date(2015, 9, 30))
    assert resolved.approximate


def _pub(text: str) -> SourceDate:
    return SourceDate(parse_date_cell(text), None, None, False)


def test_relative_dates_shift_the_whole_window() -> None:
    specs = {
        "article": _pub("2015-09"),
        "investigation": SourceDate(None, "article", -21, True),
        "followup": SourceDate(None, "investigation", 7, False),
    }
    resolved, errors = resolve_source_dates(specs)
    assert errors == []
    inv = resolved["investigation"]
    assert (inv.earliest, inv.latest) == (date(2015, 8, 11), date(2015, 9, 9))
    assert inv.approximate
    assert inv.precision is Precision.DAY
    assert inv.derivation == "3 weeks before article"
    assert inv.label() == "about 11 Aug – 9 Sep 2015"
    follow = resolved["followup"]
    assert (follow.earliest, follow.latest) == (date(2015, 8, 18), date(2015, 9, 16))
    assert follow.approximate, "approximation is inherited along the chain"


@pytest.mark.parametrize(
    ("specs", "bad", "message"),
    [
        (
            {"a": SourceDate(None, "b", -1, False), "b": SourceDate(None, "a", 1, False)},
            {"a", "b"},
            "circle",
        ),
        ({"a": SourceDate(None, "nowhere", -1, False)}, {"a"}, "not a source"),
        ({"a": SourceDate(None, None, None, False)}, {"a"}, "no date"),
    ],
)
def test_relative_dates_that_cannot_be_derived_are_errors(
    specs: dict[str, SourceDate], bad: set[str], message: str
) -> None:
    resolved, errors = resolve_source_dates(specs)
    assert not resolved
    assert {e.source_id for e in errors} <= bad
    assert errors
    assert all(message in str(e) for e in errors)


def test_labels() -> None:
    assert literal_date(2015, 9).label() == "Sep 2015"
    assert literal_date(2015).label() == "2015"
    assert literal_date(2015, 9, 14).label() == "14 Sep 2015"
    assert literal_date(2015, 9).iso() == "2015-09"


def _set_article_date(folder: Path, published: str, precision: str) -> None:
    path = folder / "sources.csv"
    text = path.read_text(encoding="utf-8")
    old = "https://elaph.com/Web/News/2015/9/1038541.html,2015-09,month,"
    assert old in text
    path.write_text(
        text.replace(
            old, f"https://elaph.com/Web/News/2015/9/1038541.html,{published},{precision},"
        ),
        encoding="utf-8",
    )


def test_derived_dates_follow_the_articles_date(data_copy: Path) -> None:
    """Setting the article's exact day in one cell moves every date derived from it."""
    before = load_dataset(data_copy).dataset
    assert before is not None
    inv = before.sources["elaph_investigation"].published
    assert (inv.earliest, inv.latest) == (date(2015, 8, 11), date(2015, 9, 9))
    state = Timeline(before).place_state("tadamon", date(2015, 8, 23))
    assert state.status == "sole"  # ISIS, with al-Nusra as its ally
    assert state.uncertain

    _set_article_date(data_copy, "2015-09-14", "day")
    after = load_dataset(data_copy)
    assert after.dataset is not None, after.report.to_text()
    ds = after.dataset
    inv = ds.sources["elaph_investigation"].published
    assert (inv.earliest, inv.latest) == (date(2015, 8, 24), date(2015, 8, 24))
    assert inv.approximate, "'three weeks before' stays approximate"
    # claims known as of the investigation moved with it
    as_of = {r.as_of for r in ds.control if r.source_id == "elaph_investigation"}
    assert {(s.earliest, s.latest) for s in as_of if s} == {(date(2015, 8, 24),) * 2}
    timeline = Timeline(ds)
    assert timeline.place_state("tadamon", date(2015, 8, 23)).status == "no-data"
    assert timeline.place_state("tadamon", date(2015, 8, 24)).status == "sole"
    # events dated to the article moved too: the siege is reported from that day, and its
    # report goes stale 90 days later (the condition is still shown, as stale)
    siege = next(e for e in ds.events if e.id == "siege_qadam")
    assert (siege.date.earliest, siege.date.latest) == (date(2015, 9, 14), date(2015, 9, 14))
    assert "siege" not in timeline.place_state("qadam", date(2015, 9, 13)).condition_kinds
    assert "siege" in timeline.place_state("qadam", date(2015, 9, 14)).condition_kinds
    late = timeline.place_state("qadam", date(2015, 12, 14))
    assert "siege_qadam" in late.stale_conditions
    assert "siege_qadam" not in timeline.place_state("qadam", date(2015, 12, 13)).stale_conditions


@pytest.mark.parametrize("length", [1_500, 20_000])
def test_a_long_relative_to_chain_is_a_located_error_not_a_crash(
    tmp_path: Path, length: int
) -> None:
    """Finding 9: a 1,500-long relative_to chain raised RecursionError (a traceback in the
    CLI, an error page in the app). Past MAX_RELATIVE_CHAIN it is one located problem."""
    import shutil

    from mapapp.core.dates import MAX_RELATIVE_CHAIN
    from mapapp.core.validate import load_dataset

    from .conftest import VALID

    shutil.copytree(VALID, tmp_path / "data")
    sources = tmp_path / "data" / "sources.csv"
    # s0 is dated from s1, s1 from s2, … the last from art: the first asks the whole chain
    last = length - 1
    rows = [
        f"s{k},O,,,,,,,,{'s' + str(k + 1) if k < last else 'art'},1,false,,\n"
        for k in range(length)
    ]
    sources.write_text(sources.read_text(encoding="utf-8") + "".join(rows), encoding="utf-8")
    report = load_dataset(tmp_path / "data").report
    chained = [i for i in report.sorted() if "chained more than" in i.message]
    assert chained and chained[0].code == "bad-relative-date"
    assert chained[0].file == "sources.csv" and chained[0].column == "relative_to"
    assert chained[0].line == 4 + MAX_RELATIVE_CHAIN  # header, art, inv, then s0… s64
    # a chain within the limit still resolves
    assert MAX_RELATIVE_CHAIN >= 8
