"""What ``brochure check`` reports: findings located in the content, and PEMAT-style items."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from brochure.codes import CODES, Severity, kept

__all__ = ["BrochureReport", "Finding", "Item", "SectionScore", "Severity", "shown",
           "without_ignored"]


@dataclass(frozen=True)
class Finding:
    """One thing the check noticed, with the content file and line that caused it.

    Its code is one of ``brochure.codes``' table: a finding without one is a bug.
    """

    code: str
    severity: Severity
    message: str
    file: str
    line: int
    column: int = 1
    section: str | None = None

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"finding code {self.code!r} is not in brochure.codes")

    def __str__(self) -> str:
        return shown(self)


def _plain(text: str, _kind: str) -> str:
    return text


def shown(f: Finding, style: Callable[[str, str], str] = _plain) -> str:
    """Return the finding's line, as ruff prints one: ``file:line:col: CODE severity: message``.

    ``style`` colours the severity (text, kind) for a terminal.
    """
    return f"{f.file}:{f.line}:{f.column}: {f.code} {style(f.severity, f.severity)}: {f.message}"


def without_ignored(report: BrochureReport, ignore: Collection[str]) -> BrochureReport:
    """Return a copy of ``report`` without the findings whose code is ignored."""
    if not ignore:
        return report
    return replace(report, findings=kept(report.findings, ignore, lambda f: f.code))


@dataclass(frozen=True)
class Item:
    """One automatable PEMAT-P / CDC Clear Communication Index item, passed or failed."""

    id: str
    name: str
    passed: bool
    reason: str


@dataclass(frozen=True)
class SectionScore:
    """Readability of one section of a brochure."""

    title: str
    file: str
    line: int
    sentences: int
    words: int
    fk_grade: float
    reading_ease: float
    passive_share: float


@dataclass
class BrochureReport:
    """Everything the check found for one brochure."""

    id: str
    title: str
    file: str
    sections: list[SectionScore] = field(default_factory=list)
    readability: dict[str, Any] = field(default_factory=dict)
    items: list[Item] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    # The files the audit read, by name: the SHA-256 of each, the same bytes build writes.
    audited: dict[str, str] = field(default_factory=dict)

    @property
    def score(self) -> int:
        """Return the PEMAT-style automatable score: passed / applicable x 100."""
        if not self.items:
            return 100
        return round(100 * sum(i.passed for i in self.items) / len(self.items))

    def count(self, severity: Severity) -> int:
        """Return how many findings have ``severity``."""
        return sum(f.severity == severity for f in self.findings)

    def as_dict(self) -> dict[str, Any]:
        """Return the report with stable keys, for JSON output."""
        return {
            "id": self.id,
            "title": self.title,
            "file": self.file,
            "readability": self.readability,
            "sections": [asdict(s) for s in self.sections],
            "pemat": {
                "score": self.score,
                "passed": sum(i.passed for i in self.items),
                "applicable": len(self.items),
                "items": [asdict(i) for i in self.items],
            },
            "findings": [asdict(f) for f in self.findings],
            "audited": dict(self.audited),
        }
