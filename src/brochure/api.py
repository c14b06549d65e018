"""The library calls behind each command: ``brochure.build(...)`` and ``brochure.list_project``.

Keyword-only options, so a clinic can script builds without the command line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from brochure.assets import template_sources
from brochure.checking import CheckResult, check_brochures, render_roots
from brochure.compose import assemble, render_html
from brochure.errors import BrochureError, UsageError, display_path
from brochure.layouts import get_layout, layouts
from brochure.output import atomic_write, output_name, remove_stale_parts
from brochure.project import load_project
from brochure.scaffold import init_project


class CheckFailed(BrochureError):
    """``build --check`` found errors, so nothing was built."""

    def __init__(self, result: CheckResult) -> None:
        self.result = result
        super().__init__(f"the check found {result.errors} error"
                         f"{'s' if result.errors != 1 else ''}; nothing was built")

    def lines(self) -> list[str]:
        """Return every error finding, then the verdict."""
        errors = [f for r in self.result.reports for f in r.findings if f.severity == "error"]
        return [f"{f.file}:{f.line}:{f.column}: {f.message}" for f in errors] + [str(self)]


@dataclass
class BuildResult:
    """What a build wrote."""

    outputs: list[Path] = field(default_factory=list)
    html: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Listing:
    """What a project holds, for ``brochure list``."""

    conditions: list[tuple[str, str]]
    topics: list[tuple[str, str]]
    layouts: list[tuple[str, str, list[str]]]


def _project_root(project: Path | str) -> Path:
    root = Path(project)
    if not root.is_dir():
        raise UsageError(f"project folder '{root}' does not exist")
    return root


def list_project(*, project: Path | str = ".") -> Listing:
    """Return the conditions, topics and layouts of a project."""
    proj = load_project(_project_root(project))
    return Listing(
        conditions=[(i, c.model.title) for i, c in proj.conditions.items()],
        topics=[(i, t.model.title) for i, t in proj.topics.items()],
        layouts=[(key, lay.description, list(lay.papers)) for key, lay in layouts().items()],
    )


def list_templates(*, project: Path | str = ".") -> list[tuple[str, str]]:
    """Return every template and stylesheet a build uses and where it comes from."""
    return template_sources(_project_root(project))


def init(*, target: Path | str, name: str | None = None) -> list[Path]:
    """Create a new clinic project in ``target`` from the package's starter files."""
    return init_project(Path(target), name=name)


def _check_out(root: Path, out: Path) -> None:
    resolved, project = out.resolve(), root.resolve()
    protected = [project, project / "handouts", project / "styles", project / "templates"]
    if resolved in protected or (project / "handouts") in resolved.parents:
        raise UsageError(f"--out {display_path(out)} would mix brochures with the content; "
                         "choose another folder such as 'dist'")
    # Temporary files of a build that was killed are ours to tidy; nothing else is touched.
    remove_stale_parts(out)


def check(
    *,
    project: Path | str = ".",
    conditions: Sequence[str] = (),
    strict: bool = False,
    render: bool = True,
    paper: str | None = None,
    layout: str = "handout",
    today: dt.date | None = None,
) -> CheckResult:
    """Check content quality (and the rendered PDFs unless ``render`` is False)."""
    root = _project_root(project)
    proj = load_project(root)
    lay = get_layout(layout)
    reports = check_brochures(proj, list(conditions), layout=lay,
                              paper=paper or proj.clinic.defaults.paper, render=render,
                              today=today)
    return CheckResult(reports=reports, strict=strict)


def build(
    *,
    project: Path | str = ".",
    conditions: Sequence[str] = (),
    topics: Sequence[str] | None = None,
    paper: str | None = None,
    layout: str = "handout",
    out: Path | str | None = None,
    html: bool = False,
    check: bool = False,
    location: str | None = None,
    on_output: Callable[[Path], None] | None = None,
) -> BuildResult:
    """Build one PDF per selected condition (all by default) and return what was written.

    With ``check``, the content checks run first and any error stops the build before
    anything is written.
    """
    root = _project_root(project)
    out_dir = Path(out) if out is not None else root / "dist"
    _check_out(root, out_dir)
    proj = load_project(root)
    if check:
        gate = CheckResult(check_brochures(proj, list(conditions), layout=get_layout(layout),
                                           paper=paper or proj.clinic.defaults.paper,
                                           render=False))
        if not gate.passed:
            raise CheckFailed(gate)
    lay = get_layout(layout)
    chosen_paper = paper or proj.clinic.defaults.paper
    items = proj.select(list(conditions))
    roots = render_roots(root)
    from brochure.render import render_pdf

    result = BuildResult()
    for item in items:
        brochure = assemble(proj, item, layout=lay, paper=chosen_paper,
                            topics=list(topics) if topics is not None else None,
                            location=location)
        page = render_html(root, brochure)
        name = output_name(condition=item.id, layout=lay.id, paper=chosen_paper,
                           language=brochure.language, ext="pdf")
        if html:
            html_path = out_dir / name.replace(".pdf", ".html")
            atomic_write(html_path, page.encode("utf-8"))
            result.html.append(html_path)
        pdf, warnings = render_pdf(page, roots=roots, base_url=root)
        target = out_dir / name
        atomic_write(target, pdf)
        result.outputs.append(target)
        result.warnings.extend(f"{name}: {w}" for w in dict.fromkeys(warnings))
        if on_output is not None:
            on_output(target)
    return result
