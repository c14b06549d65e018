"""Produce one brochure's files: render it, check that it fits, write the PDF and copies.

One brochure is one condition in one layout; the booklet also gets a copy imposed for
printing, and ``--html`` the composed page beside the PDF.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from brochure.compose import Brochure, render_html, stylesheet_text
from brochure.condense import FLAP_NOTES_MM, digest, room_left
from brochure.fit import check_fit, overflows
from brochure.layouts import SHEETS
from brochure.output import atomic_write, output_name
from brochure.panels import card_heights


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
    line, column = b.origin.where(("topics",), key=True)
    where = f"{b.origin.shown}:{line}:{column}"

    def inspect(document: Any) -> None:
        done.pages = len(document.pages)
        pad_to = b.layout.pad_to
        if pad_to and not b.pad_pages and done.pages % pad_to:
            raise _Again(replace(b, pad_pages=-done.pages % pad_to))
        if b.layout.balance_panels and b.card_heights is None:
            measured = replace(b, card_heights=card_heights(document))
            if (_split(measured) != _split(b) or _flap_room(measured) >= FLAP_NOTES_MM
                    or overflows(document)):
                raise _Again(measured)
        check_fit(document, where=where, layout=b.layout)

    def write_html(b: Brochure) -> None:
        if html:  # the complete page, styles inline, to open in a browser (and debug)
            page = render_html(root, b).encode("utf-8")
            done.html[:] = [_write(out_dir / file_name(b, ext="html"), page)]

    write_html(b)
    try:
        pdf, warnings = render_pdf(render_html(root, b, inline_styles=False), roots=roots,
                                   base_url=root, inspect=inspect, images=images,
                                   css=stylesheet_text(root, b))
    except _Again as again:
        # Lay the brochure out once more: a booklet with notes pages before its back cover,
        # so "Page X of Y" counts every printed page and the back cover ends the last
        # sheet; a tri-fold with its cards shared out by their measured heights.
        b = again.brochure
        write_html(b)
        pdf, warnings = render_pdf(render_html(root, b, inline_styles=False), roots=roots,
                                   base_url=root, inspect=inspect, images=images,
                                   css=stylesheet_text(root, b))
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
    return done


class _Again(Exception):  # a signal between two renders, never shown to a user
    """The brochure needs a second layout, with these settings."""

    def __init__(self, brochure: Brochure) -> None:
        super().__init__(brochure.id)
        self.brochure = brochure


def _flap_room(b: Brochure) -> float:
    """Return the measured room left in the last panel (the tri-fold's flap), in mm."""
    return room_left(digest(b).columns(4, heights=b.card_heights)[-1], b.card_heights)


def _split(b: Brochure) -> list[list[str]]:
    """Return the card ids of each panel, as the template shares them out."""
    columns = digest(b).columns(4, heights=b.card_heights)
    return [[card.id for card in column] for column in columns]


def _write(path: Path, data: bytes) -> Path:
    atomic_write(path, data)
    return path
