"""Every finding's stable code, what it means and how to fix it, and which codes are ignored.

A code is a family letter and a number, like ruff's: S what every brochure must tell a
patient, H honesty, R readability, T translations, A the rendered PDF read back,
W the renderer's (WeasyPrint's) warnings, P the print-shop PDF read back as prepress
would. A code is never renumbered or given another meaning: one that is no longer
produced stays in the table as reserved. ``--ignore`` and clinic.yaml's ``check.ignore``
leave findings out through ``kept`` here, in every command; the S codes (and T004) protect
patients and cannot be ignored.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, TypeVar

from brochure.errors import UsageError, suggest

Severity = Literal["error", "warning", "info"]
T = TypeVar("T")


@dataclass(frozen=True)
class Code:
    """One kind of finding."""

    code: str
    name: str  # the dotted name it had before codes, and a short reminder of what it is
    severities: tuple[Severity, ...]  # what a finding of this code can be
    meaning: str
    fix: str
    protects: str = ""  # why it cannot be ignored; empty when it can be
    reserved: bool = False  # no longer produced; kept so the code is never reused


E: tuple[Severity, ...] = ("error",)
W: tuple[Severity, ...] = ("warning",)
EW: tuple[Severity, ...] = ("error", "warning")
EI: tuple[Severity, ...] = ("error", "info")
_PRESS = "Build it with `--print-shop`: a file made otherwise is not for a press."
_BUG = ("Build it with `--print-shop`; if the file brochure made still fails, that is a bug in "
        "brochure: report it.")

TABLE: tuple[Code, ...] = (
    Code("S001", "safety.contraindications", E,
         "The brochure has no 'Before your first session' checklist (a checklist with "
         "`role: contraindications`).",
         "Include the `safety` topic, or add a checklist with `role: contraindications` "
         "saying who must tell the clinic before needling.",
         protects="it tells a patient when needling is not safe for them"),
    Code("S002", "safety.red-flags", E,
         "The condition has no urgent red-flag callout (a callout with `tone: urgent`).",
         "Add a callout with `tone: urgent` to its sections, saying which signs need a doctor "
         "or emergency care now.",
         protects="it tells a patient which signs need emergency care now"),
    Code("S003", "safety.red-flags-guidance", W,
         "An urgent callout does not say where its advice comes from.",
         "Mark the callout `general_guidance: true`.",
         protects="a patient acts on urgent advice, so it says where it comes from"),
    Code("S004", "safety.placeholder", E,
         "An emergency or after-hours text of clinic.yaml, or of a translation of it, is "
         "still the `FILL IN` placeholder `brochure init` wrote.",
         "Write the clinic's own text: the emergency number where your patients live, what "
         "it reaches, what to do when you are closed.",
         protects="a patient in an emergency would read a placeholder, not the number to "
                  "call"),
    Code("S005", "honesty.when-to-call", E,
         "The brochure has no 'when to call us' callout (a callout with `tone: call-us`).",
         "Include the `safety` topic, or add a callout with `tone: call-us`.",
         protects="it tells a patient when to call the clinic"),
    Code("H001", "honesty.unsourced", W,
         "A figure, or a percentage in the text, names no source.",
         "Give the figure a `source:` naming one of the file's sources, or list the file's "
         "sources under `sources`."),
    Code("H002", "governance.review-due", W,
         "The file was last reviewed longer ago than `check.review_months` (12 months "
         "unless clinic.yaml says otherwise).",
         "Have a clinician review it, then update `reviewed.on`."),
    Code("R001", "readability.grade", EW,
         "A section, or the whole brochure, reads above `check.grade_warning` (a warning) or "
         "`check.grade_error` (an error) on the Flesch-Kincaid grade.",
         "Shorten the sentence the message quotes, and use simpler words for those it "
         "names."),
    Code("R002", "readability.smog", ("info",),
         "The brochure has fewer than 30 sentences, too few for a SMOG grade.",
         "Nothing to fix: SMOG is given for longer brochures only."),
    Code("R003", "style.passive", W,
         "More of a section's sentences are passive than `check.passive_warning` allows.",
         "Rewrite the sentence the message quotes actively: say who does what ('we clean "
         "the skin')."),
    Code("R004", "pemat.headings", W,
         "A section runs more than `check.words_per_heading` words without a heading.",
         "Give the block the message names a heading, or split the section."),
    Code("R005", "readability.ease", EW,
         "A translation scores below its language's `ease_warning` (a warning) or `ease_error` "
         "(an error) on that language's own formula (`check.languages`).",
         "Shorten the sentence the message quotes, and use shorter words."),
    Code("T001", "translation.missing", W,
         "Files have no translation in the language, so those parts print in the default "
         "language (what `build --allow-fallback` does).",
         "Translate them (`brochure translations export`), or leave the language out of "
         "`defaults.languages`."),
    Code("T002", "translation.unreviewed", W,
         "No native-speaking clinician has reviewed the translation.",
         "When one has, set `translation.reviewed: {on: DATE, by: NAME}` in the file."),
    Code("T003", "translation.stale", W,
         "The default-language file changed after it was translated.",
         "Update the translation, then set `translation.source` to the value the message "
         "gives."),
    Code("T004", "translation.figures", E,
         "A translated file's figures differ from the default-language file's.",
         "Keep every number of the default-language file; translate only the words.",
         protects="a translated number that differs tells a patient something else"),
    Code("T005", "translation.structure", W,
         "A translation's blocks, items or keys differ from its default-language file's.",
         "Keep the blocks, items and keys of the default-language file; translate only the "
         "words."),
    Code("A001", "a11y.title", E, "The PDF has no title.",
         "Keep the `<title>` of the package's base template in a project's own template."),
    Code("A002", "a11y.language", E, "The PDF does not say its language.",
         "Keep the `lang` attribute of `<html>` in a project's own template."),
    Code("A003", "a11y.tags", E,
         "The PDF is not tagged, so a screen reader cannot read it in order.",
         "Build the office PDF (tagged PDF/UA-1); keep the package's structure in a "
         "project's own template."),
    Code("A004", "a11y.text-size", E,
         "Body text is smaller than 12 pt, or captions and the footer smaller than 9 pt.",
         "Raise the font-size in the project's stylesheet, or shorten the text so it fits "
         "at the size."),
    Code("A005", "a11y.contrast", E,
         "Text on its background has a contrast below 4.5:1 (3:1 for large text), WCAG "
         "AA's minimum.",
         "Darken the text colour or lighten the background, in clinic.yaml's colours or "
         "the project's stylesheet."),
    Code("A006", "a11y.heading-levels", E,
         "A heading level is skipped (an h3 follows an h1).",
         "Use the next heading level in a project's own template."),
    Code("A007", "a11y.alt-text", E, "An image or chart has no alternative text.",
         "Give the image an alt text in a project's own template."),
    Code("A008", "layout.fit", E,
         "The content does not fit the layout's fixed panels or pages, so `brochure build` "
         "refuses to write it (the check lays it out as the build does).",
         "Shorten the content or leave out a topic (in the condition's `topics` or with "
         "`--topics`); break up a long word or web address that runs past an edge."),
    Code("W001", "render.css-declaration", W,
         "WeasyPrint ignored a CSS declaration: a property it does not know, or a value it "
         "does not support ('Ignored `colour: red` at 12:5, unknown property.').",
         "Correct the property or value; the line counts in the composed stylesheet (the "
         "package's styles, then the project's)."),
    Code("W002", "render.css-rule", W,
         "WeasyPrint ignored a CSS rule: a selector, at-rule or @import it does not "
         "support, or one it cannot parse.",
         "Correct or remove the rule in the project's stylesheet."),
    Code("W003", "font.glyph", W,
         "No font of the brochure has a character of the text, so it prints as an empty "
         "box.",
         "Write it another way, or add a font that has it to `assets/` with `@font-face`."),
    Code("W004", "render.font", W, "WeasyPrint could not load, or not subset, a font.",
         "Replace the font file (TTF, OTF or WOFF) the project's `@font-face` rule names."),
    Code("W005", "render.link", W,
         "A link names an anchor the page does not have, or an anchor is defined twice.",
         "Correct the link's #name, or the id given twice, in a project's own template."),
    Code("W009", "render.warning", W, "Any other warning of WeasyPrint.",
         "The message says what WeasyPrint could not do: fix the stylesheet or template."),
    Code("P001", "prepress.pdfx.version", EI,
         "The XMP metadata does not say PDF/X-4 (info: it does).", _PRESS),
    Code("P002", "prepress.pdfx.header", E,
         "The PDF version is below 1.6, which PDF/X-4 needs.", _PRESS),
    Code("P003", "prepress.pdfx.trapped", E,
         "The document info does not say Trapped True or False.", _PRESS),
    Code("P004", "prepress.pdfx.intent", EI,
         "No PDF/X output intent with an embedded CMYK ICC profile: the press condition is "
         "unknown (info: the intent found).",
         "Build it with `--print-shop`; `print_shop.profile` in clinic.yaml must be a CMYK ICC "
         "profile."),
    Code("P005", "prepress.boxes.missing", EI,
         "A page has no TrimBox or BleedBox (info: every page has both).", _PRESS),
    Code("P006", "prepress.boxes.origin", E, "The MediaBox does not start at 0, 0.", _BUG),
    Code("P007", "prepress.boxes.order", E,
         "The TrimBox is not inside the BleedBox, or the BleedBox not inside the MediaBox.",
         _BUG),
    Code("P008", "prepress.boxes.slug", E,
         "The slug is narrower than 6 mm, too narrow for the marks.", _BUG),
    Code("P009", "prepress.boxes.bleed", E, "The bleed is narrower than 3 mm.", _BUG),
    Code("P010", "prepress.colour.rgb", EI,
         "The page content has RGB colour, which a press does not print.",
         "Use the brand colours of clinic.yaml (`print_shop.cmyk` for exact values) in the "
         "project's stylesheets and SVG images."),
    Code("P011", "prepress.colour.text", EI,
         "Text under 12 pt prints on more than one plate, so it blurs when the plates are "
         "a little out of register.",
         "Print small text in the text colour (black) or in a colour on one plate "
         "(`print_shop.cmyk`)."),
    Code("P012", "prepress.marks.missing", EI,
         "No crop marks in registration colour (info: the marks found).", _PRESS),
    Code("P013", "prepress.marks.bleed", E, "A mark reaches into the bleed or the trim.",
         _BUG),
    Code("P014", "prepress.fonts.embedded", EI, "A font is not embedded.",
         "Use fonts whose licence allows embedding; replace the project's font file."),
    Code("P015", "prepress.lines.thin", ("warning", "info"),
         "A line is thinner than 0.25 pt, which may not print.",
         "Make borders and rules at least 0.25 pt in the project's stylesheet."),
    Code("P016", "prepress.images.resolution", ("error", "warning", "info"),
         "An image has under 300 ppi at its printed size (under 150 ppi: an error).",
         "Supply the image at a higher resolution, or print it smaller."),
    Code("P017", "prepress.ink.skipped", W,
         "The total ink was not measured: mutool (`mupdf-tools`) is not installed.",
         "Install `mupdf-tools`, or ask the print shop to check the total ink."),
    Code("P018", "prepress.ink.total", ("warning", "info"),
         "The total ink reaches over 300 %, more than most presses take.",
         "Use lighter tints, or brand colours with less total ink (`print_shop.cmyk`)."),
    Code("P019", "prepress.slug.content", EI,
         "Page content reaches past the bleed into the slug.",
         "Keep backgrounds and images within the bleed in the project's stylesheet."),
)
CODES: dict[str, Code] = {c.code: c for c in TABLE}
FAMILIES = {
    "S": "Safety: what every brochure must tell a patient",
    "H": "Honesty: sources and reviews",
    "R": "Readability",
    "T": "Translations",
    "A": "Accessibility of the rendered PDF",
    "W": "Renderer (WeasyPrint) warnings",
    "P": "Print shop: the PDF/X-4 file read back as prepress would",
}

# WeasyPrint's warnings, by the start of their message (its css/, text/fonts.py, pdf/fonts.py
# and css/targets.py); the missing glyph also as brochure rewrites it (render/glyphs.py).
RENDERER: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^\.notdef glyph rendered|no font of the brochure has the character"),
     "W003"),
    (re.compile(r"^(?:Ignored|Deprecated) `|^Error: "), "W001"),
    (re.compile(r"^(?:Invalid or unsupported selector|Parse error at|Unknown (?:empty )?rule|"
                r"Unsupported @|Invalid (?:@import|media type|layer name|prelude|color "
                r"profile|counter style|profile file|math function)|@import rule|@layer rule|"
                r"Missing .* descriptor|Unknown @page rule|Empty @page rule|Unknown descriptor|"
                r"No source for profile|In counter style)"), "W002"),
    (re.compile(r"^(?:Font-face|Unable to (?:subset|instantiate|save)|Using fontTools|"
                r"Unknown subglyph|Failed to load font)"), "W004"),
    (re.compile(r"^(?:No anchor|Anchor defined twice)"), "W005"),
)
_WHERE = re.compile(r"^(?P<where>[^:\s][^:]*:\d+:\d+): (?P<rest>.*)$", re.DOTALL)


def warning_code(message: str) -> str:
    """Return the code of one of WeasyPrint's warnings (W009 when no rule knows it)."""
    for pattern, code in RENDERER:
        if pattern.search(message):
            return code
    return "W009"


def with_code(message: str) -> str:
    """Return a renderer warning with its code, after the file:line:column it names, if any."""
    code = warning_code(message)
    match = _WHERE.match(message)
    return f"{match['where']}: {code} {match['rest']}" if match else f"{code} {message}"


def problem(value: str) -> str | None:
    """Return why ``value`` cannot be ignored (unknown, or it protects patients), else None.

    Codes are matched in any case: ``h001`` is H001.
    """
    given = value.strip()
    found = CODES.get(given.upper())
    if found is None:
        by_name = {c.name: c.code for c in TABLE}.get(given.lower())  # the name it had
        hint = (f" (did you mean '{by_name}'?)" if by_name
                else suggest(given.upper(), list(CODES)))
        return f"unknown finding code '{given}'{hint}; the docs' page 'Finding codes' lists them"
    if found.protects:
        return (f"{found.code} ({found.name}) cannot be ignored: {found.protects}; fix what it "
                "finds instead")
    return None


def ignore_codes(values: str | Iterable[str], *, option: str = "--ignore") -> tuple[str, ...]:
    """Return the codes of ``--ignore`` values (repeated or comma-separated), upper-cased.

    Raise UsageError, one line, for a code that does not exist or cannot be ignored.
    """
    found: list[str] = []
    for value in [values] if isinstance(values, str) else values:
        for part in value.split(","):
            if not part.strip():
                continue
            why = problem(part)
            if why is not None:
                raise UsageError(f"{option} {part.strip()}: {why}")
            found.append(part.strip().upper())
    return tuple(sorted(set(found)))


def merged(*lists: Sequence[str]) -> tuple[str, ...]:
    """Return the codes ignored by several lists (--ignore's and clinic.yaml's), once each."""
    return tuple(sorted({code for codes in lists for code in codes}))


def kept(items: Iterable[T], ignore: Collection[str], code_of: Callable[[T], str]) -> list[T]:
    """Return the findings (or warnings) whose code is not ignored: the one filter of all."""
    return [item for item in items if code_of(item) not in ignore or
            CODES[code_of(item)].protects]


def kept_warnings(warnings: Iterable[str], ignore: Collection[str]) -> list[str]:
    """Return WeasyPrint's warnings that are not ignored, once each, in their order."""
    return kept(dict.fromkeys(warnings), ignore, warning_code)
