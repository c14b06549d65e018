"""The ``brochure check`` pipeline: content checks, then the audit of the rendered PDF.

Every finding is tied to a content file and line, including those read from the PDF.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from brochure.checks.findings import BrochureReport, Finding, without_ignored
from brochure.checks.pdfaudit import PdfIssue, audit_pdf
from brochure.checks.quality import check_content
from brochure.checks.safety import (
    brochure_findings,
    clinic_findings,
    clinic_translation_findings,
)
from brochure.codes import warning_code
from brochure.compose.brochure import Brochure, assemble, find_line
from brochure.compose.html import render_html
from brochure.content.layouts import Layout
from brochure.content.load import Loaded
from brochure.content.markup import to_plain
from brochure.content.models import CalloutBlock, ChecklistBlock, StepsBlock, TableBlock, TextBlock
from brochure.content.project import Project
from brochure.render.glyphs import missing_glyph


@dataclass
class CheckResult:
    """Reports for every checked brochure, and whether they pass."""

    reports: list[BrochureReport] = field(default_factory=list)
    strict: bool = False
    ignore: tuple[str, ...] = ()  # codes left out: --ignore's and clinic.yaml's check.ignore
    ignored: int = field(default=0, init=False)  # how many findings they left out

    def __post_init__(self) -> None:
        before = sum(len(r.findings) for r in self.reports)
        self.reports = [without_ignored(r, self.ignore) for r in self.reports]
        self.ignored = before - sum(len(r.findings) for r in self.reports)

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


def check_brochures(project: Project, ids: list[str], *,
                    layouts: Sequence[Layout] | dict[str, list[Layout]], paper: str,
                    render: bool, today: dt.date | None = None,
                    print_shop: bool = False) -> list[BrochureReport]:
    """Check the named conditions (all when none); render and audit each layout when ``render``.

    ``layouts`` is a list for the default language, or the layouts of each language to
    check. The content is checked once per condition and language (a translation with its
    own readability formula, translation records and figures, see quality_i18n.py); what
    the PDF audit finds is named with its layout, e.g. "poster: page 1: ...".
    ``print_shop`` also preflights each layout's print-shop PDF.
    """
    from brochure.checks.quality_i18n import check_translation

    by_language = layouts if isinstance(layouts, dict) else {project.language: list(layouts)}
    day = today or dt.date.today()
    reports: list[BrochureReport] = []
    clinic_texts: set[str] = set()  # the languages whose clinic texts are already checked
    for item in project.select(ids):
        for lang, chosen in by_language.items():
            if not chosen:
                continue
            b = assemble(project, item, layout=chosen[0], paper=paper, language=lang,
                         allow_fallback=True)
            source = None if reports else project.clinic_source  # the clinic's problems once
            if lang == project.language:
                report = content_report(b, today=day, clinic_source=source)
            else:
                report = check_translation(b, project, today=day)
                report.findings.extend(brochure_findings(b))
                if source is not None:  # clinic.yaml's number prints in every language
                    report.findings.extend(clinic_findings(project.clinic, source))
                if lang not in clinic_texts and \
                        (text := project.translation(lang).clinic) is not None:
                    report.findings.extend(clinic_translation_findings(text.source, lang))
                clinic_texts.add(lang)
            if render:
                for layout in chosen:
                    report.findings.extend(_audit(project, assemble(
                        project, item, layout=layout, paper=paper, language=lang,
                        allow_fallback=True)))
            if print_shop:
                for layout in chosen:
                    shop = assemble(project, item, layout=layout, paper=paper, print_shop=True,
                                    language=lang, allow_fallback=True)
                    report.findings.extend(prepress_findings(project.root, shop))
            reports.append(report)
    return reports


def content_report(b: Brochure, *, today: dt.date,
                   clinic_source: Loaded | None) -> BrochureReport:
    """Return the content checks and safety rules of one brochure.

    Given the clinic's file, the clinic's own problems are added too.
    """
    report = check_content(b, today=today)
    report.findings.extend(brochure_findings(b))
    if clinic_source is not None:
        report.findings.extend(clinic_findings(b.clinic, clinic_source))
    return report


def pdf_report(b: Brochure, pdf: bytes, warnings: Sequence[str]) -> list[Finding]:
    """Return what the PDF audit finds in a rendered brochure, and its render warnings.

    Each finding is named with the layout.
    """
    found = [replace(f, message=f"{b.layout.id}: {f.message}")
             for f in pdf_findings(b, audit_pdf(pdf))]
    found.extend(_render_finding(b, w) for w in dict.fromkeys(warnings))
    return found


def _audit(project: Project, b: Brochure) -> list[Finding]:
    """Render one brochure and return what the PDF audit and WeasyPrint found."""
    from brochure.content.assets import render_roots
    from brochure.render.pdf import render_pdf

    page = render_html(project.root, b)
    pdf, warnings = render_pdf(page, roots=render_roots(project.root), base_url=project.root)
    return pdf_report(b, pdf, warnings)


def _render_finding(b: Brochure, warning: str) -> Finding:
    """Turn a renderer warning into a finding; a missing glyph names its file and line."""
    glyph = missing_glyph(warning, lambda text: find_line(b, text))
    if glyph is None:
        return Finding(warning_code(warning), "warning", f"{b.layout.id}: WeasyPrint: {warning}",
                       b.origin.shown, 1)
    where, message = glyph
    file, line, column = [*where.rsplit(":", 2), "1", "1"][:3] if where else \
        (b.origin.shown, "1", "1")
    return Finding("W003", "warning", message, file, int(line), int(column))


def prepress_findings(root: Path, b: Brochure) -> list[Finding]:
    """Render a brochure's print-shop PDF and read it back as a prepress check would."""
    import tempfile

    from brochure.checks.preflight import preflight
    from brochure.content.assets import render_roots
    from brochure.content.outfile import atomic_write
    from brochure.render.brochure import file_name, render_brochure

    pdf, _ = render_brochure(b, root=root, roots=render_roots(root))
    with tempfile.TemporaryDirectory(prefix="brochure-preflight-") as folder:
        path = Path(folder) / file_name(b)
        atomic_write(path, pdf, kind="pdf", within=Path(folder).resolve())
        found = preflight(path)
    return [Finding(f.code, f.severity,
                    f"{file_name(b)}: {f'page {f.page}: ' if f.page else ''}{f.message}",
                    b.origin.shown, 1)
            for f in found]
