"""Run build jobs in worker processes, each job bounded in time and memory.

WeasyPrint renders one document on one core, and its threads are slower than running in
sequence, so documents run in parallel processes. Each worker imports WeasyPrint once and
keeps its font configuration and caches across jobs; workers are replaced after a number
of jobs so memory stays flat over a long batch. A job that runs too long or asks for too
much memory fails alone, with a message, and the batch goes on.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

J = TypeVar("J")
R = TypeVar("R")

RECYCLE_AFTER = 40  # jobs per worker before it is replaced


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


def _limit_memory(memory_mb: int) -> None:
    try:
        import resource

        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):  # not on this platform: run unbounded
        pass


def run_one(task: Callable[[J], R], job: J, limits: Limits,
            describe: Callable[[BaseException], str]) -> Outcome[J, R]:
    """Run one job under the time limit, turning its failure into a message."""
    start = time.perf_counter()
    try:
        with time_limit(limits.seconds):
            result = task(job)
        return Outcome(job, result, None, time.perf_counter() - start)
    except JobTimeout:
        return Outcome(job, None, f"stopped after {limits.seconds:g} s (the time limit); the "
                       "page may be too long or too complex", time.perf_counter() - start)
    except MemoryError:
        return Outcome(job, None, f"stopped: it needed more than {limits.memory_mb} MB of "
                       "memory (the limit)", time.perf_counter() - start)
    except Exception as exc:  # one job's failure must not stop the batch
        return Outcome(job, None, describe(exc), time.perf_counter() - start)


_STATE: dict[str, Any] = {}


@contextmanager
def soft_memory_limit(memory_mb: int) -> Iterator[None]:
    """Bound this process's further memory use by ``memory_mb`` while the block runs.

    For jobs run in the main process: the soft limit of its address space is set to what
    it uses now plus ``memory_mb``, and put back afterwards (the hard limit is untouched,
    so it can be).
    """
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        pages = int(Path("/proc/self/statm").read_text().split()[0])
        now = pages * os.sysconf("SC_PAGE_SIZE")
        limit = now + memory_mb * 1024 * 1024
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, ValueError, OSError):  # not on this platform: run unbounded
        yield
        return
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _worker_init(setup: Callable[..., Callable[[Any], Any]], args: tuple[Any, ...],
                 limits: Limits, describe: Callable[[BaseException], str],
                 tmp: str | None = None) -> None:
    # The main process stops the workers (and removes their files) on Ctrl-C or a hang-up.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if tmp is not None:  # the build's private folder, for WeasyPrint's font folder too
        tempfile.tempdir = tmp
        os.environ["TMPDIR"] = tmp
    _limit_memory(limits.memory_mb)
    _STATE["task"] = setup(*args)
    _STATE["limits"] = limits
    _STATE["describe"] = describe


def _worker_run(job: Any) -> Outcome[Any, Any]:
    return run_one(_STATE["task"], job, _STATE["limits"], _STATE["describe"])


# A Unix socket's path holds at most 104 bytes on macOS and 108 on Linux; forkserver puts
# its socket at <temporary folder>/pymp-XXXXXXXX/listener-XXXXXXXX (32 bytes more).
_SOCKET_PATH_MAX = 100
_SHORT_FOLDERS = ("/tmp", "/var/tmp", "/dev/shm")


def _fits(folder: str) -> bool:
    return len(os.fsencode(folder)) + 32 <= _SOCKET_PATH_MAX


def start_method() -> str:
    """Return how to start worker processes: forkserver, or spawn where it cannot be used.

    forkserver gives a clean process per worker (no inherited locks or caches) and, like
    spawn, allows recycling workers. Its socket lives in multiprocessing's own temporary
    folder; when the temporary folder's path is too long for a socket's name, that folder
    is made in a short system one instead, as Python 3.13 does by itself (spawn, which
    needs no socket, is the last resort: its workers take longer to start).
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return "spawn"
    if _fits(tempfile.gettempdir()):
        return "forkserver"
    from multiprocessing import util

    short = next((f for f in _SHORT_FOLDERS
                  if _fits(f) and Path(f).is_dir() and os.access(f, os.W_OK | os.X_OK)), None)
    if short is None:
        return "spawn"
    previous = tempfile.tempdir
    tempfile.tempdir = short
    try:
        folder = util.get_temp_dir()  # made once per process, removed when it exits
    finally:
        tempfile.tempdir = previous
    return "forkserver" if _fits(folder) else "spawn"


class _Pool(Generic[J, R]):
    def __init__(self, workers: int, setup: Callable[..., Callable[[J], R]],
                 args: tuple[Any, ...], limits: Limits,
                 describe: Callable[[BaseException], str], tmp: str | None) -> None:
        self.workers, self.setup, self.args = workers, setup, args
        self.limits, self.describe, self.tmp = limits, describe, tmp
        self.executor = self._start()

    def _start(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.workers, mp_context=multiprocessing.get_context(start_method()),
            initializer=_worker_init,
            initargs=(self.setup, self.args, self.limits, self.describe, self.tmp),
            max_tasks_per_child=RECYCLE_AFTER)

    def restart(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.executor = self._start()

    def stop(self) -> None:
        """Stop every worker now (a signal or Ctrl-C), then the forkserver behind them.

        ProcessPoolExecutor has no public way to end running workers: shutdown() waits
        for the jobs in flight, so the processes it keeps are terminated directly.
        """
        processes = list((getattr(self.executor, "_processes", None) or {}).values())
        self.executor.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            with suppress(OSError, ValueError, AttributeError):
                process.terminate()
        for process in processes:
            with suppress(OSError, ValueError, AttributeError, AssertionError):
                process.join(5)
                if process.is_alive():
                    process.kill()
                    process.join(5)
        from multiprocessing import forkserver

        stop_server = getattr(getattr(forkserver, "_forkserver", None), "_stop", None)
        if stop_server is not None:
            with suppress(OSError, ValueError, AttributeError):
                stop_server()


def run(jobs: list[J], *, workers: int, setup: Callable[..., Callable[[J], R]],
        args: tuple[Any, ...], limits: Limits, describe: Callable[[BaseException], str],
        on_outcome: Callable[[Outcome[J, R]], None],
        tmp: Path | None = None) -> list[Outcome[J, R]]:
    """Run every job; ``setup(*args)`` returns the task, once per worker process.

    With one worker, jobs run in this process (no start-up cost), each under the time
    limit and a soft memory limit. ``tmp`` is the build's private temporary folder, for
    the workers' temporary files.
    """
    outcomes: list[Outcome[J, R]] = []
    if workers <= 1 or len(jobs) <= 1:
        previous_tempdir = tempfile.tempdir
        if tmp is not None:  # WeasyPrint's font folder goes into the build's own folder
            tempfile.tempdir = str(tmp)
        try:
            task = setup(*args)
            for job in jobs:
                with soft_memory_limit(limits.memory_mb):
                    outcome = run_one(task, job, limits, describe)
                outcomes.append(outcome)
                on_outcome(outcome)
        finally:
            tempfile.tempdir = previous_tempdir
        return outcomes
    pool: _Pool[J, R] = _Pool(min(workers, len(jobs)), setup, args, limits, describe,
                              str(tmp) if tmp is not None else None)
    pending = list(reversed(jobs))
    running: dict[Future[Outcome[J, R]], J] = {}
    try:
        while pending or running:
            # Keep at most one job per worker in flight, so a crashed worker can only
            # take down the jobs it was actually running.
            while pending and len(running) < pool.workers:
                job = pending.pop()
                running[pool.executor.submit(_worker_run, job)] = job
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            broken = False
            for future in done:
                job = running.pop(future)
                try:
                    outcome = future.result()
                except BrokenProcessPool:
                    broken = True
                    outcome = Outcome(job, None, "the worker process died (out of memory or "
                                      "killed); the other brochures went on", 0.0)
                outcomes.append(outcome)
                on_outcome(outcome)
            if broken:
                for future, job in running.items():
                    pending.append(job)
                    future.cancel()
                running.clear()
                pool.restart()
    except BaseException:
        pool.stop()
        raise
    finally:
        pool.executor.shutdown(wait=True, cancel_futures=True)
    return outcomes


def default_workers() -> int:
    """Return the number of CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)
