"""The engine: workers kept, requests spread over them, and their ends (see ``__init__``).

Nothing of ``multiprocessing`` is used but its ``Connection`` on pipes, no private
attribute of the standard library, and nothing process-wide: the caller holds the engine.
"""

from __future__ import annotations

import itertools
import pickle
import subprocess
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from contextlib import suppress
from multiprocessing.connection import Connection, wait
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from brochure.engine.limits import (
    Limits,
    Outcome,
    run_one,
    soft_memory_limit,
    timed_out,
)
from brochure.engine.process import (
    DIED,
    GRACE_S,
    STARTUP_S,
    STOP_WAIT_S,
    Call,
    Worker,
    WorkerLost,
    spawn,
    why,
)
from brochure.errors import RenderError

if TYPE_CHECKING:
    from brochure.render.measure import Facts

J = TypeVar("J")
R = TypeVar("R")

RECYCLE_AFTER = 40  # jobs per worker before it is replaced, so memory stays flat


class Engine:
    """Worker processes that run jobs and renders, each within the same limits.

    ``Engine(workers=0)`` runs everything in this process instead (no start-up cost),
    with the same limits: the time limit by SIGALRM, the memory limit as a soft limit of
    what this process uses now plus ``memory_mb``.
    """

    def __init__(self, workers: int = 1, *, limits: Limits | None = None,
                 private: bool = False, niceness: int = 0, tmp: Path | None = None,
                 recycle: int = RECYCLE_AFTER,
                 preload: Sequence[str] = ("weasyprint",)) -> None:
        self.size = max(0, workers)
        self.limits = limits or Limits()
        self.private, self.niceness, self.recycle = private, niceness, recycle
        self.tmp = tmp  # the caller's temporary folder; None: its tempfile.gettempdir()
        self.preload = tuple(preload)
        self._idle: list[Worker] = []
        self._busy: set[Worker] = set()
        self._gone: list[Worker] = []  # released, to be waited for
        self._free = threading.Condition()
        self._closed = False
        self._tokens: dict[Any, int] = {}
        self._numbers = itertools.count(1)
        self._here: dict[Any, Callable[[Any], Any]] = {}  # workers=0: tasks by setup

    # -- workers ------------------------------------------------------------------------

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close(kill=exc is not None)

    def start(self) -> Engine:
        """Start the workers now: each begins importing WeasyPrint at once."""
        with self._free:
            while not self._closed and len(self._idle) + len(self._busy) < self.size:
                try:
                    self._idle.append(self._spawn())
                except WorkerLost:
                    break  # the first request says why
        return self

    def resize(self, workers: int) -> None:
        """Run ``workers`` workers from now on: the ones running are kept, more are started."""
        with self._free:
            self.size = max(0, workers)
            while len(self._idle) + len(self._busy) > self.size and self._idle:
                self._release(self._idle.pop(), kill=False)
            self._free.notify_all()
        self.start()

    def pids(self) -> list[int]:
        """Return the process ids of the workers running now."""
        with self._free:
            return [w.process.pid for w in [*self._idle, *self._busy]]

    def close(self, *, kill: bool = False) -> None:
        """Stop every worker and wait for it: ``kill`` at once (Ctrl-C, a signal, an error).

        Without ``kill`` a worker removes its temporary files as it leaves; one still busy
        leaves as well, and any that has not left after a few seconds is killed.
        """
        with self._free:
            self._closed = True
            for worker in self._idle:
                self._release(worker, kill=kill)
            self._idle.clear()
            for worker in self._busy:  # its caller's thread closes its pipes afterwards
                if kill:
                    with suppress(OSError):
                        worker.process.kill()
                worker.drop_life()
            waiting = [w.process for w in [*self._gone, *self._busy]]
            self._gone.clear()
            self._free.notify_all()
        end = time.monotonic() + STOP_WAIT_S
        for process in waiting:
            try:
                process.wait(max(0.0, end - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def _spawn(self) -> Worker:
        return spawn(self.limits, private=self.private, niceness=self.niceness,
                     preload=self.preload)

    def _take(self) -> Worker:
        """Return a free worker, starting one if fewer run than asked; wait for one else."""
        with self._free:
            self._gone = [w for w in self._gone if w.process.poll() is None]
            while True:
                if self._closed:
                    raise WorkerLost("the engine was closed", started=False)
                if self._idle:
                    worker = self._idle.pop()
                    break
                if len(self._busy) < max(1, self.size):
                    worker = self._spawn()
                    break
                self._free.wait()
            self._busy.add(worker)
            return worker

    def _give(self, worker: Worker, *, healthy: bool) -> None:
        """Take a worker back after a request: kept, or replaced (died, killed, worn)."""
        with self._free:
            self._busy.discard(worker)
            if (healthy and not self._closed and worker.jobs < self.recycle
                    and len(self._idle) + len(self._busy) < max(1, self.size)):
                self._idle.append(worker)
            else:
                self._release(worker, kill=not healthy)
            self._free.notify()

    def _release(self, worker: Worker, *, kill: bool) -> None:
        worker.release(kill=kill)
        if kill:  # gone in a moment: waited for now, so no zombie is left behind
            with suppress(subprocess.TimeoutExpired):
                worker.process.wait(STOP_WAIT_S)
        if worker.process.returncode is None:
            self._gone.append(worker)

    def _token(self, setup: Callable[..., Any], args: tuple[Any, ...],
               describe: Callable[[BaseException], str]) -> int:
        """Return the number a worker knows this setup by (the same setup: the same one)."""
        key: Any = (setup, args, describe)
        try:
            hash(key)
        except TypeError:  # args that cannot be compared (a project): a setup of its own
            key = object()
        with self._free:
            if key not in self._tokens:
                self._tokens[key] = next(self._numbers)
            return self._tokens[key]

    def _temp_folder(self, tmp: Path | None = None) -> str:
        return str(tmp or self.tmp or tempfile.gettempdir())

    # -- jobs ---------------------------------------------------------------------------

    def run(self, jobs: Sequence[J], *, setup: Callable[..., Callable[[J], R]],
            args: tuple[Any, ...] = (), describe: Callable[[BaseException], str],
            on_outcome: Callable[[Outcome[J, R]], None] = lambda outcome: None,
            tmp: Path | None = None) -> list[Outcome[J, R]]:
        """Run every job, one at a time per worker; ``setup(*args)`` makes the task.

        The task is made once per worker, on its first job of this setup. A job that
        fails, runs out of time or memory, or whose worker dies fails alone, with a
        message, and the batch goes on (a dead worker is replaced). Ctrl-C, a signal or
        an error from ``on_outcome`` stops every worker at once.
        """
        if self.size == 0:
            return self._run_here(jobs, setup, args, describe, on_outcome, tmp)
        token = self._token(setup, args, describe)
        payload = (setup, args, describe)
        folder = self._temp_folder(tmp)
        pending = deque(jobs)
        calls: dict[Connection, Call] = {}
        outcomes: list[Outcome[J, R]] = []

        def report(outcome: Outcome[J, R]) -> None:
            outcomes.append(outcome)
            on_outcome(outcome)

        try:
            while pending or calls:
                while pending and len(calls) < self.size:
                    job = pending.popleft()
                    try:
                        worker = self._take()
                    except WorkerLost as exc:
                        report(Outcome(job, None, _lost(exc, batch=True), 0.0))
                        continue
                    try:
                        call = Call(worker, job, token, payload, folder, self.limits)
                    except OSError:  # it is gone already: what it said last, or its end
                        self._give(worker, healthy=False)
                        report(Outcome(job, None, _lost(why(worker), batch=True), 0.0))
                        continue
                    calls[worker.back] = call
                if not calls:
                    continue
                deadline = min(c.deadline for c in calls.values())
                for conn in wait(list(calls), max(0.0, deadline - time.monotonic())):
                    call = calls[conn]  # type: ignore[index]
                    try:
                        outcome = call.feed(call.worker.take())
                    except WorkerLost as exc:
                        del calls[conn]  # type: ignore[arg-type]
                        self._give(call.worker, healthy=False)
                        report(Outcome(call.job, None, _lost(exc, batch=True),
                                       time.monotonic() - call.started))
                        continue
                    if outcome is not None:
                        del calls[conn]  # type: ignore[arg-type]
                        self._give(call.worker, healthy=True)
                        report(outcome)
                now = time.monotonic()
                for conn, call in list(calls.items()):
                    if call.deadline <= now:
                        del calls[conn]
                        try:
                            outcome = call.late()
                        except WorkerLost as exc:
                            outcome = Outcome(call.job, None, _lost(exc, batch=True),
                                              now - call.started)
                        self._give(call.worker, healthy=False)
                        report(outcome)
        except BaseException:
            self.close(kill=True)
            for call in calls.values():
                self._give(call.worker, healthy=False)
            raise
        return outcomes

    def _run_here(self, jobs: Sequence[J], setup: Callable[..., Callable[[J], R]],
                  args: tuple[Any, ...], describe: Callable[[BaseException], str],
                  on_outcome: Callable[[Outcome[J, R]], None],
                  tmp: Path | None) -> list[Outcome[J, R]]:
        outcomes: list[Outcome[J, R]] = []
        previous = tempfile.tempdir
        if tmp or self.tmp:  # WeasyPrint's font folder goes into the caller's own folder
            tempfile.tempdir = self._temp_folder(tmp)
        try:
            task = setup(*args)
            for job in jobs:
                with soft_memory_limit(self.limits.memory_mb):
                    outcome = run_one(task, job, self.limits, describe)
                outcomes.append(outcome)
                on_outcome(outcome)
        finally:
            tempfile.tempdir = previous
        return outcomes

    def submit(self, request: J, *, setup: Callable[..., Callable[[J], R]],
               args: tuple[Any, ...] = (),
               describe: Callable[[BaseException], str]) -> Outcome[J, R]:
        """Run one request on a free worker and return its outcome; safe from any thread.

        Raise WorkerLost when its worker died (it is replaced) or none could start.
        """
        if self.size == 0:
            key = self._token(setup, args, describe)
            if key not in self._here:
                self._here[key] = setup(*args)
            with soft_memory_limit(self.limits.memory_mb):
                return run_one(self._here[key], request, self.limits, describe)
        worker = self._take()
        healthy = False
        try:
            try:
                call = Call(worker, request, self._token(setup, args, describe),
                             (setup, args, describe), self._temp_folder(), self.limits)
            except OSError:
                raise why(worker) from None
            while True:
                message = worker.receive(call.deadline)
                if message is None:
                    return call.late()
                outcome = call.feed(message)
                if outcome is not None:
                    healthy = True
                    return outcome
        finally:
            self._give(worker, healthy=healthy)

    # -- the one-brochure path ----------------------------------------------------------

    def render(self, html: str, *, roots: tuple[Path, ...], base_url: Path,
               inspect: Callable[[Facts], None] | None = None,
               images: dict[str, Any] | None = None, css: str | None = None,
               variant: str | None = None,
               svg: Callable[[str], str] | None = None) -> tuple[bytes, list[str]]:
        """Render one document as ``render.pdf.render_pdf`` does, in a worker.

        The layout's measurements come back to ``inspect`` here (the fit check); when it
        raises, the worker drops the layout and the error is raised here, and nothing is
        written. The result and every message are those of a render in this process,
        which renders instead when there is no worker (``workers=0``, none could start)
        or the arguments cannot be sent (``images`` stays here: a worker keeps its own).
        """
        from brochure.render.pdf import render_pdf

        options: dict[str, Any] = {"roots": roots, "base_url": base_url, "css": css, "svg": svg}
        if variant is not None:
            options["variant"] = variant

        def here() -> tuple[bytes, list[str]]:
            return render_pdf(html, inspect=inspect, images=images, **options)

        if self.size == 0 or not _sendable(svg):
            return here()
        try:
            worker = self._take()
        except WorkerLost:
            return here()
        healthy = False
        try:
            done = self._render_in(worker, {"html": html, "inspect": inspect is not None,
                                            "tmp": self._temp_folder(), **options}, inspect)
            healthy = True
        except _Healthy as ok:  # the render's own error, or the fit check's: the worker is fine
            healthy = True
            raise ok.error from None
        except WorkerLost as exc:
            if exc.started:
                raise RenderError(f"{DIED}; the brochure was not written") from None
            return here()  # it never started: this process renders
        finally:
            self._give(worker, healthy=healthy)
        return done

    def _render_in(self, worker: Worker, request: dict[str, Any],
                   inspect: Callable[[Facts], None] | None) -> tuple[bytes, list[str]]:
        deadline = time.monotonic() + STARTUP_S
        while not worker.ready:  # its imports come first; the time limit counts after them
            if worker.receive(deadline) is None:
                worker.release(kill=True)
                raise WorkerLost("no worker process could start in time", started=False)
        try:
            worker.to.send(("render", request))
        except OSError:
            raise why(worker) from None
        worker.jobs += 1
        deadline = time.monotonic() + self.limits.seconds + GRACE_S
        failure: BaseException | None = None
        while True:
            message = worker.receive(deadline)
            if message is None:
                worker.release(kill=True)
                raise RenderError(timed_out(self.limits))
            if message[0] == "facts" and inspect is not None:
                try:
                    inspect(message[1])
                except BaseException as exc:  # the fit check said no: write nothing
                    failure = exc
                    worker.to.send(("drop",))
                    continue
                worker.to.send(("go",))
            elif message[0] == "done":
                return message[1], message[2]
            elif message[0] in ("dropped", "error"):
                error = failure if message[0] == "dropped" else message[1]
                assert error is not None
                raise _Healthy(error)

class _Healthy(Exception):
    """A render ended in an error (its own, or the fit check's); its worker is fine."""

    def __init__(self, error: BaseException) -> None:
        super().__init__()
        self.error = error


def _lost(exc: BaseException, *, batch: bool) -> str:
    reason = str(exc) if isinstance(exc, WorkerLost) else f"{DIED} ({exc})"
    if batch and reason == DIED:
        return f"{DIED}; the other brochures went on"
    return reason


def _sendable(value: object) -> bool:
    """Whether ``value`` (the print shop's SVG recolouring) can go to a worker."""
    try:
        pickle.dumps(value)
    except (pickle.PicklingError, TypeError, AttributeError):
        return False
    return True
