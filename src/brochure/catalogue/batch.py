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
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
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


def _worker_init(setup: Callable[..., Callable[[Any], Any]], args: tuple[Any, ...],
                 limits: Limits, describe: Callable[[BaseException], str]) -> None:
    _limit_memory(limits.memory_mb)
    _STATE["task"] = setup(*args)
    _STATE["limits"] = limits
    _STATE["describe"] = describe


def _worker_run(job: Any) -> Outcome[Any, Any]:
    return run_one(_STATE["task"], job, _STATE["limits"], _STATE["describe"])


class _Pool(Generic[J, R]):
    def __init__(self, workers: int, setup: Callable[..., Callable[[J], R]],
                 args: tuple[Any, ...], limits: Limits,
                 describe: Callable[[BaseException], str]) -> None:
        self.workers, self.setup, self.args = workers, setup, args
        self.limits, self.describe = limits, describe
        self.executor = self._start()

    def _start(self) -> ProcessPoolExecutor:
        # forkserver: a clean process per worker (no inherited locks or caches), and the
        # only start method besides spawn that allows recycling workers.
        method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() \
            else "spawn"
        return ProcessPoolExecutor(
            max_workers=self.workers, mp_context=multiprocessing.get_context(method),
            initializer=_worker_init,
            initargs=(self.setup, self.args, self.limits, self.describe),
            max_tasks_per_child=RECYCLE_AFTER)

    def restart(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.executor = self._start()


def run(jobs: list[J], *, workers: int, setup: Callable[..., Callable[[J], R]],
        args: tuple[Any, ...], limits: Limits, describe: Callable[[BaseException], str],
        on_outcome: Callable[[Outcome[J, R]], None]) -> list[Outcome[J, R]]:
    """Run every job; ``setup(*args)`` returns the task, once per worker process.

    With one worker, jobs run in this process (no start-up cost; no memory limit).
    """
    outcomes: list[Outcome[J, R]] = []
    if workers <= 1 or len(jobs) <= 1:
        task = setup(*args)
        for job in jobs:
            outcome = run_one(task, job, limits, describe)
            outcomes.append(outcome)
            on_outcome(outcome)
        return outcomes
    pool: _Pool[J, R] = _Pool(min(workers, len(jobs)), setup, args, limits, describe)
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
    finally:
        pool.executor.shutdown(wait=True, cancel_futures=True)
    return outcomes


def default_workers() -> int:
    """Return the number of CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)
