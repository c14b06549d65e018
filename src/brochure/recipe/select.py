"""The one place that works out which brochures a command means: the matrix and its shards.

build, check, serve and the translation commands all ask ``select`` which conditions,
layouts, papers and languages they cover. A language keeps to its own
``defaults.layouts_by_language`` entry unless the command names both the layout and the
language (``layouts_for``); a shard takes every N-th job of the sorted matrix.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import product
from typing import TYPE_CHECKING, Literal

from brochure.errors import UsageError
from brochure.recipe.job import Job

if TYPE_CHECKING:  # parse_shard is asked for before the project is read: nothing heavy here
    from brochure.content.project import Project

SHARD = re.compile(r"^(\d+)/(\d+)$")


@dataclass(frozen=True)
class Selection:
    """What a command covers: the conditions, languages, papers, each language's layouts."""

    conditions: tuple[str, ...]
    languages: tuple[str, ...]
    papers: tuple[str, ...]
    layouts: dict[str, tuple[str, ...]]  # the layouts of each language, in order
    jobs: tuple[Job, ...]  # every job, sorted (and only the shard's, when one is asked)

    def jobs_of(self, condition: str, language: str) -> list[Job]:
        """Return the jobs of one condition in one language, in the layouts' order."""
        order = {name: i for i, name in enumerate(self.layouts.get(language, ()))}
        found = [j for j in self.jobs if j.condition == condition and j.language == language]
        return sorted(found, key=lambda j: (order.get(j.layout, len(order)), j.paper))


def select(project: Project, *, conditions: Sequence[str] = (), layouts: Sequence[str] = (),
           papers: Sequence[str] = (), languages: Sequence[str] = (),
           print_shop: bool = False, shard: tuple[int, int] | None = None,
           paper: Literal["matrix", "default"] = "matrix") -> Selection:
    """Return the matrix a command means; every name given is checked (usage errors).

    Empty arguments mean clinic.yaml's ``defaults``: every condition, the default layouts
    (of each language), and the matrix papers, or only the default paper when ``paper`` is
    "default" (what ``brochure check`` reads).
    """
    from brochure.content.translate import layouts_for, select_languages

    defaults = project.clinic.defaults
    chosen = [lay.id for lay in project.select_layouts(list(layouts) or defaults.layouts)]
    if papers:
        wanted = list(dict.fromkeys(papers))
    else:
        wanted = list(defaults.matrix_papers) if paper == "matrix" else [defaults.paper]
    codes = select_languages(project, list(languages))
    by_language = {code: tuple(lay.id for lay in project.select_layouts(layouts_for(
        defaults, code, chosen, explicit_layout=bool(layouts), explicit_lang=bool(languages))))
        for code in codes}
    used = dict.fromkeys([*chosen, *(n for names in by_language.values() for n in names)])
    for lay in project.select_layouts(list(used)):
        for name in wanted:
            lay.paper_spec(name)  # a paper the layout has no sheet for: a usage error
    ids = tuple(item.id for item in project.select(list(conditions)))
    jobs = sorted({Job(c, lay, p, code, print_shop) for code in codes
                   for c, lay, p in product(ids, by_language[code], wanted)})
    if shard is not None:
        jobs = shard_of(jobs, *shard)
    return Selection(conditions=ids, languages=tuple(codes), papers=tuple(wanted),
                     layouts=by_language, jobs=tuple(jobs))


def parse_shard(text: str) -> tuple[int, int]:
    """Parse 'K/N' (1 <= K <= N) or raise a usage error."""
    match = SHARD.match(text.strip())
    if not match or not 1 <= int(match[1]) <= int(match[2]):
        raise UsageError(f"--shard '{text}' must look like K/N with 1 <= K <= N, for "
                         "example 1/4")
    return int(match[1]), int(match[2])


def shard_of(jobs: Sequence[Job], index: int, count: int) -> list[Job]:
    """Return shard ``index`` of ``count`` (1-based): every count-th job of the sorted matrix.

    Round-robin over the sorted list keeps shards the same size to within one job and
    gives each a mix of conditions and layouts.
    """
    return [job for i, job in enumerate(sorted(jobs)) if i % count == index - 1]
