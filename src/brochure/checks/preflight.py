"""Read a print-shop PDF back as a prepress check would: PDF/X-4, boxes, colour, marks, ink.

``contentwalk`` gathers what the pages paint; the ink is measured on a CMYK render by
``mutool draw`` (``cmykrender``).
"""

from __future__ import annotations

import io
import math
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from brochure.checks.cmykrender import max_ink, render_cmyk, slug_content
from brochure.checks.contentwalk import Paint, is_pure_k, plates, walk
from brochure.codes import Severity

MM = 72 / 25.4
MIN_SLUG_MM = 6.0
MIN_MARK_GAP_MM = 3.0  # marks start at least this far outside the trim
MIN_LINE_PT = 0.25
SMALL_TEXT_PT = 12.0  # smaller text on more than one plate blurs when registration is off
PPI_WARNING, PPI_ERROR = 300, 150
INK_LIMIT = 300  # percent of total area coverage
INK_DPI = 50


@dataclass(frozen=True)
class Finding:
    """One result of the prepress check."""

    severity: Severity
    code: str  # one of brochure.codes' P codes
    message: str
    page: int = 0  # 1-based; 0 for the document


def _box(page: Any, name: str) -> list[float] | None:
    value = page.obj.get(name)
    return None if value is None else [float(v) for v in value]


def _inside(inner: list[float], outer: list[float], tolerance: float = 0.01) -> bool:
    return (inner[0] >= outer[0] - tolerance and inner[1] >= outer[1] - tolerance
            and inner[2] <= outer[2] + tolerance and inner[3] <= outer[3] + tolerance)


def _outside(segment: tuple[float, float, float, float], box: list[float],
             gap: float = 0.0) -> bool:
    """Return True when a mark's line lies wholly outside ``box`` grown by ``gap``."""
    x0, y0, x1, y1 = segment
    left, bottom, right, top = box[0] - gap, box[1] - gap, box[2] + gap, box[3] + gap
    return (max(x0, x1) <= left + 0.01 or min(x0, x1) >= right - 0.01
            or max(y0, y1) <= bottom + 0.01 or min(y0, y1) >= top - 0.01)


def _pdfx(pdf: Any) -> Iterator[Finding]:
    import pikepdf

    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        version = meta.get("pdfxid:GTS_PDFXVersion")
    if version != "PDF/X-4":
        yield Finding("error", "P001", f"the XMP says {version or 'no PDF/X version'}; "
                      "a print shop expects PDF/X-4")
    else:
        yield Finding("info", "P001", f"PDF/X-4 (PDF {pdf.pdf_version})")
    if float(pdf.pdf_version) < 1.6:
        yield Finding("error", "P002", f"PDF {pdf.pdf_version}: PDF/X-4 needs 1.6")
    if str(pdf.trailer.get("/Info", {}).get("/Trapped", "")) not in ("/True", "/False"):
        yield Finding("error", "P003", "the document info has no Trapped True or False")
    intents = [i for i in pdf.Root.get("/OutputIntents", [])
               if i.get("/S") == pikepdf.Name.GTS_PDFX]
    if not intents:
        yield Finding("error", "P004", "no PDF/X output intent: the press condition "
                      "is unknown")
        return
    intent = intents[0]
    profile = intent.get("/DestOutputProfile")
    data = profile.read_bytes() if profile is not None else b""
    if len(data) < 20 or data[16:20] != b"CMYK":
        yield Finding("error", "P004", "the output intent has no embedded CMYK ICC "
                      "profile")
        return
    yield Finding("info", "P004", f"output intent: "
                  f"{intent.get('/OutputConditionIdentifier')} (embedded CMYK ICC profile, "
                  f"{len(data):,} bytes)")


def _boxes(pdf: Any) -> Iterator[Finding]:
    ok = True
    for number, page in enumerate(pdf.pages, start=1):
        media, trim, bleed = _box(page, "/MediaBox"), _box(page, "/TrimBox"), _box(page,
                                                                                  "/BleedBox")
        if trim is None or bleed is None or media is None:
            ok = False
            yield Finding("error", "P005", "no TrimBox or BleedBox", number)
            continue
        if media[:2] != [0, 0]:
            ok = False
            yield Finding("error", "P006", f"the MediaBox starts at {media[:2]}, "
                          "not at 0,0", number)
        if not (_inside(trim, bleed) and _inside(bleed, media)):
            ok = False
            yield Finding("error", "P007", "the TrimBox must sit in the BleedBox and "
                          "the BleedBox in the MediaBox", number)
            continue
        slug = min(bleed[0] - media[0], bleed[1] - media[1], media[2] - bleed[2],
                   media[3] - bleed[3])
        if slug < MIN_SLUG_MM * MM - 0.01:
            ok = False
            yield Finding("error", "P008", f"the slug is {slug / MM:.1f} mm; the marks "
                          f"need at least {MIN_SLUG_MM:g} mm outside the bleed", number)
        if min(trim[0] - bleed[0], trim[1] - bleed[1]) < 2.8 * MM:
            ok = False
            yield Finding("error", "P009", "the bleed is under 3 mm", number)
    if ok:
        page = pdf.pages[0]
        trim, bleed, media = (_box(page, n) or [] for n in ("/TrimBox", "/BleedBox",
                                                              "/MediaBox"))
        yield Finding("info", "P005", f"TrimBox and BleedBox on all {len(pdf.pages)} pages; "
                      f"bleed {(trim[0] - bleed[0]) / MM:.1f} mm, slug "
                      f"{(bleed[0] - media[0]) / MM:.1f} mm")


def _colour(paint: Paint) -> Iterator[Finding]:
    rgb = {op: n for op, n in paint.colour_operators.items() if op in ("rg", "RG")}
    if rgb or paint.rgb_spaces:
        found = [f"{n} {op}" for op, n in sorted(rgb.items())] + sorted(paint.rgb_spaces)
        yield Finding("error", "P010", "RGB colour in the page content: "
                      + ", ".join(found) + "; the press prints CMYK")
    else:
        yield Finding("info", "P010", "no RGB colour operators or spaces")
    total = len(paint.text)
    pure = sum(1 for _, c, s, _ in paint.text if is_pure_k(c, s))
    small = [(p, c, size) for p, c, s, size in paint.text
             if size < SMALL_TEXT_PT - 0.01 and plates(c, s) > 1]
    for page, colour, size in small[:5]:
        values = " ".join(f"{v:g}" for v in colour)
        yield Finding("error", "P011", f"{size:.1f} pt text on more than one plate "
                      f"({values}); small text must be black only", page)
    if total:
        yield Finding("info", "P011", f"text: {pure} of {total} runs on the black "
                      f"plate only; the rest is {SMALL_TEXT_PT:g} pt or larger")


def _marks(pdf: Any, paint: Paint) -> Iterator[Finding]:
    pages = {p for p, _, _ in paint.marks}
    for number, page in enumerate(pdf.pages, start=1):
        bleed, trim = _box(page, "/BleedBox"), _box(page, "/TrimBox")
        if number not in pages:
            yield Finding("error", "P012", "no crop marks in registration colour",
                          number)
            continue
        if bleed is None or trim is None:
            continue
        for _, segment, _ in (m for m in paint.marks if m[0] == number):
            if not _outside(segment, bleed) or not _outside(segment, trim,
                                                            MIN_MARK_GAP_MM * MM - 0.01):
                yield Finding("error", "P013", "a mark reaches into the bleed or "
                              f"within {MIN_MARK_GAP_MM:g} mm of the trim", number)
                break
    if pages == set(range(1, len(pdf.pages) + 1)):
        yield Finding("info", "P012", f"{len(paint.marks)} marks in registration colour, "
                      "all outside the bleed")


def _fonts(pdf: Any) -> Iterator[Finding]:
    """Every font the pages use must be embedded: the press has none of them."""
    seen: dict[str, bool] = {}
    for page in pdf.pages:
        for font in page.obj.get("/Resources", {}).get("/Font", {}).values():
            target = font.DescendantFonts[0] if "/DescendantFonts" in font else font
            descriptor = target.get("/FontDescriptor", {})
            seen[str(font.get("/BaseFont", "?"))] = any(
                key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")) or (
                font.get("/Subtype") == "/Type3")
    missing = sorted(name.lstrip("/") for name, embedded in seen.items() if not embedded)
    if missing:
        yield Finding("error", "P014", f"fonts not embedded: {', '.join(missing)}")
    elif seen:
        yield Finding("info", "P014", f"all {len(seen)} fonts embedded")


def _lines(paint: Paint) -> Iterator[Finding]:
    if not paint.lines:
        return
    page, thinnest = min(paint.lines, key=lambda item: item[1])
    if thinnest < MIN_LINE_PT - 0.001:
        yield Finding("warning", "P015", f"a line of {thinnest:.2f} pt; lines under "
                      f"{MIN_LINE_PT:g} pt may not print", page)
    else:
        yield Finding("info", "P015", f"thinnest line {thinnest:.2f} pt")


def _images(paint: Paint) -> Iterator[Finding]:
    if not paint.images:
        yield Finding("info", "P016", "no raster images (everything is vector)")
        return
    for page, name, ppi in paint.images:
        if ppi < PPI_ERROR:
            yield Finding("error", "P016", f"image {name} is {ppi:.0f} ppi at "
                          f"its placed size; under {PPI_ERROR} it prints blurred", page)
        elif ppi < PPI_WARNING:
            yield Finding("warning", "P016", f"image {name} is {ppi:.0f} ppi at "
                          f"its placed size; {PPI_WARNING} is the print standard", page)
    low = min(ppi for _, _, ppi in paint.images)
    yield Finding("info", "P016", f"{len(paint.images)} images, lowest {low:.0f} ppi")


def _ink(pdf_path: Path, bleeds: list[list[float]], heights: list[float]) -> Iterator[Finding]:
    try:
        pages = render_cmyk(pdf_path, dpi=INK_DPI)
    except (FileNotFoundError, subprocess.SubprocessError, OSError):
        yield Finding("warning", "P017", "total ink not measured: install mupdf-tools "
                      "(mutool) to render the pages in CMYK")
        return
    highest, clean = 0.0, True
    for number, (width, _, pixels) in enumerate(pages, start=1):
        # Only what is printed and kept: the marks in the slug are solid on every plate.
        x0, y0, x1, y1 = (v * INK_DPI / 72 for v in bleeds[number - 1])
        top = heights[number - 1] * INK_DPI / 72
        area = (math.ceil(x0), math.ceil(top - y1), math.floor(x1), math.floor(top - y0))
        ink = max_ink(width, pixels, area)
        # One pixel of slack: the pixels the bleed's edge runs through are partly inside.
        grown = (math.floor(x0) - 1, math.floor(top - y1) - 1, math.ceil(x1) + 1,
                 math.ceil(top - y0) + 1)
        if stray := slug_content(width, pixels, grown):
            clean = False
            yield Finding("error", "P019", f"{stray} pixels of the page's content "
                          "outside the bleed; only the marks belong in the slug", number)
        highest = max(highest, ink)
        if ink > INK_LIMIT:
            yield Finding("warning", "P018", f"total ink reaches {ink:.0f}%; over "
                          f"{INK_LIMIT}% can set off or dry slowly", number)
    yield Finding("info", "P018", f"highest total ink {highest:.0f}% (limit {INK_LIMIT}%)")
    if clean:
        yield Finding("info", "P019", "nothing but the marks outside the bleed")


def preflight(pdf_path: Path) -> list[Finding]:
    """Return every finding of the prepress check for one print-shop PDF."""
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf_path.read_bytes())) as pdf:
        paint = walk(pdf)
        found = [*_pdfx(pdf), *_boxes(pdf), *_colour(paint), *_marks(pdf, paint),
                 *_fonts(pdf), *_lines(paint), *_images(paint)]
        media = [_box(page, "/MediaBox") or [0, 0, 0, 0] for page in pdf.pages]
        bleeds = [_box(page, "/BleedBox") or box for page, box in zip(pdf.pages, media,
                                                                          strict=True)]
    found.extend(_ink(pdf_path, bleeds, [box[3] for box in media]))
    return found
