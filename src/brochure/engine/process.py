"""One worker process, the pipes to it, and one job sent to it (the engine's parent side).

Every worker is a plain child process (``subprocess``) started as ``python -P -c BOOT``;
it talks over three pipes of its own (``multiprocessing.connection.Connection`` on them):
requests, replies, and one never written whose end, closing, tells it to leave.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from contextlib import suppress
from multiprocessing.connection import Connection
from typing import Any

from brochure.engine.limits import Limits, Outcome, timed_out

# A job's time limit counts from when the worker begins it (after its imports and the
# setup); a worker that has not begun one this long after it was sent is given up on.
STARTUP_S = 120.0
# The worker stops a job at its time limit itself; one that has not answered this much
# later (stuck where no signal reaches it) is killed by the parent.
GRACE_S = 2.0
STOP_WAIT_S = 5.0
DIED = "the worker process died (out of memory or killed)"

# The worker runs with the parent's import path (as multiprocessing's spawn does) and
# without the current folder put first (-P), so a project's file cannot shadow a module.
BOOT = ("import json, sys; sys.path[:] = json.loads(sys.argv[4])['path']; "
        "from brochure.engine.worker import main; main(sys.argv[1:])")


class WorkerLost(Exception):
    """The worker holding a request died, or no worker could start (``started`` False)."""

    def __init__(self, reason: str, *, started: bool) -> None:
        super().__init__(reason)
        self.started = started


class Worker:
    """One worker process and the pipes to it."""

    def __init__(self, process: subprocess.Popen[bytes], to: Connection, back: Connection,
                 life: int) -> None:
        self.process, self.to, self.back, self.life = process, to, back, life
        self.ready = False  # it said its imports are done
        self.tokens: set[int] = set()  # the setups it has made
        self.jobs = 0

    def receive(self, deadline: float) -> tuple[Any, ...] | None:
        """Return the worker's next message, or None once ``deadline`` passed."""
        if not self.back.poll(max(0.0, deadline - time.monotonic())):
            return None
        return self.take()

    def take(self) -> tuple[Any, ...]:
        """Return the message waiting; raise WorkerLost when the worker is gone."""
        try:
            message: tuple[Any, ...] = self.back.recv()
        except (EOFError, OSError) as exc:
            raise WorkerLost(DIED if self.ready else self._why_not(), started=self.ready) \
                from exc
        if message[0] == "unavailable":
            raise WorkerLost(f"no worker process could start ({message[1]})", started=False)
        if message[0] == "ready":
            self.ready = True
        return message

    def _why_not(self) -> str:
        with suppress(subprocess.TimeoutExpired):
            self.process.wait(1)
        code = self.process.returncode
        return f"no worker process could start (it exited with code {code})"

    def release(self, *, kill: bool) -> None:
        """Close the pipes (the worker leaves at once), or kill it first."""
        if kill:
            with suppress(OSError):
                self.process.kill()
        for conn in (self.to, self.back):
            with suppress(OSError):
                conn.close()
        self.drop_life()

    def drop_life(self) -> None:
        """Close the pipe whose end tells the worker to leave."""
        if self.life >= 0:
            with suppress(OSError):
                os.close(self.life)
            self.life = -1


class Call:
    """One job sent to one worker: what it waits for, and until when."""

    def __init__(self, worker: Worker, job: Any, token: int,
                 setup: tuple[Any, ...] | None, tmp: str | None, limits: Limits) -> None:
        self.worker, self.job, self.token, self.limits = worker, job, token, limits
        self.started = time.monotonic()
        self.begun = False
        self.deadline = self.started + STARTUP_S + limits.seconds
        worker.to.send(("job", token, None if token in worker.tokens else setup, tmp, job))

    def feed(self, message: tuple[Any, ...]) -> Outcome[Any, Any] | None:
        """Take one message from the worker; return the job's outcome once it came."""
        if message[0] == "begin":
            self.begun = True
            self.worker.tokens.add(self.token)
            self.deadline = time.monotonic() + self.limits.seconds + GRACE_S
        elif message[0] == "outcome":
            self.worker.jobs += 1
            outcome: Outcome[Any, Any] = message[1]
            return outcome
        elif message[0] == "broken":
            return Outcome(self.job, None, message[1], time.monotonic() - self.started)
        return None

    def late(self) -> Outcome[Any, Any]:
        """Return the outcome of a job its worker did not finish in time (it is killed)."""
        self.worker.release(kill=True)
        if not self.begun:
            raise WorkerLost(f"no worker process could start (none began the job in "
                             f"{STARTUP_S:g} s)", started=False)
        return Outcome(self.job, None, timed_out(self.limits), time.monotonic() - self.started)


def spawn(limits: Limits, *, private: bool, niceness: int,
          preload: Sequence[str]) -> Worker:
    """Start one worker process; raise WorkerLost when none can start."""
    if os.name != "posix" or not sys.executable:
        raise WorkerLost("no worker process can start on this system", started=False)
    to_read, to_write = os.pipe()
    back_read, back_write = os.pipe()
    life_read, life_write = os.pipe()
    config = {"path": sys.path, "seconds": limits.seconds,
              "memory_mb": limits.memory_mb, "private": private,
              "niceness": niceness, "preload": list(preload)}
    try:
        process = subprocess.Popen(
            [sys.executable, "-P", "-c", BOOT, str(to_read), str(back_write),
             str(life_read), json.dumps(config)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            pass_fds=(to_read, back_write, life_read))
    except OSError as exc:
        for fd in (to_write, back_read, life_write):
            os.close(fd)
        raise WorkerLost(f"no worker process could start ({exc})", started=False) from exc
    finally:
        for fd in (to_read, back_write, life_read):
            os.close(fd)
    return Worker(process, Connection(to_write, readable=False),
                  Connection(back_read, writable=False), life_write)


def why(worker: Worker) -> WorkerLost:
    """Return why a worker whose pipe broke is gone: what it said last, or that it died."""
    try:
        while True:
            worker.take()
    except WorkerLost as exc:
        return exc
