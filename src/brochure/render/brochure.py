"""Render one composed brochure to its finished PDF bytes, and name its files.

The office file is tagged PDF/UA-1 in sRGB; the print-shop file is PDF/X-4 in CMYK with its
slug, crop and fold marks added after WeasyPrint (render/prepress.py).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from brochure.compose.brochure import Brochure
from brochure.compose.html import render_html, stylesheet_text
from brochure.content.layouts import BLEED
from brochure.content.outnames import output_name
from brochure.render.measure import Facts
from brochure.render.pdf import PDF_VARIANT  # the office file: tagged, accessible, sRGB

PRINT_VARIANT = "pdf/x-4"  # the print-shop file: CMYK with the press profile as intent
ARCHIVE_VARIANT = "pdf/a-2u"  # the clinic's record copy of the office file


def file_name(b: Brochure, *markers: str, ext: str = "pdf") -> str:
    """Return the brochure's file name; variants sit before the extension.

    back-pain.booklet.letter.en.imposed.pdf, back-pain.poster.a4.en.print-shop.pdf
    """
    return output_name(condition=b.id, layout=b.layout.id, paper=b.paper,
                       language=b.language, ext=".".join([*markers, ext]),
                       print_shop=b.print_shop)


def render_brochure(b: Brochure, *, root: Path, roots: tuple[Path, ...],
                    images: dict[str, Any] | None = None,
                    inspect: Callable[[Facts], None] | None = None,
                    variant: str | None = None) -> tuple[bytes, list[str]]:
    """Render one brochure to its finished PDF bytes; return them and WeasyPrint's warnings.

    The office file is PDF/UA-1; the print-shop file PDF/X-4 with its slug and marks.
    ``variant`` renders the office file as another standard (the PDF/A-2u archive copy).
    """
    from brochure.compose.refusals import located
    from brochure.render.fetch import Unloaded
    from brochure.render.pdf import render_pdf

    folds: list[tuple[float, ...]] = []

    def look(facts: Facts) -> None:
        if inspect is not None:
            inspect(facts)
        if b.print_shop and b.layout.folded:
            folds.extend(facts.folds)

    chosen = variant or (PRINT_VARIANT if b.print_shop else PDF_VARIANT)
    svg = None
    if b.print_shop:
        from brochure.content.printcolour import Recolour

        # An SVG image (the logo) is recoloured as it is read; decoded images are not
        # shared with office renders, which keep its sRGB colours.
        svg, images = Recolour(b.clinic, root).html, None
    try:
        pdf, warnings = render_pdf(render_html(root, b, inline_styles=False), roots=roots,
                                   base_url=root, inspect=look, images=images,
                                   css=stylesheet_text(root, b), variant=chosen, svg=svg)
    except Unloaded as exc:
        raise located(exc.kind, exc.items, root) from None
    if b.print_shop:
        pdf = finish_print_shop(pdf, b, root=root, folds=folds)
    return pdf, warnings


def finish_print_shop(pdf: bytes, b: Brochure, *, root: Path,
                      folds: list[tuple[float, ...]]) -> bytes:
    """Add the slug, marks, boxes and output intent to a rendered print-shop PDF."""
    from brochure.content.printcolour import profile_name, profile_path
    from brochure.render.prepress import finish

    bleed = _points(BLEED[b.paper])
    profile = profile_path(b.clinic, root)
    return finish(pdf, bleed=bleed, folds=folds, profile_name=profile_name(profile),
                  profile=profile.read_bytes())


def _points(css_length: str) -> float:
    """Return a CSS length in 'in' or 'mm' in points."""
    if css_length.endswith("in"):
        return float(css_length[:-2]) * 72
    return float(css_length.removesuffix("mm")) * 72 / 25.4
