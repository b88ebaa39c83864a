"""Validation problems as values: each names the file, line, column and what is wrong."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

from mapapp.core.codes import check

#: problems kept per file and code: past this a report says "… and N more", so one pasted
#: block of bad rows cannot make a report (or the page showing it) as large as the data
CAP_PER_CODE = 50

#: characters a terminal acts on (escape sequences, bell, carriage return, C1 controls such
#: as CSI), line and paragraph separators, bidi embeddings, overrides and isolates (they
#: reorder the rest of the line) and lone surrogates (no terminal can encode one)
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_UNPRINTABLE_BUT_LINES = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def printable(text: str, *, keep_lines: bool = False) -> str:
    """``text`` with each character that could drive a terminal, reorder a line or start a
    new one shown as ``\\uXXXX``; with ``keep_lines``, line breaks and tabs are kept (for
    text whose lines are ours). In JSON the same escapes read back as the same text."""
    pattern = _UNPRINTABLE_BUT_LINES if keep_lines else _UNPRINTABLE
    return pattern.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


@dataclass(frozen=True, order=True)
class Issue:
    """One problem in the data.

    ``line`` is the line as an editor sees it in a text editor (the CSV header is line 1);
    ``None`` when the problem concerns a whole file. ``column`` is the CSV column or GeoJSON
    property (``None`` for a whole row or file). ``code`` is a stable kebab-case name
    declared in :mod:`mapapp.core.codes` (any other is refused).
    """

    file: str
    line: int | None
    column: str | None
    code: str
    message: str

    def __post_init__(self) -> None:
        check(self.code)

    def location(self) -> str:
        where = printable(self.file)
        if self.line is not None:
            where += f":{self.line}"
        if self.column:
            where += f" [{printable(self.column)}]"
        return where

    def __str__(self) -> str:
        """One line for a terminal: data text in a message cannot start another line or
        drive the terminal (a fake "The data is valid." once could)."""
        return f"{self.location()}: {printable(self.message)} ({printable(self.code)})"


def _sort_key(issue: Issue) -> tuple[str, int, str, str]:
    return (issue.file, issue.line or 0, issue.column or "", issue.code)


@dataclass
class Report:
    """The problems found in one run. ``valid`` when there are none.

    At most :data:`CAP_PER_CODE` problems are kept for each file and code; the rest are
    only counted (``omitted``) and shown as one "… and N more" line each.
    """

    issues: list[Issue] = field(default_factory=list)
    omitted: Counter[tuple[str, str]] = field(default_factory=Counter)
    _kept: Counter[tuple[str, str]] = field(default_factory=Counter, repr=False, compare=False)

    @property
    def valid(self) -> bool:
        return not self.issues and not self.omitted

    @property
    def count(self) -> int:
        """How many problems were found, shown or not."""
        return len(set(self.issues)) + sum(self.omitted.values())

    def extend(self, issues: Iterable[Issue]) -> None:
        kept = self._kept
        if sum(kept.values()) != len(self.issues):  # issues given to the constructor
            kept.clear()
            kept.update((i.file, i.code) for i in self.issues)
        for issue in issues:
            key = (issue.file, issue.code)
            if kept[key] < CAP_PER_CODE:
                kept[key] += 1
                self.issues.append(issue)
            else:
                self.omitted[key] += 1

    def sorted(self) -> list[Issue]:
        """The kept problems in file and line order, then a "… and N more" line for each
        file and code that had more."""
        more = [
            Issue(
                file,
                None,
                None,
                code,
                f"… and {n:,} more '{code}' problem{'s' if n != 1 else ''} in {file}; "
                "fix the ones shown and validate again",
            )
            for (file, code), n in sorted(self.omitted.items())
        ]
        return sorted(set(self.issues), key=_sort_key) + more

    def codes(self) -> set[str]:
        return {i.code for i in self.issues} | {code for _, code in self.omitted}

    def to_json(self) -> str:
        text = json.dumps([asdict(i) for i in self.sorted()], ensure_ascii=False, indent=2)
        return printable(text, keep_lines=True)  # JSON escapes: reads back the same

    def to_text(self) -> str:
        issues = self.sorted()
        if not issues:
            return "The data is valid."
        count = self.count
        lines = [f"{count:,} problem{'s' if count != 1 else ''} found:"]
        lines += [f"  {i}" for i in issues]
        return "\n".join(lines)
