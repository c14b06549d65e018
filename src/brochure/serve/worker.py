"""What a preview worker process does: render one brochure to a PDF and page images, or check it.

A worker is started once and kept: it imports WeasyPrint, pdfplumber and the syllable
dictionary when it starts, and keeps WeasyPrint's font configuration and image cache, so
a preview after an edit costs one warm render. Each request reloads the project (a few
milliseconds), so a worker always renders the files as they are now.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import os
import signal
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from brochure.catalogue.batch import Limits, Outcome, run_one
from brochure.catalogue.matrix import Job
from brochure.catalogue.work import describe
from brochure.checks.findings import BrochureReport
from brochure.compose.brochure import Brochure, assemble
from brochure.content.outfile import atomic_write
from brochure.content.project import Project, load_project

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

_STATE: dict[str, Any] = {}
PNGS_KEPT = 200  # page images kept for reuse by one worker: about 30 MB
_PNGS: OrderedDict[bytes, bytes] = OrderedDict()


def page_file(folder: Path, number: int) -> Path:
    """Return the image of page ``number`` (1-based) in a render's folder."""
    return folder / f"page-{number}.png"


def _brochure(project: Project, job: Job) -> Brochure:
    if job.condition not in project.conditions:
        from brochure.errors import UsageError

        raise UsageError(f"the condition '{job.condition}' is no longer in the project")
    return assemble(project, project.conditions[job.condition], layout=project.layout(job.layout),
                    paper=job.paper, print_shop=job.print_shop)


def _render(root: Path, roots: tuple[Path, ...], images: dict[str, Any],
            request: RenderRequest) -> Rendered:
    import pypdfium2

    from brochure.catalogue.produce import produce

    b = _brochure(load_project(root), request.job)
    done = produce(b, root=root, roots=roots, out_dir=request.folder,
                   within=request.within, images=images)
    pdf_path = done.outputs[0]
    sizes: list[tuple[int, int, str]] = []
    document = pypdfium2.PdfDocument(pdf_path.read_bytes())
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
    return Rendered(title=b.title, pdf=pdf_path.name, pages=tuple(sizes),
                    warnings=tuple(done.warnings))


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


def _check(root: Path, request: CheckRequest) -> BrochureReport:
    """Run what ``brochure check`` runs on one brochure, on the PDF the preview shows."""
    from brochure.checks.run import content_report, pdf_report

    project = load_project(root)
    b = _brochure(project, request.job)
    report = content_report(b, today=request.today, clinic_source=project.clinic_source)
    warnings = [w.split(": ", 1)[-1] for w in request.warnings]  # without the file name
    report.findings.extend(pdf_report(b, request.pdf.read_bytes(), warnings))
    return report


def setup(root: Path, limits: Limits, niceness: int = 0) -> None:
    """Prepare a worker: ignore Ctrl-C (the server stops its workers) and import what renders.

    ``niceness`` lowers the worker's CPU priority: checks are background work and must
    not slow down a render, or the browser showing it.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if niceness:
        with contextlib.suppress(OSError, AttributeError):
            os.nice(niceness)
    from brochure.catalogue.batch import _limit_memory
    from brochure.checks.readability import analyse
    from brochure.content.assets import render_roots

    _limit_memory(limits.memory_mb)
    import pdfplumber  # noqa: F401
    import pypdfium2  # noqa: F401
    import weasyprint  # noqa: F401

    analyse("You rest.")  # loads the syllable dictionary once
    roots = render_roots(root)
    images: dict[str, Any] = {}

    def task(request: Request) -> Rendered | BrochureReport:
        if isinstance(request, RenderRequest):
            return _render(root, roots, images, request)
        return _check(root, request)

    _STATE["task"], _STATE["limits"] = task, limits


def work(request: Request) -> Outcome[Request, Any]:
    """Run one request in this worker, under the time limit; failures become messages."""
    task: Callable[[Request], Any] = _STATE["task"]
    return run_one(task, request, _STATE["limits"], describe)
