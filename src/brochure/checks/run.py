"""The ``brochure check`` pipeline: content checks, then the audit of the rendered PDF.

Every finding is tied to a content file and line, including those read from the PDF.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from brochure.checks.findings import BrochureReport, Finding, without_ignored
from brochure.checks.pdfaudit import PdfIssue, audit_pdf
from brochure.checks.quality import check_content
from brochure.checks.safety import (
    brochure_findings,
    clinic_findings,
    clinic_translation_findings,
)
from brochure.codes import warning_code
from brochure.compose.brochure import Brochure, find_line
from brochure.content.glyphs import missing_glyph
from brochure.content.load import Loaded
from brochure.content.markup import to_plain
from brochure.content.models import CalloutBlock, ChecklistBlock, StepsBlock, TableBlock, TextBlock
from brochure.content.project import Project
from brochure.errors import FitError
from brochure.recipe.job import Job, Options
from brochure.recipe.make import Made, compose, file_name, make
from brochure.recipe.select import Selection


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


def check_brochures(project: Project, chosen: Selection, *, render: bool,
                    today: dt.date | None = None,
                    print_shop: bool = False) -> list[BrochureReport]:
    """Check the selection's brochures; make and audit each job's PDF when ``render``.

    The content is checked once per condition and language (a translation with its own
    readability formula, translation records and figures, see quality_i18n.py). The audit
    reads the very bytes build writes for each job (the recipe, recipe/make.py); what it
    finds is named with its layout, e.g. "poster: page 1: ...". ``print_shop`` also makes
    each job's print-shop PDF and reads it back as a print shop's prepress check would.
    """
    day = today or dt.date.today()
    reports: list[BrochureReport] = []
    texts: set[str] = set()  # the languages whose clinic texts are already checked
    images: dict[str, Any] = {}  # decoded images (the logo, the QR code), as a build keeps
    for condition in chosen.conditions:
        for lang in chosen.languages:
            jobs = chosen.jobs_of(condition, lang)
            if not jobs:
                continue
            # The clinic's own problems once, in the first report; its texts in each
            # language once.
            report = language_report(project, jobs[0], today=day, clinic=not reports,
                                     clinic_text=lang not in texts)
            texts.add(lang)
            if render:
                for job in jobs:
                    audit_job(project, job, report, images=images)
            if print_shop:
                for job in jobs:
                    audit_job(project, dataclasses.replace(job, print_shop=True), report)
            reports.append(report)
    return reports


# The check makes brochures as build does; a part not yet translated is printed in the
# default language (and reported by the translation checks) instead of stopping the check.
CHECKED = Options(allow_fallback=True)


def language_report(project: Project, job: Job, *, today: dt.date, clinic: bool = True,
                    clinic_text: bool = True) -> BrochureReport:
    """Return the content checks of one condition in one language (the job's).

    ``clinic`` adds the clinic's own problems (clinic.yaml), ``clinic_text`` those of the
    clinic's texts in the job's language.
    """
    from brochure.checks.quality_i18n import check_translation

    b = compose(project, job, CHECKED)
    source = project.clinic_source if clinic else None
    if job.language == project.language:
        return content_report(b, today=today, clinic_source=source)
    report = check_translation(b, project, today=today)
    report.findings.extend(brochure_findings(b))
    if source is not None:  # clinic.yaml's number prints in every language
        report.findings.extend(clinic_findings(project.clinic, source))
    if clinic_text and (text := project.translation(job.language).clinic) is not None:
        report.findings.extend(clinic_translation_findings(text.source, job.language))
    return report


def audit_job(project: Project, job: Job, report: BrochureReport,
              images: dict[str, Any] | None = None) -> None:
    """Make one job's PDF with the recipe and add what reading it back finds to ``report``."""
    try:
        made = make(project, job, CHECKED, images=images)
    except FitError as exc:
        report.findings.extend(_fit_finding(job, message) for message in exc.messages)
        return
    audit_made(made, report)


def audit_made(made: Made, report: BrochureReport) -> None:
    """Add what the audit of made PDF bytes finds to ``report``, and record their hash."""
    b = made.brochure
    report.audited[made.name] = hashlib.sha256(made.pdf).hexdigest()
    if b.print_shop:
        report.findings.extend(prepress_findings(b, made.pdf))
    else:
        report.findings.extend(pdf_report(b, made.pdf, made.warnings))


def _fit_finding(job: Job, message: str) -> Finding:
    """Return a fit failure (the build would refuse this brochure) as a finding."""
    where, _, text = message.partition(": ")
    file, line, column = [*where.rsplit(":", 2), "1", "1"][:3]
    if not line.isdigit() or not column.isdigit():
        file, line, column, text = "", "1", "1", message
    return Finding("A008", "error", f"{job.layout}: {text}", file, int(line), int(column))


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


def prepress_findings(b: Brochure, pdf: bytes) -> list[Finding]:
    """Read a print-shop PDF back as a prepress check would; each finding names the file."""
    import tempfile

    from brochure.checks.preflight import preflight
    from brochure.content.outfile import atomic_write

    name = file_name(b)
    with tempfile.TemporaryDirectory(prefix="brochure-preflight-") as folder:
        path = Path(folder) / name
        atomic_write(path, pdf, kind="pdf", within=Path(folder).resolve())
        found = preflight(path)
    return [Finding(f.code, f.severity,
                    f"{name}: {f'page {f.page}: ' if f.page else ''}{f.message}",
                    b.origin.shown, 1)
            for f in found]
