"""Read back what a reader of a PDF gets: pages, text in order, fonts, tags, metadata."""

from __future__ import annotations

import re
from pathlib import Path

from pypdf import PdfReader


def text(path: Path) -> str:
    """Return all page text, whitespace collapsed, dashes normalised."""
    reader = PdfReader(path)
    raw = " ".join(page.extract_text() or "" for page in reader.pages)
    raw = raw.replace("\u2013", "-").replace("\u2014", "-").replace("\u00ad", "")
    return re.sub(r"\s+", " ", raw)


def fonts(path: Path) -> set[tuple[str, bool]]:
    """Return (font name, embedded?) for every font the pages use."""
    found: set[tuple[str, bool]] = set()
    for page in PdfReader(path).pages:
        resources = page.get("/Resources") or {}
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            target = descendants[0].get_object() if descendants else font
            descriptor = target.get("/FontDescriptor")
            embedded = bool(descriptor) and any(
                k in descriptor.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            found.add((str(font["/BaseFont"]), embedded))
    return found


def raw_text(path: Path) -> str:
    """Return each page's text as pypdf extracts it, pages joined by newlines."""
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def audit(path: Path) -> list[str]:
    """Return what ``brochure check``'s PDF audit finds in one PDF, as 'code: message'."""
    from brochure.checks.pdfaudit import audit_pdf

    return [f"{i.code}: {i.message}" for i in audit_pdf(path.read_bytes())]
