"""The clinic's colours as CSS custom properties, and their WCAG AA contrast check.

Every text/background pair the stylesheets put together is checked before anything renders.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from brochure.content.colour import RGB, contrast, darker_passing, parse_hex, to_hex
from brochure.content.load import Loaded
from brochure.content.models import Clinic
from brochure.errors import Problem

WHITE = "#ffffff"
# The callout tint is the accent mixed with this much white, so it always stays pale.
ACCENT_TINT_WHITE = 0.9


@dataclass(frozen=True)
class Pair:
    """A text colour the stylesheets put on a background colour."""

    text_key: str  # the clinic.yaml colour that may be changed to fix it
    text: str
    background: str
    where: str  # what the pair is used for


def mix(colour: RGB, other: RGB, share_other: float) -> RGB:
    """Return ``colour`` mixed with ``share_other`` of ``other``."""
    keep = 1 - share_other
    return (colour[0] * keep + other[0] * share_other, colour[1] * keep + other[1] * share_other,
            colour[2] * keep + other[2] * share_other)


def palette(clinic: Clinic) -> dict[str, str]:
    """Return every colour the stylesheets use, by custom property name."""
    c = clinic.colours
    accent_tint = to_hex(mix(parse_hex(c.accent), parse_hex(WHITE), ACCENT_TINT_WHITE))
    return {"--brand": c.primary, "--accent": c.accent, "--text": c.text,
            "--brand-tint": c.tint, "--accent-tint": accent_tint}


def pairs(clinic: Clinic) -> list[Pair]:
    """Return the text/background pairs the stylesheets draw."""
    p = palette(clinic)
    return [
        Pair("text", p["--text"], WHITE, "body text"),
        Pair("text", p["--text"], p["--brand-tint"], "the key message box"),
        Pair("text", p["--text"], p["--accent-tint"], "the when-to-call callout"),
        Pair("primary", p["--brand"], WHITE, "headings and links"),
        Pair("primary", p["--brand"], p["--brand-tint"], "the key message label"),
        Pair("primary", WHITE, p["--brand"], "the cover's title, numbers on steps and chart bars"),
        Pair("accent", p["--accent"], p["--accent-tint"], "the when-to-call title"),
    ]


def theme_css(clinic: Clinic) -> str:
    """Return the :root rule that re-colours every stylesheet."""
    rules = "; ".join(f"{name}: {value}" for name, value in palette(clinic).items())
    return f":root {{ {rules}; }}"


def contrast_problems(clinic: Clinic, source: Loaded) -> list[Problem]:
    """Return one problem per pair below WCAG AA, naming both colours, the ratio and a fix."""
    problems: list[Problem] = []
    for pair in pairs(clinic):
        need = 4.5  # every pair is drawn at body sizes somewhere, so AA for small text
        fg, bg = parse_hex(pair.text), parse_hex(pair.background)
        ratio = contrast(fg, bg)
        if ratio >= need:
            continue
        # Suggest a darker shade of the clinic colour that is at fault.
        if pair.text == WHITE:
            fix = darker_passing(parse_hex(pair.background), fg, need)
        else:
            fix = darker_passing(fg, bg, need)
        hint = f"; try {pair.text_key}: \"{fix}\"" if fix else ""
        problems.append(source.problem(
            ("colours", pair.text_key),
            f"{pair.where}: {pair.text} on {pair.background} has contrast {ratio:.2f}:1, "
            f"below {need:g}:1{hint}"))
    return problems


def logo_problems(clinic: Clinic, source: Loaded, root: Path) -> list[Problem]:
    """Check that the logo file exists inside the project (never outside it)."""
    if clinic.logo is None:
        return []
    path = (root / clinic.logo.file).resolve()
    base = root.resolve()
    if base not in path.parents:
        return [source.problem(("logo", "file"),
                               f"'{clinic.logo.file}' is outside the project; put the logo in "
                               "the project's assets/ folder")]
    if not path.is_file():
        return [source.problem(("logo", "file"),
                               f"'{clinic.logo.file}' does not exist; put the logo in the "
                               "project's assets/ folder")]
    return []
