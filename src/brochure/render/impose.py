"""Imposition: a booklet's pages in reading order onto sheets for saddle stitching.

Each sheet side holds two pages; printed duplex (flip on the short edge), folded and
stapled through the fold, the sheets read in order. For 8 pages: sheet 1 front 8|1,
back 2|7; sheet 2 front 6|3, back 4|5.
"""

from __future__ import annotations

from io import BytesIO

from pypdf import PdfReader, PdfWriter, Transformation
from pypdf.generic import NameObject, TextStringObject

# The information the imposed copy keeps from the reading-order PDF.
_KEPT_INFO = ("/Title", "/Author", "/Subject", "/Keywords", "/Creator", "/Producer",
              "/CreationDate", "/ModDate")


def sheet_sides(pages: int) -> list[tuple[int, int]]:
    """Return (left, right) page numbers for each sheet side, front then back.

    Pages are padded with blanks to a multiple of four; a number past ``pages`` is blank.
    """
    total = -(-pages // 4) * 4
    sides: list[tuple[int, int]] = []
    for sheet in range(total // 4):
        outer, inner = total - 2 * sheet, 1 + 2 * sheet
        sides += [(outer, inner), (inner + 1, outer - 1)]
    return sides


def impose(pdf: bytes, *, sheet_width: float, sheet_height: float) -> bytes:
    """Return the booklet imposed two-up on sheets of the given size (points, landscape).

    The two pages meet at the middle of the sheet, where it is folded.
    """
    reader = PdfReader(BytesIO(pdf))
    pages = reader.pages
    box = pages[0].mediabox
    width, height = float(box.width), float(box.height)
    writer = PdfWriter()
    middle, bottom = sheet_width / 2, (sheet_height - height) / 2
    for left, right in sheet_sides(len(pages)):
        side = writer.add_blank_page(sheet_width, sheet_height)
        for number, x in ((left, middle - width), (right, middle)):
            if number <= len(pages):
                page = pages[number - 1]
                move = Transformation().translate(x - float(page.mediabox.left),
                                                  bottom - float(page.mediabox.bottom))
                side.merge_transformed_page(page, move)
        side.compress_content_streams()
    info = reader.metadata
    if info is not None:
        writer.add_metadata({key: info[key] for key in _KEPT_INFO if key in info})
    lang = reader.root_object.get("/Lang")
    if lang is not None:
        writer.root_object[NameObject("/Lang")] = TextStringObject(str(lang))
    out = BytesIO()
    writer.write(out)
    return out.getvalue()
