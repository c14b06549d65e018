"""Output names: how a build names its files, and which temporary files are its own."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

from brochure.content.outfile import PART_PREFIX

# <condition>.<layout>.<paper>.<language>.pdf, for example back-pain.handout.letter.en.pdf:
# every part of the build matrix has its own place, so outputs never collide.
NAME_SCHEME = "{condition}.{layout}.{paper}.{language}.{ext}"


def output_name(*, condition: str, layout: str, paper: str, language: str,
                ext: str = "pdf", print_shop: bool = False) -> str:
    """Return the file name for one item of the build matrix.

    ``print_shop`` marks the copy with bleed and crop marks before the extension:
    back-pain.poster.a4.en.print-shop.pdf.
    """
    return NAME_SCHEME.format(condition=condition, layout=layout, paper=paper,
                              language=language,
                              ext=f"print-shop.{ext}" if print_shop else ext)


# Only a build that holds the output folder's lock (see session.py) removes temporary files,
# and only those of the exact form atomic_write gives them (content/outfile.py).
PART_NAME = re.compile(r"^\.brochure-tmp\..+\.[a-z0-9_]{8}\.part$")
# Every name a build writes into its output folder: its outputs (NAME_SCHEME, with variant
# markers before the extension) and its manifests; any other visible file is someone else's.
OUTPUT_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*(\.[A-Za-z0-9-]+){3,6}\.(pdf|html)$")
MANIFEST_NAME = re.compile(r"^manifest(\.[0-9]+-of-[0-9]+)?\.json$")


def remove_stale_parts(folder: Path) -> list[Path]:
    """Delete temporary files a killed build left behind (only ours, by their exact form)."""
    removed: list[Path] = []
    if folder.is_dir():
        for leftover in folder.glob(f"{PART_PREFIX}*.part"):
            if PART_NAME.match(leftover.name) and leftover.is_file() \
                    and not leftover.is_symlink():
                with contextlib.suppress(OSError):
                    leftover.unlink()
                    removed.append(leftover)
    return removed
