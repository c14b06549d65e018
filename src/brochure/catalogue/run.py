"""Build a catalogue: plan the matrix, skip what is up to date, run the rest, keep the manifest."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from brochure import __version__
from brochure.catalogue.manifest import Entry, manifest_name
from brochure.catalogue.manifest import dumps as manifest_dumps
from brochure.catalogue.manifest import read as read_manifest
from brochure.catalogue.outdir import claim
from brochure.catalogue.plan import Planned, plan, up_to_date
from brochure.catalogue.session import hold, raise_if_stopped
from brochure.codes import merged, with_code
from brochure.content.outfile import atomic_write
from brochure.content.outnames import remove_stale_parts
from brochure.content.project import Project, load_project
from brochure.engine import Engine, Limits, Outcome
from brochure.errors import BuildFailed, CheckFailed
from brochure.recipe.job import Job, Options
from brochure.recipe.select import Selection, select

if TYPE_CHECKING:  # imported where used: a build with nothing to do needs neither
    from brochure.catalogue.work import Made


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

    def warning_lines(self) -> list[str]:
        """Return each warning once: one the same for several brochures is counted, not repeated.

        (WeasyPrint's note that it subsets fonts with fontTools would otherwise print once for
        every brochure of the catalogue.)
        """
        by_message: dict[str, list[str]] = {}
        for warning in self.warnings:
            name, _, message = warning.partition(": ")
            by_message.setdefault(with_code(message), []).append(name)
        return [f"{names[0]}: {message}" if len(names) == 1 else
                f"{message} (in {len(names)} brochures, the first {names[0]})"
                for message, names in by_message.items()]

    @property
    def brochures(self) -> int:
        """Return how many brochures were built (a booklet's imposed copy is not counted)."""
        return len(self.built)

    def summary(self) -> str:
        """Return the one-line summary: built, unchanged, failed and time."""
        return (f"{len(self.built)} built, {len(self.unchanged)} unchanged, "
                f"{len(self.failed)} failed in {self.seconds:.1f} s")


def build_catalogue(
    root: Path,
    out_dir: Path,
    *,
    conditions: Sequence[str],
    topics: Sequence[str] | None,
    papers: Sequence[str],
    layouts: Sequence[str],
    html: bool,
    check: bool,
    strict: bool,
    location: str | None,
    print_shop: bool,
    archive: bool,
    jobs: int,
    force: bool,
    part: tuple[int, int] | None,
    limits: Limits,
    on_progress: Callable[[Progress], None] | None,
    lang: Sequence[str] = (),
    allow_fallback: bool = False,
    explicit_out: bool = False,
    engine: Engine | None = None,
    ignore: Sequence[str] = (),
) -> BuildResult:
    """Build the matrix of conditions x layouts x papers into ``out_dir``; see ``api.build``.

    ``engine`` is the caller's: a worker it started ahead (a build likely to be one
    brochure) lays that brochure out while it is composed here; a plan of several grows
    it to ``jobs`` workers, the one started ahead among them; a plan of none closes it.
    Without one, a plan of several starts ``jobs`` workers of its own.
    """
    started = time.perf_counter()
    proj = load_project(root)
    ignored = merged(ignore, proj.clinic.check.ignore)  # --ignore's and clinic.yaml's
    options = Options(ignore=ignored, topics=tuple(topics) if topics is not None else None,
                      location=location, html=html, strict=strict,
                      archive=archive, allow_fallback=allow_fallback)
    chosen = select(proj, conditions=conditions, layouts=layouts, papers=papers,
                    languages=lang, print_shop=print_shop, shard=part)
    _before(proj, chosen, options, gate=check or strict, strict=strict)
    # The folder is checked again now, after the project was read: where it leads, and
    # that it holds only a build's files. Every write checks its place once more.
    within = claim(out_dir, project=root, explicit=explicit_out)
    with hold(out_dir, within) as tmp:
        # Temporary files of a build that was killed are ours to tidy, now that no other
        # build can be writing here; nothing else is touched.
        remove_stale_parts(out_dir)
        book = _Book(out_dir, within, part, total=len(chosen.jobs), on_progress=on_progress)
        todo = book.plan(proj, list(chosen.jobs), options, force=force)
        if not todo and engine is not None:  # nothing to render: the worker is not needed
            engine.close()
        try:
            if todo:
                from brochure.catalogue.work import describe, setup

                run_jobs(engine, [p.job for p in todo], jobs=jobs, limits=limits, tmp=tmp,
                         setup=setup, args=(proj, out_dir, within, options),
                         describe=describe, on_outcome=book.finished)
        finally:
            book.save(final=True)
            remove_stale_parts(out_dir)  # what stopped workers left half-written
    result = book.result
    result.failed.sort()
    result.seconds = time.perf_counter() - started
    if result.failed:
        raise BuildFailed(result)
    return result


def _before(proj: Project, chosen: Selection, options: Options, *, gate: bool,
            strict: bool) -> None:
    """Stop before anything is written: wrong ids, failing checks, missing translations."""
    if (options.topics is not None or options.location is not None) and chosen.jobs:
        # Wrong ids are a usage error before anything runs, not one failure per item.
        from brochure.recipe.make import compose

        compose(proj, chosen.jobs[0], options)
    if gate:
        from brochure.checks.run import CheckResult, check_brochures

        first = select(proj, conditions=chosen.conditions, languages=chosen.languages,
                       paper="default")
        found = CheckResult(check_brochures(proj, first, render=False), strict=strict,
                            ignore=options.ignore)
        if not found.passed:
            raise CheckFailed(found)
    if not options.allow_fallback:
        from brochure.content.translate import check_complete

        check_complete(proj, proj.select(list(chosen.conditions)),
                       list(options.topics) if options.topics is not None else None,
                       list(chosen.languages))


class _Book:
    """The build's record: the manifest kept as jobs finish, and the result."""

    def __init__(self, out_dir: Path, within: Path, part: tuple[int, int] | None, *,
                 total: int, on_progress: Callable[[Progress], None] | None) -> None:
        self.out_dir, self.within, self.total = out_dir, within, total
        self.on_progress = on_progress
        self.path = out_dir / manifest_name(part)
        self.previous = {**read_manifest(out_dir / manifest_name(None)),
                         **read_manifest(self.path)}
        # A shard's manifest lists only its own outputs; the main one keeps every output
        # still in the folder, so building one condition does not forget the others.
        self.entries = {} if part is not None else {
            n: e for n, e in self.previous.items() if (out_dir / n).is_file()}
        self.result = BuildResult(manifest=self.path)
        self.hashes: dict[Job, str] = {}
        self.last_text, self.last_save = manifest_text(self.path), time.monotonic()

    def plan(self, proj: Project, jobs: list[Job], options: Options, *,
             force: bool) -> list[Planned]:
        """Return the jobs to build, longest first; the up-to-date ones are recorded."""
        todo: list[Planned] = []
        for planned in plan(proj, jobs, options):
            name = planned.job.name
            if not force and up_to_date(planned, self.previous.get(name), self.out_dir):
                self.entries[name] = self.previous[name]
                self.result.unchanged.append(name)
                self._tell(Progress(name, "unchanged", len(self.result.unchanged),
                                    self.total, 0.0))
            else:
                todo.append(planned)
        self.hashes = {p.job: p.inputs for p in todo}
        # Longest first (by the last build's times), so no worker is left with a long
        # brochure at the end while the others wait; new items keep their matrix order.
        todo.sort(key=lambda p: -(self.previous[p.job.name].render_seconds
                                  if p.job.name in self.previous else float("inf")))
        return todo

    def save(self, *, final: bool) -> None:
        """Write the manifest: at most once a second while building, and at the end.

        A killed build keeps most of what it finished; a manifest equal to the last one is
        not rewritten (a no-op build writes nothing).
        """
        if not final and time.monotonic() - self.last_save < 1:
            return
        text = manifest_dumps(self.entries, __version__)
        if text != self.last_text and (self.entries or self.last_text is not None):
            atomic_write(self.path, text.encode("utf-8"), kind="manifest", within=self.within)
        self.last_text, self.last_save = text, time.monotonic()

    def finished(self, outcome: Outcome[Job, Made]) -> None:
        """Record one finished job: built (in the manifest) or failed."""
        raise_if_stopped()
        job, name, result = outcome.job, outcome.job.name, self.result
        if outcome.result is None:
            result.failed.append((name, outcome.error or "failed"))
            status = "failed"
        else:
            made = outcome.result
            result.built.append(name)
            result.outputs.extend(self.out_dir / f for f in made.outputs
                                  if not f.endswith(".html"))
            result.html.extend(self.out_dir / f for f in made.outputs if f.endswith(".html"))
            result.warnings.extend(made.warnings)
            self.entries[name] = Entry(job.condition, job.layout, job.paper, job.language,
                                       self.hashes[job], made.pages, made.bytes,
                                       round(outcome.seconds, 3), made.outputs[1:])
            status = "built"
            self.save(final=False)
        done = len(result.built) + len(result.unchanged) + len(result.failed)
        self._tell(Progress(name, status, done, self.total, outcome.seconds, outcome.error))

    def _tell(self, progress: Progress) -> None:
        if self.on_progress is not None:
            self.on_progress(progress)


def run_jobs(engine: Engine | None, todo: list[Job], *, jobs: int, limits: Limits, tmp: Path,
             setup: Callable[..., Callable[[Job], Made]], args: tuple[Any, ...],
             describe: Callable[[BaseException], str],
             on_outcome: Callable[[Outcome[Job, Made]], None]) -> None:
    """Build ``todo``: in this process (one job, or ``jobs`` 1), or on ``jobs`` workers.

    One brochure is composed here and laid out by ``engine`` (in its worker, when it was
    started ahead); more are spread over the engine's workers, grown to ``jobs`` (the one
    started ahead among them).
    """
    if engine is None:
        with Engine(workers=0, limits=limits, tmp=tmp) as own:
            run_jobs(own, todo, jobs=jobs, limits=limits, tmp=tmp, setup=setup, args=args,
                     describe=describe, on_outcome=on_outcome)
        return
    if len(todo) == 1 or jobs == 1:
        Engine(workers=0, limits=limits, tmp=tmp).run(
            todo, setup=setup, args=(*args, engine.render), describe=describe,
            on_outcome=on_outcome)
        return
    engine.resize(min(jobs, len(todo)))
    engine.run(todo, setup=setup, args=args, describe=describe, on_outcome=on_outcome, tmp=tmp)


def manifest_text(path: Path) -> str | None:
    """Return a manifest's text, or None when there is none."""
    try:
        return path.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
