"""Content checks behind ``brochure check``.

Readability, the PEMAT-P / CDC CCI items a program can decide, and honesty rules
(sources, review dates, when to call, disclaimer).

Only the sentences a patient reads are scored: headings, table cells, figure labels,
captions and the footer are layout furniture, not prose.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from brochure.checks import readability
from brochure.checks.findings import BrochureReport, Finding, Item, SectionScore, Severity
from brochure.compose.brochure import Brochure, Part
from brochure.content.load import Loaded, Loc
from brochure.content.markup import prose_units, to_plain
from brochure.content.models import (
    CalloutBlock,
    ChecklistBlock,
    FiguresBlock,
    StepsBlock,
    TextBlock,
)

PERCENT = re.compile(r"\b\d+(?:[.,]\d+)?\s?(?:%|percent\b)|\b\d+\s?[-–]\s?\d+\s?%")
# Words that put a percentage into plain language ("about half", "7 in 10").
NUMBER_WORDS = re.compile(
    r"\b(about|around|nearly|almost|roughly|half|third|quarter|most|many|some|few|"
    r"\d+ (?:in|out of) \d+|one|two|three|four|five|six|seven|eight|nine|ten) ",
    re.IGNORECASE,
)
CALCULATION = re.compile(r"\b(calculate|multiply|divide|subtract|add up)\b|\d\s*[×x*/]\s*\d",
                         re.IGNORECASE)
YOU = re.compile(r"\b(you|your|yours|yourself)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Unit:
    """One piece of prose and where it came from."""

    text: str
    origin: Loaded
    loc: Loc


def _units(part: Part) -> list[Unit]:
    units: list[Unit] = []
    if part.key_message:
        units.append(Unit(to_plain(part.key_message), part.origin, (*part.loc, "key_message")))
    for i, blk in enumerate(part.blocks):
        loc = (*part.loc, "blocks", i)
        texts: list[str] = []
        if isinstance(blk, TextBlock | CalloutBlock):
            texts = prose_units(blk.text)
        elif isinstance(blk, StepsBlock | ChecklistBlock):
            texts = ([to_plain(blk.intro)] if blk.intro else []) + [to_plain(x) for x in blk.items]
        units.extend(Unit(t, part.origin, loc) for t in texts)
    return units


def _finding(code: str, severity: Severity, message: str, origin: Loaded, loc: Loc,
             section: str | None = None) -> Finding:
    line, column = origin.where(loc)
    return Finding(code, severity, message, origin.shown, line, column, section)


def _grade_finding(grade: float, where: str, settings_warn: float, settings_err: float,
                   origin: Loaded, loc: Loc, section: str | None,
                   result: readability.Readability) -> Finding | None:
    if grade <= settings_warn:
        return None
    severity: Severity = "error" if grade > settings_err else "warning"
    limit = settings_err if severity == "error" else settings_warn
    hint = ""
    if result.longest_sentences:
        hint = f"; shorten: \"{_clip(result.longest_sentences[0])}\""
    if result.hardest_words:
        hint += f"; simpler words for: {', '.join(result.hardest_words[:3])}"
    return _finding("R001", severity,
                    f"{where} reads at grade {grade:.1f} (limit {limit:g}){hint}",
                    origin, loc, section)


def _clip(text: str, size: int = 70) -> str:
    return text if len(text) <= size else text[: size - 1].rstrip() + "…"


def check_content(b: Brochure, *, today: dt.date) -> BrochureReport:
    """Run every content check on one assembled brochure."""
    settings = b.clinic.check
    report = BrochureReport(b.id, b.title, b.origin.shown)
    all_units: list[str] = [to_plain(b.key_message)]
    for part in b.parts:
        units = _units(part)
        texts = [u.text for u in units]
        all_units.extend(texts)
        line, _ = part.origin.where(part.loc)
        if not texts:
            continue
        stats = readability.analyse(texts)
        passive = readability.passive_share(texts)
        report.sections.append(SectionScore(part.title, part.origin.shown, line, stats.sentences,
                                            stats.words, stats.fk_grade, stats.reading_ease,
                                            round(passive, 3)))
        found = _grade_finding(stats.fk_grade, f"section '{part.title}'", settings.grade_warning,
                               settings.grade_error, part.origin, part.loc, part.title, stats)
        if found:
            report.findings.append(found)
        if passive > settings.passive_warning:
            sample = (readability.passive_sentences(texts) or [""])[0]
            report.findings.append(_finding(
                "R003", "warning",
                f"section '{part.title}': {passive:.0%} of sentences are passive (limit "
                f"{settings.passive_warning:.0%}); for example \"{_clip(sample)}\"",
                part.origin, part.loc, part.title))
    overall = readability.analyse(all_units)
    report.readability = {
        "fk_grade": overall.fk_grade,
        "reading_ease": overall.reading_ease,
        "smog": overall.smog,
        "sentences": overall.sentences,
        "words": overall.words,
        "avg_sentence_length": overall.avg_sentence_length,
        "longest_sentences": list(overall.longest_sentences),
        "hardest_words": list(overall.hardest_words),
    }
    found = _grade_finding(overall.fk_grade, "the brochure as a whole", settings.grade_warning,
                           settings.grade_error, b.origin, (), None, overall)
    if found:
        report.findings.append(found)
    if overall.smog is None:
        report.findings.append(_finding(
            "R002", "info",
            f"SMOG needs 30 or more sentences; this brochure has {overall.sentences}",
            b.origin, ()))
    report.findings.extend(_honesty(b, today=today))
    report.items.extend(_pemat(b, all_units, report))
    return report


def _honesty(b: Brochure, *, today: dt.date) -> list[Finding]:
    out: list[Finding] = []
    months = b.clinic.check.review_months
    seen: set[str] = set()
    for part in b.parts:
        origin = part.origin
        for i, blk in enumerate(part.blocks):
            loc = (*part.loc, "blocks", i)
            if isinstance(blk, FiguresBlock):
                for j, fig in enumerate(blk.items):
                    if fig.source is None:
                        out.append(_finding(
                            "H001", "warning",
                            f"figure '{fig.label}' has no source; add 'source:' naming one of "
                            "the file's sources", origin, (*loc, "items", j), part.title))
            elif isinstance(blk, TextBlock | CalloutBlock) and not part.sources:
                for unit in prose_units(blk.text):
                    if PERCENT.search(unit):
                        out.append(_finding(
                            "H001", "warning",
                            f"'{_clip(unit, 50)}' gives a figure but the file lists no "
                            "sources; add them under 'sources'", origin, loc, part.title))
        if origin.shown in seen:
            continue
        seen.add(origin.shown)
        reviewed = _reviewed(origin)
        if reviewed is not None:
            due = _add_months(reviewed, months)
            if due < today:
                out.append(_finding(
                    "H002", "warning",
                    f"content last reviewed {reviewed.isoformat()}, over {months} months ago; "
                    "review it and update 'reviewed.on'", origin, ("reviewed", "on")))
    if not any(isinstance(blk, CalloutBlock) and blk.tone == "call-us"
               for part in b.parts for blk in part.blocks):
        out.append(_finding(
            "S005", "error",
            "the brochure has no 'when to call us' callout (tone: call-us); include the "
            "'safety' topic", b.origin, ("topics",)))
    return out


def _reviewed(origin: Loaded) -> dt.date | None:
    data = origin.data
    if isinstance(data, dict) and isinstance(data.get("reviewed"), dict):
        value = data["reviewed"].get("on")
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                return None
    return None


def _add_months(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.month - 1 + months, 12)
    target_year, target_month = day.year + year, month + 1
    last_day = (dt.date(target_year + target_month // 12, target_month % 12 + 1, 1)
                - dt.timedelta(days=1)).day
    return dt.date(target_year, target_month, min(day.day, last_day))


def _pemat(b: Brochure, units: list[str], report: BrochureReport) -> list[Item]:
    blocks = [blk for part in b.parts for blk in part.blocks]
    key_sentences = readability.split_sentences(to_plain(b.key_message))
    items = [Item("cci-main-message", "One main message at the top",
                  len(key_sentences) == 1,
                  "the key message is one sentence on the cover" if len(key_sentences) == 1
                  else f"the key message has {len(key_sentences)} sentences; keep one")]
    long_runs = _unheaded_runs(b, b.clinic.check.words_per_heading)
    items.append(Item("pemat-headings", "Informative headings break up the text",
                      not long_runs,
                      "every section has a heading at least every "
                      f"{b.clinic.check.words_per_heading} words" if not long_runs
                      else f"{len(long_runs)} stretch(es) run past "
                      f"{b.clinic.check.words_per_heading} words without a heading"))
    report.findings.extend(long_runs)
    has_list = any(isinstance(x, StepsBlock | ChecklistBlock) or
                   (isinstance(x, TextBlock) and re.search(r"^\s*[-*] ", x.text, re.M))
                   for x in blocks)
    has_bold = any(isinstance(x, TextBlock | CalloutBlock) and "**" in x.text for x in blocks)
    has_callout = any(isinstance(x, CalloutBlock) for x in blocks)
    cues = [name for name, ok in (("lists", has_list), ("bold", has_bold),
                                  ("callouts", has_callout)) if not ok]
    items.append(Item("pemat-visual-cues", "Visual cues draw attention to key points",
                      not cues, "lists, bold text and callouts are used" if not cues
                      else f"missing: {', '.join(cues)}"))
    # Not scored: tables with a header row and at most four columns, and a text equivalent
    # for every chart (every figure must have its words). The models refuse anything else,
    # so those items could never fail here.
    charts = [x for x in blocks if isinstance(x, FiguresBlock)]
    if charts:
        unsourced = [f.label for c in charts for f in c.items if f.source is None]
        items.append(Item("pemat-chart-source", "Every figure in a chart names its source",
                          not unsourced, f"{len(charts)} chart(s), every figure sourced"
                          if not unsourced else f"no source for: {', '.join(unsourced)}"))
    bare = [u for u in units if PERCENT.search(u) and not NUMBER_WORDS.search(u + " ")]
    sums = [u for u in units if CALCULATION.search(u)]
    items.append(Item("pemat-numbers", "Numbers are clear and need no calculation",
                      not bare and not sums,
                      "every percentage comes with words and nothing asks the reader to "
                      "calculate" if not bare and not sums else
                      f"explain in words: \"{_clip((bare or sums)[0], 60)}\""))
    you = sum(bool(YOU.search(u)) for u in units)
    items.append(Item("pemat-you", "The text speaks to the reader as 'you'",
                      you >= max(1, len(units) // 4),
                      f"{you} of {len(units)} passages address 'you'"))
    has_action = any(isinstance(x, StepsBlock | ChecklistBlock | CalloutBlock) for x in blocks)
    items.append(Item("pemat-action", "At least one action the reader can take", has_action,
                      "steps, a checklist or a callout say what to do" if has_action
                      else "add steps, a checklist or a callout saying what to do"))
    steps = any(isinstance(x, StepsBlock) for x in blocks)
    items.append(Item("pemat-steps", "Things that happen in order are numbered steps", steps,
                      "numbered steps are used" if steps else "no numbered steps"))
    tool = any(isinstance(x, ChecklistBlock) for x in blocks)
    items.append(Item("pemat-tool", "A tangible tool (a checklist) helps the reader act", tool,
                      "a checklist is included" if tool else "add a checklist"))
    call = any(isinstance(x, CalloutBlock) and x.tone == "call-us" for x in blocks)
    items.append(Item("cci-call-to-action", "A call to action: when to call the clinic", call,
                      f"a when-to-call callout, and {b.clinic.phone} on every page" if call
                      else "no when-to-call callout"))
    return items


def _unheaded_runs(b: Brochure, limit: int) -> list[Finding]:
    out: list[Finding] = []
    for part in b.parts:
        words = len(to_plain(part.key_message or "").split())
        for i, blk in enumerate(part.blocks):
            if blk.heading:
                words = 0
            words += _block_words(blk)
            if words > limit:
                out.append(_finding(
                    "R004", "warning",
                    f"section '{part.title}' runs {words} words without a heading; "
                    "add a 'heading' to this block or split the section",
                    part.origin, (*part.loc, "blocks", i), part.title))
                words = 0
    return out


def _block_words(blk: object) -> int:
    if isinstance(blk, TextBlock | CalloutBlock):
        return len(to_plain(blk.text.replace("\n", " ")).split())
    if isinstance(blk, StepsBlock | ChecklistBlock):
        return sum(len(x.split()) for x in blk.items)
    return 0
