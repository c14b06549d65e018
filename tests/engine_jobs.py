"""Jobs for the engine's tests, run in real worker processes (so: the standard library only).

A job is a string: ``pid`` returns the worker's process id; ``endless`` never ends;
``deaf`` never ends and ignores SIGALRM; ``die`` kills its worker; ``hungry:MB`` asks for
that much memory; ``mark:PATH`` creates PATH, then never ends; ``meet:MINE:OTHER``
creates MINE and returns once OTHER exists (so two of them finish only side by side).
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from pathlib import Path


def setup(prefix: str = "") -> Callable[[str], object]:
    """Return the task; ``prefix`` shows which setup made it."""

    def task(job: str) -> object:
        kind, _, rest = job.partition(":")
        if kind == "pid":
            return os.getpid()
        if kind == "deaf":
            signal.signal(signal.SIGALRM, signal.SIG_IGN)
        if kind == "mark":
            Path(rest).touch()
        if kind in ("endless", "deaf", "mark"):
            while True:
                time.sleep(60)
        if kind == "die":
            os.kill(os.getpid(), signal.SIGKILL)
        if kind == "hungry":
            return len(bytearray(int(rest) * 1024 * 1024))
        if kind == "meet":
            mine, other = rest.split(":")
            Path(mine).touch()
            deadline = time.monotonic() + 120
            while not Path(other).exists() and time.monotonic() < deadline:
                time.sleep(0.01)
            return Path(other).exists()
        return prefix + job.upper()

    return task


def failing_setup() -> Callable[[str], object]:
    """A setup that fails: its jobs fail with the reason."""
    raise OSError(28, "No space left on device")
