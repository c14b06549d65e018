"""A build's output folder: where it may be, and that it holds only what builds write.

The project's own folder (``dist``) must lie inside the project after links are followed;
a folder given with ``--out`` may be anywhere (``build --out /tmp/check``), but neither
may be, hold or sit inside the content. The folder must be new, empty, or hold only
files a build writes (its outputs and manifests, by name; hidden files are never a
build's to touch): a build never writes into a folder of someone else's files. A
manifest.json there must be one a build wrote.
"""

from __future__ import annotations

from pathlib import Path

from brochure.content.outfile import check_target, foreign_entries, output_folder
from brochure.content.outnames import MANIFEST_NAME, OUTPUT_NAME
from brochure.errors import OutputError, UsageError, display_path


def claim(out_dir: Path, *, project: Path, explicit: bool) -> Path:
    """Return ``out_dir`` resolved, or refuse it naming the path and what to do."""
    option = "--out" if explicit else None
    real = output_folder(out_dir, project=project, option=option)
    for entry in foreign_entries(real, lambda name: bool(
            OUTPUT_NAME.match(name) or MANIFEST_NAME.match(name))):
        shown = display_path(out_dir / entry.name)
        message = (f"{'--out ' if explicit else ''}{display_path(out_dir)} holds "
                   f"{entry.name!r}, which a build did not write; choose an empty folder "
                   f"for the brochures, or move {shown} away")
        raise UsageError(message) if explicit else OutputError(message)
    for name in ("manifest.json", *(p.name for p in sorted(real.glob("manifest.*.json")))):
        if MANIFEST_NAME.match(name):
            check_target(out_dir / name, kind="manifest", within=real, option=option)
    return real
