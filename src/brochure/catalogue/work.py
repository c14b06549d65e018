"""One build job, as a worker process runs it: compose, render and write one brochure.

``setup`` runs once per worker and keeps what every job shares: the validated project,
the folders the renderer may read, and (inside WeasyPrint's render module) the font
configuration. The task it returns builds one job and reports what it wrote.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from brochure.catalogue.matrix import Job
from brochure.catalogue.plan import Options
from brochure.compose.brochure import assemble
from brochure.content.layouts import get_layout
from brochure.content.project import Project
from brochure.errors import BrochureError


@dataclass(frozen=True)
class Made:
    """What one job wrote."""

    outputs: tuple[str, ...]  # file names in the output folder, the PDF first
    pages: int
    bytes: int
    warnings: tuple[str, ...]


def setup(project: Project, out_dir: Path, within: Path,
          options: Options) -> Callable[[Job], Made]:
    """Return the task that builds one job of ``project`` into ``out_dir`` (real: ``within``)."""
    from brochure.catalogue.produce import produce
    from brochure.content.assets import render_roots

    roots = render_roots(project.root)
    images: dict[str, Any] = {}  # decoded images, shared by this worker's jobs

    def task(job: Job) -> Made:
        brochure = assemble(project, project.conditions[job.condition],
                            layout=get_layout(job.layout), paper=job.paper,
                            topics=list(options.topics) if options.topics is not None else None,
                            location=options.location, print_shop=job.print_shop,
                            language=job.language, allow_fallback=options.allow_fallback)
        done = produce(brochure, root=project.root, roots=roots, out_dir=out_dir, within=within,
                       html=options.html, images=images, strict=options.strict,
                       archive=options.archive, ignore=options.ignore)
        pdf = done.outputs[0]
        return Made(outputs=tuple(p.name for p in [*done.outputs, *done.html]),
                    pages=done.pages, bytes=pdf.stat().st_size,
                    warnings=tuple(done.warnings))

    return task


def describe(exc: BaseException) -> str:
    """Return the one-line (or, for several problems, few-line) reason a job failed."""
    if isinstance(exc, BrochureError):
        return "\n".join(exc.lines())
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{exc.strerror or exc}"
    return (f"internal error ({type(exc).__name__}: {exc}); this is a bug in brochure: "
            "please report it with the command you ran")
