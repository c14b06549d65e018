"""One build's hold on its output folder: a lock, a private temporary folder, and signals.

- A lock file in the output folder (``.brochure.lock``, held with ``flock`` and removed at
  the end) stops a second build into the same folder with a message, instead of the two
  deleting each other's temporary files and losing manifest entries.
- Each build has a private temporary folder (``brochure-build-*`` in the system's temporary
  folder, itself locked while the build runs). Workers and WeasyPrint put their temporary
  files and font folders there, so a build that is killed, even with SIGKILL, leaves them in
  one place, and the next build removes every such folder whose lock is free. A personal
  copy (``personalise``, ``send``) has one too (``private_temp``), without an output lock.
- SIGTERM and SIGHUP stop the build like Ctrl-C (SIGINT): the workers are stopped, the
  temporary files removed, finished PDFs kept, and the exit code is 128 + the signal.

Hand-written on ``fcntl.flock``: the lock is released by the kernel when the process dies,
which lock-file libraries built on creating a file cannot promise.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
import signal
import stat
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import Any

from brochure.content.outfile import check_target
from brochure.errors import OutputError, display_path

LOCK_NAME = ".brochure.lock"
TEMP_PREFIX = "brochure-build-"
_HELD: dict[str, int] = {}


class Stopped(KeyboardInterrupt):
    """The build was stopped by a signal; like Ctrl-C, it unwinds every ``finally``."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        """Return 128 + the signal number, the shell's convention."""
        return 128 + self.signum


def _try_lock(path: Path) -> int | None:
    """Return an open, exclusively locked descriptor of ``path``, or None when it is held.

    The holder removes the file when it is done, so a lock taken on a file that was
    removed meanwhile is worthless: the file at ``path`` must still be the one locked.
    """
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
                     | getattr(os, "O_NOFOLLOW", 0), 0o644)
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # swapped for a FIFO or a device
            os.close(fd)
            raise OSError(errno.EINVAL, "it is not a regular file")
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        try:
            same = path.lstat().st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            return fd
        os.close(fd)


def remove_stale_temp() -> None:
    """Remove the private temporary folders of builds that are no longer running."""
    base = Path(tempfile.gettempdir())
    with contextlib.suppress(OSError):
        for folder in base.glob(f"{TEMP_PREFIX}*"):
            if folder.is_symlink() or not folder.is_dir() \
                    or folder.stat().st_uid != os.getuid():
                continue
            try:
                fd = _try_lock(folder / LOCK_NAME)
            except OSError:
                continue
            if fd is not None:
                shutil.rmtree(folder, ignore_errors=True)
                os.close(fd)


_PENDING: list[Stopped] = []


def _raise_stopped(signum: int, frame: FrameType | None) -> None:
    stop = Stopped(signum)
    _PENDING.append(stop)
    raise stop


def raise_if_stopped() -> None:
    """Raise the stop again if a library swallowed it; called after each brochure.

    WeasyPrint's SVG drawing catches every exception, a signal's among them.
    """
    if _PENDING:
        raise _PENDING[-1]


@contextlib.contextmanager
def hold(out_dir: Path, within: Path | None = None) -> Iterator[Path]:
    """Lock ``out_dir`` for this build and yield the build's private temporary folder.

    ``within`` is the folder ``out_dir`` resolved to when the build started (outdir.claim):
    it must still be that folder, and a lock file there must be an empty regular file.
    """
    lock = out_dir / LOCK_NAME
    within = within or Path(os.path.realpath(out_dir))
    try:
        within.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{display_path(out_dir)}: cannot write here: "
                          f"{exc.strerror}") from None
    check_target(lock, kind="lock", within=within)
    try:
        fd = _try_lock(lock)
    except OSError as exc:
        raise OutputError(f"{display_path(lock)}: cannot use the lock file "
                          f"({exc.strerror}); remove it, then build again") from None
    if fd is None:
        raise OutputError(f"{display_path(out_dir)}: another build is writing into this "
                          "folder; wait for it to finish, or build into another --out folder")
    try:
        with private_temp() as tmp:
            yield tmp
    finally:
        with contextlib.suppress(OSError):  # still locked: no one else holds this file
            if (within / LOCK_NAME).lstat().st_ino == os.fstat(fd).st_ino:
                (within / LOCK_NAME).unlink()
        os.close(fd)


@contextlib.contextmanager
def private_temp() -> Iterator[Path]:
    """Yield a private temporary folder, removed on every way out; signals stop like Ctrl-C.

    The folder is locked while the block runs, so a later run removes it should this
    process be killed (``remove_stale_temp``); SIGTERM and SIGHUP raise ``Stopped``, which
    unwinds every ``finally``. The font configuration made in it is dropped with it.
    """
    handlers: dict[signal.Signals, Any] = {}
    tmp: Path | None = None
    try:
        remove_stale_temp()
        tmp = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX))
        tmp_lock = _try_lock(tmp / LOCK_NAME)
        _PENDING.clear()
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGTERM, signal.SIGHUP):
                handlers[signum] = signal.signal(signum, _raise_stopped)
        try:
            yield tmp
        finally:
            if tmp_lock is not None:
                os.close(tmp_lock)
    finally:
        for signum, handler in handlers.items():
            signal.signal(signum, handler)
        if tmp is not None:
            _forget_fonts()
            shutil.rmtree(tmp, ignore_errors=True)


def _forget_fonts() -> None:
    """Drop this process's font configuration, whose folder was in the private folder."""
    import sys

    render = sys.modules.get("brochure.render.pdf")
    if render is not None:
        render.reset()
