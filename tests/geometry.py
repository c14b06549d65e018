"""Page geometry read back from a PDF: text area, lines, blank bands, headings near the foot.

The numbers a print designer checks by eye, measured with pdfplumber on the finished PDF
rather than trusted from the stylesheet.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

MM = 72 / 25.4
# Page margins (top, right, bottom, left) in mm, as the stylesheets set them: the text area
# is the page inside them; the running footer sits in the bottom margin.
MARGINS = {
    "handout": (18, 18, 22, 18),
    "large-print": (18, 18, 34, 18),
    "booklet": (13, 12, 20, 12),  # the inside margin is wider, which only narrows it
    "poster": (15, 15, 15, 15),
}
BODY_SIZE = {"handout": 12.5, "large-print": 17.0, "booklet": 12.0}
SIDE_COLUMN_MM = {"handout": 48.0}  # the handout's side column, at the right of the area


@dataclass(frozen=True)
class Area:
    """A page's text area in PDF points, top-down (pdfplumber's 'top' coordinates)."""

    top: float
    bottom: float
    left: float
    right: float
    side: float | None = None  # where a side column starts, if the layout has one

    @property
    def height(self) -> float:
        return self.bottom - self.top


def text_area(page: Any, layout: str) -> Area:
    top, right, bottom, left = (m * MM for m in MARGINS[layout])
    edge = float(page.width) - right
    side = SIDE_COLUMN_MM.get(layout)
    return Area(top, float(page.height) - bottom, left, edge,
                None if side is None else edge - (side + 1) * MM)


def roles(page: Any) -> dict[int, list[str]]:
    """Return each marked-content id's chain of structure types (Document, Sect, H2, ...)."""
    found: dict[int, list[str]] = {}

    def walk(node: dict[str, Any], ancestors: list[str]) -> None:
        chain = [*ancestors, str(node.get("type"))]
        for mcid in node.get("mcids") or []:
            found[mcid] = chain
        for child in node.get("children") or []:
            walk(child, chain)

    for node in page.structure_tree:
        walk(node, [])
    return found


@dataclass(frozen=True)
class Line:
    """One line of text: its glyphs share a baseline."""

    top: float
    bottom: float
    x0: float
    x1: float
    text: str
    size: float
    bold: bool
    tags: tuple[str, ...]  # structure types of its first glyph, outermost first


def lines(page: Any, area: Area) -> list[Line]:
    """Return the text lines inside the text area, top to bottom, left to right."""
    tagged = roles(page)
    chars = [c for c in page.chars
             if c["text"].strip() and area.top - 1 <= c["top"] and c["bottom"] <= area.bottom + 1]
    rows: dict[tuple[float, int], list[dict[str, Any]]] = {}
    for c in sorted(chars, key=lambda c: (c["bottom"], c["x0"])):
        # One line per baseline (within 2 pt: fonts and sizes sit a little apart) and per
        # column: text in the side column is its own line.
        column = int(area.side is not None and c["x0"] >= area.side)
        key = next((k for k in rows if k[1] == column and abs(k[0] - c["bottom"]) < 2),
                   (c["bottom"], column))
        rows.setdefault(key, []).append(c)
    found = []
    for glyphs in rows.values():
        glyphs.sort(key=lambda c: c["x0"])
        text = ""
        for prev, c in zip([None, *glyphs], glyphs, strict=False):
            if prev is not None and c["x0"] - prev["x1"] > 0.2 * c["size"]:
                text += " "
            text += c["text"]
        first = glyphs[0]
        chain = tagged.get(first.get("mcid"), []) if first.get("mcid") is not None else []
        found.append(Line(min(c["top"] for c in glyphs), max(c["bottom"] for c in glyphs),
                          glyphs[0]["x0"], glyphs[-1]["x1"], text,
                          statistics.median(c["size"] for c in glyphs),
                          "Bold" in first["fontname"], tuple(chain)))
    return sorted(found, key=lambda ln: (ln.top, ln.x0))


def ink(page: Any, area: Area) -> list[tuple[float, float]]:
    """Return the vertical extent of everything drawn inside the text area."""
    spans = []
    for obj in (*page.chars, *page.rects, *page.curves, *page.lines, *page.images):
        if "text" in obj and not obj["text"].strip():
            continue
        top, bottom = max(obj["top"], area.top), min(obj["bottom"], area.bottom)
        if bottom > top - 0.5:
            spans.append((top, max(bottom, top + 0.5)))
    return sorted(spans)


def blank_bands(page: Any, area: Area) -> Iterator[tuple[float, float]]:
    """Yield each empty horizontal band (top, bottom) of the text area, in points."""
    reach = area.top
    for top, bottom in ink(page, area):
        if top > reach:
            yield reach, top
        reach = max(reach, bottom)
    if area.bottom > reach:
        yield reach, area.bottom


def largest_blank(page: Any, area: Area) -> float:
    """Return the height of the largest empty band of the text area, as a share of it."""
    return max((b - t for t, b in blank_bands(page, area)), default=0.0) / area.height


def headings(page: Any, area: Area) -> list[Line]:
    """Return the heading lines (tagged H1-H3) of a page."""
    return [ln for ln in lines(page, area) if any(t in ("H1", "H2", "H3") for t in ln.tags)]


def stranded_headings(page: Any, area: Area, *, share: float = 0.15,
                      after: int = 2, found: list[Line] | None = None) -> list[str]:
    """Return headings stranded at the foot of the page.

    A heading is stranded when it sits in the bottom ``share`` of the text area with fewer
    than ``after`` lines of text below it on the page. ``found``: the page's lines, when
    already read.
    """
    all_lines = found if found is not None else lines(page, area)
    heads = [ln for ln in all_lines if any(t in ("H1", "H2", "H3") for t in ln.tags)]
    found = []
    for head in heads:
        if head.bottom < area.bottom - share * area.height:
            continue
        below = [ln for ln in all_lines if ln.top > head.bottom - 0.5
                 and not any(t in ("H1", "H2", "H3") for t in ln.tags)]
        if len(below) < after:
            found.append(head.text)
    return found


def chars_per_line(page: Any, area: Area, *, size: float,
                   found: list[Line] | None = None) -> list[int]:
    """Return the length of each full body-text line (regular weight, at ``size`` pt).

    A paragraph's last line is usually short, so only lines that reach the right part of
    their column count: lines ending within 15 % of the widest line's right edge.
    """
    body = [ln for ln in (found if found is not None else lines(page, area))
            if abs(ln.size - size) < 0.15 and not ln.bold
            and "P" in ln.tags and not ({"Table", "Figure", "TD", "TH"} & set(ln.tags))
            # the main column only: full-width boxes (the contact box) are not body text
            and (area.side is None or ln.x1 <= area.side)]
    if not body:
        return []
    right = max(ln.x1 for ln in body)
    left = min(ln.x0 for ln in body)
    full = [ln for ln in body if ln.x1 >= right - 0.15 * (right - left)]
    return [len(ln.text) for ln in full]


# The tri-fold's panels: the flap that folds in is 2.5 mm narrower; text stops 11 mm
# above the sheet's bottom edge.
NARROWER_MM, PANEL_FOOT_MM = 2.5, 11.0


def trifold_free_space(pdf: Any) -> dict[str, float]:
    """Return the free height (mm) under the content of the flap and the inside panels."""
    width = float(pdf.pages[0].width)
    wide = (width + NARROWER_MM * MM) / 3
    narrow = wide - NARROWER_MM * MM
    ranges = {0: {"flap": (0.0, narrow)},
              1: {"inside-1": (0.0, wide), "inside-2": (wide, 2 * wide),
                  "inside-3": (2 * wide, width)}}
    free = {}
    for number, named in ranges.items():
        page = pdf.pages[number]
        limit = float(page.height) - PANEL_FOOT_MM * MM
        for name, (left, right) in named.items():
            bottoms = [obj["bottom"] for obj in (*page.chars, *page.rects, *page.curves)
                       if obj["x0"] >= left - 0.5 and obj["x1"] <= right + 0.5
                       and ("text" not in obj or obj["text"].strip())]
            free[name] = (limit - max(bottoms, default=0.0)) / MM
    return free
