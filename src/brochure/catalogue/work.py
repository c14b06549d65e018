"""One build job, as a worker process runs it: make one brochure (the recipe) and write it.

``setup`` runs once per worker and keeps what every job shares: the validated project,
the folders the renderer may read, and (inside WeasyPrint's render module) the font
configuration. The task it returns builds one job and reports what it wrote.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from brochure.content.outfile import atomic_write
from brochure.content.project import Project
from brochure.errors import BrochureError
from brochure.recipe.job import Job, Options

if TYPE_CHECKING:
    from brochure.render.pdf import Render


@dataclass(frozen=True)
class Made:
    """What one job wrote."""

    outputs: tuple[str, ...]  # file names in the output folder, the PDF first
    pages: int
    bytes: int
    warnings: tuple[str, ...]


def setup(project: Project, out_dir: Path, within: Path, options: Options,
          render: Render | None = None) -> Callable[[Job], Made]:
    """Return the task that builds one job of ``project`` into ``out_dir`` (real: ``within``).

    ``render`` lays the pages out: in this process by default, or an engine's worker
    (a one-brochure build composes here while its worker imported WeasyPrint).
    """
    from brochure.recipe.make import make
    from brochure.render.pdf import render_pdf

    lay_out = render or render_pdf

    images: dict[str, Any] = {}  # decoded images, shared by this worker's jobs

    def task(job: Job) -> Made:
        made = make(project, job, options, images=images, render=lay_out)
        # Every file of the brochure is made before the first is written: one that fails
        # (a fit, a strict warning) leaves nothing behind.
        for name, data in made.files:
            atomic_write(out_dir / name, data, kind=name.rsplit(".", 1)[-1], within=within)
        return Made(outputs=tuple(name for name, _ in made.files), pages=made.pages,
                    bytes=len(made.pdf), warnings=made.notes)

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
