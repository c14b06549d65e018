"""Plan a build: the matrix of outputs, what each one reads, and which are up to date.

An output is rebuilt only when the hash of its inputs changed: the content files it uses
(its condition, the topics it includes, clinic.yaml), every file of the project's assets/,
styles/ and templates/ (images and fonts used from stylesheets among them), the fonts, the
layout table, the tool itself and the build options.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from brochure import __version__
from brochure.catalogue.manifest import Entry, inputs_hash
from brochure.catalogue.matrix import Job
from brochure.content.assets import (
    PACKAGE_DIR,
    font_files,
    package_styles_dir,
    package_templates_dir,
    style_path,
)
from brochure.content.layouts import get_layout
from brochure.content.project import Project
from brochure.content.safefile import Refused, walk_files
from brochure.errors import ContentError, Problem, display_path


@dataclass(frozen=True)
class Options:
    """Build options that change what an output looks like (part of its inputs hash)."""

    topics: tuple[str, ...] | None = None
    location: str | None = None
    html: bool = False
    strict: bool = False  # a WeasyPrint warning fails the brochure instead of being reported
    archive: bool = False  # also a PDF/A-2u copy of each office PDF, for the records
    allow_fallback: bool = False  # untranslated parts in the default language, marked
    # Codes whose warnings neither fail a strict build nor print (brochure.codes); hashed
    # with --strict only, where they decide whether the file is written.
    ignore: tuple[str, ...] = ()


@dataclass(frozen=True)
class Planned:
    """One job of the matrix and the hash of everything it reads."""

    job: Job
    inputs: str


@cache
def tool_digest() -> str:
    """Return a digest of the tool's own code and data, so an upgrade rebuilds everything."""
    h = hashlib.sha256(__version__.encode())
    for path in sorted(PACKAGE_DIR.rglob("*")):
        if path.is_file() and path.suffix in {".py", ".yaml", ".j2", ".css", ".txt", ".po"}:
            h.update(f"{path.relative_to(PACKAGE_DIR).as_posix()}\0".encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def _shared_files(project: Project) -> dict[str, Path]:
    """Return the files every output of a project reads, labelled by where they sit.

    That is every file a brochure can reach: all of the project's assets/, styles/ and
    templates/ (an image used from a stylesheet, a font), and the package's own. A link
    out of the project or a FIFO among them stops the build with a message.
    """
    root = project.root
    files: dict[str, Path] = {"clinic.yaml": project.clinic_source.file}
    for folder, label, within in (
            (package_templates_dir(), "package-templates", package_templates_dir()),
            (package_styles_dir(), "package-styles", package_styles_dir()),
            (root / "templates", "templates", root), (root / "styles", "styles-all", root),
            (root / "assets", "assets", root)):
        if not os.path.lexists(folder):
            continue
        try:
            found = list(walk_files(folder, (within,)))
        except Refused as exc:
            raise ContentError([Problem(display_path(exc.path), 1, 1, "", exc.reason)]) \
                from None
        # A stylesheet is an input of the layouts that use it (below), so changing the
        # tri-fold's rebuilds only tri-folds; the images and fonts beside it reach all.
        files.update({f"{label}/{p.relative_to(folder).as_posix()}": p for p in found
                      if not (label.endswith("styles-all") or label == "package-styles")
                      or p.suffix != ".css"})
    for path, _, _ in font_files():
        files[f"fonts/{path.name}"] = path
    return files


def plan(project: Project, jobs: list[Job], options: Options) -> list[Planned]:
    """Return each job with the hash of its inputs."""
    shared = _shared_files(project)
    planned: list[Planned] = []
    for job in jobs:
        condition = project.conditions[job.condition]
        topic_ids = options.topics if options.topics is not None else condition.model.topics
        files = dict(shared)
        files[f"conditions/{job.condition}"] = condition.source.file
        files.update({f"topics/{t}": project.topics[t].source.file for t in topic_ids})
        if job.language != project.language:
            # The language's own files: a new or changed translation rebuilds its outputs.
            tr = project.translation(job.language)
            if job.condition in tr.conditions:
                files[f"conditions/{job.condition}.{job.language}"] = \
                    tr.conditions[job.condition].source.file
            files.update({f"topics/{t}.{job.language}": tr.topics[t].source.file
                          for t in topic_ids if t in tr.topics})
            if tr.clinic is not None:
                files[f"clinic.{job.language}.yaml"] = tr.clinic.source.file
        layout = get_layout(job.layout)
        for name in ("base.css", layout.stylesheet):
            files[f"styles/{name}"] = style_path(project.root, name)
        settings = {"job": [job.condition, job.layout, job.paper, job.language,
                            job.print_shop],
                    "topics": options.topics, "location": options.location,
                    "html": options.html, "strict": options.strict, "archive": options.archive,
                    "allow_fallback": options.allow_fallback,
                    "ignore": list(options.ignore) if options.strict else [],
                    "tool": tool_digest()}
        planned.append(Planned(job, inputs_hash(files, settings)))
    return planned


def up_to_date(planned: Planned, previous: Entry | None, out_dir: Path) -> bool:
    """Return True when the last build of this output used the same inputs and is intact."""
    if previous is None or previous.inputs != planned.inputs:
        return False
    main = out_dir / planned.job.name
    try:
        if main.stat().st_size != previous.bytes:
            return False
    except OSError:
        return False
    return all((out_dir / name).is_file() for name in previous.files)

