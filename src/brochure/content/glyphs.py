"""Say which text needs a character that no font of the brochure has.

Only the package's fonts and the project's own (see ``brochure.render.fontconf``) are offered to
the renderer, so such a character prints as an empty box. WeasyPrint notices each one
(".notdef glyph rendered ..."); this names the content file, line and text instead.
Text that is not content (a patient's name, a note) is checked before it is rendered,
against the characters the fonts have (``covered``), so it is never quoted in a warning.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Callable
from functools import cache
from pathlib import Path

from brochure.fonts import font_files
from brochure.safefile import Refused, read_inside, walk_files

FONT_SUFFIXES = {".ttf", ".otf", ".woff", ".woff2", ".ttc", ".otc"}
_FONT_LIMIT = 32 * 1024 * 1024

NOTDEF = re.compile(r'^\.notdef glyph rendered for Unicode string unsupported by fonts: '
                    r'"(?P<text>.*)" \(U\+(?P<code>[0-9A-Fa-f]+)')
Finder = Callable[[str], tuple[str, str] | None]  # text -> ('file:line:col', the line)


def missing_glyph(warning: str, find: Finder) -> tuple[str, str] | None:
    """Return (where, message) for a WeasyPrint missing-glyph warning, else None."""
    match = NOTDEF.match(warning)
    if match is None:
        return None
    char = chr(int(match["code"], 16))
    found = find(char)
    where, line = found if found is not None else ("", "")
    snippet = line.strip()
    if len(snippet) > 50:
        at = max(snippet.find(char) - 20, 0)
        snippet = ("..." if at else "") + snippet[at:at + 44] + "..."
    text = f" in '{snippet}'" if snippet else ""
    return where, (f"no font of the brochure has the character '{char}' "
                   f"(U+{ord(char):04X}){text}, so it prints as an empty box; write it "
                   "another way, or add a font that has it to assets/ with @font-face")


def _cmap(data: bytes) -> set[int]:
    """Return the code points a font file maps to glyphs (none when it cannot be read)."""
    from fontTools.ttLib import TTFont

    try:
        with TTFont(io.BytesIO(data), lazy=True, fontNumber=0) as font:
            return set(font.getBestCmap() or {})
    except Exception:  # not a font fontTools reads (or WOFF2 without brotli): it adds none
        return set()


@cache
def _package_coverage() -> frozenset[int]:
    """Return the characters every face of the packaged font has (bold and italic too)."""
    faces = [_cmap(path.read_bytes()) for path, _, _ in font_files()]
    return frozenset(set.intersection(*faces)) if faces else frozenset()


def covered(project: Path) -> frozenset[int]:
    """Return the characters the brochure's fonts have: the package's and the project's own.

    A project's font files (in assets/ or styles/, loaded with @font-face) are counted
    whether or not a stylesheet uses them; a character that is in one but still prints as
    a box is caught from WeasyPrint's warning after rendering.
    """
    chars = set(_package_coverage())
    roots = (project,)
    for name in ("assets", "styles"):
        folder = project / name
        if not folder.is_dir():
            continue
        try:
            paths = [p for p in walk_files(folder, roots) if p.suffix.lower() in FONT_SUFFIXES]
        except (Refused, OSError):
            continue  # the build refuses such a folder itself, with its own message
        for path in paths:
            try:
                chars |= _cmap(read_inside(path, roots, limit=_FONT_LIMIT))
            except (Refused, OSError):
                continue
    return frozenset(chars)


def lacking(fonts: frozenset[int]) -> Callable[[str], bool]:
    """Return the test of whether a character prints as a box with these fonts.

    Spaces never do (the renderer makes any width of space), and neither does a letter
    whose canonical decomposition the fonts have: the shaper draws 'ễ' as 'e' with its
    marks when a font has no 'ễ' of its own.
    """
    def lacks(char: str) -> bool:
        if ord(char) in fonts or char.isspace():
            return False
        parts = unicodedata.normalize("NFD", char)
        return parts == char or any(ord(part) not in fonts for part in parts)

    return lacks


def notdef_characters(warnings: list[str]) -> set[str]:
    """Return the characters WeasyPrint's missing-glyph warnings name."""
    return {chr(int(match["code"], 16)) for w in warnings if (match := NOTDEF.match(w))}
