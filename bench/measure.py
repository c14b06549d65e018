"""Timing helpers: wall clock around calls and processes, alternated, reduced to medians."""

from __future__ import annotations

import ctypes
import os
import resource
import signal
import statistics
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PR_SET_CHILD_SUBREAPER = 36  # from <linux/prctl.h>


class CommandFailed(RuntimeError):
    """A measured command exited with an error; the message carries its last lines."""


@dataclass
class Result:
    """One row of the benchmark: a value against a target, with the numbers behind it."""

    id: str
    name: str
    value: float | None
    unit: str  # "x" for a ratio, or "MB", "KB"
    target: float | None
    summary: str  # the absolute numbers, one line, for the table
    details: dict[str, Any] = field(default_factory=dict)
    note: str = ""
    skipped: str | None = None

    @property
    def passed(self) -> bool | None:
        """Return whether the value meets its target (None: no target, or not measured)."""
        if self.value is None or self.target is None:
            return None
        return self.value <= self.target

    def as_dict(self) -> dict[str, Any]:
        """Return the row for results.json."""
        return {"id": self.id, "name": self.name, "value": self.value, "unit": self.unit,
                "target": self.target, "target_rule": "value <= target", "pass": self.passed,
                "summary": self.summary, "note": self.note, "skipped": self.skipped,
                "details": self.details}


def median(samples: Sequence[float]) -> float:
    """Return the median of some timings."""
    return statistics.median(samples)


def timed(call: Callable[[], Any]) -> tuple[float, Any]:
    """Return the wall time of one call and what it returned."""
    start = time.perf_counter()
    value = call()
    return time.perf_counter() - start, value


def alternate(calls: dict[str, Callable[[], Any]], rounds: int) -> dict[str, list[float]]:
    """Time each call once per round, turning the order round each time, so drift in the
    machine (another process, the CPU's clock) falls on all of them alike."""
    names = list(calls)
    samples: dict[str, list[float]] = {name: [] for name in names}
    for i in range(rounds):
        order = names if i % 2 == 0 else names[::-1]
        for name in order:
            samples[name].append(timed(calls[name])[0])
    return samples


def run_command(command: Sequence[str | Path], *, cwd: Path, timeout: float = 900,
                check: bool = True) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Run a process to the end; return its wall time (start to exit) and its result.

    It gets its own process group so that on a timeout nothing it started is left running.
    """
    args = [str(a) for a in command]
    start = time.perf_counter()
    proc = subprocess.Popen(args, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        reap_orphans()
        raise CommandFailed(f"{' '.join(args)}: still running after {timeout:g} s") from None
    seconds = time.perf_counter() - start
    reap_orphans()
    done = subprocess.CompletedProcess(args, proc.returncode, out, err)
    if check and proc.returncode != 0:
        tail = "\n".join((err or out).strip().splitlines()[-5:])
        raise CommandFailed(f"{' '.join(args)}: exit {proc.returncode}\n{tail}")
    return seconds, done


@dataclass(frozen=True)
class Cpu:
    """CPU time so far: the whole machine's busy time, and ours (this process and children)."""

    busy: float  # CPU-seconds every CPU of the machine spent busy since boot (/proc/stat)
    ours: float  # CPU-seconds used by this process and every child it has waited for


def cpu_now() -> Cpu:
    """Return the machine's busy CPU time and ours, to tell our load from other processes'."""
    busy = 0.0
    try:
        with Path("/proc/stat").open(encoding="ascii") as stat:
            fields = [int(v) for v in stat.readline().split()[1:]]
        # user nice system idle iowait irq softirq steal ...: all but idle and iowait is busy
        busy = (sum(fields[:8]) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        pass
    me, kids = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return Cpu(busy, me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime)


def load_between(before: Cpu, after: Cpu, wall: float) -> dict[str, float]:
    """Return what kept the machine busy between two readings: us, and everything else."""
    capacity = wall * (os.cpu_count() or 1)
    ours = after.ours - before.ours
    others = max(0.0, after.busy - before.busy - ours)
    return {"wall_s": wall, "our_cpu_s": ours, "other_cpu_s": others,
            "our_cpus_busy": ours / wall if wall else 0.0,
            "other_share_of_machine": others / capacity if capacity else 0.0}


def become_subreaper(on: bool = True) -> bool:
    """Ask Linux to re-parent our orphaned descendants to us; return whether it did.

    A build waits for its own workers, so their CPU time and peak memory reach our rusage
    through it; as a subreaper we also wait for any process a command leaves behind.
    ``on=False`` stops it, for the test suite: its tests watch their own processes exit,
    which an orphan re-parented here (a zombie until we wait for it) never seems to do.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(PR_SET_CHILD_SUBREAPER, int(on), 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


def reap_orphans(seconds: float = 10.0) -> None:
    """Wait for descendants re-parented to us (any a command left behind)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            pid, _, _ = os.wait4(-1, os.WNOHANG)
        except ChildProcessError:
            return  # none left
        if pid == 0:
            time.sleep(0.02)


def ratio_text(value: float) -> str:
    """Return a ratio with enough digits to compare with its target."""
    return f"{value:.3f}" if value < 0.1 else f"{value:.2f}"
