"""Open only regular files that lie inside allowed folders, and read them with a bound.

Every file the tool reads from a project (YAML, templates, stylesheets, assets, fonts) comes
through here, and so does every file a person names on the command line (``read_input``:
a note, a patient's name, a PO file, the mail settings, or standard input as ``-``).
The path is resolved first, so a symlink counts where it points; a FIFO, a device or a
folder is refused by its type before it is opened (opening a FIFO would wait for a writer
forever, and /dev/zero has size 0 but never ends); and the read stops at the limit by the
bytes actually read, never by what ``stat`` says. The checks are hand-written because no
library does this combination: they are a dozen lines on top of ``os``.
"""

from __future__ import annotations

import os
import re
import stat
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from brochure.errors import UsageError, display_path, printable

DEFAULT_LIMIT = 20 * 1024 * 1024

# Unicode's control characters (category Cc) are exactly U+0000-U+001F and U+007F-U+009F;
# a tab and a line break are text.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


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
    return None if stat.S_ISREG(mode) else kind_of(mode)


def kind_of(mode: int) -> str:
    """Return what a file of this mode is, in words: "a folder", "a named pipe (FIFO)"..."""
    if stat.S_ISREG(mode):
        return "a regular file"
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


STDIN = "-"  # the name that means standard input


def read_input(source: Path | str, *, what: str, limit: int,
               too_big: str = "give a smaller file", allow_stdin: bool = True,
               stdin: BinaryIO | None = None) -> str:
    """Return the text of a file named on the command line, or of standard input (``-``).

    The loader's rules hold for it too: a regular file (a FIFO would wait for a writer
    forever, /dev/zero never ends), at most ``limit`` bytes, counted as they are read
    (standard input too), UTF-8, no control characters but tabs and line breaks, which
    come back as "\\n". Every refusal is one line naming ``what`` (the option, or nothing
    for an argument), the file and, for its text, the line and column; never its text.
    ``allow_stdin=False`` reads a file named "-" instead.
    """
    name = os.fsdecode(source) if isinstance(source, bytes | os.PathLike) else str(source)
    label = f"{what} " if what else ""
    if name == STDIN and allow_stdin:
        where = f"{label}- (standard input)"
        stream = stdin if stdin is not None else getattr(sys.stdin, "buffer", None)
        if stream is None:
            raise UsageError(f"{where}: there is no standard input; give a file instead")
        try:
            raw = stream.read(limit + 1)
        except (OSError, ValueError) as exc:
            raise UsageError(f"{where}: cannot read it: "
                             f"{getattr(exc, 'strerror', None) or exc}") from None
    else:
        if any(ord(char) < 32 or 127 <= ord(char) < 160 for char in name):
            raise UsageError(f"{label}'{printable(name)}' holds a control character; give "
                             "a plain file name")
        path = Path(name)
        where = f"{label}{display_path(path)}"
        raw = _read_named(path, where, limit, allow_stdin)
    if len(raw) > limit:
        raise UsageError(f"{where}: more than {limit:,} bytes; {too_big}")
    return _plain_text(raw, where)


def _read_named(path: Path, where: str, limit: int, allow_stdin: bool) -> bytes:
    """Read a regular file (a link counts as what it points to), at most ``limit`` + 1 bytes."""
    refuse = "give a regular file" + (" (or - to read standard input)" if allow_stdin else "")
    try:
        if (kind := _kind(path.stat().st_mode)) is not None:
            raise UsageError(f"{where}: it is {kind}, not a file; {refuse}")
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        with os.fdopen(fd, "rb") as handle:
            if (kind := _kind(os.fstat(fd).st_mode)) is not None:  # swapped since the check
                raise UsageError(f"{where}: it is {kind}, not a file; {refuse}")
            return handle.read(limit + 1)
    except OSError as exc:
        raise UsageError(f"{where}: cannot read it: {exc.strerror or exc}") from None


def _plain_text(raw: bytes, where: str) -> str:
    """Decode UTF-8 (a byte-order mark is dropped) and refuse control characters."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise UsageError(f"{where}:{line}:{column}: byte 0x{raw[exc.start]:02x} is not UTF-8 "
                         "text; save the file as UTF-8") from None
    text = text.replace("\r\n", "\n")
    if (found := CONTROL.search(text)) is not None:
        line = text.count("\n", 0, found.start()) + 1
        column = found.start() - (text.rfind("\n", 0, found.start()) + 1) + 1
        raise UsageError(f"{where}:{line}:{column}: the file holds the control character "
                         f"U+{ord(found[0]):04X}, which does not print; delete it")
    return text
