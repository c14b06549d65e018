"""Produce one brochure's files: render it, check that it fits, write the PDF and copies.

One brochure is one condition in one layout; the booklet also gets a copy imposed for
printing, and ``--html`` the composed page beside the PDF.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from brochure.compose import Brochure, render_html, stylesheet_text
from brochure.fit import check_fit, panels
from brochure.layouts import BLEED, SHEETS
from brochure.output import atomic_write, output_name

PDF_VARIANT = "pdf/ua-1"  # the office file: tagged, accessible, sRGB
PRINT_VARIANT = "pdf/x-4"  # the print-shop file: CMYK with the press profile as intent
ARCHIVE_VARIANT = "pdf/a-2u"  # the clinic's record copy of the office file


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


def render_brochure(b: Brochure, *, root: Path, roots: tuple[Path, ...],
                    images: dict[str, Any] | None = None,
                    inspect: Callable[[Any], None] | None = None,
                    variant: str | None = None) -> tuple[bytes, list[str]]:
    """Render one brochure to its finished PDF bytes; return them and WeasyPrint's warnings.

    The office file is PDF/UA-1; the print-shop file PDF/X-4 with its slug and marks.
    ``variant`` renders the office file as another standard (the PDF/A-2u archive copy).
    """
    from brochure.render import render_pdf

    folds: list[list[float]] = []

    def look(document: Any) -> None:
        if inspect is not None:
            inspect(document)
        if b.print_shop and b.layout.folded:
            folds.extend(fold_positions(document))

    chosen = variant or (PRINT_VARIANT if b.print_shop else PDF_VARIANT)
    pdf, warnings = render_pdf(render_html(root, b, inline_styles=False), roots=roots,
                               base_url=root, inspect=look, images=images,
                               css=stylesheet_text(root, b), variant=chosen)
    if b.print_shop:
        pdf = finish_print_shop(pdf, b, root=root, folds=folds)
    return pdf, warnings


def produce(b: Brochure, *, root: Path, roots: tuple[Path, ...], out_dir: Path,
            html: bool = False, images: dict[str, Any] | None = None,
            archive: bool = False) -> Produced:
    """Render and write one brochure; raise FitError (writing no PDF) if it does not fit.

    ``archive`` also writes a PDF/A-2u copy of the office file (``….pdfa.pdf``).
    """
    done = Produced()
    if html:  # the complete page, styles inline, to open in a browser
        page = render_html(root, b).encode("utf-8")
        done.html.append(_write(out_dir / file_name(b, ext="html"), page))

    line, column = b.origin.where(("topics",), key=True)
    where = f"{b.origin.shown}:{line}:{column}"

    def inspect(document: Any) -> None:
        done.pages = len(document.pages)
        check_fit(document, where=where, layout=b.layout)

    pdf, warnings = render_brochure(b, root=root, roots=roots, images=images, inspect=inspect)
    done.outputs.append(_write(out_dir / file_name(b), pdf))
    done.warnings.extend(f"{file_name(b)}: {w}" for w in dict.fromkeys(warnings))
    spec = b.layout.paper_spec(b.paper)
    # A print shop imposes a booklet itself (allowing for creep, the paper's thickness),
    # from the reading-order pages with bleed; the imposed copy is for the office duplex.
    if spec.imposed_on is not None and not b.print_shop:
        from brochure.impose import impose  # pypdf: only when a booklet is built

        sheet = SHEETS[spec.imposed_on]
        imposed = impose(pdf, sheet_width=sheet.height_pt, sheet_height=sheet.width_pt)
        done.outputs.append(_write(out_dir / file_name(b, "imposed"), imposed))
    if archive and not b.print_shop:
        kept, _ = render_brochure(b, root=root, roots=roots, images=images,
                                  variant=ARCHIVE_VARIANT)
        done.outputs.append(_write(out_dir / file_name(b, "pdfa"), kept))
    return done


def fold_positions(document: Any) -> list[list[float]]:
    """Return each page's folds, in points from the left edge: where two panels meet."""
    pages = []
    for page in document.pages:
        edges = {round(box.border_box_x() * 0.75, 3) for box in panels(page)}
        width = page.width * 0.75
        pages.append(sorted(x for x in edges if 0.5 < x < width - 0.5))
    return pages


def finish_print_shop(pdf: bytes, b: Brochure, *, root: Path,
                      folds: list[list[float]]) -> bytes:
    """Add the slug, marks, boxes and output intent to a rendered print-shop PDF."""
    from brochure.prepress import finish
    from brochure.printcolour import profile_name, profile_path

    bleed = _points(BLEED[b.paper])
    profile = profile_path(b.clinic, root)
    return finish(pdf, bleed=bleed, folds=folds, profile_name=profile_name(profile),
                  profile=profile.read_bytes())


def _points(css_length: str) -> float:
    """Return a CSS length in 'in' or 'mm' in points."""
    if css_length.endswith("in"):
        return float(css_length[:-2]) * 72
    return float(css_length.removesuffix("mm")) * 72 / 25.4


def _write(path: Path, data: bytes) -> Path:
    atomic_write(path, data)
    return path
