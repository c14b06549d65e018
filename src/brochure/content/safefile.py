"""Open only regular files that lie inside allowed folders, and read them with a bound.

Every file the tool reads from a project (YAML, templates, stylesheets, assets, fonts) comes
through here. The path is resolved first, so a symlink counts where it points; a FIFO, a
device or a folder is refused by its type before it is opened (opening a FIFO would wait
for a writer forever, and /dev/zero has size 0 but never ends); and the read stops at the
limit by the bytes actually read, never by what ``stat`` says. The checks are hand-written
because no library does this combination: they are a dozen lines on top of ``os``.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

DEFAULT_LIMIT = 20 * 1024 * 1024


class Refused(Exception):
    """A file the tool will not read; ``reason`` says why in words for a person."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def inside(path: Path, roots: Iterable[Path]) -> bool:
    """Return True when the resolved ``path`` is one of ``roots`` or lies below one."""
    return any(path == root or root in path.parents for root in roots)


def _kind(mode: int) -> str | None:
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def resolve_inside(path: Path, roots: Iterable[Path]) -> Path:
    """Return ``path`` resolved, or raise Refused when it is outside ``roots`` or not a file."""
    if "\0" in str(path):
        raise Refused(path, "the name holds a NUL character; rename the file")
    allowed = [Path(os.path.realpath(root)) for root in roots]
    try:
        real = Path(os.path.realpath(path))
    except (OSError, ValueError) as exc:
        raise Refused(path, f"cannot read the file: {exc}") from None
    if not inside(real, allowed):
        what = "it is a link that points" if path.is_symlink() else "it is"
        raise Refused(path, f"{what} outside the folders brochures may read from; copy "
                            "the file into the project")
    try:
        mode = real.stat().st_mode
    except OSError as exc:
        raise Refused(path, "no such file" if exc.errno == 2 else
                      f"cannot read the file: {exc.strerror}") from None
    if (kind := _kind(mode)) is not None:
        raise Refused(path, f"it is {kind}, not a file; replace it with a regular file")
    return real


def read_inside(path: Path, roots: Iterable[Path], *, limit: int = DEFAULT_LIMIT) -> bytes:
    """Read a regular file inside ``roots``, at most ``limit`` bytes, or raise Refused."""
    real = resolve_inside(path, roots)
    try:
        fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0)
                     | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise Refused(path, f"cannot read the file: {exc.strerror}") from None
    with os.fdopen(fd, "rb") as handle:
        if (kind := _kind(os.fstat(fd).st_mode)) is not None:  # swapped since the check
            raise Refused(path, f"it is {kind}, not a file; replace it with a regular file")
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise Refused(path, f"the file is over the {limit:,}-byte limit; make it smaller "
                            "or split it")
    return data


def walk_files(folder: Path, roots: Iterable[Path]) -> Iterator[Path]:
    """Yield every regular file below ``folder``.

    Raise Refused on any entry that is a link out of ``roots`` or is neither a regular file
    nor a folder.
    Links inside ``roots`` are followed once (as their target's file); folders that are
    links are not descended into twice.
    """
    allowed = list(roots)
    base = resolve_folder(folder, allowed)
    seen: set[Path] = {base}
    stack = [folder]
    while stack:
        current = stack.pop()
        entries = sorted(current.iterdir(), reverse=True)
        for entry in entries:
            real = Path(os.path.realpath(entry))
            if not inside(real, [Path(os.path.realpath(r)) for r in allowed]):
                raise Refused(entry, "it is a link that points outside the folders "
                                     "brochures may read from; copy the file into the project")
            mode = real.stat().st_mode
            if stat.S_ISDIR(mode):
                if real not in seen:
                    seen.add(real)
                    stack.append(entry)
            elif (kind := _kind(mode)) is not None:
                raise Refused(entry, f"it is {kind}, not a file; remove it")
            else:
                yield entry


def resolve_folder(folder: Path, roots: Iterable[Path]) -> Path:
    """Return ``folder`` resolved, or raise Refused when it lies outside ``roots``."""
    real = Path(os.path.realpath(folder))
    if not inside(real, [Path(os.path.realpath(r)) for r in roots]):
        raise Refused(folder, "the folder is a link that points outside the project; make "
                              "it a real folder inside the project")
    if not real.is_dir():
        raise Refused(folder, "not a folder")
    return real


def digest_file(path: Path) -> str:
    """Return the SHA-256 of a regular file, read in chunks; a FIFO or device is refused."""
    import hashlib

    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as handle:
        if (kind := _kind(os.fstat(fd).st_mode)) is not None:
            raise Refused(path, f"it is {kind}, not a file; replace it with a regular file")
        return hashlib.file_digest(handle, "sha256").hexdigest()
