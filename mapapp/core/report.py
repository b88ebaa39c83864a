"""Validation problems as values: each names the file, line, column and what is wrong."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

#: problems kept per file and code: past this a report says "… and N more", so one pasted
#: block of bad rows cannot make a report (or the page showing it) as large as the data
CAP_PER_CODE = 50


@dataclass(frozen=True, order=True)
class Issue:
    """One problem in the data.

    ``line`` is the line as an editor sees it in a text editor (the CSV header is line 1);
    ``None`` when the problem concerns a whole file. ``column`` is the CSV column or GeoJSON
    property (``None`` for a whole row or file). ``code`` is a stable kebab-case name.
    """

    file: str
    line: int | None
    column: str | None
    code: str
    message: str

    def location(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
        if self.column:
            where += f" [{self.column}]"
        return where

    def __str__(self) -> str:
        return f"{self.location()}: {self.message} ({self.code})"


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

    @property
    def valid(self) -> bool:
        return not self.issues and not self.omitted

    @property
    def count(self) -> int:
        """How many problems were found, shown or not."""
        return len(set(self.issues)) + sum(self.omitted.values())

    def extend(self, issues: Iterable[Issue]) -> None:
        kept = Counter((i.file, i.code) for i in self.issues)
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
        return json.dumps([asdict(i) for i in self.sorted()], ensure_ascii=False, indent=2)

    def to_text(self) -> str:
        issues = self.sorted()
        if not issues:
            return "The data is valid."
        count = self.count
        lines = [f"{count:,} problem{'s' if count != 1 else ''} found:"]
        lines += [f"  {i.location()}: {i.message} ({i.code})" for i in issues]
        return "\n".join(lines)
