"""What a preview worker process does: render one brochure to a PDF and page images, or check it.

A worker (brochure.engine) is started once and kept: it imports WeasyPrint when it
starts, pdfplumber and the syllable dictionary with its first request, and keeps
WeasyPrint's font configuration and image cache, so a preview after an edit costs one
warm render. Each request reloads the project (a few milliseconds), so a worker always
renders the files as they are now.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from brochure.checks.findings import BrochureReport
from brochure.content.outfile import atomic_write
from brochure.content.project import load_project
from brochure.recipe.job import Job

PAGE_SCALE = 1.25  # page images at 90 dpi: sharp enough to read, quick to make and send


@dataclass(frozen=True)
class RenderRequest:
    """Render ``job`` into ``folder``, inside the server's store ``within``: the PDF and PNGs."""

    job: Job
    folder: Path
    within: Path  # the store, resolved when the server started


@dataclass(frozen=True)
class Rendered:
    """What a render wrote into its folder."""

    title: str
    pdf: str  # the PDF's file name
    pages: tuple[tuple[int, int, str], ...]  # each page image's width, height and digest
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class CheckRequest:
    """Run ``brochure check``'s content checks and PDF audit for ``job`` on a rendered PDF."""

    job: Job
    pdf: Path
    warnings: tuple[str, ...]
    today: dt.date


Request = RenderRequest | CheckRequest

PNGS_KEPT = 200  # page images kept for reuse by one worker: about 30 MB
_PNGS: OrderedDict[bytes, bytes] = OrderedDict()


def page_file(folder: Path, number: int) -> Path:
    """Return the image of page ``number`` (1-based) in a render's folder."""
    return folder / f"page-{number}.png"


def render_preview(root: Path, images: dict[str, Any], request: RenderRequest) -> Rendered:
    """Make the request's brochure with the recipe; write its files and page images."""
    import pypdfium2

    from brochure.recipe.make import make

    made = make(load_project(root), request.job, images=images)
    # The preview is the build's own file: its PDF first, then its copies.
    for name, data in made.files:
        atomic_write(request.folder / name, data, kind=name.rsplit(".", 1)[-1],
                     within=request.within)
    sizes: list[tuple[int, int, str]] = []
    document = pypdfium2.PdfDocument(made.pdf)
    try:
        for number, page in enumerate(document, start=1):
            bitmap = page.render(scale=PAGE_SCALE)
            data = _png(bitmap)
            atomic_write(page_file(request.folder, number), data, kind="png",
                         within=request.within)
            # Named by content: a page an edit did not change keeps its address, so the
            # browser shows it from its cache instead of loading it again.
            sizes.append((bitmap.width, bitmap.height, hashlib.sha256(data).hexdigest()[:20]))
            page.close()
    finally:
        document.close()
    return Rendered(title=made.brochure.title, pdf=made.name, pages=tuple(sizes),
                    warnings=made.notes)


def _png(bitmap: Any) -> bytes:
    """Return a page bitmap as PNG, reusing the PNG of an identical bitmap made before.

    Encoding is most of the time a page image takes; an edit usually changes a page or
    two, so the others come from this cache of recent pages.
    """
    key = hashlib.blake2b(memoryview(bitmap.buffer), digest_size=16).digest()
    data = _PNGS.get(key)
    if data is None:
        png = io.BytesIO()
        # Fast compression: the image is read once, from this machine.
        bitmap.to_pil().save(png, format="PNG", compress_level=1)
        data = _PNGS[key] = png.getvalue()
        while len(_PNGS) > PNGS_KEPT:
            _PNGS.popitem(last=False)
    else:
        _PNGS.move_to_end(key)
    return data


def check_preview(root: Path, request: CheckRequest) -> BrochureReport:
    """Run what ``brochure check`` runs on one brochure, on the PDF the preview shows.

    The content checks are those of the preview's language; the audit reads the preview's
    own file, which is the build's.
    """
    from brochure.checks.run import language_report, pdf_report
    from brochure.recipe.make import compose

    project = load_project(root)
    if request.job.condition not in project.conditions:
        from brochure.errors import UsageError

        raise UsageError(f"the condition '{request.job.condition}' is no longer in the project")
    report = language_report(project, request.job, today=request.today)
    pdf = request.pdf.read_bytes()
    report.audited[request.pdf.name] = hashlib.sha256(pdf).hexdigest()
    warnings = [w.split(": ", 1)[-1] for w in request.warnings]  # without the file name
    report.findings.extend(pdf_report(compose(project, request.job), pdf, warnings))
    return report


def setup(root: Path) -> Callable[[Request], Rendered | BrochureReport]:
    """Prepare a worker for the project at ``root``: import what renders and checks, once.

    The engine runs the task it returns, one request at a time, within the server's
    limits (and, for checks, at a lower CPU priority).
    """
    import pdfplumber  # noqa: F401
    import pypdfium2  # noqa: F401
    import weasyprint  # noqa: F401

    from brochure.checks.readability import analyse

    analyse("You rest.")  # loads the syllable dictionary once
    images: dict[str, Any] = {}

    def task(request: Request) -> Rendered | BrochureReport:
        if isinstance(request, RenderRequest):
            return render_preview(root, images, request)
        return check_preview(root, request)

    return task
