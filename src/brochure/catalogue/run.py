"""Build a catalogue: plan the matrix, skip what is up to date, run the rest, keep the manifest."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from brochure import __version__
from brochure.catalogue import batch
from brochure.catalogue.batch import Limits, Outcome
from brochure.catalogue.manifest import Entry, manifest_name
from brochure.catalogue.manifest import dumps as manifest_dumps
from brochure.catalogue.manifest import read as read_manifest
from brochure.catalogue.matrix import Job, expand
from brochure.catalogue.matrix import shard as shard_jobs
from brochure.catalogue.outdir import claim
from brochure.catalogue.plan import Options, Planned, plan, up_to_date
from brochure.catalogue.session import hold, raise_if_stopped
from brochure.codes import merged, with_code
from brochure.content.layouts import select_layouts
from brochure.content.outfile import atomic_write
from brochure.content.project import load_project
from brochure.content.translate import layouts_for, select_languages
from brochure.errors import BuildFailed, CheckFailed
from brochure.render.output import remove_stale_parts
from brochure.render.service import release as release_renderer

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
    ignore: Sequence[str] = (),
) -> BuildResult:
    """Build the matrix of conditions x layouts x papers into ``out_dir``; see ``api.build``."""
    started = time.perf_counter()
    proj = load_project(root)
    defaults = proj.clinic.defaults
    chosen = select_layouts(list(layouts) or defaults.layouts)
    papers = list(dict.fromkeys(list(papers) or defaults.matrix_papers))
    for lay in chosen:
        for name in papers:
            lay.paper_spec(name)
    items = proj.select(list(conditions))
    languages = select_languages(proj, list(lang))
    ignored = merged(ignore, proj.clinic.check.ignore)  # --ignore's and clinic.yaml's
    options = Options(ignore=ignored, topics=tuple(topics) if topics is not None else None,
                      location=location, html=html, strict=strict,
                      archive=archive, allow_fallback=allow_fallback)
    if topics is not None or location is not None:
        # Wrong ids are a usage error before anything runs, not one failure per item.
        from brochure.compose.brochure import assemble

        assemble(proj, items[0], layout=chosen[0], paper=papers[0],
                 topics=list(options.topics) if options.topics is not None else None,
                 location=location)
    by_language = {code: layouts_for(defaults, code, [lay.id for lay in chosen],
                                     explicit_layout=bool(layouts), explicit_lang=bool(lang))
                   for code in languages}
    if check or strict:
        from brochure.checks.run import CheckResult, check_brochures

        gate = CheckResult(check_brochures(
            proj, list(conditions), layouts={code: chosen[:1] for code in languages},
            paper=defaults.paper, render=False), strict=strict, ignore=ignored)
        if not gate.passed:
            raise CheckFailed(gate)
    if not allow_fallback:
        from brochure.content.translate import check_complete

        check_complete(proj, items, list(options.topics) if options.topics is not None
                       else None, languages)
    matrix = sorted({job for code in languages for job in expand(
        [i.id for i in items], by_language[code], papers, [code], print_shop=print_shop)})
    if part is not None:
        matrix = shard_jobs(matrix, *part)
    # The folder is checked again now, after the project was read: where it leads, and
    # that it holds only a build's files. Every write checks its place once more.
    within = claim(out_dir, project=root, explicit=explicit_out)
    with hold(out_dir, within) as tmp:
        # Temporary files of a build that was killed are ours to tidy, now that no other
        # build can be writing here; nothing else is touched.
        remove_stale_parts(out_dir)
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
        if len(todo) != 1:  # a renderer started ahead of a one-brochure build is not needed
            release_renderer()
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
                atomic_write(manifest_path, text.encode("utf-8"), kind="manifest",
                             within=within)
            last_text, last_save = text, time.monotonic()

        def finished(outcome: Outcome[Job, Made]) -> None:
            raise_if_stopped()
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
                from brochure.catalogue.work import describe, setup

                batch.run([p.job for p in todo], workers=jobs, setup=setup,
                          args=(proj, out_dir, within, options), limits=limits, describe=describe,
                          on_outcome=finished, tmp=tmp)
        finally:
            save(final=True)
            remove_stale_parts(out_dir)  # what stopped workers left half-written
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
