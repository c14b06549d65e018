"""The ``brochure check`` pipeline: content checks, then the audit of the rendered PDF.

Every finding is tied to a content file and line, including those read from the PDF.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from brochure.compose import Brochure, assemble, render_html
from brochure.findings import BrochureReport, Finding
from brochure.layouts import Layout
from brochure.markup import to_plain
from brochure.models import CalloutBlock, ChecklistBlock, StepsBlock, TableBlock, TextBlock
from brochure.pdfaudit import PdfIssue, audit_pdf
from brochure.project import Project
from brochure.quality import check_content
from brochure.safetycheck import brochure_findings, clinic_findings


@dataclass
class CheckResult:
    """Reports for every checked brochure, and whether they pass."""

    reports: list[BrochureReport] = field(default_factory=list)
    strict: bool = False

    @property
    def errors(self) -> int:
        """Return the number of error findings."""
        return sum(r.count("error") for r in self.reports)

    @property
    def warnings(self) -> int:
        """Return the number of warning findings."""
        return sum(r.count("warning") for r in self.reports)

    @property
    def passed(self) -> bool:
        """Return True when nothing blocks printing (warnings too, when strict)."""
        return self.errors == 0 and (not self.strict or self.warnings == 0)


def _part_texts(b: Brochure) -> list[tuple[str, str, int]]:
    out = []
    for part in b.parts:
        words: list[str] = [part.title, part.key_message or ""]
        for blk in part.blocks:
            words.append(blk.heading or "")
            if isinstance(blk, TextBlock | CalloutBlock):
                words.append(to_plain(blk.text.replace("\n", " ")))
            if isinstance(blk, StepsBlock | ChecklistBlock):
                words.extend(blk.items)
            if isinstance(blk, TableBlock):
                words.extend(c for row in [blk.header, *blk.rows] for c in row)
        line, _ = part.origin.where(part.loc)
        out.append((" ".join(words), part.origin.shown, line))
    return out


def pdf_findings(b: Brochure, issues: list[PdfIssue]) -> list[Finding]:
    """Tie PDF issues to the content part whose text they show, or to the condition file."""
    texts = _part_texts(b)
    found: list[Finding] = []
    for issue in issues:
        file, line = b.origin.shown, 1
        probe = " ".join(issue.sample.split(" ")[:3])
        for text, part_file, part_line in texts:
            if probe and probe in text:
                file, line = part_file, part_line
                break
        sample = f" (\"{issue.sample}\")" if issue.sample else ""
        page = f"page {issue.page}: " if issue.page else ""
        found.append(Finding(issue.code, "error", f"{page}{issue.message}{sample}", file, line))
    return found


def check_brochures(project: Project, ids: list[str], *, layout: Layout, paper: str,
                    render: bool, today: dt.date | None = None) -> list[BrochureReport]:
    """Check the named conditions (all when none); render and audit PDFs when ``render``."""
    day = today or dt.date.today()
    reports: list[BrochureReport] = []
    for item in project.select(ids):
        b = assemble(project, item, layout=layout, paper=paper)
        report = check_content(b, today=day)
        report.findings.extend(brochure_findings(b))
        if not reports:  # the clinic's own problems, once
            report.findings.extend(clinic_findings(project.clinic, project.clinic_source))
        if render:
            from brochure.render import render_pdf

            page = render_html(project.root, b)
            pdf, warnings = render_pdf(page, roots=render_roots(project.root),
                                       base_url=project.root)
            report.findings.extend(pdf_findings(b, audit_pdf(pdf)))
            report.findings.extend(
                Finding("render.warning", "warning", f"WeasyPrint: {w}", b.origin.shown, 1)
                for w in dict.fromkeys(warnings))
        reports.append(report)
    return reports


def render_roots(root: Path) -> tuple[Path, ...]:
    """Return the folders the renderer may read files from."""
    from brochure.assets import font_files, package_styles_dir, package_templates_dir

    return (root / "assets", root / "styles", package_styles_dir(), package_templates_dir(),
            *{p.parent for p, _, _ in font_files()})
