"""Plan a build: the matrix of outputs, what each one reads, and which are up to date.

An output is rebuilt only when the hash of its inputs changed: the content files it uses
(its condition, the topics it includes, clinic.yaml), every file of the project's assets/,
styles/ and templates/ (images and fonts used from stylesheets among them), the fonts, the
layout table, the tool itself and the build options. A layout's stylesheet, and the
template of a project's own layout, are inputs of that layout's outputs only.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from brochure import __version__
from brochure.catalogue.manifest import Entry, inputs_hash
from brochure.content.assets import (
    PACKAGE_DIR,
    package_styles_dir,
    package_templates_dir,
    style_path,
)
from brochure.content.project import Project
from brochure.errors import ContentError, Problem, display_path
from brochure.fonts import font_files
from brochure.recipe.job import Job, Options
from brochure.safefile import Refused, walk_files


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


def _own_templates(project: Project, found: list[Path]) -> set[str]:
    """Return the project's templates that only the layouts naming them read.

    That is the template of a project's own layout, when it is no package template's name
    (a copy of handout.html.j2 changes every handout) and no other template of the project
    extends, includes or imports it. A template that names one it includes by an
    expression, or that cannot be read, keeps them all shared: it might name any.
    """
    folder = project.root / "templates"
    named = {lay.template for lay in project.layouts.values() if lay.own}
    own = {name for name in named if (folder / name).is_file()
           and not os.path.lexists(package_templates_dir() / name)}
    if not own:
        return set()
    import jinja2
    import jinja2.meta

    from brochure.compose.html import environment

    env = environment(project.root)
    for path in found:
        if not path.name.endswith(".j2"):
            continue
        try:
            tree = env.parse(path.read_text("utf-8"))
        except (OSError, UnicodeDecodeError, jinja2.TemplateSyntaxError):
            return set()
        for name in jinja2.meta.find_referenced_templates(tree):
            if name is None:
                return set()
            if name != path.relative_to(folder).as_posix():
                own.discard(name)
    return own


def _shared_files(project: Project) -> tuple[dict[str, Path], set[str]]:
    """Return the files every output of a project reads, labelled by where they sit.

    That is every file a brochure can reach: all of the project's assets/, styles/ and
    templates/ (an image used from a stylesheet, a font), and the package's own; and,
    left out of those, the project's templates only their own layouts read. A link out of
    the project or a FIFO among them stops the build with a message.
    """
    root = project.root
    files: dict[str, Path] = {"clinic.yaml": project.clinic_source.file}
    own: set[str] = set()
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
        if label == "templates":
            own = _own_templates(project, found)
        # A stylesheet is an input of the layouts that use it (below), so changing the
        # tri-fold's rebuilds only tri-folds; the images and fonts beside it reach all.
        # So is the template of a project's own layout that no other template reads.
        files.update({f"{label}/{p.relative_to(folder).as_posix()}": p for p in found
                      if (not (label.endswith("styles-all") or label == "package-styles")
                          or p.suffix != ".css")
                      and not (label == "templates"
                               and p.relative_to(folder).as_posix() in own)})
    for path, _, _ in font_files():
        files[f"fonts/{path.name}"] = path
    return files, own


def plan(project: Project, jobs: list[Job], options: Options) -> list[Planned]:
    """Return each job with the hash of its inputs."""
    shared, own_templates = _shared_files(project)
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
        layout = project.layout(job.layout)
        for name in ("base.css", layout.stylesheet):
            files[f"styles/{name}"] = style_path(project.root, name)
        if layout.template in own_templates:
            files[f"templates/{layout.template}"] = project.root / "templates" / layout.template
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

