"""Hostile text from the data files and from links, everywhere it reaches a page or a file.

The real functions on the real hostile fixture (``tests/data/hostile/``, every text field
carrying payloads of ``tests/hostile_payloads.py``): the popups, tooltips, legend and
changes (:mod:`mapapp.draw.popups`), the map's layers, the static export's bundle and
``data.js``, the CLI's output formats, the downloads (:mod:`mapapp.draw.formats`) and the view in
the URL (:mod:`mapapp.ui.permalink`). Nothing may break out of its context, and the text must
still read literally.
"""

from __future__ import annotations

import contextlib
import csv
import html
import io
import json
import re
import shutil
from collections.abc import Iterator
from datetime import date, timedelta
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from mapapp.cli import main
from mapapp.core.model import Dataset
from mapapp.core.report import printable
from mapapp.core.resolve import resolve
from mapapp.core.timeline import Timeline
from mapapp.core.validate import load_dataset
from mapapp.draw import formats, popups
from mapapp.draw.escape import esc, isolate, safe_url
from mapapp.draw.i18n import LANGS, Lang
from mapapp.draw.layers import state_layers
from mapapp.draw.style import legend_items
from mapapp.ui.permalink import parse_view
from mapapp.web.assets import Tiles

from .conftest import FIXTURES
from .hostile_payloads import BIDI_CONTROLS, CORPUS, PAYLOADS, Payload

HOSTILE = FIXTURES / "hostile"
IDS = [p.name for p in CORPUS]

#: the only markup our HTML uses; anything else came from the data
TAGS = frozenset({"div", "h4", "p", "b", "br", "span", "bdi", "blockquote", "a", "small"})
ATTRIBUTES = frozenset({"class", "lang", "dir", "href", "target", "rel", "style", "data-key"})
#: what a JS template literal or a markdown/KaTeX renderer would act on, escaped by esc()
TEMPLATE_CHARS = ("${", "`", "\\", "{{")


@cache
def dataset() -> Dataset:
    result = load_dataset(HOSTILE)
    assert result.dataset is not None, result.report.to_text()
    return result.dataset


@cache
def timeline() -> Timeline:
    return Timeline(dataset())


def days() -> list[date]:
    """Every change day of the hostile data, and the slider's first, default and last."""
    first, last, default = timeline().view_range()
    return sorted({first, default, last, *timeline().change_dates()})


def data_texts(ds: Dataset) -> list[str]:
    """Every free text of the data set that carries a payload."""
    texts: list[str] = []
    for place in ds.places.values():
        texts += [place.name_en, place.name_ar]
    for faction in ds.factions.values():
        texts += [faction.name_en, faction.name_ar]
    for source in ds.sources.values():
        texts += [source.outlet, source.outlet_ar, source.author, source.author_ar]
        texts += [source.title_ar]
    for row in ds.control:
        texts += [row.quote_ar, row.quote_en]
    for event in ds.events:
        texts += [event.quote_ar, event.quote_en, event.note]
    return [t for t in texts if t]


class _Page(HTMLParser):
    """Tags, attributes and text of an HTML fragment, with the element around each text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str, str | None]] = []
        self.stack: list[tuple[str, dict[str, str | None]]] = []
        self.texts: list[tuple[str, tuple[str, dict[str, str | None]] | None]] = []
        self.comments: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [(tag, name, value) for name, value in attrs]
        if tag != "br":
            self.stack.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1][0] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.texts.append((data, self.stack[-1] if self.stack else None))

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)

    @property
    def text(self) -> str:
        return "".join(t for t, _ in self.texts)


def parse(fragment: str) -> _Page:
    page = _Page()
    page.feed(fragment)
    page.close()
    assert page.stack == [], f"unclosed elements: {page.stack}"
    return page


def assert_inert(fragment: str) -> _Page:
    """``fragment`` is only our markup: data added no element, attribute or comment, and no
    JS template or markdown syntax survives unescaped."""
    assert not re.search(
        r"<\s*/?\s*(script|style|iframe|svg|img|object|meta|base|form)", fragment, re.I
    )
    for chars in TEMPLATE_CHARS:
        assert chars not in fragment, (chars, fragment[:300])
    page = parse(fragment)
    assert set(page.tags) <= TAGS, set(page.tags) - TAGS
    for tag, name, value in page.attributes:
        assert name in ATTRIBUTES, (tag, name, value)
        if name == "href":
            assert value is not None and safe_url(value) == value, value
        if name == "style":
            assert value is not None and not re.search(r"expression|url\(|[{}]", value), value
    assert page.comments == []
    # every bidi control is isolated: the element right around its text is a <bdi> (or an
    # element with its own dir, which HTML isolates too)
    for text, parent in page.texts:
        if BIDI_CONTROLS & set(text):
            assert parent is not None, text
            tag, attrs = parent
            assert tag == "bdi" or "dir" in attrs, (tag, attrs, text)
    return page


def fragments(lang: Lang) -> Iterator[tuple[str, str]]:
    """(what, HTML) for every popup, tooltip, legend and change the hostile data makes."""
    ds = dataset()
    for day in days():
        states = timeline().state_at(day)
        for pid, state in states.items():
            yield f"place_popup {pid} {day}", popups.place_popup(resolve(ds, state), lang)
            yield f"place_tooltip {pid} {day}", popups.place_tooltip(resolve(ds, state), lang)
        for palette in ("conventional", "colour-blind"):
            items = legend_items(ds, list(states.values()), palette, lang)
            yield f"legend {day} {palette}", popups.legend_html(items, lang)
    first, last, _ = timeline().view_range()
    for change in timeline().changes_between(first - timedelta(days=1), last):
        yield (
            f"change_html {change.place_id}",
            popups.change_html(resolve(ds, change.before), resolve(ds, change.after), lang),
        )
    for event in ds.events:
        yield f"event_popup {event.id}", popups.event_popup(ds, event, lang)
        yield f"event_tooltip {event.id}", popups.event_tooltip(ds, event, lang)
    for source_id in ds.sources:
        yield f"citation {source_id}", popups.citation(ds, source_id, lang)


def test_every_fragment_is_only_our_markup_and_shows_every_payload() -> None:
    shown: set[str] = set()
    count = 0
    for lang in LANGS:
        for what, fragment in fragments(lang):
            try:
                page = assert_inert(fragment)
            except AssertionError as exc:
                raise AssertionError(f"{what}: {exc}") from exc
            text = page.text
            shown.update(p for p in PAYLOADS if p in text)
            count += 1
    assert count > 300
    # every payload in a field the map shows is shown, literally, somewhere
    in_shown_fields = {p for p in PAYLOADS if any(p in t for t in data_texts(dataset()))}
    assert len(in_shown_fields) >= 50
    assert sorted(in_shown_fields - shown) == []


@pytest.mark.parametrize("lang", LANGS)
def test_popups_show_the_data_literally(lang: Lang) -> None:
    ds = dataset()
    day = timeline().view_range()[2]
    for pid, state in timeline().state_at(day).items():
        text = parse(popups.place_popup(resolve(ds, state), lang)).text
        place = ds.places[pid]
        assert place.name_en in text and place.name_ar in text
        for row in state.rows:
            assert row.quote_ar in text and row.quote_en in text
            faction = ds.factions[row.faction_id]
            assert (faction.name_ar if lang == "ar" else faction.name_en) in text
        tooltip = parse(popups.place_tooltip(resolve(ds, state), lang)).text
        assert (place.name_ar if lang == "ar" else place.name_en) in tooltip
    for event in ds.events:
        text = parse(popups.event_popup(ds, event, lang)).text
        assert event.quote_ar in text and event.quote_en in text and event.note in text
        source = ds.sources[event.source_id]
        outlet = source.outlet_ar if lang == "ar" and source.outlet_ar else source.outlet
        assert outlet in text
        if source.title_ar:
            assert source.title_ar in text


def test_the_long_payload_is_shown_whole_and_escaped() -> None:
    ds = dataset()
    long = next(p.text for p in CORPUS if p.use == "long")
    event = next(e for e in ds.events if long in e.note)
    fragment = popups.event_popup(ds, event, "en")
    assert esc(long) in fragment
    assert fragment.count("&lt;script&gt;") >= long.count("<script>")
    assert long in parse(fragment).text


def test_links_keep_only_http_addresses_and_escape_them() -> None:
    ds = dataset()
    for source_id, source in ds.sources.items():
        fragment = popups.citation(ds, source_id, "en")
        hrefs = [v for t, n, v in parse(fragment).attributes if n == "href"]
        # the source's own link, then that of the source quoting it
        expected = [source.url] + ([ds.sources[source.quoted_in].url] if source.quoted_in else [])
        assert hrefs == expected, (source_id, hrefs)
        assert "${" not in fragment and "`" not in fragment
    for text in PAYLOADS:
        assert safe_url(text) is None, text


@pytest.mark.parametrize("payload", CORPUS, ids=IDS)
def test_esc_and_isolate_leave_nothing_live(payload: Payload) -> None:
    page = assert_inert(isolate(payload.text))
    assert page.text == payload.text.replace("\r\n", "\n") or page.text == payload.text
    assert esc(payload.text).count("<") == 0


# -- the map's layers and the static export ------------------------------------------------


def test_layers_carry_only_escaped_html() -> None:
    ds = dataset()
    for day in days():
        states = timeline().state_at(day)
        for lang in LANGS:
            layers = state_layers(ds, states, day, "conventional", lang, "yarmouk")
            for collection in (layers.places, layers.markers):
                for feature in collection["features"]:
                    assert_inert(feature["properties"]["popup"])
                    assert_inert(feature["properties"]["tooltip"])


@pytest.fixture(scope="module")
def bundle() -> dict[str, Any]:
    from mapapp.web.export import build_bundle

    tiles = Tiles("https://tiles.example.org/{z}/{x}/{y}.png", " ".join(PAYLOADS[:20]))
    return build_bundle(dataset(), tiles)


def test_export_html_table_is_only_our_markup(bundle: dict[str, Any]) -> None:
    assert len(bundle["html"]) > 50
    for fragment in bundle["html"]:
        assert_inert(fragment)
    joined = "".join(parse(h).text for h in bundle["html"])
    missing = [p.name for p in CORPUS if p.text not in joined]
    assert len(missing) <= 12, missing
    # the tile credit is text, escaped once
    assert_inert(bundle["tiles"]["attribution"])
    assert parse(bundle["tiles"]["attribution"]).text == " ".join(PAYLOADS[:20])


def _bundle_js(bundle: dict[str, Any]) -> str:
    from mapapp.web.export import to_js

    return to_js(bundle)


def test_data_js_cannot_close_its_script_and_reads_back_the_same(bundle: dict[str, Any]) -> None:
    text = _bundle_js(bundle)
    assert "<" not in text
    assert not re.search(r"</script|<!--|-->|\u2028|\u2029", text, re.I)
    assert text.startswith("window.MAPAPP_DATA = {") and text.endswith("};\n")
    assert text.count("\n") == 1, "one line: no payload starts a new statement"
    # JSON is valid JavaScript here; it reads back to exactly the bundle
    assert json.loads(text[len("window.MAPAPP_DATA = ") : -2]) == json.loads(json.dumps(bundle))
    # names are set as text by the page, so they travel raw (and escaped by JSON)
    names = [p["name"]["en"] for p in bundle["places"]]
    assert names == [p.name_en for p in dataset().places.values()]


# -- the command line and the downloads ----------------------------------------------------

#: characters a terminal acts on (escape sequences, bell, backspace...) or that reorder
#: the text of the line around them
_TERMINAL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main([*args]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    return out


@pytest.mark.parametrize("day", ["2015-03-01", "2015-09-15", "2015-09-30"])
def test_state_json_and_geojson_keep_the_text_exactly(
    capsys: pytest.CaptureFixture[str], day: str
) -> None:
    ds = dataset()
    records = json.loads(
        _run(capsys, "state", "--on", day, "--data", str(HOSTILE), "--format", "json")
    )
    assert [r["name_en"] for r in records] == [p.name_en for p in ds.places.values()]
    quotes = {c["quote_ar"] for r in records for c in r["claims"]}
    assert quotes <= {row.quote_ar for row in ds.control}
    collection = json.loads(
        _run(capsys, "state", "--on", day, "--data", str(HOSTILE), "--format", "geojson")
    )
    assert [f["properties"]["name_ar"] for f in collection["features"]] == [
        p.name_ar for p in ds.places.values()
    ]
    assert (
        collection["features"]
        == json.loads(
            formats.states_to_geojson(
                ds,
                [
                    formats.state_record(ds, s)
                    for s in timeline().state_at(date.fromisoformat(day)).values()
                ],
            )
        )["features"]
    )


def _csv_cells(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_state_csv_is_well_formed_and_starts_no_formula(capsys: pytest.CaptureFixture[str]) -> None:
    ds = dataset()
    text = _run(capsys, "state", "--on", "2015-09-15", "--data", str(HOSTILE), "--format", "csv")
    rows = _csv_cells(text)
    assert [r["place_id"] for r in rows] == list(ds.places)
    for row in rows:
        assert list(row) == list(rows[0]), "every row has the header's cells"
        for value in row.values():
            # a spreadsheet runs a cell that starts with one of these as a formula
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value
        name = printable(ds.places[row["place_id"]].name_en)  # a terminal gets escapes
        assert row["name_en"] in (name, "'" + name), (row["name_en"], name)
    # the names that are formulas are kept, as text
    formulas = [p.text for p in CORPUS if p.use == "cell"]
    assert sorted(r["name_en"] for r in rows if r["name_en"].lstrip("'") in formulas) == sorted(
        "'" + f for f in formulas
    )


def test_table_outputs_cannot_drive_the_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    outputs = [
        _run(capsys, "state", "--on", day, "--data", str(HOSTILE))
        for day in ("2015-03-01", "2015-09-15")
    ]
    outputs.append(
        _run(
            capsys, "changes", "--from", "2014-01-01", "--to", "2015-09-30", "--data", str(HOSTILE)
        )
    )
    outputs.append(_run(capsys, "dates", "--data", str(HOSTILE)))
    for out in outputs:
        found = sorted({f"U+{ord(c):04X}" for c in _TERMINAL.findall(out.replace("\n", ""))})
        assert found == [], found
    # the names are still there, with the controls shown as visible escapes
    assert "ISIS" in outputs[1]


def test_review_text_cannot_drive_the_terminal(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    new = tmp_path / "new"
    shutil.copytree(HOSTILE, new)
    with (new / "control.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    # drop every period of al-Qadam: the review names it, with its hostile name
    kept = [r for r in rows if r["place_id"] != "qadam"]
    assert len(kept) < len(rows)
    with (new / "control.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(kept)
    assert load_dataset(new).report.valid
    out = _run(capsys, "review", str(HOSTILE), str(new))
    assert out.startswith("qadam (")
    assert _TERMINAL.findall(out.replace("\n", "")) == []


def test_display_rows_keep_the_text_for_the_table(capsys: pytest.CaptureFixture[str]) -> None:
    ds = dataset()
    day = timeline().view_range()[2]
    states = list(timeline().state_at(day).values())
    for lang in LANGS:
        rows = formats.display_rows(ds, states, lang)
        names = [next(iter(r.values())) for r in rows]
        assert names == [
            ds.places[s.place_id].name_ar if lang == "ar" else ds.places[s.place_id].name_en
            for s in states
        ]


# -- the view in the URL ---------------------------------------------------------------------


@pytest.mark.parametrize("payload", CORPUS, ids=IDS)
def test_link_parameters_with_payloads_are_ignored_and_named(payload: Payload) -> None:
    first, last, default = timeline().view_range()
    places = dataset().places
    for params in (
        {"date": payload.text, "place": payload.text, "lang": payload.text},
        {"date": [payload.text], "place": [payload.text, "yarmouk"], "lang": [payload.text]},
    ):
        view, ignored = parse_view(params, places, first, last, default)
        assert ignored == ["date", "place", "lang"]
        assert (view.day, view.place, view.lang) == (default, None, "en")
        assert all(payload.text not in name for name in ignored)


@pytest.mark.parametrize(
    "value",
    ["__proto__", "constructor", "toString", "Yarmouk Camp", "yarmouk ", "YARMOUK", "yarmouk\x00"],
)
def test_only_a_place_id_selects_a_place(value: str) -> None:
    first, last, default = timeline().view_range()
    view, ignored = parse_view({"place": value}, dataset().places, first, last, default)
    assert (view.place, ignored) == (None, ["place"])


@pytest.mark.parametrize(
    "value",
    [
        "2015-09-15<script>",
        "2015-09-15\n",
        "2015-9-15",
        "\u0662\u0660\u0661\u0665-\u0660\u0669-\u0661\u0665",
        "2015-09-15T00:00",
    ],
)
def test_only_a_plain_day_in_range_is_a_date(value: str) -> None:
    first, last, default = timeline().view_range()
    view, ignored = parse_view({"date": value}, dataset().places, first, last, default)
    assert (view.day, ignored) == (default, ["date"])


def test_every_payload_is_in_the_fixture() -> None:
    texts = "\n".join(data_texts(dataset()))
    ds = dataset()
    others = " ".join(
        [s.url for s in ds.sources.values()]
        + [f.note for f in ds.factions.values()]
        + [s.note for s in ds.sources.values()]
        + [r.note for r in ds.control]
    )
    geo = (HOSTILE / "neighbourhoods.geojson").read_text(encoding="utf-8")
    places = json.loads(geo)["features"]
    props = " ".join(str(v) for f in places for v in f["properties"].values())
    missing = [p.name for p in CORPUS if p.text not in texts + others + props]
    assert missing == ["huge"], "all but the one over the validator's limit"
    assert len(CORPUS) >= 30


# -- round two: Markdown around our HTML (finding 3) -----------------------------------------
def test_escaped_text_holds_no_line_break() -> None:
    """A blank line would end Streamlit's HTML block; escaped text has no line at all."""
    for p in CORPUS:
        assert not re.search(r"[\r\n]", esc(p.text)), p.name
        assert html.unescape(esc(p.text)) == p.text, p.name


@pytest.mark.parametrize("lang", LANGS)
def test_the_side_column_is_one_html_block_with_nothing_markdown(
    lang: Lang, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every Markdown element of the map page, on the hostile data with a place selected,
    parses (CommonMark, as Streamlit's renderer) into HTML blocks only: no link, image,
    heading or emphasis made from the data, and no evil.example address outside our
    escaped text."""
    from markdown_it import MarkdownIt
    from streamlit.testing.v1 import AppTest

    from .conftest import ROOT

    monkeypatch.setenv("MAPAPP_DATA", str(HOSTILE))
    monkeypatch.setenv("MAPAPP_TILES", "none")
    at = AppTest.from_file(str(ROOT / "mapapp" / "app.py"), default_timeout=60)
    at.query_params.update({"lang": lang, "place": "yarmouk", "date": "2015-09-15"})
    at.run().run()  # the whole page: the first run sends the map alone
    assert not at.exception
    parser = MarkdownIt("commonmark")
    bodies = [m.value for m in at.markdown]
    side = [b for b in bodies if "data-key=" in b]
    assert side, "the legend was drawn"
    for body in bodies:
        kinds = {tok.type for tok in parser.parse(body)}
        assert kinds <= {"html_block"}, (kinds, body[:200])
        rendered = parser.render(body)
        assert 'evil.example/pwned"' not in rendered and '<img src="https://evil' not in rendered
    assert "[PWNED link](https://evil.example/pwned)" in side[0] or lang == "ar"


@pytest.mark.parametrize("lang", LANGS)
def test_the_chart_spec_holds_no_data_text(lang: Lang) -> None:
    """A line break in a place's name blanked the chart ('Unexpected token ILLEGAL'): an
    explicit sort order of names was compiled into a Vega expression. Places are sorted by
    a number; names appear only as values (the data, the legend's domain)."""
    from mapapp.draw.chart import split_data, timeline_spec

    ds = dataset()
    _, spec = split_data(
        timeline_spec(ds, date(2014, 1, 1), date(2016, 1, 1), "conventional", lang)
    )
    encoding = spec["encoding"]
    assert encoding["y"]["sort"] == {"field": "place_order", "op": "min"}
    assert not any("sort" in e for k, e in encoding.items() if k != "y")
    assert "transform" not in spec and "params" not in spec, "no expressions at all"


# -- round two: every command and format is safe for a terminal (finding 9) ------------------
#: a C0 or C1 control (but the line breaks and tabs of our own layout), a line or paragraph
#: separator, a bidi control, a lone surrogate
_DRIVES_A_TERMINAL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def test_every_command_and_format_prints_nothing_that_drives_a_terminal(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """`mapapp validate` and `state --format csv` once printed ESC sequences from the data
    (a fake "The data is valid." could be drawn over the real report)."""
    broken = tmp_path / "broken"
    shutil.copytree(HOSTILE, broken)
    control = broken / "control.csv"
    fake = "\x1b[2J\x1b[H\rThe data is valid.\x9b0m\u202e"
    control.write_text(
        control.read_text(encoding="utf-8") + f"yarmouk,{fake},2015,year,,,sole,x,C1,y,a,b,c\n",
        encoding="utf-8",
    )
    data = ["--data", str(HOSTILE)]
    runs = [
        ["validate", str(broken)],
        ["validate", str(broken), "--json"],
        ["state", "--on", "2015-09-15", *data],
        ["changes", "--from", "2014-01-01", "--to", "2015-09-30", *data],
        ["dates", *data],
        ["review", str(HOSTILE), str(broken)],
        ["state", "--on", "x\x1b[2J", *data],
    ]
    for fmt in ("json", "csv", "geojson"):
        runs.append(["state", "--on", "2015-09-15", *data, "--format", fmt])
    for fmt in ("json",):
        runs.append(
            ["changes", "--from", "2014-01-01", "--to", "2015-09-30", *data, "--format", fmt]
        )
        runs.append(["dates", *data, "--format", fmt])
    for args in runs:
        with contextlib.suppress(SystemExit):  # argparse refusing a bad value
            main(args)
        out, err = capsys.readouterr()
        for text in (out, err):
            assert not _DRIVES_A_TERMINAL.search(text), (args, _DRIVES_A_TERMINAL.search(text))
    # the JSON still reads back to exactly the data's text
    main(["state", "--on", "2015-09-15", *data, "--format", "json"])
    records = json.loads(capsys.readouterr().out)
    ds = dataset()
    assert [r["name_en"] for r in records] == [p.name_en for p in ds.places.values()]
