"""The proposer measured on its gold set: per-field precision and recall, and time.

Two parts, both kept under ``tests/data/propose/`` so the measure does not move when the
shipped data is edited: the Elaph article of September 2015 against the rows editors wrote
from it (``gold-control.csv``, ``gold-events.csv``: the shipped rows when the proposer was
written), and sentences written by hand unlike the article's (``extra.txt`` with
``extra-gold.json``). The lexicons and sources are the shipped ``data/``.

Run: ``python benchmarks/propose.py`` (about 2 s).
"""

from __future__ import annotations

import csv
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from mapapp.core.dates import FuzzyDate  # noqa: E402
from mapapp.editing.propose.article import read_article  # noqa: E402
from mapapp.editing.propose.lexicon import Lexicon, load_lexicon  # noqa: E402
from mapapp.editing.propose.proposer import analyse  # noqa: E402
from mapapp.editing.propose.score import Scores, score_control, score_events  # noqa: E402

GOLD = ROOT / "tests" / "data" / "propose"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def evaluate(lex: Lexicon) -> dict[str, tuple[Scores, Scores, float]]:
    """Scores (control, events) and seconds, per part of the gold set."""
    dates: dict[str, FuzzyDate] = {s.id: s.published for s in lex.dataset.sources.values()}
    out = {}
    article = read_article(GOLD / "elaph_2015_09.txt")
    started = time.perf_counter()
    result = analyse(article.text, lex, "elaph_2015_09")
    seconds = time.perf_counter() - started
    proposed = [p.to_json() for p in result.proposals]
    out["article"] = (
        score_control(_rows(GOLD / "gold-control.csv"), proposed, dates),
        score_events(_rows(GOLD / "gold-events.csv"), proposed, dates),
        seconds,
    )
    extra = json.loads((GOLD / "extra-gold.json").read_text(encoding="utf-8"))
    text = read_article(GOLD / "extra.txt").text
    started = time.perf_counter()
    result = analyse(text, lex, extra["source"], extra["published"])
    seconds = time.perf_counter() - started
    proposed = [p.to_json() for p in result.proposals]
    out["hand-written sentences"] = (
        score_control(extra["control"], proposed, dates),
        score_events(extra["events"], proposed, dates),
        seconds,
    )
    return out


def main() -> int:
    started = time.perf_counter()
    lex = load_lexicon(ROOT / "data")
    loading = time.perf_counter() - started
    print(f"lexicons and data loaded and validated in {loading:.2f} s")
    for part, (control, events, seconds) in evaluate(lex).items():
        print(f"\n{part}: proposed in {seconds:.2f} s")
        print(control.report())
        print(events.report())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
