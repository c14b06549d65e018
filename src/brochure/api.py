"""The library calls behind each command: ``brochure.build(...)`` and ``brochure.list_project``.

Keyword-only options, so a clinic can script builds without the command line.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from brochure import __version__
from brochure.codes import ignore_codes, merged
from brochure.engine import Limits
from brochure.errors import BuildFailed, CheckFailed, UsageError, display_path, printable
from brochure.recipe.select import parse_shard

if TYPE_CHECKING:
    from brochure.catalogue.run import BuildResult, Progress
    from brochure.checks.run import CheckResult
    from brochure.content.exchange import Imported
    from brochure.content.project import Project
    from brochure.content.translate import Coverage

# The errors a build raises, offered here too for callers that catch them by this module.
__all__ = ["BuildFailed", "CheckFailed", "Listing", "build", "check", "init", "list_project",
           "list_templates", "merge_manifests"]


@dataclass(frozen=True)
class Listing:
    """What a project holds, for ``brochure list``."""

    conditions: list[tuple[str, str]]
    topics: list[tuple[str, str]]
    layouts: list[tuple[str, str, list[str]]]
    languages: list[tuple[str, str]] = field(default_factory=list)  # (code, description)


def plain_path(value: Path | str, option: str) -> Path:
    """Return ``value`` as a path, refusing control characters (a NUL, a newline)."""
    text = str(value)
    if any(ord(char) < 32 or ord(char) == 127 for char in text):
        raise UsageError(f"{option} '{printable(text)}' holds a control character; give a "
                         "plain folder or file name")
    return Path(text)


def _project_root(project: Path | str) -> Path:
    root = plain_path(project, "--project")
    if not root.is_dir():
        raise UsageError(f"project folder '{root}' does not exist")
    return root


def list_project(*, project: Path | str = ".") -> Listing:
    """Return the conditions, topics and layouts of a project."""
    from brochure.content.languages import display_name
    from brochure.content.project import load_project
    from brochure.content.translate import coverage

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
                 for key, lay in proj.layouts.items()],
    )


def list_colours(*, project: Path | str = ".") -> tuple[str, list[tuple[str, str, str, str]]]:
    """Return the print-shop profile and each brand colour: key, sRGB, CMYK and its source."""
    from brochure.content.printcolour import brand_colours, percent, profile_name, profile_path
    from brochure.content.project import load_project

    root = _project_root(project)
    clinic = load_project(root).clinic
    path = profile_path(clinic, root)
    shown = display_path(path) if clinic.print_shop.profile else f"{profile_name(path)} (built in)"
    return shown, [(c.key, c.hex, percent(c.cmyk), c.how)
                   for c in brand_colours(clinic, root)]


def list_templates(*, project: Path | str = ".") -> list[tuple[str, str]]:
    """Return every template and stylesheet a build uses and where it comes from."""
    from brochure.content.assets import template_sources

    return template_sources(_project_root(project))


def init(*, target: Path | str, name: str | None = None) -> list[Path]:
    """Create a new clinic project in ``target`` from the package's starter files."""
    from brochure.scaffold import init_project  # only `init` needs the starter project

    return init_project(Path(target), name=name)


def check(
    *,
    project: Path | str = ".",
    conditions: Sequence[str] = (),
    strict: bool = False,
    render: bool = True,
    paper: str | None = None,
    layout: str | Sequence[str] | None = None,
    today: dt.date | None = None,
    print_shop: bool = False,
    lang: str | Sequence[str] | None = None,
    ignore: Sequence[str] = (),
) -> CheckResult:
    """Check content quality, and unless ``render`` is False the rendered PDF of each layout.

    Every language of ``defaults.languages`` is checked unless ``lang`` narrows them.
    ``layout`` names one layout or several ("all" for every one); by default the layouts of
    clinic.yaml's ``defaults`` (for each language). ``print_shop`` also renders each
    brochure's print-shop PDF and reads it back as a print shop's prepress check would
    (PDF/X-4, boxes, colour, marks, lines, images, ink). Findings whose code is in
    ``ignore`` or clinic.yaml's ``check.ignore`` are left out and not counted.
    """
    from brochure.checks.run import CheckResult, check_brochures
    from brochure.content.project import load_project
    from brochure.recipe.select import select

    if print_shop and not render:
        raise UsageError("--print-shop reads back the rendered print-shop PDF; leave out "
                         "--content-only")
    proj = load_project(_project_root(project))
    chosen = select(proj, conditions=conditions, layouts=_names(layout),
                    papers=[paper] if paper else [], languages=_names(lang), paper="default")
    reports = check_brochures(proj, chosen, render=render, today=today,
                              print_shop=print_shop)
    return CheckResult(reports=reports, strict=strict,
                       ignore=merged(ignore_codes(ignore), proj.clinic.check.ignore))


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
    strict: bool = False,
    location: str | None = None,
    print_shop: bool = False,
    archive: bool = False,
    jobs: int = 1,
    force: bool = False,
    shard: str | tuple[int, int] | None = None,
    limits: Limits | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    lang: str | Sequence[str] | None = None,
    allow_fallback: bool = False,
    ignore: Sequence[str] = (),
) -> BuildResult:
    """Build the matrix of conditions x layouts x papers and return what happened.

    With no ``conditions``, ``layout`` or ``paper``, the matrix is every condition in the
    layouts and papers of clinic.yaml's ``defaults``. Outputs whose inputs have not changed
    since the last build (dist/manifest.json) are skipped unless ``force``. ``jobs`` worker
    processes render in parallel. One failing item does not stop the others: when any
    failed, BuildFailed is raised after the rest are built, carrying the result. With
    ``check``, the content checks run first and any error stops the build before
    anything is written. ``strict`` (like mkdocs' --strict) counts warnings as errors: the
    content checks' warnings stop the build before anything is written, and a brochure that
    WeasyPrint warns about fails without being written. ``shard`` ("K/N") builds only every
    N-th item, starting at K.
    ``print_shop`` writes PDF/X-4 files for a print shop instead of the office PDFs;
    ``archive`` also writes a PDF/A-2u copy of each office PDF (``….pdfa.pdf``).
    ``lang`` narrows the languages (default: clinic.yaml's ``defaults.languages``); a
    language whose translation files are missing fails before anything is built, naming
    them, unless ``allow_fallback`` prints those parts in the default language.
    ``ignore`` (and clinic.yaml's ``check.ignore``) names finding codes that neither stop
    the build (--check, --strict) nor are printed, WeasyPrint's warnings too.
    """
    from brochure.engine import Engine, worth_starting_ahead

    root = _project_root(project)
    out_dir = plain_path(out, "--out") if out is not None else root / "dist"
    bounds = limits or Limits()
    if not (math.isfinite(bounds.seconds) and 0 < bounds.seconds <= 86_400):
        raise UsageError(f"--time-limit {bounds.seconds} must be a number of seconds above 0 "
                         "and at most 86400")
    if not 256 <= bounds.memory_mb <= 1_048_576:
        raise UsageError(f"--memory-limit {bounds.memory_mb} must be from 256 to 1048576 MB")
    from brochure.content.outfile import output_folder

    # Where the folder leads, before the project is read; what it holds is checked by the
    # build once it holds the folder.
    output_folder(out_dir, project=root, option="--out" if out is not None else None)
    part = parse_shard(shard) if isinstance(shard, str) else shard
    if jobs < 1:
        raise UsageError(f"--jobs {jobs} must be 1 or more")
    if archive and print_shop:
        raise UsageError("--archive keeps a PDF/A copy of the office PDF; build it without "
                         "--print-shop")
    # One brochure asked for: its worker starts now and imports WeasyPrint while this
    # process reads the project (so nothing heavy is imported above this line).
    one = (len(conditions) == 1 and shard is None and all(
        len(_names(v)) <= 1 and "all" not in _names(v) for v in (layout, paper, lang)))
    ahead = one and jobs > 1 and worth_starting_ahead()
    with Engine(workers=1 if ahead else 0, limits=bounds) as engine:
        engine.start()
        from brochure.catalogue.run import build_catalogue

        return build_catalogue(
            root, out_dir, conditions=list(conditions), topics=topics, papers=_names(paper),
            layouts=_names(layout), html=html, check=check, strict=strict, location=location,
            print_shop=print_shop, archive=archive, jobs=jobs, force=force, part=part,
            limits=bounds, on_progress=on_progress, lang=_names(lang),
            allow_fallback=allow_fallback, explicit_out=out is not None, engine=engine,
            ignore=ignore_codes(ignore))


def merge_manifests(paths: Sequence[Path | str], *, out: Path | str | None = None) -> int:
    """Join shard manifests into one manifest; return how many outputs it lists.

    ``out`` defaults to manifest.json beside the first manifest.
    """
    from brochure.catalogue.manifest import merge

    files = [plain_path(p, "manifest") for p in paths]
    if not files:
        raise UsageError("give at least one manifest to merge")
    target = plain_path(out, "--out") if out is not None else files[0].parent / "manifest.json"
    return len(merge(files, target, __version__, option="--out" if out is not None else None))


def translations(*, project: Path | str = ".", languages: Sequence[str] = ()) -> Coverage:
    """Return how complete each language is: translated, missing and stale files."""
    from brochure.content.project import load_project
    from brochure.content.translate import coverage
    from brochure.recipe.select import select

    proj = load_project(_project_root(project))
    wanted = select(proj, languages=languages).languages if languages else ()
    return coverage(proj, [lang for lang in wanted if lang != proj.language] or None)


def export_translations(*, project: Path | str = ".", lang: str,
                        out: Path | str | None = None) -> tuple[Path, int]:
    """Write the PO file of every translatable string for ``lang``; return it and its size."""
    from brochure.content.exchange import export_po
    from brochure.content.outfile import atomic_write, target_folder
    from brochure.content.project import load_project

    root = _project_root(project)
    proj = load_project(root)
    _translation_language(proj, lang)
    target = plain_path(out, "--out") if out is not None else root / f"translations.{lang}.po"
    within = target_folder(target, project=root, kind="po",
                           option="--out" if out is not None else None)
    data, count = export_po(proj, lang)
    atomic_write(target, data, kind="po", within=within)
    return target, count


def import_translations(*, project: Path | str = ".", lang: str,
                        po_file: Path | str) -> Imported:
    """Write a translator's PO file (``-``: standard input) back to the ``<id>.<lang>.yaml`` files.

    All or nothing: every file is checked first, and none is written when any entry or
    file is refused. Entries that are stale or name nothing in the project are not
    imported, and are listed in ``skipped``.
    """
    from brochure.content.exchange import PO_LIMIT, import_po
    from brochure.content.project import load_project
    from brochure.safefile import STDIN, read_input

    root = _project_root(project)
    text = read_input(po_file, what="", limit=PO_LIMIT,
                      too_big="split it by language or export a new one")
    shown = "(standard input)" if str(po_file) == STDIN else display_path(Path(po_file))
    proj = load_project(root)
    _translation_language(proj, lang)
    done = import_po(proj, text, lang, shown=shown)
    from brochure.content.outfile import write_all

    write_all([(path, out.encode("utf-8")) for path, out in done.pending], kind="translation",
              within=Path(os.path.realpath(proj.root / "handouts")))
    done.written = [path for path, _ in done.pending]
    return done


def _translation_language(proj: Project, lang: str) -> None:
    from brochure.content.translate import select_languages

    select_languages(proj, [lang])
    if lang == proj.language:
        raise UsageError(f"--lang {lang} is the default language, which the content is "
                         "written in; choose the language to translate into")
