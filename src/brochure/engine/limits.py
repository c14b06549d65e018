"""What bounds one job, wherever it runs: a time limit, a memory limit, and their messages.

The two limits mean the same thing in a worker process and in the caller's own process
(``Engine(workers=0)``): a job is stopped after ``seconds`` (SIGALRM raises ``JobTimeout``
in it), and it may take ``memory_mb`` of address space beyond what its process used before
(after its imports), so a MemoryError stops it. A stopped job fails alone, with one line.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

J = TypeVar("J")
R = TypeVar("R")


@dataclass(frozen=True)
class Limits:
    """Bounds on one job."""

    seconds: float = 300.0
    memory_mb: int = 2048


@dataclass(frozen=True)
class Outcome(Generic[J, R]):
    """A job and either its result or the one-line reason it failed."""

    job: J
    result: R | None
    error: str | None
    seconds: float


class JobTimeout(BaseException):
    """The job ran past its time limit (a BaseException, so no library code swallows it)."""


def timed_out(limits: Limits) -> str:
    """Return the reason given for a job stopped at its time limit."""
    return (f"stopped after {limits.seconds:g} s (the time limit); the page may be too long "
            "or too complex")


def out_of_memory(limits: Limits) -> str:
    """Return the reason given for a job stopped at its memory limit."""
    return f"stopped: it needed more than {limits.memory_mb} MB of memory (the limit)"


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise JobTimeout in this thread when ``seconds`` pass (only the main thread can)."""
    if (seconds <= 0 or not hasattr(signal, "setitimer")
            or threading.current_thread() is not threading.main_thread()):
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise JobTimeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run_one(task: Callable[[J], R], job: J, limits: Limits,
            describe: Callable[[BaseException], str]) -> Outcome[J, R]:
    """Run one job under the time limit, turning its failure into a message."""
    start = time.perf_counter()
    try:
        with time_limit(limits.seconds):
            result = task(job)
        return Outcome(job, result, None, time.perf_counter() - start)
    except JobTimeout:
        return Outcome(job, None, timed_out(limits), time.perf_counter() - start)
    except MemoryError:
        return Outcome(job, None, out_of_memory(limits), time.perf_counter() - start)
    except Exception as exc:  # one job's failure must not stop the batch
        return Outcome(job, None, describe(exc), time.perf_counter() - start)


def _address_space() -> int:
    """Return the address space this process uses now, in bytes (Linux: /proc)."""
    pages = int(Path("/proc/self/statm").read_text().split()[0])
    return pages * os.sysconf("SC_PAGE_SIZE")


def limit_memory(memory_mb: int) -> None:
    """Let this process take at most ``memory_mb`` more address space than it uses now.

    The soft limit of RLIMIT_AS goes to what the process uses now plus ``memory_mb``
    (within the hard limit, which is left as it is). A worker calls it once its imports
    are done, so the limit counts what a job takes, not the libraries it runs on.
    """
    try:
        import resource

        limit = _address_space() + memory_mb * 1024 * 1024
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, ValueError, OSError):  # not on this platform: run unbounded
        pass


@contextmanager
def soft_memory_limit(memory_mb: int) -> Iterator[None]:
    """Bound this process's further memory use by ``memory_mb`` while the block runs.

    For jobs run in the caller's process: ``limit_memory`` for the block, and the limit
    as it was afterwards (the hard limit is untouched, so it can be put back).
    """
    try:
        import resource

        previous = resource.getrlimit(resource.RLIMIT_AS)
        limit_memory(memory_mb)
    except (ImportError, ValueError, OSError):  # not on this platform: run unbounded
        yield
        return
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, previous)


def default_workers() -> int:
    """Return the number of CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)
