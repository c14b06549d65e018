"""Accessibility checks read back from the rendered PDF, as a reader's software gets it.

Text size and contrast come from the glyphs pdfplumber finds on each page; each glyph's
marked-content id links it to the structure tree, which tells body text from captions,
charts and the page footer (footer glyphs belong to no structure element).
"""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from brochure.content.colour import contrast
from brochure.content.colour import to_hex as hex_colour

BODY_MIN_PT = 12.0
SMALL_MIN_PT = 9.0
SMALL_ROLES = {"Caption", "Figure"}
HEADING_TAGS = ("H1", "H2", "H3", "H4", "H5", "H6")


@dataclass(frozen=True)
class PdfIssue:
    """One accessibility problem found in the PDF."""

    code: str
    page: int
    message: str
    sample: str = ""


def _rgb(color: Any) -> tuple[float, float, float] | None:
    if color is None:
        return None
    if isinstance(color, int | float):
        return (float(color),) * 3
    values = [float(v) for v in color if isinstance(v, int | float)]
    if len(values) == 1:
        return (values[0],) * 3
    if len(values) == 3:
        return (values[0], values[1], values[2])
    if len(values) == 4:
        c, m, y, k = values
        return ((1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k))
    return None


def _roles(page: Any) -> dict[int, list[str]]:
    roles: dict[int, list[str]] = {}

    def walk(node: dict[str, Any], ancestors: list[str]) -> None:
        chain = [*ancestors, str(node.get("type"))]
        for mcid in node.get("mcids") or []:
            roles[mcid] = chain
        for child in node.get("children") or []:
            walk(child, chain)

    for node in page.structure_tree:
        walk(node, [])
    return roles


def _background(page: Any, x: float, top: float) -> tuple[float, float, float]:
    best: tuple[float, tuple[float, float, float]] | None = None
    for shape in (*page.rects, *page.curves):
        # Borders are drawn as even-odd filled rings whose bounding box is the whole box:
        # they never sit behind text.
        if not shape.get("fill") or shape.get("evenodd"):
            continue
        if shape["x0"] <= x <= shape["x1"] and shape["top"] <= top <= shape["bottom"]:
            colour = _rgb(shape.get("non_stroking_color"))
            area = (shape["x1"] - shape["x0"]) * (shape["bottom"] - shape["top"])
            if colour is not None and (best is None or area < best[0]):
                best = (area, colour)
    return best[1] if best else (1.0, 1.0, 1.0)


def audit_pdf(data: bytes) -> list[PdfIssue]:
    """Return every accessibility problem found in a PDF."""
    import pdfplumber
    from pypdf import PdfReader

    issues: list[PdfIssue] = []
    reader = PdfReader(io.BytesIO(data))
    root: Any = reader.trailer["/Root"]
    meta = reader.metadata
    if not meta or not meta.title:
        issues.append(PdfIssue("A001", 0, "the PDF has no title"))
    if not str(root.get("/Lang", "")).strip():
        issues.append(PdfIssue("A002", 0, "the PDF does not say its language"))
    if "/StructTreeRoot" not in root:
        issues.append(PdfIssue("A003", 0, "the PDF is not tagged"))
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        last_level = 0
        pairs: dict[tuple[str, str, bool], tuple[float, int, str]] = {}
        for number, page in enumerate(pdf.pages, start=1):
            last_level = _headings_and_alt(page, number, last_level, issues)
            roles = _roles(page)
            small: dict[float, list[str]] = defaultdict(list)
            for word in page.extract_words(extra_attrs=["size", "mcid", "non_stroking_color"]):
                size = round(float(word["size"]), 1)
                chain = roles.get(word["mcid"]) if word["mcid"] is not None else None
                furniture = chain is None or bool(SMALL_ROLES & set(chain))
                if size < SMALL_MIN_PT or (size < BODY_MIN_PT and not furniture):
                    small[size].append(word["text"])
                fg = _rgb(word.get("non_stroking_color"))
                if fg is None:
                    continue
                bg = _background(page, (word["x0"] + word["x1"]) / 2,
                                 (word["top"] + word["bottom"]) / 2)
                large = size >= 18 or (size >= 14 and "Bold" in str(word.get("fontname", "")))
                key = (hex_colour(fg), hex_colour(bg), large)
                if key not in pairs:
                    pairs[key] = (contrast(fg, bg), number, word["text"])
            for size, words in sorted(small.items()):
                limit = SMALL_MIN_PT if size < SMALL_MIN_PT else BODY_MIN_PT
                issues.append(PdfIssue(
                    "A004", number,
                    f"text at {size:g} pt is below {limit:g} pt",
                    " ".join(words[:8])))
        for (fg_hex, bg_hex, large), (ratio, number, sample) in sorted(pairs.items()):
            need = 3.0 if large else 4.5
            if ratio < need:
                issues.append(PdfIssue(
                    "A005", number,
                    f"text {fg_hex} on {bg_hex} has contrast {ratio:.2f}:1, below {need:g}:1 "
                    f"(short by {need - ratio:.2f})", sample))
    return issues


def _headings_and_alt(page: Any, number: int, last_level: int,
                      issues: list[PdfIssue]) -> int:
    def walk(node: dict[str, Any]) -> None:
        nonlocal last_level
        kind = str(node.get("type"))
        if kind in HEADING_TAGS:
            level = int(kind[1])
            if last_level and level > last_level + 1:
                issues.append(PdfIssue("A006", number,
                                       f"heading level {level} follows level {last_level}"))
            last_level = level
        if kind == "Figure" and not (node.get("alt_text") or "").strip():
            issues.append(PdfIssue("A007", number,
                                   "an image or chart has no alternative text"))
        for child in node.get("children") or []:
            walk(child)

    for node in page.structure_tree:
        walk(node)
    return last_level
