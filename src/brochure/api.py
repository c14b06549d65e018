"""The library calls behind each command: ``brochure.build(...)`` and ``brochure.list_project``.

Keyword-only options, so a clinic can script builds without the command line.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from brochure import __version__
from brochure.assets import template_sources
from brochure.batch import Limits, Outcome, run
from brochure.errors import BrochureError, UsageError, display_path
from brochure.layouts import get_layout, layouts, select_layouts
from brochure.manifest import Entry, manifest_name, merge
from brochure.manifest import dumps as manifest_dumps
from brochure.manifest import read as read_manifest
from brochure.matrix import Job, expand, parse_shard
from brochure.matrix import shard as shard_jobs
from brochure.models import Defaults
from brochure.output import atomic_write, remove_stale_parts
from brochure.plan import Options, Planned, plan, up_to_date
from brochure.project import Project, load_project
from brochure.scaffold import init_project

if TYPE_CHECKING:  # imported where used: a build with nothing to do needs neither
    from brochure.checking import CheckResult
    from brochure.exchange import Imported
    from brochure.translate import Coverage
    from brochure.work import Made


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


@dataclass(frozen=True)
class Progress:
    """One finished item of a build, for a progress display."""

    name: str  # the output's file name
    status: str  # "built", "unchanged" or "failed"
    done: int
    total: int
    seconds: float
    error: str | None = None


@dataclass
class BuildResult:
    """What a build did: every output built, left unchanged or failed."""

    built: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (output, reason)
    outputs: list[Path] = field(default_factory=list)  # every file written
    html: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    manifest: Path | None = None
    seconds: float = 0.0

    @property
    def brochures(self) -> int:
        """Return how many brochures were built (a booklet's imposed copy is not counted)."""
        return len(self.built)

    def summary(self) -> str:
        """Return the one-line summary: built, unchanged, failed and time."""
        return (f"{len(self.built)} built, {len(self.unchanged)} unchanged, "
                f"{len(self.failed)} failed in {self.seconds:.1f} s")


class BuildFailed(BrochureError):
    """Some items of a build failed; the others were built and are in the result."""

    def __init__(self, result: BuildResult) -> None:
        self.result = result
        total = len(result.built) + len(result.unchanged) + len(result.failed)
        others = "; the others were built" if result.built else ""
        super().__init__(f"{len(result.failed)} of {total} brochure"
                         f"{'s' if total != 1 else ''} failed{others}; fix the errors "
                         "above and build again")

    def lines(self) -> list[str]:
        """Return each failure, named by its output, then the count.

        Outputs that failed for the same reason (a broken template fails every brochure
        that uses it) share one message.
        """
        by_reason: dict[str, list[str]] = {}
        for name, reason in self.result.failed:
            by_reason.setdefault(reason, []).append(name)
        found: list[str] = []
        for reason, names in by_reason.items():
            first, *rest = reason.split("\n")
            more = f" and {len(names) - 1} more" if len(names) > 1 else ""
            found.append(f"error: {names[0]}{more}: {first}")
            found.extend(rest)
        return [*found, f"error: {self}"]


@dataclass(frozen=True)
class Listing:
    """What a project holds, for ``brochure list``."""

    conditions: list[tuple[str, str]]
    topics: list[tuple[str, str]]
    layouts: list[tuple[str, str, list[str]]]
    languages: list[tuple[str, str]] = field(default_factory=list)  # (code, description)


def _project_root(project: Path | str) -> Path:
    root = Path(project)
    if not root.is_dir():
        raise UsageError(f"project folder '{root}' does not exist")
    return root


def list_project(*, project: Path | str = ".") -> Listing:
    """Return the conditions, topics and layouts of a project."""
    from brochure.languages import display_name
    from brochure.translate import coverage

    proj = load_project(_project_root(project))
    found = coverage(proj)
    languages = [(proj.language, f"{display_name(proj.language)} (the default language)")]
    for code in found.languages():
        total = sum(1 for f in found.files if f.language == code)
        built = "" if code in proj.languages else "; not in defaults.languages"
        languages.append((code, f"{display_name(code)}: {found.count(code, 'translated')} of "
                                f"{total} files translated, {found.count(code, 'stale')} stale"
                                f"{built}"))
    return Listing(
        languages=languages,
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


CONTENT_SUFFIXES = {".yaml", ".yml", ".css", ".j2"}


def _check_out(root: Path, out: Path) -> None:
    """Refuse an output folder that is, holds or sits inside the content; tidy stale parts."""
    resolved, project = out.resolve(), root.resolve()
    content = [project / name for name in ("handouts", "styles", "templates", "assets")]
    inside = any(resolved == folder or folder in resolved.parents for folder in content)
    holds = resolved == project or resolved in project.parents or (
        resolved.is_dir() and ((resolved / "handouts").is_dir() or any(
            p.suffix in CONTENT_SUFFIXES for p in resolved.iterdir() if p.is_file())))
    if inside or holds:
        raise UsageError(f"--out {display_path(out)} would mix brochures with the content; "
                         "choose an empty folder of its own, such as 'dist'")
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
    lang: str | Sequence[str] | None = None,
) -> CheckResult:
    """Check content quality (and the rendered PDFs unless ``render`` is False).

    Every language of ``defaults.languages`` is checked unless ``lang`` narrows them.
    """
    from brochure.checking import CheckResult, check_brochures

    root = _project_root(project)
    proj = load_project(root)
    lay = get_layout(layout)
    reports = check_brochures(proj, list(conditions), layout=lay,
                              paper=paper or proj.clinic.defaults.paper, render=render,
                              today=today, languages=select_languages(proj, _names(lang)))
    return CheckResult(reports=reports, strict=strict)


def _layouts_for(defaults: Defaults, language: str, chosen: list[str], *,
                 explicit_layout: bool, explicit_lang: bool) -> list[str]:
    """Return the layouts one language is built in.

    A language with its own ``defaults.layouts_by_language`` entry keeps to it unless the
    command names both the layout and the language: ``--layout trifold`` builds the
    tri-folds of the languages that have one, ``--layout trifold --lang es`` tries Spanish.
    """
    own = defaults.layouts_by_language.get(language)
    if own is None or explicit_lang:
        return chosen if explicit_layout else defaults.layouts_for(language)
    return [name for name in chosen if name in own] if explicit_layout else own


def select_languages(proj: Project, wanted: list[str]) -> list[str]:
    """Return the languages to build: ``wanted`` (checked) or the project's defaults."""
    from brochure.languages import is_known, unknown_message

    if not wanted:
        return proj.languages
    known = [*proj.languages, *proj.translated]
    for code in wanted:
        if not is_known(code):
            raise UsageError(f"--lang: {unknown_message(code, known)}")
    return list(dict.fromkeys(wanted))


def _names(value: str | Sequence[str] | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def build(
    *,
    project: Path | str = ".",
    conditions: Sequence[str] = (),
    topics: Sequence[str] | None = None,
    paper: str | Sequence[str] | None = None,
    layout: str | Sequence[str] | None = None,
    out: Path | str | None = None,
    html: bool = False,
    check: bool = False,
    location: str | None = None,
    print_shop: bool = False,
    jobs: int = 1,
    force: bool = False,
    shard: str | tuple[int, int] | None = None,
    limits: Limits | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    lang: str | Sequence[str] | None = None,
    allow_fallback: bool = False,
) -> BuildResult:
    """Build the matrix of conditions x layouts x papers and return what happened.

    With no ``conditions``, ``layout`` or ``paper``, the matrix is every condition in the
    layouts and papers of clinic.yaml's ``defaults``. Outputs whose inputs have not changed
    since the last build (dist/manifest.json) are skipped unless ``force``. ``jobs`` worker
    processes render in parallel. One failing item does not stop the others: when any
    failed, BuildFailed is raised after the rest are built, carrying the result. With
    ``check``, the content checks run first and any error stops the build before
    anything is written. ``shard`` ("K/N") builds only every N-th item, starting at K.
    ``lang`` narrows the languages (default: clinic.yaml's ``defaults.languages``); a
    language whose translation files are missing fails before anything is built, naming
    them, unless ``allow_fallback`` prints those parts in the default language.
    """
    started = time.perf_counter()
    root = _project_root(project)
    out_dir = Path(out) if out is not None else root / "dist"
    _check_out(root, out_dir)
    part = parse_shard(shard) if isinstance(shard, str) else shard
    if jobs < 1:
        raise UsageError(f"--jobs {jobs} must be 1 or more")
    proj = load_project(root)
    defaults = proj.clinic.defaults
    chosen = select_layouts(_names(layout) or defaults.layouts)
    papers = list(dict.fromkeys(_names(paper) or defaults.matrix_papers))
    for lay in chosen:
        for name in papers:
            lay.paper_spec(name)
    items = proj.select(list(conditions))
    languages = select_languages(proj, _names(lang))
    options = Options(topics=tuple(topics) if topics is not None else None,
                      location=location, html=html, allow_fallback=allow_fallback)
    if topics is not None or location is not None:
        # Wrong ids are a usage error before anything runs, not one failure per item.
        from brochure.compose import assemble

        assemble(proj, items[0], layout=chosen[0], paper=papers[0],
                 topics=list(options.topics) if options.topics is not None else None,
                 location=location)
    if check:
        from brochure.checking import CheckResult, check_brochures

        gate = CheckResult(check_brochures(proj, list(conditions), layout=get_layout("handout"),
                                           paper=defaults.paper, render=False,
                                           languages=languages))
        if not gate.passed:
            raise CheckFailed(gate)
    if not allow_fallback:
        from brochure.translate import check_complete

        check_complete(proj, items, list(options.topics) if options.topics is not None
                       else None, languages)
    matrix = sorted({job for code in languages for job in expand(
        [i.id for i in items], _layouts_for(defaults, code, [lay.id for lay in chosen],
                                            explicit_layout=bool(_names(layout)),
                                            explicit_lang=bool(_names(lang))),
        papers, [code], print_shop=print_shop)})
    if part is not None:
        matrix = shard_jobs(matrix, *part)
    manifest_path = out_dir / manifest_name(part)
    previous = {**read_manifest(out_dir / manifest_name(None)), **read_manifest(manifest_path)}
    # A shard's manifest lists only its own outputs; the main one keeps every output
    # still in the folder, so building one condition does not forget the others.
    entries = {} if part is not None else {
        n: e for n, e in previous.items() if (out_dir / n).is_file()}
    result = BuildResult(manifest=manifest_path)
    total = len(matrix)
    todo: list[Planned] = []
    for planned in plan(proj, matrix, options):
        name = planned.job.name
        if not force and up_to_date(planned, previous.get(name), out_dir):
            entries[name] = previous[name]
            result.unchanged.append(name)
            if on_progress is not None:
                on_progress(Progress(name, "unchanged", len(result.unchanged), total, 0.0))
        else:
            todo.append(planned)
    hashes = {p.job: p.inputs for p in todo}
    # Longest first (by the last build's times), so no worker is left with a long
    # brochure at the end while the others wait; new items keep their matrix order.
    todo.sort(key=lambda p: -(previous[p.job.name].render_seconds
                              if p.job.name in previous else float("inf")))
    last_text, last_save = manifest_text(manifest_path), time.monotonic()

    def save(*, final: bool) -> None:
        # At most once a second while building, so a killed build keeps most of what it
        # finished; a manifest equal to the last one is not rewritten (a no-op build
        # writes nothing).
        nonlocal last_text, last_save
        if not final and time.monotonic() - last_save < 1:
            return
        text = manifest_dumps(entries, __version__)
        if text != last_text and (entries or last_text is not None):
            atomic_write(manifest_path, text.encode("utf-8"))
        last_text, last_save = text, time.monotonic()

    def finished(outcome: Outcome[Job, Made]) -> None:
        job, name = outcome.job, outcome.job.name
        if outcome.result is None:
            result.failed.append((name, outcome.error or "failed"))
            status = "failed"
        else:
            made = outcome.result
            result.built.append(name)
            result.outputs.extend(out_dir / f for f in made.outputs if not f.endswith(".html"))
            result.html.extend(out_dir / f for f in made.outputs if f.endswith(".html"))
            result.warnings.extend(made.warnings)
            entries[name] = Entry(job.condition, job.layout, job.paper, job.language,
                                  hashes[job], made.pages, made.bytes,
                                  round(outcome.seconds, 3), made.outputs[1:])
            status = "built"
            save(final=False)
        if on_progress is not None:
            done = len(result.built) + len(result.unchanged) + len(result.failed)
            on_progress(Progress(name, status, done, total, outcome.seconds, outcome.error))

    try:
        if todo:
            from brochure.work import describe, setup

            run([p.job for p in todo], workers=jobs, setup=setup,
                args=(proj, out_dir, options), limits=limits or Limits(), describe=describe,
                on_outcome=finished)
    finally:
        save(final=True)
    result.failed.sort()
    result.seconds = time.perf_counter() - started
    if result.failed:
        raise BuildFailed(result)
    return result


def manifest_text(path: Path) -> str | None:
    """Return a manifest's text, or None when there is none."""
    try:
        return path.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def merge_manifests(paths: Sequence[Path | str], *, out: Path | str) -> int:
    """Join shard manifests into one manifest; return how many outputs it lists."""
    return len(merge([Path(p) for p in paths], Path(out), __version__))


def translations(*, project: Path | str = ".", languages: Sequence[str] = ()) -> Coverage:
    """Return how complete each language is: translated, missing and stale files."""
    from brochure.translate import coverage

    proj = load_project(_project_root(project))
    wanted = select_languages(proj, list(languages)) if languages else None
    return coverage(proj, [lang for lang in wanted or [] if lang != proj.language] or None)


def export_translations(*, project: Path | str = ".", lang: str,
                        out: Path | str | None = None) -> tuple[Path, int]:
    """Write the PO file of every translatable string for ``lang``; return it and its size."""
    from brochure.exchange import export_po

    root = _project_root(project)
    proj = load_project(root)
    _translation_language(proj, lang)
    data, count = export_po(proj, lang)
    target = Path(out) if out is not None else root / f"translations.{lang}.po"
    atomic_write(target, data)
    return target, count


def import_translations(*, project: Path | str = ".", lang: str,
                        po_file: Path | str) -> Imported:
    """Write a translator's PO file back to the ``<id>.<lang>.yaml`` files."""
    from brochure.exchange import import_po

    proj = load_project(_project_root(project))
    _translation_language(proj, lang)
    return import_po(proj, Path(po_file), lang)


def _translation_language(proj: Project, lang: str) -> None:
    select_languages(proj, [lang])
    if lang == proj.language:
        raise UsageError(f"--lang {lang} is the default language, which the content is "
                         "written in; choose the language to translate into")
