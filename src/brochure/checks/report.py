"""Format ``brochure check`` results: a readable text report, or JSON with stable keys."""

from __future__ import annotations

import json
from collections.abc import Callable

from brochure.checks.findings import BrochureReport, shown
from brochure.checks.run import CheckResult

Style = Callable[[str, str], str]
COLOURS = {"error": "red", "warning": "yellow", "info": "cyan", "ok": "green"}
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


def _plain(text: str, _kind: str) -> str:
    return text


def as_json(result: CheckResult) -> str:
    """Return the findings as JSON (version 2 of the format: codes such as "S004").

    ``ignore`` lists the codes left out (--ignore and clinic.yaml's check.ignore), and
    ``summary.ignored`` how many findings they left out; neither counts them.
    """
    payload = {
        "version": 2,
        "strict": result.strict,
        "passed": result.passed,
        "ignore": list(result.ignore),
        "summary": {"brochures": len(result.reports), "errors": result.errors,
                    "warnings": result.warnings, "ignored": result.ignored},
        "brochures": [r.as_dict() for r in result.reports],
    }
    return json.dumps(payload, indent=2, ensure_ascii=False, default=str)


def _brochure(report: BrochureReport, style: Style) -> list[str]:
    r = report.readability
    lines = [style(f"{report.id}: {report.title}", "title") + f"  ({report.file})"]
    if "formula" in r:  # a translation, scored with its language's own formula
        return lines + _translation(report, style)
    lines.append(f"  {'Section':<44} {'Grade':>5} {'Ease':>5} {'Words':>5} {'Passive':>7}")
    for s in report.sections:
        title = s.title if len(s.title) <= 44 else s.title[:43] + "…"
        lines.append(f"  {title:<44} {s.fk_grade:>5.1f} {s.reading_ease:>5.1f} {s.words:>5} "
                     f"{s.passive_share:>7.0%}")
    smog = f"{r['smog']:.1f}" if r.get("smog") is not None else "n/a"
    lines.append(f"  Whole brochure: grade {r['fk_grade']:.1f}, reading ease "
                 f"{r['reading_ease']:.1f}, SMOG {smog}, {r['avg_sentence_length']:.1f} words "
                 "a sentence")
    if r.get("longest_sentences"):
        lines.append(f"  Longest sentence: \"{r['longest_sentences'][0]}\"")
    if r.get("hardest_words"):
        lines.append(f"  Hardest words: {', '.join(r['hardest_words'])}")
    passed = sum(i.passed for i in report.items)
    lines.append(f"  PEMAT automatable score: {report.score}% ({passed} of "
                 f"{len(report.items)} items)")
    for item in report.items:
        if not item.passed:  # passes are listed in the JSON report
            lines.append(f"    {style('FAIL', 'error')} {item.name}: {item.reason}")
    findings = sorted(report.findings, key=lambda f: (SEVERITY_ORDER[f.severity], f.file,
                                                      f.line, f.column, f.message))
    lines.extend(f"  {shown(f, style)}" for f in findings)
    return lines


def _findings(report: BrochureReport, style: Style) -> list[str]:
    findings = sorted(report.findings, key=lambda f: (SEVERITY_ORDER[f.severity], f.file,
                                                      f.line, f.column, f.message))
    return [f"  {shown(f, style)}" for f in findings]


def _translation(report: BrochureReport, style: Style) -> list[str]:
    r = report.readability
    lines = [f"  {'Section':<44} {'Ease':>5} {'Words':>5}"]
    for s in report.sections:
        title = s.title if len(s.title) <= 44 else s.title[:43] + "…"
        lines.append(f"  {title:<44} {s.reading_ease:>5.1f} {s.words:>5}")
    lines.append(f"  Whole brochure: {r['formula']} {r['reading_ease']:.1f} ({r['band']}), "
                 f"{r['avg_sentence_length']:.1f} words a sentence")
    return lines + _findings(report, style)


def as_text(result: CheckResult, style: Style = _plain) -> str:
    """Return the readable report: one block per brochure, then a summary line."""
    lines: list[str] = []
    for report in result.reports:
        lines.extend(_brochure(report, style))
        lines.append("")
    verdict = "passed" if result.passed else "failed"
    mode = " (strict: warnings count as errors)" if result.strict else ""
    ignored = f", {result.ignored} ignored ({', '.join(result.ignore)})" if result.ignore else ""
    lines.append(f"{len(result.reports)} brochure{'s' if len(result.reports) != 1 else ''} "
                 f"checked: {result.errors} error{'s' if result.errors != 1 else ''}, "
                 f"{result.warnings} warning{'s' if result.warnings != 1 else ''}{ignored}; "
                 f"{style(verdict, 'ok' if result.passed else 'error')}{mode}")
    return "\n".join(lines)
