"""Write stage: files appear at their final path whole or not at all."""

from __future__ import annotations

import contextlib
import os
import re
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


# Temporary files are '.brochure-tmp.<final name>.<8 random characters>.part': a prefix of
# our own, so a user's '.thesis.final.docx.part' never matches, and only a build that holds
# the output folder's lock (see session.py) removes them.
PART_PREFIX = ".brochure-tmp."
PART_NAME = re.compile(r"^\.brochure-tmp\..+\.[a-z0-9_]{8}\.part$")


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


def atomic_write(path: Path, data: bytes, *, private: bool = False) -> None:
    """Write ``data`` to a temporary file beside ``path``, flush it to disk, then rename.

    The file is whole or not there, also on Ctrl-C. ``private`` (a patient's copy) keeps it
    readable by its owner only, and its temporary file's name does not repeat the target's,
    which may name the patient.
    """
    write_all([(path, data)], private=private)


def write_all(files: list[tuple[Path, bytes]], *, private: bool = False) -> None:
    """Write several files all or none: each to a temporary file first, then rename them all.

    When any cannot be written (a full disk, a folder without write permission, Ctrl-C),
    the temporary files are removed and no target changes.
    """
    staged: list[tuple[Path, Path]] = []
    try:
        for path, data in files:
            staged.append((_staged(path, data, private), path))
        for tmp, path in staged:
            try:
                tmp.replace(path)
            except OSError as exc:
                raise OutputError(f"{display_path(path)}: cannot write the file: "
                                  f"{exc.strerror}") from None
    finally:
        for tmp, _ in staged:
            with contextlib.suppress(OSError):
                tmp.unlink()  # only those not renamed are still there


def _staged(path: Path, data: bytes, private: bool) -> Path:
    """Write ``data`` to a new temporary file beside ``path``, flushed to disk; return it."""
    prefix = ".brochure-" if private else f"{PART_PREFIX}{path.name}."
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=".part", dir=path.parent)
    except OSError as exc:
        raise OutputError(f"{display_path(path.parent)}: cannot write here: "
                          f"{exc.strerror}") from None
    try:
        if not private:  # mkstemp makes 0600 files; give the usual mode
            umask = os.umask(0)
            os.umask(umask)
            os.fchmod(fd, 0o666 & ~umask)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException as exc:
        with contextlib.suppress(OSError):
            Path(tmp).unlink()
        if isinstance(exc, OSError):
            raise OutputError(f"{display_path(path)}: cannot write the file: "
                              f"{exc.strerror}") from None
        raise
    return Path(tmp)


CONTENT_SUFFIXES = {".yaml", ".yml", ".css", ".j2"}


def guard_out_dir(root: Path, out: Path) -> None:
    """Refuse an output folder that is, holds or sits inside the content."""
    resolved, project = out.resolve(), root.resolve()
    content = [project / name for name in ("handouts", "styles", "templates", "assets")]
    inside = any(resolved == folder or folder in resolved.parents for folder in content)
    holds = resolved == project or resolved in project.parents or (
        resolved.is_dir() and ((resolved / "handouts").is_dir() or any(
            p.suffix in CONTENT_SUFFIXES for p in resolved.iterdir() if p.is_file())))
    if inside or holds:
        raise UsageError(f"--out {display_path(out)} would mix brochures with the content; "
                         "choose an empty folder of its own, such as 'dist'")
