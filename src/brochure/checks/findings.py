"""What ``brochure check`` reports: findings located in the content, and PEMAT-style items."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class Finding:
    """One thing the check noticed, with the content file and line that caused it."""

    code: str
    severity: Severity
    message: str
    file: str
    line: int
    column: int = 1
    section: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        return f"{where}: {self.severity}: {self.message} [{self.code}]"


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
