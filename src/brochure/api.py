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
from brochure.compose import assemble
from brochure.errors import BrochureError, FitError, UsageError, display_path
from brochure.layouts import get_layout, layouts, select_layouts
from brochure.output import remove_stale_parts
from brochure.produce import produce
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
    brochures: int = 0  # one per condition and layout; a booklet writes two PDFs


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
        layouts=[(key, lay.description,
                  [f"{name} ({spec.describe()})" for name, spec in lay.papers.items()])
                 for key, lay in layouts().items()],
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
    layout: str | Sequence[str] = "handout",
    out: Path | str | None = None,
    html: bool = False,
    check: bool = False,
    location: str | None = None,
    print_shop: bool = False,
    on_output: Callable[[Path], None] | None = None,
) -> BuildResult:
    """Build one PDF per selected condition and layout and return what was written.

    ``layout`` is one layout id, several, or "all". With ``check``, the content checks
    run first and any error stops the build before anything is written. Content that does
    not fit a fixed layout (tri-fold, poster) is reported for every brochure at the end;
    the brochures that fit are still written.
    """
    root = _project_root(project)
    out_dir = Path(out) if out is not None else root / "dist"
    _check_out(root, out_dir)
    proj = load_project(root)
    chosen = select_layouts(layout)
    if check:
        gate = CheckResult(check_brochures(proj, list(conditions), layout=get_layout("handout"),
                                           paper=paper or proj.clinic.defaults.paper,
                                           render=False))
        if not gate.passed:
            raise CheckFailed(gate)
    chosen_paper = paper or proj.clinic.defaults.paper
    for lay in chosen:
        lay.paper_spec(chosen_paper)
    items = proj.select(list(conditions))
    roots = render_roots(root)
    result = BuildResult()
    misfits: list[str] = []
    for item in items:
        for lay in chosen:
            brochure = assemble(proj, item, layout=lay, paper=chosen_paper,
                                topics=list(topics) if topics is not None else None,
                                location=location, print_shop=print_shop)
            try:
                done = produce(brochure, root=root, roots=roots, out_dir=out_dir, html=html)
            except FitError as exc:
                misfits.extend(exc.messages)
                continue
            result.brochures += 1
            result.outputs.extend(done.outputs)
            result.html.extend(done.html)
            result.warnings.extend(done.warnings)
            if on_output is not None:
                for path in done.outputs:
                    on_output(path)
    if misfits:
        raise FitError(misfits)
    return result
