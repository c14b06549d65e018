"""Run a command; report the peak memory of it and of every process it starts (Linux).

Usage: python bench/memwatch.py [--interval S] -- COMMAND...  (prints JSON on stdout)

A build waits for its worker processes (brochure.engine), so getrusage(RUSAGE_CHILDREN)
after it gives the peak RSS of the build or of any worker, whichever is larger: exact,
but not telling them apart. So, besides:

- every ``interval`` seconds we read VmHWM (the peak RSS so far) of every descendant from
  /proc, which tells the processes apart (the build, its workers); a worker's growth in
  its last interval before it exits can be missed, so this is a lower bound;
- this process becomes a "child subreaper" (prctl), so a process a command leaves behind
  is re-parented to us and waited for (``reaped_max_kb``).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from measure import become_subreaper

REAP_SECONDS = 30.0  # how long to wait for orphans to exit


@dataclass
class Seen:
    """One descendant process as first seen, with the highest VmHWM read for it."""

    pid: int
    ppid: int
    cmd: str
    hwm_kb: int = 0
    role: str = "other"


def _parents() -> dict[int, int]:
    found: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text("utf-8", errors="replace")
        except OSError:  # it exited while we looked
            continue
        # The command name in field 2 may hold spaces and parentheses: split after the last ')'.
        found[int(entry.name)] = int(stat[stat.rindex(")") + 2:].split()[1])
    return found


def _descendants(root: int) -> dict[int, int]:
    parents = _parents()
    below: dict[int, int] = {}
    for pid in parents:
        chain: list[int] = []
        up = pid
        while up not in (0, 1, root) and up not in below and len(chain) < 64:
            chain.append(up)
            up = parents.get(up, 0)
        if up == root or up in below:
            below.update({p: parents[p] for p in chain})
    return below


def _hwm_kb(pid: int) -> int | None:
    try:
        text = Path(f"/proc/{pid}/status").read_text("utf-8", errors="replace")
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return None  # a zombie has no memory lines


def _cmd(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    return raw.replace(b"\0", b" ").decode("utf-8", errors="replace").strip()


def poll(seen: dict[int, Seen]) -> None:
    """Record VmHWM of every current descendant of this process."""
    for pid, ppid in _descendants(os.getpid()).items():
        if pid not in seen:
            seen[pid] = Seen(pid, ppid, _cmd(pid))
        hwm = _hwm_kb(pid)
        if hwm is not None:
            seen[pid].hwm_kb = max(seen[pid].hwm_kb, hwm)


def classify(seen: dict[int, Seen], build: int) -> None:
    """Name each process: the build and its workers."""
    for p in seen.values():
        if p.pid == build:
            p.role = "build"
        elif "brochure.engine.worker" in p.cmd:
            p.role = "worker"


def watch(command: list[str], interval: float) -> dict[str, object]:
    """Run ``command`` to the end and return what was measured."""
    subreaper = become_subreaper()
    seen: dict[int, Seen] = {}
    start = time.perf_counter()
    # The command's own output goes to our stderr, so stdout carries only the JSON.
    proc = subprocess.Popen(command, stdout=sys.stderr)
    while proc.poll() is None:
        poll(seen)
        time.sleep(interval)
    seconds = time.perf_counter() - start
    reaped: dict[int, int] = {}
    deadline = time.monotonic() + REAP_SECONDS
    while subreaper and time.monotonic() < deadline:
        poll(seen)
        try:
            pid, _, usage = os.wait4(-1, os.WNOHANG)
        except ChildProcessError:
            break  # every orphan has been waited for
        if pid == 0:
            time.sleep(0.05)
            continue
        reaped[pid] = usage.ru_maxrss  # KiB on Linux: this process and all it waited for
    classify(seen, proc.pid)
    return {
        "returncode": proc.returncode,
        "seconds": seconds,
        "interval": interval,
        "subreaper": subreaper,
        "rusage_children_max_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
        "reaped_max_kb": reaped,
        "processes": [asdict(p) for p in seen.values()],
    }


def main() -> None:
    """Parse the command line, watch the command, print JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interval", type=float, default=0.2)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give a command after --")
    json.dump(watch(command, args.interval), sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
