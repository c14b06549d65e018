"""The build matrix: every (condition, layout, paper, language) to build, and its shards."""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import product

from brochure.content.outnames import output_name
from brochure.errors import UsageError

SHARD = re.compile(r"^(\d+)/(\d+)$")


@dataclass(frozen=True, order=True)
class Job:
    """One output of the build matrix."""

    condition: str
    layout: str
    paper: str
    language: str
    print_shop: bool = False

    @property
    def name(self) -> str:
        """Return the output file name (see output.NAME_SCHEME)."""
        return output_name(condition=self.condition, layout=self.layout, paper=self.paper,
                           language=self.language, print_shop=self.print_shop)


def expand(conditions: list[str], layouts: list[str], papers: list[str], languages: list[str],
           *, print_shop: bool = False) -> list[Job]:
    """Return every combination, sorted, so every run and every shard sees the same order."""
    return sorted(Job(c, lay, p, lang, print_shop)
                  for c, lay, p, lang in product(conditions, layouts, papers, languages))


def parse_shard(text: str) -> tuple[int, int]:
    """Parse 'K/N' (1 <= K <= N) or raise a usage error."""
    match = SHARD.match(text.strip())
    if not match or not 1 <= int(match[1]) <= int(match[2]):
        raise UsageError(f"--shard '{text}' must look like K/N with 1 <= K <= N, for "
                         "example 1/4")
    return int(match[1]), int(match[2])


def shard(jobs: list[Job], index: int, count: int) -> list[Job]:
    """Return shard ``index`` of ``count`` (1-based): every count-th job of the sorted matrix.

    Round-robin over the sorted list keeps shards the same size to within one job and
    gives each a mix of conditions and layouts.
    """
    return [job for i, job in enumerate(sorted(jobs)) if i % count == index - 1]
