"""Say which text needs a character that no font of the brochure has.

Only the package's fonts and the project's own (see ``brochure.render.fontconf``) are offered to
the renderer, so such a character prints as an empty box. WeasyPrint notices each one
(".notdef glyph rendered ..."); this names the content file, line and text instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable

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
