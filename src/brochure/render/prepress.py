"""Finish a print-shop PDF/X-4: a slug round the bleed, crop and fold marks, boxes, intent.

WeasyPrint writes the page as its bleed box (MediaBox = BleedBox, with a negative origin)
and draws crop marks inside the bleed, where a bleeding colour band paints over them. A
print shop's preflight wants the marks outside the bleed, in a slug, in registration
colour. WeasyPrint has no slug and no registration colour, so this stage rewrites the page
geometry with pikepdf (qpdf): it moves the page to the origin, adds the slug, writes the
boxes exactly, and draws the marks on top.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import re
import uuid
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

MM = 72 / 25.4
SLUG_MM = 8.0  # beyond the bleed: the marks (1 mm + 5 mm) and 2 mm of clear paper
MARK_GAP_MM = 1.0  # between the bleed and where a mark starts
MARK_MM = 5.0  # length of a crop or fold mark
MARK_WIDTH = 0.25  # pt
FOLD_DASH = (2.0, 1.5)  # pt: fold marks are dashed, crop marks solid


@dataclass(frozen=True)
class Geometry:
    """Where the trim, bleed and marks sit on a finished page, in PDF points."""

    width: float  # the trimmed page
    height: float
    bleed: float
    slug: float = SLUG_MM * MM

    @property
    def shift(self) -> float:
        """Return the distance from the MediaBox edge to the trim."""
        return self.bleed + self.slug

    @property
    def mark_offset(self) -> float:
        """Return how far outside the trim every mark starts."""
        return self.bleed + MARK_GAP_MM * MM

    def media(self) -> list[float]:
        """Return the MediaBox: the bleed plus the slug, from the origin."""
        return [0, 0, self.width + 2 * self.shift, self.height + 2 * self.shift]

    def trim(self) -> list[float]:
        """Return the TrimBox: the finished page."""
        d = self.shift
        return [d, d, d + self.width, d + self.height]

    def bleed_box(self) -> list[float]:
        """Return the BleedBox: the trim plus the bleed on every side."""
        x0, y0, x1, y1 = self.trim()
        b = self.bleed
        return [x0 - b, y0 - b, x1 + b, y1 + b]

    def crop_marks(self) -> list[tuple[float, float, float, float]]:
        """Return the crop marks as lines (x0, y0, x1, y1): two at each corner."""
        x0, y0, x1, y1 = self.trim()
        o, n = self.mark_offset, MARK_MM * MM
        lines = []
        for x, sx in ((x0, -1), (x1, 1)):
            for y, sy in ((y0, -1), (y1, 1)):
                lines.append((x + sx * o, y, x + sx * (o + n), y))  # along the trim's y
                lines.append((x, y + sy * o, x, y + sy * (o + n)))  # along the trim's x
        return lines

    def fold_marks(self, folds: Sequence[float]) -> list[tuple[float, float, float, float]]:
        """Return a fold mark above and below the page at each fold (pt from the trim's left)."""
        x0, y0, _, y1 = self.trim()
        o, n = self.mark_offset, MARK_MM * MM
        lines = []
        for fold in folds:
            x = x0 + fold
            lines.append((x, y1 + o, x, y1 + o + n))
            lines.append((x, y0 - o, x, y0 - o - n))
        return lines


def _number(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")


def _lines(lines: Sequence[tuple[float, float, float, float]]) -> str:
    return "".join(f"{_number(a)} {_number(b)} m {_number(c)} {_number(d)} l S\n"
                   for a, b, c, d in lines)


def marks_content(geometry: Geometry, folds: Sequence[float]) -> bytes:
    """Return the content stream that draws the marks in registration colour (all plates)."""
    text = (f"q /BrochureRegistration CS 1 SCN {_number(MARK_WIDTH)} w 0 J 0 j [] 0 d\n"
            + _lines(geometry.crop_marks()))
    if folds:
        dash = " ".join(_number(v) for v in FOLD_DASH)
        text += f"[{dash}] 0 d\n" + _lines(geometry.fold_marks(folds))
    return (text + "Q\n").encode("ascii")


def _registration(pdf: Any) -> Any:
    """Return the registration colour: a Separation named All, 100% on every plate."""
    import pikepdf

    tint = pdf.make_indirect(pikepdf.Dictionary(
        FunctionType=2, Domain=[0, 1], C0=[0, 0, 0, 0], C1=[1, 1, 1, 1], N=1))
    return pdf.make_indirect(pikepdf.Array(
        [pikepdf.Name.Separation, pikepdf.Name.All, pikepdf.Name.DeviceCMYK, tint]))


def _shift_destination(dest: Any, by: float) -> None:
    """Move an explicit destination [page /XYZ left top zoom] with the page content."""
    import pikepdf

    if isinstance(dest, pikepdf.Array) and len(dest) >= 4 and dest[1] == pikepdf.Name.XYZ:
        for i in (2, 3):
            if isinstance(dest[i], int | float | pikepdf.Object) and dest[i] is not None:
                with contextlib.suppress(TypeError, ValueError):  # null: the viewer's own
                    dest[i] = float(dest[i]) + by


def _shift_outlines(item: Any, by: float) -> None:
    import pikepdf

    while isinstance(item, pikepdf.Dictionary):
        if "/Dest" in item:
            _shift_destination(item.Dest, by)
        if "/A" in item and "/D" in item.A:
            _shift_destination(item.A.D, by)
        if "/First" in item:
            _shift_outlines(item.First, by)
        item = item.get("/Next")


def _shift_names(node: Any, by: float) -> None:
    import pikepdf

    if "/Names" in node:
        names = node.Names
        for i in range(1, len(names), 2):
            dest = names[i]
            if isinstance(dest, pikepdf.Dictionary) and "/D" in dest:
                dest = dest.D
            _shift_destination(dest, by)
    for kid in node.get("/Kids", []):
        _shift_names(kid, by)


def _stable_document_id(pdf: Any) -> None:
    """Replace WeasyPrint's random XMP DocumentID with one derived from the file's /ID.

    PDF/X-4 asks for a DocumentID; a random one would make every build differ, and the
    same content must give the same file.
    """
    if "/Metadata" not in pdf.Root or "/ID" not in pdf.trailer:
        return
    stable = uuid.UUID(bytes=hashlib.sha256(bytes(pdf.trailer.ID[0])).digest()[:16])
    xmp = pdf.Root.Metadata.read_bytes()
    fixed = re.sub(rb"xmp\.did:[0-9a-fA-F-]{36}", f"xmp.did:{stable}".encode("ascii"), xmp)
    if fixed != xmp:
        pdf.Root.Metadata.write(fixed)


def finish(pdf_bytes: bytes, *, bleed: float, folds: Sequence[Sequence[float]] = (),
           profile_name: str = "", profile: bytes | None = None) -> bytes:
    """Return the PDF/X-4 with slug, boxes, marks and output intent a print shop expects.

    ``bleed`` is in points; ``folds[i]`` lists page i's folds in points from the trim's
    left edge. Links are removed: PDF/X allows no link annotations on the printed page,
    and paper has nothing to click. ``profile`` is the press profile's file: embedded as
    it is, since WeasyPrint writes the profile as LittleCMS re-serialises it, which
    changes once its description has been read (and so between two renders).
    """
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        registration = _registration(pdf)
        shift = 0.0
        for number, page in enumerate(pdf.pages):
            trim = [float(v) for v in page.obj.TrimBox]
            geometry = Geometry(width=trim[2] - trim[0], height=trim[3] - trim[1],
                                bleed=bleed)
            # Move the trim's lower left corner from where WeasyPrint put it to the slug's.
            shift = geometry.shift
            dx, dy = shift - trim[0], shift - trim[1]
            page.contents_coalesce()
            page.contents_add(pdf.make_stream(
                f"q 1 0 0 1 {_number(dx)} {_number(dy)} cm\n".encode("ascii")), prepend=True)
            page.contents_add(pdf.make_stream(b"Q\n"))
            page_folds = folds[number] if number < len(folds) else ()
            page.contents_add(pdf.make_stream(marks_content(geometry, page_folds)))
            # Rounded as the marks are, so a mark along the trim has the trim's coordinate.
            page.obj.MediaBox = [round(v, 3) for v in geometry.media()]
            page.obj.TrimBox = [round(v, 3) for v in geometry.trim()]
            page.obj.BleedBox = [round(v, 3) for v in geometry.bleed_box()]
            for box in ("/CropBox", "/ArtBox", "/Annots"):
                if box in page.obj:
                    del page.obj[box]
            resources = page.obj.Resources
            if "/ColorSpace" not in resources:
                resources.ColorSpace = pikepdf.Dictionary()
            resources.ColorSpace.BrochureRegistration = registration
        root = pdf.Root
        if "/Outlines" in root and "/First" in root.Outlines:
            _shift_outlines(root.Outlines.First, shift)
        if "/Names" in root and "/Dests" in root.Names:
            _shift_names(root.Names.Dests, shift)
        for intent in root.get("/OutputIntents", []):
            if profile is not None and "/DestOutputProfile" in intent:
                intent.DestOutputProfile.write(zlib.compress(profile, 9),
                                               filter=pikepdf.Name.FlateDecode)
            if profile_name:
                intent.OutputConditionIdentifier = pikepdf.String(profile_name)
                intent.OutputCondition = pikepdf.String(profile_name)
                intent.Info = pikepdf.String(profile_name)
        _stable_document_id(pdf)
        # PDF/X-4 names itself in the XMP (WeasyPrint writes it); readers that look for
        # the older document-information key find it there too.
        pdf.docinfo[pikepdf.Name.GTS_PDFXVersion] = pikepdf.String("PDF/X-4")
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True, min_version="1.6",
                 object_stream_mode=pikepdf.ObjectStreamMode.preserve)
    return out.getvalue()
