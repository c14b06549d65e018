"""The packaged font, Atkinson Hyperlegible from its PyPI package: its family and files.

It sits below every stage because two of them need it: content writes the @font-face
rules that load it (content/assets.py) and counts its characters (content/glyphs.py),
and render offers only its folder to fontconfig (render/fontconf.py).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import fontpkg_atkinson_hyperlegible as atkinson

FONT_FAMILY = "Atkinson Hyperlegible"
_FONT_FACES = (
    ("Regular", 400, "normal"),
    ("Bold", 700, "normal"),
    ("Italic", 400, "italic"),
    ("BoldItalic", 700, "italic"),
)


@cache
def font_files() -> tuple[tuple[Path, int, str], ...]:
    """Return (file, weight, style) for each face of the packaged font."""
    root = Path(atkinson.ROOT) / "files"
    return tuple((root / f"AtkinsonHyperlegible-{face}.ttf", weight, style)
                 for face, weight, style in _FONT_FACES)


def font_folders() -> tuple[Path, ...]:
    """Return the folders that hold the packaged font's files."""
    return tuple(sorted({path.parent for path, _, _ in font_files()}))
