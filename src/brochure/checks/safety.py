"""Safety rules of ``brochure check``: what every brochure must tell a patient before needling.

- every brochure has the "Before your first session" checklist (``role: contraindications``);
- every condition has its own urgent red-flag callout (``tone: urgent``) in its sections;
- the clinic's emergency number and after-hours advice are filled in, not the placeholder
  ``brochure init`` writes, in clinic.yaml and in each translation of it (clinic.es.yaml).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from brochure.checks.findings import Finding, Severity
from brochure.compose.brochure import Brochure
from brochure.content.languages import display_name
from brochure.content.load import Loaded, Loc
from brochure.content.models import CalloutBlock, ChecklistBlock, Clinic

# What ``brochure init`` writes where only the clinic knows the answer.
PLACEHOLDER = "FILL IN"


def _finding(code: str, message: str, origin: Loaded, loc: Loc,
             severity: Severity = "error") -> Finding:
    line, column = origin.where(loc)
    return Finding(code, severity, message, origin.shown, line, column)


def brochure_findings(b: Brochure) -> list[Finding]:
    """Return the safety findings of one assembled brochure."""
    out: list[Finding] = []
    blocks = [blk for part in b.parts for blk in part.blocks]
    if not any(isinstance(blk, ChecklistBlock) and blk.role == "contraindications"
               for blk in blocks):
        out.append(_finding(
            "S001",
            "the brochure has no 'Before your first session' checklist (a checklist with "
            "role: contraindications, saying who must tell us before needling); include the "
            "'safety' topic", b.origin, ("topics",)))
    sections = [p for p in b.parts if p.kind == "section"]
    urgent = [(p, i, blk) for p in sections for i, blk in enumerate(p.blocks)
              if isinstance(blk, CalloutBlock) and blk.tone == "urgent"]
    if not urgent:
        out.append(_finding(
            "S002",
            "the condition has no urgent red-flag callout; add a callout with tone: urgent to "
            "its sections saying which signs need a doctor or emergency care now",
            b.origin, ("sections",) if sections else ("title",)))
    for part, i, blk in urgent:
        if not blk.general_guidance:
            out.append(_finding(
                "S003",
                f"the urgent callout '{blk.title}' does not say where its advice comes from; "
                "mark it general_guidance: true",
                part.origin, (*part.loc, "blocks", i), severity="warning"))
    return out


def _texts(clinic: Clinic) -> Iterator[tuple[Loc, str, str]]:
    yield (("emergency", "number"), clinic.emergency.number,
           "the emergency number where your patients live, such as 911, 999 or 112")
    yield (("emergency", "words"), clinic.emergency.words,
           "what the number reaches, such as 'ambulance, fire or police'")
    yield ("after_hours",), clinic.after_hours, "what patients should do when you are closed"


def clinic_findings(clinic: Clinic, origin: Loaded) -> list[Finding]:
    """Return an error for each emergency or after-hours value still left as the placeholder."""
    out: list[Finding] = []
    for loc, text, wanted in _texts(clinic):
        if PLACEHOLDER.lower() in text.lower():
            key = ".".join(str(k) for k in loc)
            out.append(_finding(
                "S004",
                f"{key} is still the placeholder from 'brochure init'; write {wanted}",
                origin, loc))
    return out


# What each translated clinic text is for, for the message; other keys get a general one.
_TRANSLATED_WANTED = {
    "emergency_words": "what the emergency number reaches, such as 'ambulance, fire or "
                       "police'",
    "after_hours": "what patients should do when you are closed",
}


def _strings(data: Any, loc: Loc = ()) -> Iterator[tuple[Loc, str]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _strings(value, (*loc, str(key)))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _strings(value, (*loc, index))
    elif isinstance(data, str):
        yield loc, data


def clinic_translation_findings(origin: Loaded, language: str) -> list[Finding]:
    """Return an error for each text of a clinic translation still left as the placeholder.

    ``brochure init`` writes it into clinic.<lang>.yaml too, so a clinic cannot print the
    example clinic's advice in another language by mistake.
    """
    out: list[Finding] = []
    name = display_name(language)
    for loc, text in _strings(origin.data):
        if loc[:1] == ("translation",) or PLACEHOLDER.lower() not in text.lower():
            continue
        key = "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in loc).lstrip(".")
        wanted = _TRANSLATED_WANTED.get(key, "the clinic's own text")
        out.append(_finding(
            "S004",
            f"{key} is still the placeholder from 'brochure init'; write in {name} {wanted}",
            origin, loc))
    return out
