"""The ``mapapp`` command: validate the data, and ask who held what when.

A thin shell: it parses arguments, calls the pure core, prints the result, and turns the
core's exceptions into messages and exit codes (0 fine, 1 problems in the data,
2 the command could not run).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import TextIO

from mapapp.core import fronts
from mapapp.core.codes import CODES
from mapapp.core.dates import parse_iso_day
from mapapp.core.model import Dataset
from mapapp.core.report import printable
from mapapp.core.schema import DEFAULT_DATA_DIR, SchemaError, load_schema
from mapapp.core.timeline import RULES, Rule, Timeline
from mapapp.core.validate import load_dataset, validate
from mapapp.draw import formats
from mapapp.draw.escape import safe_url
from mapapp.draw.style import PALETTES
from mapapp.editing import docs, revision
from mapapp.editing.review import review, review_records, review_to_text
from mapapp.web.assets import Tiles

EXIT_OK, EXIT_PROBLEMS, EXIT_ERROR = 0, 1, 2
#: every output format a command may offer, with the one help line each has everywhere
FORMATS = {
    "text": "for people (the default; 'table' is the same)",
    "json": "for programs",
    "csv": "a spreadsheet",
    "geojson": "for GIS, as text",
    "gpkg": "a GeoPackage file for QGIS (needs --out FILE)",
}
DATA_HELP = "the data folder (default: the shipped data/)"


class CommandError(Exception):
    """The command cannot run; the message says why."""


def _day(text: str) -> date:
    try:
        return parse_iso_day(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _load(data_dir: Path) -> Dataset:
    if not data_dir.is_dir():
        raise CommandError(f"{data_dir} is not a folder")
    result = load_dataset(data_dir)
    if result.dataset is None:
        print(result.report.to_text(), file=sys.stderr)
        print(f"\nFix these problems in {data_dir} first (see: mapapp validate).", file=sys.stderr)
        raise SystemExit(EXIT_PROBLEMS)
    return result.dataset


def _format_arg(text: str) -> str:
    """``table`` is the old name of ``text``; both are accepted."""
    return "text" if text == "table" else text


def _add_format(p: argparse.ArgumentParser, *names: str) -> None:
    """``--format``: the same names and help on every command (:data:`FORMATS`)."""
    p.add_argument(
        "--format",
        type=_format_arg,
        choices=["text", *names],
        default="text",
        help="how to print the result: "
        + "; ".join(f"{n}: {FORMATS[n]}" for n in ("text", *names)),
    )


def _add_data(p: argparse.ArgumentParser, positional: str | None = None) -> None:
    """``--data``: the data folder, on every command (``positional``: the name of a
    positional folder argument the command also takes, as it always has)."""
    if positional is None:
        p.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR, help=DATA_HELP)
        return
    p.add_argument(positional, nargs="?", type=Path, default=None, help=DATA_HELP)
    p.add_argument("--data", dest=f"{positional}_option", type=Path, default=None, help=DATA_HELP)


def _folder(args: argparse.Namespace, positional: str) -> Path:
    given = getattr(args, positional), getattr(args, f"{positional}_option")
    if given[0] is not None and given[1] is not None and given[0] != given[1]:
        raise CommandError(f"two data folders given ({given[0]} and --data {given[1]}); give one")
    return given[0] or given[1] or DEFAULT_DATA_DIR


def cmd_validate(args: argparse.Namespace) -> int:
    data_dir = _folder(args, "data_dir")
    if not data_dir.is_dir():
        raise CommandError(f"{data_dir} is not a folder")
    report = validate(data_dir)
    print(report.to_json() if args.json or args.format == "json" else report.to_text())
    return EXIT_OK if report.valid else EXIT_PROBLEMS


def _rule(args: argparse.Namespace, ds: Dataset) -> Rule:
    """``--rule`` and ``--as-source`` as a :class:`Rule`; an unknown source is an error."""
    source = getattr(args, "as_source", None)
    if source is None:
        return Rule(getattr(args, "rule", "newest"))
    if source not in ds.sources:
        known = ", ".join(sorted(ds.sources)) or "(none)"
        raise CommandError(f"--as-source: '{source}' is not a source in the data; known: {known}")
    return Rule("source", source)


def cmd_codes(args: argparse.Namespace) -> int:
    if args.format == "json":
        print(formats.to_json([asdict(c) for c in CODES.values()]))
        return EXIT_OK
    rows = [[c.code, c.title, c.todo] for c in CODES.values()]
    print(formats.text_table(["code", "what it means", "what to do"], rows))
    return EXIT_OK


def cmd_state(args: argparse.Namespace) -> int:
    ds = _load(args.data)
    if args.format == "gpkg":
        if args.out is None:
            raise CommandError("--format gpkg writes a file: give it with --out FILE")
        from mapapp import notebook  # geopandas: only for this format

        try:
            frame = notebook.geodataframe(args.on, ds, _rule(args, ds))
            notebook.write_geopackage(frame, args.out)
        except OSError as exc:
            raise CommandError(f"cannot write {args.out}: {exc}") from None
        print(f"Wrote {args.out}: {len(ds.places)} places on {args.on.isoformat()}.")
        return EXIT_OK
    states = Timeline(ds, _rule(args, ds)).state_at(args.on)
    records = [formats.state_record(ds, s) for s in states.values()]
    if args.format == "json":
        print(formats.to_json(records))
    elif args.format == "csv":
        print(formats.states_to_csv(records, terminal=True), end="")
    elif args.format == "geojson":
        print(formats.states_to_geojson(ds, records))
    else:
        print(f"State on {args.on.isoformat()}:")
        print(formats.states_to_table(records))
    return EXIT_OK


def _check_range(args: argparse.Namespace) -> None:
    """A reversed --from/--to is refused, in the same words by every command that takes one."""
    if args.to < args.from_:
        raise CommandError(
            f"--to {args.to.isoformat()} is before --from {args.from_.isoformat()}; "
            "give the earlier day as --from"
        )


def cmd_changes(args: argparse.Namespace) -> int:
    _check_range(args)
    ds = _load(args.data)
    timeline = Timeline(ds, _rule(args, ds))
    records = [
        formats.change_record(ds, c)
        for _, changes in timeline.changes_over(args.from_, args.to)
        for c in changes
    ]
    if args.format == "json":
        print(formats.to_json(records))
    else:
        print(f"Changes from {args.from_.isoformat()} to {args.to.isoformat()}:")
        print(formats.changes_to_table(records))
    return EXIT_OK


def cmd_dates(args: argparse.Namespace) -> int:
    ds = _load(args.data)
    timeline = Timeline(ds, _rule(args, ds))
    days = timeline.change_dates()
    if args.format == "json":
        print(formats.to_json([{"date": d.isoformat()} for d in days]))
        return EXIT_OK
    rows = []
    for d in days:
        changed = timeline.changes_between(d.fromordinal(d.toordinal() - 1), d)
        rows.append([d.isoformat(), ", ".join(c.place_id for c in changed)])
    print(formats.text_table(["date", "places that change"], rows))
    return EXIT_OK


def cmd_fronts(args: argparse.Namespace) -> int:
    ds = _load(args.data)
    found = fronts.fronts_on(ds, Timeline(ds).state_at(args.on), args.by)
    records = [fronts.front_record(ds, f) for f in found]
    if args.format == "json":
        print(formats.to_json(records))
    elif args.format == "geojson":
        print(json.dumps(fronts.fronts_geojson(ds, found, args.on), ensure_ascii=False, indent=1))
    else:
        print(f"Front lines on {args.on.isoformat()} (sides by {args.by}):")
        print(formats.fronts_to_table(records))
    return EXIT_OK


def cmd_stats(args: argparse.Namespace) -> int:
    _check_range(args)
    ds = _load(args.data)
    days = fronts.ground_over(ds, args.from_, args.to, args.by)
    columns = fronts.ground_columns(ds, days, args.by)
    records = [fronts.ground_record(g, columns) for g in days]
    if args.format == "json":
        print(formats.to_json(records))
    elif args.format == "csv":
        print(formats.ground_to_csv(records), end="")
    else:
        print(f"Ground held by {args.by}, {args.from_.isoformat()} to {args.to.isoformat()}:")
        print(formats.ground_to_table(records))
    return EXIT_OK


def _load_side(data_dir: Path, side: str, label: str) -> Dataset | None:
    result = load_dataset(data_dir)
    if result.dataset is None:
        print(f"The {side} data ({label}) has problems:", file=sys.stderr)
        print(result.report.to_text(), file=sys.stderr)
    return result.dataset


def cmd_review(args: argparse.Namespace) -> int:
    new_dir = _folder(args, "new")
    if not new_dir.is_dir():
        raise CommandError(f"{new_dir} is not a folder")
    with tempfile.TemporaryDirectory(prefix="mapapp-review-") as tmp:
        old_dir = Path(args.old)
        if old_dir.is_dir():
            old_label = str(old_dir)
        else:
            old_dir = Path(tmp)
            try:
                old_label = revision.extract(args.old, new_dir, old_dir)
            except revision.RevisionError as exc:
                raise CommandError(str(exc)) from None
        old = _load_side(old_dir, "old", old_label)
        new = _load_side(new_dir, "new", str(new_dir))
    if old is None or new is None:
        print("\nFix these problems first (see: mapapp validate).", file=sys.stderr)
        return EXIT_PROBLEMS
    records = review_records(old, new, review(old, new))
    print(formats.to_json(records) if args.format == "json" else review_to_text(records))
    return EXIT_OK


def cmd_docs(args: argparse.Namespace) -> int:
    schema = load_schema(args.data)
    if args.format == "json":
        if args.write is not None:
            raise CommandError("--write puts the markdown in a file; leave out --format json")
        print(formats.to_json(docs.columns_records(schema)))
        return EXIT_OK
    text = docs.columns_markdown(schema)
    if args.write is None:
        print(text, end="")
        return EXIT_OK
    path: Path = args.write
    try:
        page = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror}") from None
    try:
        updated = docs.replace_block(page, text)
    except ValueError as exc:
        raise CommandError(f"{path}: {exc}") from None
    path.write_text(updated, encoding="utf-8")
    print(f"Updated the column reference in {path}.")
    return EXIT_OK


def cmd_quotes(args: argparse.Namespace) -> int:
    from mapapp.editing import quotes

    data_dir = _folder(args, "data_dir")
    if not data_dir.is_dir():
        raise CommandError(f"{data_dir} is not a folder")
    try:
        result = quotes.run(data_dir, write=args.write)
    except quotes.QuotesError as exc:
        raise CommandError(f"{exc}; nothing was written") from None
    pending = bool(result.changes) and not args.write
    status = EXIT_PROBLEMS if result.attention or pending else EXIT_OK
    if args.format == "json":
        notes = [asdict(n) for n in result.notes]
        print(formats.to_json([{"notes": notes, "written": result.written}]))
        return status
    for note in result.notes:
        if note.status in quotes.DONE or note.needs_attention:
            print(formats.terminal_text(str(note)))
    done = sum(result.count(s) for s in ("filled", "refreshed"))
    verb = "located" if args.write else "to locate"
    print(
        f"{result.count('ok')} quotes verified, {done} {verb}, "
        f"{len(result.attention)} need you, {result.count('unverified')} unverified "
        "(their source has no archived text)."
    )
    if args.write:
        print("Wrote " + ", ".join(result.written) + "." if result.written else "Nothing to write.")
    elif result.changes:
        print(f"Nothing written: run `mapapp quotes {data_dir} --write` to write these.")
    return status


def _proposal_text(number: int, p: dict[str, object]) -> str:
    what = p["status"] if p["kind"] == "control" else p["event_kind"]
    factions = ", ".join(map(str, p["faction_ids"])) or "-"  # type: ignore[call-overload]
    head = (
        f"{number}. {p['kind']} {what}: {p['place_id']} by {factions}, {p['date'] or 'no date'}"
        f"{' (' + str(p['date_precision']) + ')' if p['date_precision'] else ''}, "
        f"claimant {p['claimant']}, source {p['source_id']}, confidence {p['confidence']}"
    )
    lines = [head]
    if p["existing"]:
        lines.append(f"   already in the data: {p['existing']}")
    lines.append(f"   quote [{p['quote_start']}:{p['quote_end']}]: «{p['quote_ar']}»")
    lines += [f"   - {r}" for r in p["reasons"]]  # type: ignore[attr-defined]
    return "\n".join(formats.terminal_text(line) for line in lines)


def cmd_propose(args: argparse.Namespace) -> int:
    from mapapp.editing.propose.article import ArticleError, read_article, read_article_bytes
    from mapapp.editing.propose.lexicon import LexiconError, load_lexicon
    from mapapp.editing.propose.proposer import analyse
    from mapapp.editing.propose.rows import TABLES, rows_to_csv, to_rows
    from mapapp.editing.store import read_table

    try:
        if str(args.article) == "-":
            article = read_article_bytes(sys.stdin.buffer.read(), "standard input")
        else:
            article = read_article(args.article)
    except ArticleError as exc:
        raise CommandError(str(exc)) from None
    if args.print_text:
        print(article.text)
        return EXIT_OK
    if args.published:
        try:
            _day_or_month(args.published)
        except ValueError as exc:
            raise CommandError(f"--published: {exc}") from None
    try:
        lex = load_lexicon(args.data)
    except LexiconError as exc:
        print(exc.report.to_text(), file=sys.stderr)
        print(f"\nFix these problems in {args.data} first (see: mapapp validate).", file=sys.stderr)
        return EXIT_PROBLEMS
    if args.source not in lex.dataset.sources and not (args.published or article.published):
        raise CommandError(
            f"--source {args.source} is not in sources.csv and the article gives no date: add "
            "the source to sources.csv first, or give --published YYYY-MM-DD"
        )
    result = analyse(article.text, lex, args.source, args.published, article.published)
    proposals = [p for p in result.proposals if args.only in ("", p.kind)]
    if args.format == "json":
        print(formats.to_json([p.to_json() for p in proposals]))
    elif args.format == "csv":
        blocks = []
        for kind, name in TABLES.items():
            if args.only not in ("", kind):
                continue
            table = read_table(args.data, name)
            taken = set(table.column("id"))
            rows = []
            for p in proposals:
                if p.kind == kind and not p.existing:
                    new = to_rows(p, table.header, taken)
                    taken |= {r.get("id", "") for r in new}
                    rows += new
            blocks.append(rows_to_csv(table.header, rows))
        print("\n".join(blocks), end="")
    else:
        print(f"{len(proposals)} proposal{'s' if len(proposals) != 1 else ''} from {args.article}:")
        for number, p in enumerate(proposals, 1):
            print(_proposal_text(number, p.to_json()))
    if args.source not in lex.dataset.sources:
        print(f"Note: add {args.source} to sources.csv before pasting these rows.", file=sys.stderr)
    return EXIT_OK


def cmd_edit(args: argparse.Namespace) -> int:
    import os
    import subprocess

    from mapapp.editing.editor import LOCAL_ENV

    data: Path = args.data
    if not data.is_dir():
        raise CommandError(f"{data} is not a folder")
    app = Path(__file__).resolve().parent / "app.py"
    env = {**os.environ, LOCAL_ENV: "1", "MAPAPP_DATA": str(data.resolve())}
    print(f"Local editing of {data} at http://127.0.0.1:{args.port}/edit (Ctrl+C to stop).")
    command = [
        sys.executable, "-m", "streamlit", "run", str(app),
        "--server.address", "127.0.0.1", "--server.port", str(args.port),
        "--server.headless", "true", "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    try:
        return subprocess.call(command, env=env, cwd=app.parent.parent)
    except KeyboardInterrupt:
        return EXIT_OK


def _day_or_month(text: str) -> None:
    from mapapp.core.dates import parse_date_cell

    spec = parse_date_cell(text)
    if spec.literal is None:
        raise ValueError(f"'{text}' is not a date: use YYYY-MM-DD, YYYY-MM or YYYY")


def _tiles(value: str, attribution: str) -> Tiles:
    """``--tiles``: ``osm`` (the default), ``none``, or an http(s) URL template."""
    if value.strip().lower() == "osm":
        return Tiles.from_env("")
    if value.strip().lower() == "none":
        return Tiles(None, "")
    if not safe_url(value):
        raise CommandError(
            "--tiles takes osm, none, or an http(s) tile URL template such as "
            "https://tile.example.org/{z}/{x}/{y}.png"
        )
    return Tiles(value.strip(), attribution)


def cmd_export(args: argparse.Namespace) -> int:
    from mapapp.web.export import ExportError, export_site

    tiles = _tiles(args.tiles, args.tiles_attribution)
    ds = _load(args.data)
    started = time.perf_counter()

    def progress(number: int, total: int) -> None:
        # one line per place drawn, at most a hundred lines (10,000 places)
        if number == total or number * 100 // total != (number - 1) * 100 // total:
            print(f"place {number}/{total}", file=sys.stderr, flush=True)

    def gis(path: Path) -> None:
        from mapapp import notebook  # geopandas: only the export's GeoPackage needs it

        notebook.write_geopackage(notebook.history_geodataframe(ds), path)

    try:
        result = export_site(ds, args.out, tiles, args.palette, progress, gis)
    except (ExportError, OSError) as exc:
        raise CommandError(f"cannot export to {args.out}: {exc}") from None
    seconds = time.perf_counter() - started
    if args.format == "json":
        summary = {
            "index": str(result.out / "index.html"),
            "places": result.places,
            "frames": result.frames,
            "data_bytes": result.data_bytes,
            "seconds": round(seconds, 2),
        }
        print(formats.to_json([summary]))
        return EXIT_OK
    print(
        f"Wrote {result.out / 'index.html'}: {result.places} places, {result.frames} frames, "
        f"data.js {result.data_bytes:,} bytes, in {seconds:.1f} s."
    )
    return EXIT_OK


def _rule_arguments(p: argparse.ArgumentParser) -> None:
    group = p.add_mutually_exclusive_group()
    group.add_argument(
        "--rule",
        choices=list(RULES),
        default="newest",
        help="which side colours a place the sources dispute: the newest report (default) "
        "or the most reliable source (Admiralty rating in sources.csv)",
    )
    group.add_argument(
        "--as-source",
        metavar="SOURCE_ID",
        help="answer as that source alone says (the other sources' claims are left out)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mapapp",
        description="Who held which neighbourhood of southern Damascus on a given day, "
        "and who says so.",
        epilog="Example: mapapp validate data",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help: str, example: str) -> argparse.ArgumentParser:
        return sub.add_parser(
            name,
            help=help,
            description=help,
            epilog=f"Example:\n  {example}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )

    p = command(
        "validate",
        "Check every data file and report every problem (file, line, column, message). "
        "Exit status 0 when valid, 1 when problems were found, 2 when it cannot run.",
        "mapapp validate data --json",
    )
    _add_data(p, "data_dir")
    _add_format(p, "json")
    p.add_argument(
        "--json",
        action="store_true",
        help="the same as --format json: a list of {file, line, column, code, message}",
    )
    p.set_defaults(func=cmd_validate)

    p = command(
        "codes",
        "Every problem code the validator can report: what it means and what to do.",
        "mapapp codes --format json",
    )
    _add_data(p)  # every command takes it; the codes do not depend on the data
    _add_format(p, "json")
    p.set_defaults(func=cmd_codes)
    p = command(
        "state",
        "The state of every place on a day: status, factions, since when, uncertainty, "
        "conditions and sources; whether the sources agree, are disputed or there is no "
        "data; every claim covering the day; the newest report (as_of) and whether it is "
        "stale (older than the dataset's horizon).",
        "mapapp state --on 2015-09-15 --format json",
    )
    p.add_argument("--on", type=_day, required=True, metavar="YYYY-MM-DD", help="the day")
    _add_data(p)
    _add_format(p, "json", "csv", "geojson", "gpkg")
    p.add_argument("--out", type=Path, metavar="FILE", help="the file --format gpkg writes")
    _rule_arguments(p)
    p.set_defaults(func=cmd_state)

    p = command(
        "changes",
        "Every change between two days, in order: each day on which a place's state differs "
        "from the day before (a new controller, a dispute starting or ending, a report going "
        "stale), before and after, with sources. A new report that agrees is no change. "
        "Refuses a range whose --to is before its --from.",
        "mapapp changes --from 2015-01-01 --to 2015-09-15",
    )
    p.add_argument("--from", dest="from_", type=_day, required=True, metavar="YYYY-MM-DD")
    p.add_argument("--to", type=_day, required=True, metavar="YYYY-MM-DD")
    _add_data(p)
    _add_format(p, "json")
    _rule_arguments(p)
    p.set_defaults(func=cmd_changes)

    p = command(
        "dates",
        "The days on which the state of any place changes.",
        "mapapp dates --format json",
    )
    _add_data(p)
    _add_format(p, "json")
    _rule_arguments(p)
    p.set_defaults(func=cmd_dates)

    p = command(
        "fronts",
        "The front lines on a day: every border two places held by different sides share, "
        "with the two places, their sides and statuses, and its length in metres (measured "
        "in a local equal-area metric projection). A front is firm when both sides hold "
        "their place outright (sole or shared control, not uncertain), else tentative, "
        "with the reason.",
        "mapapp fronts --on 2015-09-15 --format geojson > fronts.geojson",
    )
    p.add_argument("--on", type=_day, required=True, metavar="YYYY-MM-DD", help="the day")
    p.add_argument("--by", choices=list(fronts.BY), default="bloc", help="what a side is")
    _add_data(p)
    _add_format(p, "json", "geojson")
    p.set_defaults(func=cmd_fronts)

    p = command(
        "stats",
        "Ground held over time: the km² each bloc or faction holds on --from and on every "
        "change day up to --to, one row a day, one column per side and status. Sole control "
        "counts whole; shared, partial and presence are columns of their own (a shared "
        "place counts whole for each sharer, never split); by bloc, a place shared only "
        "within one bloc is that bloc's sole ground. Areas in km² from the polygons in a "
        "local equal-area projection.",
        "mapapp stats --from 2015-01-01 --to 2015-12-31 --by bloc --format csv",
    )
    p.add_argument("--from", dest="from_", type=_day, required=True, metavar="YYYY-MM-DD")
    p.add_argument("--to", type=_day, required=True, metavar="YYYY-MM-DD")
    p.add_argument("--by", choices=list(fronts.BY), default="bloc", help="what a side is")
    _add_data(p)
    _add_format(p, "json", "csv")
    p.set_defaults(func=cmd_stats)

    p = command(
        "review",
        "What an edit changes on the map: every place and span of days whose state differs "
        "between OLD and NEW, before and after, with the sources behind both. OLD is a data "
        "folder or a git revision (HEAD, main, main~1) of NEW's folder. Exit status 0 when "
        "both sides load (changed or not), 1 when either has data problems, 2 when it cannot "
        "run.",
        "mapapp review HEAD",
    )
    p.add_argument(
        "old",
        metavar="OLD",
        help="the data before the edit: a folder, or a git revision of NEW's folder",
    )
    p.add_argument(
        "new",
        metavar="NEW",
        nargs="?",
        type=Path,
        default=None,
        help="the data after the edit: a folder (default: the shipped data/, as it is now)",
    )
    p.add_argument("--data", dest="new_option", type=Path, default=None, help="the same as NEW")
    _add_format(p, "json")
    p.set_defaults(func=cmd_review)

    p = command(
        "docs",
        "The reference of every column of every data file (a markdown table per file), "
        "built from datapackage.json: printed, or written between the markers in a file.",
        "mapapp docs --write EDITING.md",
    )
    _add_data(p)
    p.add_argument(
        "--write",
        type=Path,
        metavar="FILE",
        help=f"replace the text between {docs.START} and {docs.END} in FILE",
    )
    _add_format(p, "json")
    p.set_defaults(func=cmd_docs)

    p = command(
        "quotes",
        "Locate every quote in its source's archived text (data/sources/<source id>.txt): "
        "record a new archive's SHA-256 in sources.csv and fill in, or correct, quote_start "
        "and quote_end. A quote that occurs more than once or not at all is reported and "
        "left as it is. Without --write nothing is written. Exit status 0 when every quote "
        "of an archived source is located, 1 when some need an editor (or, without --write, "
        "offsets are to be written), 2 when it cannot run.",
        "mapapp quotes data --write",
    )
    _add_data(p, "data_dir")
    p.add_argument("--write", action="store_true", help="write the offsets and hashes found")
    _add_format(p, "json")
    p.set_defaults(func=cmd_quotes)

    p = command(
        "export",
        "Write the map as a self-contained static site (index.html, data.js, the page's "
        "script and style, Leaflet): every day of the app's date range, the legend, popups "
        "with full citations, English and Arabic, links to a view (#date=…&place=…&lang=…). "
        "Open index.html from disk or put the folder on any static host; no server, no CDN. "
        "Re-exporting into the same folder replaces the previous export and nothing else.",
        "mapapp export --out site --tiles none",
    )
    p.add_argument("--out", type=Path, required=True, metavar="DIR", help="the folder to write")
    _add_data(p)
    p.add_argument(
        "--tiles",
        default="osm",
        metavar="osm|none|URL",
        help="the basemap: OpenStreetMap (default), none, or a tile URL template with {z}/{x}/{y}",
    )
    p.add_argument(
        "--tiles-attribution",
        default="Map tiles",
        metavar="TEXT",
        help="the credit shown for a --tiles URL template (as text)",
    )
    p.add_argument("--palette", choices=list(PALETTES), default="conventional")
    _add_format(p, "json")
    p.set_defaults(func=cmd_export)

    p = command(
        "propose",
        "Propose control claims and events from an Arabic article (a text file, a saved HTML "
        "page, or - for standard input): each with its place, factions, status or event kind, "
        "date and precision, claimant, the exact quote (character offsets into the text as "
        "read: the UTF-8 text, or an HTML page's visible text, see --print-text), a confidence "
        "and the reasons. Proposals are for an editor to check: nothing is written. The "
        "lexicons are place_names.csv, faction_names.csv and cues.csv in the data folder. "
        "--format csv prints rows for control.csv, a blank line, then rows for events.csv, "
        "each block with its header line; rows the data already has are left out.",
        "mapapp propose article.txt --source elaph_2015_09 --format json",
    )
    p.add_argument("article", type=Path, metavar="ARTICLE", help="the article: text or HTML")
    p.add_argument("--source", required=True, metavar="ID", help="the article's id in sources.csv")
    p.add_argument(
        "--published",
        default="",
        metavar="DATE",
        help="its publication date (YYYY-MM-DD, YYYY-MM or YYYY) when the page does not say "
        "and sources.csv does not have it; relative dates are resolved against it",
    )
    _add_data(p)
    _add_format(p, "json", "csv")
    p.add_argument("--only", choices=["control", "event"], default="", help="one kind only")
    p.add_argument(
        "--print-text",
        action="store_true",
        help="print the text the offsets refer to (an HTML page's visible text) and stop",
    )
    p.set_defaults(func=cmd_propose)

    p = command(
        "edit",
        "Edit the data in the app on this machine, without a login: the server listens on "
        "127.0.0.1 only and the audit log records your operating-system user. The table "
        "editor, the proposer, preview, save and undo at http://127.0.0.1:PORT/edit.",
        "mapapp edit --port 8502",
    )
    _add_data(p)
    _add_format(p)  # it prints only where the app is
    p.add_argument("--port", type=int, default=8501, help="the port (default 8501)")
    p.set_defaults(func=cmd_edit)
    return parser


def command_names() -> list[str]:
    """The names of the subcommands, for docs and tests."""
    actions = build_parser()._subparsers
    assert actions is not None
    return [
        name
        for action in actions._group_actions
        if isinstance(action, argparse._SubParsersAction)
        for name in action.choices
    ]


class _Printable(io.TextIOBase):
    """A stream that shows terminal controls as ``\\uXXXX`` (:func:`printable`, lines kept):
    whatever a command prints, from whatever text, cannot drive the terminal."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        self.stream.write(printable(text, keep_lines=True))
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return self.stream.isatty()


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    out, err = _Printable(sys.stdout), _Printable(sys.stderr)
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        args = parser.parse_args(argv)  # its errors echo the arguments: escaped too
        try:
            return int(args.func(args))
        except (CommandError, SchemaError) as exc:
            print(f"mapapp: error: {printable(str(exc))}", file=sys.stderr)
            return EXIT_ERROR
        except BrokenPipeError:  # e.g. piped into head
            return EXIT_OK
