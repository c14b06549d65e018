"""Content checks of a translated brochure: readability, translation records, figures.

Each language has its own readability formula; each translation file's record says
whether it was reviewed and is current; and the figures must match the default language.

The PEMAT items and the passive-voice rule read English grammar, and the structure they
score is the default-language brochure's, so they run there; a translation is scored on
what differs: its words, its provenance and that no number changed on the way.
"""

from __future__ import annotations

import datetime as dt

from brochure.checks import readability_i18n
from brochure.checks.findings import BrochureReport, Finding, SectionScore, Severity
from brochure.checks.quality import _clip, _finding, _honesty, _units
from brochure.compose.brochure import Brochure
from brochure.content.languages import display_name
from brochure.content.load import Loaded, format_loc
from brochure.content.markup import to_plain
from brochure.content.models import FiguresBlock, Section, Topic
from brochure.content.project import ClinicTextItem, ConditionItem, Project, TopicItem
from brochure.content.translate import current_hash, pick_translations
from brochure.errors import display_path


def check_translation(b: Brochure, project: Project, *, today: dt.date) -> BrochureReport:
    """Run the checks of one brochure in a language other than the default."""
    report = BrochureReport(f"{b.id} ({b.language})", b.title, b.origin.shown)
    limits = b.clinic.check.thresholds(b.language)
    all_units: list[str] = [to_plain(b.key_message)]
    for part in b.parts:
        if part.lang is not None:
            continue  # printed in the default language (a fallback build); scored there
        units = [u.text for u in _units(part)]
        all_units.extend(units)
        score = readability_i18n.analyse(units, b.language)
        if score is None:
            continue
        line, _ = part.origin.where(part.loc)
        report.sections.append(SectionScore(part.title, part.origin.shown, line,
                                            score.sentences, score.words, 0.0, score.ease, 0.0))
        found = _ease_finding(score, f"section '{part.title}'", limits.ease_warning,
                              limits.ease_error, part.origin, part.title)
        if found is not None:
            report.findings.append(found)
    overall = readability_i18n.analyse(all_units, b.language)
    if overall is not None:
        report.readability = {"formula": overall.formula, "reading_ease": overall.ease,
                              "band": overall.band, "sentences": overall.sentences,
                              "words": overall.words,
                              "avg_sentence_length": overall.words_per_sentence,
                              "syllables_per_word": overall.syllables_per_word}
        found = _ease_finding(overall, "the brochure as a whole", limits.ease_warning,
                              limits.ease_error, b.origin, None)
        if found is not None:
            report.findings.append(found)
    report.findings.extend(_honesty(b, today=today))
    report.findings.extend(record_findings(project, b))
    report.findings.extend(figure_findings(project, b))
    report.findings.extend(structure_findings(project, b))
    if b.fallback:
        # A build stops on these unless --allow-fallback prints them in the default language.
        report.findings.append(Finding(
            "T001", "warning",
            f"{len(b.fallback)} files have no {display_name(b.language)} translation, so "
            "these parts print in the default language: "
            + ", ".join(display_path(p) for p in b.fallback), b.origin.shown, 1))
    return report


def _ease_finding(score: readability_i18n.Score, where: str, warn: float, error: float,
                  origin: Loaded, section: str | None) -> Finding | None:
    if score.ease >= warn:
        return None
    severity: Severity = "error" if score.ease < error else "warning"
    limit = error if severity == "error" else warn
    return _finding("R005", severity,
                    f"{where} scores {score.ease:.1f} on {score.formula} ({score.band}; "
                    f"limit {limit:g}); shorten: \"{_clip(score.longest_sentence)}\"",
                    origin, (), section)


def record_findings(project: Project, b: Brochure) -> list[Finding]:
    """Warn about translations no native-speaking clinician has reviewed, and stale ones."""
    chosen = pick_translations(project, b.id, b.topic_ids, b.language)
    tr = project.translation(b.language)
    used: list[tuple[str, str, TopicItem | ConditionItem | ClinicTextItem]] = []
    if chosen.condition is not None:
        used.append(("conditions", b.id, chosen.condition))
    used += [("topics", i, t) for i, t in chosen.topics.items()]
    if tr.clinic is not None:
        used.append(("clinic", "clinic", tr.clinic))
    out: list[Finding] = []
    for kind, item_id, item in used:
        record = item.model.translation
        if record is None:
            continue
        if record.reviewed is None:
            out.append(_finding(
                "T002", "warning",
                f"this {display_name(b.language)} translation has not been reviewed by a "
                "native-speaking clinician; when one has, set translation.reviewed: "
                "{on: DATE, by: NAME}", item.source, ("translation",)))
        if record.source != current_hash(project, kind, item_id):
            out.append(_finding(
                "T003", "warning",
                "the default-language file changed after this was translated; update the "
                f"translation and set translation.source to {current_hash(project, kind, item_id)}",
                item.source, ("translation", "source")))
    return out


def _figures(blocks: list[object]) -> list[tuple[float, float | None]]:
    return [(f.low, f.high) for blk in blocks if isinstance(blk, FiguresBlock)
            for f in blk.items]


def _all_blocks(model: Topic | object) -> list[object]:
    if isinstance(model, Topic):
        return list(model.blocks)
    sections: list[Section] = getattr(model, "sections", [])
    return [blk for s in sections for blk in s.blocks]


def _translated_pairs(project: Project, b: Brochure
                      ) -> list[tuple[TopicItem | ConditionItem, TopicItem | ConditionItem]]:
    """Return each translated file of the brochure with its default-language file."""
    chosen = pick_translations(project, b.id, b.topic_ids, b.language)
    pairs: list[tuple[TopicItem | ConditionItem, TopicItem | ConditionItem]] = []
    if chosen.condition is not None:
        pairs.append((chosen.condition, project.conditions[b.id]))
    pairs += [(t, project.topics[i]) for i, t in chosen.topics.items()]
    return pairs


def figure_findings(project: Project, b: Brochure) -> list[Finding]:
    """Require every translated figure to carry the same numbers as the default language's."""
    out: list[Finding] = []
    for translated, source in _translated_pairs(project, b):
        mine, theirs = _figures(_all_blocks(translated.model)), \
            _figures(_all_blocks(source.model))
        if mine != theirs:
            out.append(_finding(
                "T004", "error",
                f"the figures differ from {source.source.shown} ({_show(mine)} here, "
                f"{_show(theirs)} there); a translation keeps every number",
                translated.source, ()))
    return out


def _show(figures: list[tuple[float, float | None]]) -> str:
    return ", ".join(f"{lo:g}" if hi is None else f"{lo:g}-{hi:g}" for lo, hi in figures) \
        or "none"


def structure_findings(project: Project, b: Brochure) -> list[Finding]:
    """Warn when a translation's blocks, items or keys differ from its default-language file.

    A translation holds the same document in other words: an item left out or added is
    either a fact lost or one the default language does not give.
    """
    from brochure.content.exchange import strings

    out: list[Finding] = []
    for translated, source in _translated_pairs(project, b):
        data = {k: v for k, v in translated.source.data.items() if k != "translation"}
        mine = {loc for loc, _ in strings(data)}
        theirs = {loc for loc, _ in strings(source.source.data)}
        if mine == theirs:
            continue
        extra, lost = sorted(mine - theirs, key=str), sorted(theirs - mine, key=str)
        where = extra[0] if extra else lost[0]
        what = (f"{len(lost)} of its texts missing" if lost else "") + \
            (" and " if lost and extra else "") + \
            (f"{len(extra)} texts the default language does not have" if extra else "")
        out.append(_finding(
            "T005", "warning",
            f"this translation has {what} (first at {format_loc(where)}); keep the blocks, "
            f"items and keys of {source.source.shown}", translated.source,
            where if where in {loc for loc in translated.source.marks} else ()))
    return out
