"""Produce one brochure's files: render it, check that it fits, write the PDF and copies.

One brochure is one condition in one layout; the booklet also gets a copy imposed for
printing, and ``--html`` the composed page beside the PDF.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from brochure.codes import kept_warnings, with_code
from brochure.compose.brochure import Brochure, find_line, find_text
from brochure.compose.html import render_html
from brochure.content.layouts import SHEETS
from brochure.content.outfile import atomic_write
from brochure.errors import StrictWarnings
from brochure.render.brochure import ARCHIVE_VARIANT, file_name, render_brochure
from brochure.render.fit import check_fit
from brochure.render.glyphs import missing_glyph
from brochure.render.measure import Facts


@dataclass
class Produced:
    """The files one brochure produced, and WeasyPrint's warnings."""

    outputs: list[Path] = field(default_factory=list)
    html: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    pages: int = 0


def produce(b: Brochure, *, root: Path, roots: tuple[Path, ...], out_dir: Path, within: Path,
            html: bool = False, images: dict[str, Any] | None = None,
            strict: bool = False, archive: bool = False,
            ignore: Collection[str] = ()) -> Produced:
    """Render and write one brochure; raise FitError (writing no PDF) if it does not fit.

    With ``strict``, WeasyPrint's warnings raise StrictWarnings before anything is written;
    those whose code is in ``ignore`` (brochure.codes) are neither counted nor reported.
    ``archive`` also writes a PDF/A-2u copy of the office file (``….pdfa.pdf``). Every file
    goes into ``out_dir``, which must still resolve inside ``within`` when it is written.
    """
    done = Produced()
    line, column = b.origin.where(("topics",), key=True)
    where = f"{b.origin.shown}:{line}:{column}"

    def inspect(facts: Facts) -> None:
        done.pages = facts.pages
        pad_to = b.layout.pad_to
        if pad_to and not b.pad_pages and done.pages % pad_to:
            raise _Again(replace(b, pad_pages=-done.pages % pad_to))
        if b.layout.balance_panels and b.card_heights is None:
            # The first layout set every card in every panel, only to measure them.
            raise _Again(replace(b, card_heights=facts.cards))
        check_fit(facts, where=where, layout=b.layout, find=lambda text: find_text(b, text))

    try:
        pdf, warnings = render_brochure(b, root=root, roots=roots, images=images,
                                        inspect=inspect)
    except _Again as again:
        # Lay the brochure out once more: a booklet with notes pages before its back cover,
        # so "Page X of Y" counts every printed page and the back cover ends the last
        # sheet; a tri-fold with its cards shared out by their measured heights.
        b = again.brochure
        pdf, warnings = render_brochure(b, root=root, roots=roots, images=images,
                                        inspect=inspect)
    if html:  # the complete page, styles inline, to open in a browser (and debug)
        done.html.append(_write(out_dir / file_name(b, ext="html"),
                                render_html(root, b).encode("utf-8"), within))
    counted = kept_warnings(warnings, ignore)
    if strict and counted:
        raise StrictWarnings([with_code(w) for w in counted])
    done.outputs.append(_write(out_dir / file_name(b), pdf, within))
    for warning in counted:
        glyph = missing_glyph(warning, lambda text: find_line(b, text))
        if glyph is not None:
            where, message = glyph
            warning = f"{where}: {message}" if where else message
        done.warnings.append(f"{file_name(b)}: {warning}")
    spec = b.layout.paper_spec(b.paper)
    # A print shop imposes a booklet itself (allowing for creep, the paper's thickness),
    # from the reading-order pages with bleed; the imposed copy is for the office duplex.
    if spec.imposed_on is not None and not b.print_shop:
        from brochure.render.impose import impose  # pypdf: only when a booklet is built

        sheet = SHEETS[spec.imposed_on]
        imposed = impose(pdf, sheet_width=sheet.height_pt, sheet_height=sheet.width_pt)
        done.outputs.append(_write(out_dir / file_name(b, "imposed"), imposed, within))
    if archive and not b.print_shop:
        kept, _ = render_brochure(b, root=root, roots=roots, images=images,
                                  variant=ARCHIVE_VARIANT)
        done.outputs.append(_write(out_dir / file_name(b, "pdfa"), kept, within))
    return done


class _Again(Exception):  # a signal between two renders, never shown to a user
    """The brochure needs a second layout, with these settings."""

    def __init__(self, brochure: Brochure) -> None:
        super().__init__(brochure.id)
        self.brochure = brochure


def _write(path: Path, data: bytes, within: Path) -> Path:
    atomic_write(path, data, kind=path.suffix.lstrip("."), within=within)
    return path
