"""How the text flows over each page of a built PDF, read once per PDF for every flow test.

pdfplumber reads a page's glyphs slowly; the flow tests (blank bands, stranded headings,
lead-ins at a page foot, characters per line) all need the same lines, so ``flow`` reads
each page once and keeps what each test checks. It is a module-level function so the
session's catalogue can run it in worker processes and keep its result for every test
(``Catalogue.map``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pdfplumber
from tests.geometry import (
    BODY_SIZE,
    chars_per_line,
    largest_blank,
    lines,
    stranded_headings,
    text_area,
)


@dataclass(frozen=True)
class PageFlow:
    """What the flow tests check on one page."""

    number: int
    text: str  # the page's text as pdfplumber extracts it
    blank: float  # the largest empty band, as a share of the text area
    stranded: tuple[str, ...]  # headings stranded at the foot of the page
    last: str | None  # the last line of text in the text area
    chars: tuple[int, ...]  # characters in each full line of body text
    smallest: float  # the size of the smallest printed character, in points


def flow(path: Path) -> list[PageFlow]:
    """Return each page's flow facts; the layout is read from the file name."""
    layout = path.name.split(".")[1]
    pages = []
    with pdfplumber.open(path) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            area = text_area(page, layout)
            body = lines(page, area)
            size = BODY_SIZE.get(layout)
            pages.append(PageFlow(
                number=number,
                text=page.extract_text() or "",
                blank=largest_blank(page, area),
                stranded=tuple(stranded_headings(page, area, found=body)),
                last=body[-1].text.strip() if body else None,
                chars=tuple(chars_per_line(page, area, size=size, found=body)) if size else (),
                smallest=min((float(c["size"]) for c in page.chars if c["text"].strip()),
                             default=float("inf"))))
    return pages


def booking_qr(path: Path) -> list[str]:
    """Return what zbarimg reads from the page that carries the booking QR code.

    The poster's only page, the booklet's back cover; rendered in grey at print
    resolution and handed to zbarimg uncompressed (PGM), which spares the PNG encoding.
    """
    import subprocess
    import tempfile

    import pypdfium2

    layout = path.name.split(".")[1]
    document = pypdfium2.PdfDocument(str(path))
    page = document[0 if layout == "poster" else len(document) - 1]
    image = page.render(scale=200 / 72, grayscale=True).to_pil()
    with tempfile.TemporaryDirectory() as folder:
        picture = Path(folder) / "page.pgm"
        image.save(picture)
        done = subprocess.run(["zbarimg", "--quiet", "--raw", str(picture)],
                              capture_output=True, text=True, check=False)
    return done.stdout.split()
