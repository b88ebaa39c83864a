"""Validation problems as values: each names the file, line, column and what is wrong."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

from mapapp.core.codes import check


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
    """Every problem found in one run. ``valid`` when there are none."""

    issues: list[Issue] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.issues

    def extend(self, issues: Iterable[Issue]) -> None:
        self.issues.extend(issues)

    def sorted(self) -> list[Issue]:
        return sorted(set(self.issues), key=_sort_key)

    def codes(self) -> set[str]:
        return {i.code for i in self.issues}

    def to_json(self) -> str:
        return json.dumps([asdict(i) for i in self.sorted()], ensure_ascii=False, indent=2)

    def to_text(self) -> str:
        issues = self.sorted()
        if not issues:
            return "The data is valid."
        lines = [f"{len(issues)} problem{'s' if len(issues) != 1 else ''} found:"]
        lines += [f"  {i.location()}: {i.message} ({i.code})" for i in issues]
        return "\n".join(lines)
