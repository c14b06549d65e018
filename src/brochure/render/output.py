"""Write stage: files appear at their final path whole or not at all."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from brochure.errors import OutputError, UsageError, display_path

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


PART_GLOB = ".*.part"


def remove_stale_parts(folder: Path) -> list[Path]:
    """Delete temporary files a killed build left behind (only ours: '.<name>.<random>.part')."""
    removed: list[Path] = []
    if folder.is_dir():
        for leftover in folder.glob(PART_GLOB):
            if leftover.is_file() and leftover.name.count(".") >= 3:
                with contextlib.suppress(OSError):
                    leftover.unlink()
                    removed.append(leftover)
    return removed


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, flush it to disk, then rename."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    except OSError as exc:
        raise OutputError(f"{display_path(path.parent)}: cannot write here: "
                          f"{exc.strerror}") from None
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)  # mkstemp makes 0600 files; give the usual mode
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        Path(tmp).replace(path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            Path(tmp).unlink()
        if isinstance(exc, OSError):
            raise OutputError(f"{display_path(path)}: cannot write the file: "
                              f"{exc.strerror}") from None
        raise


CONTENT_SUFFIXES = {".yaml", ".yml", ".css", ".j2"}


def guard_out_dir(root: Path, out: Path) -> None:
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
