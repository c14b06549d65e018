"""Produce one brochure's files: render it, check that it fits, write the PDF and copies.

One brochure is one condition in one layout; the booklet also gets a copy imposed for
printing, and ``--html`` the composed page beside the PDF.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from brochure.compose import Brochure, render_html, stylesheet_text
from brochure.fit import check_fit
from brochure.glyphs import missing_glyph
from brochure.layouts import SHEETS
from brochure.output import atomic_write, output_name


@dataclass
class Produced:
    """The files one brochure produced, and WeasyPrint's warnings."""

    outputs: list[Path] = field(default_factory=list)
    html: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    pages: int = 0


def file_name(b: Brochure, *markers: str, ext: str = "pdf") -> str:
    """Return the brochure's file name; variants sit before the extension.

    back-pain.booklet.letter.en.imposed.pdf, back-pain.poster.a4.en.print-shop.pdf
    """
    return output_name(condition=b.id, layout=b.layout.id, paper=b.paper,
                       language=b.language, ext=".".join([*markers, ext]),
                       print_shop=b.print_shop)


def produce(b: Brochure, *, root: Path, roots: tuple[Path, ...], out_dir: Path,
            html: bool = False, images: dict[str, Any] | None = None) -> Produced:
    """Render and write one brochure; raise FitError (writing no PDF) if it does not fit."""
    from brochure.render import render_pdf

    done = Produced()
    if html:  # the complete page, styles inline, to open in a browser
        page = render_html(root, b).encode("utf-8")
        done.html.append(_write(out_dir / file_name(b, ext="html"), page))

    line, column = b.origin.where(("topics",), key=True)
    where = f"{b.origin.shown}:{line}:{column}"

    def inspect(document: Any) -> None:
        done.pages = len(document.pages)
        check_fit(document, where=where, layout=b.layout, find=lambda text: find_text(b, text))

    pdf, warnings = render_pdf(render_html(root, b, inline_styles=False), roots=roots,
                               base_url=root, inspect=inspect, images=images,
                               css=stylesheet_text(root, b))
    done.outputs.append(_write(out_dir / file_name(b), pdf))
    for warning in dict.fromkeys(warnings):
        glyph = missing_glyph(warning, lambda text: find_line(b, text))
        if glyph is not None:
            where, message = glyph
            warning = f"{where}: {message}" if where else message
        done.warnings.append(f"{file_name(b)}: {warning}")
    spec = b.layout.paper_spec(b.paper)
    # A print shop imposes a booklet itself (allowing for creep, the paper's thickness),
    # from the reading-order pages with bleed; the imposed copy is for the office duplex.
    if spec.imposed_on is not None and not b.print_shop:
        from brochure.impose import impose  # pypdf: only when a booklet is built

        sheet = SHEETS[spec.imposed_on]
        imposed = impose(pdf, sheet_width=sheet.height_pt, sheet_height=sheet.width_pt)
        done.outputs.append(_write(out_dir / file_name(b, "imposed"), imposed))
    return done


def find_text(b: Brochure, text: str) -> str | None:
    """Return 'file:line:column' of the content line that holds ``text``'s longest word."""
    word = max(text.split(), key=len, default="")
    found = find_line(b, word[:60]) if word else None
    return found[0] if found is not None else None


def find_line(b: Brochure, needle: str) -> tuple[str, str] | None:
    """Return ('file:line:column', the line) of the first content line holding ``needle``."""
    from brochure.load import MAX_FILE_BYTES
    from brochure.safefile import Refused, read_inside

    files = {id(loaded): loaded for loaded in [b.origin, *(p.origin for p in b.parts)]}
    for loaded in files.values():
        try:
            raw = read_inside(loaded.file, (loaded.file.parent,), limit=MAX_FILE_BYTES)
        except Refused:
            continue
        lines = raw.decode("utf-8", errors="replace").splitlines()
        for number, line in enumerate(lines, start=1):
            if (column := line.find(needle)) >= 0:
                return f"{loaded.shown}:{number}:{column + 1}", line
    return None


def _write(path: Path, data: bytes) -> Path:
    atomic_write(path, data)
    return path
