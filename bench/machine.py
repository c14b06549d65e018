"""Describe the machine a benchmark ran on, so numbers from two machines are not compared blind."""

from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"


def cpus() -> int:
    """Return the CPUs this process may run on (the affinity mask, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _proc_field(path: str, key: str) -> str | None:
    try:
        text = Path(path).read_text("utf-8", errors="replace")
    except OSError:
        return None
    for line in text.splitlines():
        name, _, value = line.partition(":")
        if name.strip() == key:
            return value.strip()
    return None


def _os_name() -> str:
    pretty = None
    try:
        for line in Path("/etc/os-release").read_text("utf-8").splitlines():
            if line.startswith("PRETTY_NAME="):
                pretty = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return f"{pretty or platform.system()} (kernel {platform.release()})"


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def chromium_version(path: str = CHROMIUM) -> str | None:
    """Return "Chromium 1.2.3.4", or None when it is not installed."""
    if not Path(path).exists() and shutil.which(path) is None:
        return None
    try:
        done = subprocess.run([path, "--version"], capture_output=True, text=True,
                              timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    # Debian's launcher script prints a shell warning first; keep only the version line.
    found = re.search(r"Chromium [\d.]+", done.stdout + done.stderr)
    return found.group(0) if found else None


def _git(root: Path) -> dict[str, Any]:
    # Read-only: GIT_OPTIONAL_LOCKS=0 stops `git status` refreshing the index file.
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0"}
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True,
                              text=True, check=True, env=env).stdout.strip()
        status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                                cwd=root, capture_output=True, text=True, check=True,
                                env=env).stdout
    except (OSError, subprocess.CalledProcessError):
        return {"commit": None, "modified_files": None}
    return {"commit": head, "modified_files": len(status.splitlines())}


def describe(root: Path) -> dict[str, Any]:
    """Return CPU model, cores, RAM, OS, Python and the versions of the tools measured."""
    mem_kb = _proc_field("/proc/meminfo", "MemTotal")
    return {
        "cpu_model": _proc_field("/proc/cpuinfo", "model name") or platform.processor(),
        "cpus_usable": cpus(),
        "cpus_host": os.cpu_count(),
        "ram_gb": round(int(mem_kb.split()[0]) / 1024 / 1024, 1) if mem_kb else None,
        "os": _os_name(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "python_executable": sys.executable,
        "weasyprint": _version("weasyprint"),
        "brochure": _version("brochure"),
        "chromium": chromium_version(),
        "git": _git(root),
    }


def one_line(machine: dict[str, Any]) -> str:
    """Return the machine in one line for the top of the printed table."""
    return (f"{machine['cpu_model']}, {machine['cpus_usable']} CPUs, {machine['ram_gb']} GB RAM, "
            f"{machine['os']}, {machine['python']}, WeasyPrint {machine['weasyprint']}, "
            f"{machine['chromium'] or 'no Chromium'}")
