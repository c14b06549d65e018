"""Regenerate the article data the content tests use, from a copy of the source article.

The repository never holds the article's text: its figures are facts and are kept as data,
and its sentences are kept only as hashes of every run of ten words, so the tests can prove
that no run of ten words in the content is copied from it. Run this wherever a copy of the
article is at hand, then commit the two files it writes:

    python tests/tools/regen_article_data.py PATH/TO/article.txt

It writes tests/data/article_runs.txt (one hash a line) and tests/data/article_figures.yaml
(the rows of the article's percentage tables).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from article_runs import RUN, run_hashes, words

DATA = Path(__file__).resolve().parents[1] / "data"
_ROW = re.compile(r"^([A-Z][^|]*?)\s*\|\s*(\d+)\s*%?\s*(?:[\u2013-]\s*(\d+))?\s*%?\s*\|\s*$")


def figures(text: str) -> dict[str, list[list[float | None]]]:
    """Return label -> [low, high] for every row of a percentage table."""
    rows: dict[str, list[list[float | None]]] = {}
    for line in text.splitlines():
        if m := _ROW.match(line.strip()):
            value = [float(m[2]), float(m[3]) if m[3] else None]
            rows.setdefault(m[1].strip().lower().replace("\u2019", "'"), []).append(value)
    return rows


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__)
        return 2
    text = Path(argv[0]).read_text(encoding="utf-8")
    hashes = sorted(run_hashes(words(text)))
    header = (f"# sha256 (first 8 bytes, hex) of every run of {RUN} normalised words of the\n"
              "# source article; made by tests/tools/regen_article_data.py\n")
    (DATA / "article_runs.txt").write_text(header + "\n".join(hashes) + "\n", encoding="utf-8")
    lines = ["# The rows of the source article's percentage tables: label -> [low, high].",
             "# Made by tests/tools/regen_article_data.py; high is null for a single value."]
    for label, values in sorted(figures(text).items()):
        shown = ", ".join(f"[{lo:g}, {'null' if hi is None else f'{hi:g}'}]" for lo, hi in values)
        lines.append(f'"{label}": [{shown}]')
    (DATA / "article_figures.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(hashes)} runs, {len(figures(text))} figure rows written to {DATA}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
