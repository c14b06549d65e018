"""Benchmark brochure: ratios against targets, measured side by side in one run.

Usage (from the repository root):  .venv/bin/python bench/run.py [--quick] [--keep]

Prints a table, then the same as Markdown for the README; writes bench/results.json and
bench/results.md (bench/results-quick.* with --quick, so a smoke run never replaces a
full one). See bench/README.md for what each number means.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from cases import (
    Bench,
    catalogue,
    chromium,
    ld_alias_bomb,
    p1_library,
    p4_startup,
    p5_memory,
    p6_size,
    p7_cold_one,
    t1_suite,
)
from machine import cpus, describe, one_line
from measure import (
    CommandFailed,
    Result,
    become_subreaper,
    cpu_now,
    load_between,
    ratio_text,
)
from personal import p8_personal
from serving import serve_latency

OTHERS_WARN = 0.05  # share of the machine's CPU time taken by others that makes a step suspect
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

# (ids it yields, title) -> measurement; run in this order: P1 first, in a quiet process.
STEPS: list[tuple[tuple[str, ...], str]] = [
    (("P1",), "library call against raw WeasyPrint"),
    (("P7",), "one brochure, cold"),
    (("LD",), "YAML alias bomb"),
    (("P4",), "start-up time"),
    (("CR",), "Chromium"),
    (("P6",), "handout sizes"),
    (("P2", "P3"), "catalogue builds"),
    (("P5",), "worker memory"),
    (("T1",), "the test suite"),
    (("P8",), "personal copy sent"),
    (("SV",), "brochure serve, save to browser"),
]


def value_text(r: Result) -> str:
    """Return the value with its unit."""
    if r.value is None:
        return "-"
    if r.unit == "x":
        return f"{ratio_text(r.value)}x"
    return f"{r.value:.0f} {r.unit}"


def target_text(r: Result) -> str:
    """Return the target as a rule."""
    if r.target is None:
        return "-"
    return f"<= {r.target:g}{'x' if r.unit == 'x' else ' ' + r.unit}"


def verdict(r: Result) -> str:
    """Return pass, FAIL, info or the reason a row was not measured."""
    if r.skipped:
        return f"skipped: {r.skipped}"
    return {True: "pass", False: "FAIL", None: "info"}[r.passed]


def busy_warning(r: Result) -> str | None:
    """Return a warning when other processes kept the machine busy during a measurement."""
    load = r.details.get("load")
    if not load or load["other_share_of_machine"] < OTHERS_WARN:
        return None
    return (f"other processes used {load['other_share_of_machine']:.0%} of the machine's CPU "
            f"time during this step ({load['other_cpu_s']:.0f} CPU-s in "
            f"{load['wall_s']:.0f} s); its timings are not clean")


def text_table(results: list[Result]) -> str:
    """Return the table for the terminal: one line per row, its absolute numbers below."""
    width = max(len(r.name) for r in results)
    lines = [f"{'ID':<3} {'Measure':<{width}} {'Value':>8} {'Target':>10}  Result"]
    for r in results:
        lines.append(f"{r.id:<3} {r.name:<{width}} {value_text(r):>8} {target_text(r):>10}  "
                     f"{verdict(r)}")
        if r.summary:
            lines.append(f"    {r.summary}")
        if r.note:
            lines.append(f"    note: {r.note}")
        if (warning := busy_warning(r)) is not None:
            lines.append(f"    warning: {warning}")
    return "\n".join(lines)


def markdown(results: list[Result], machine: dict[str, object], header: str) -> str:
    """Return the results as Markdown to paste into the README."""
    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    lines = [header, "", f"Machine: {one_line(machine)}.", "",
             "| ID | Measure | Value | Target | Result | Absolute numbers |",
             "|----|---------|------:|-------:|--------|------------------|"]
    lines += [f"| {r.id} | {cell(r.name)} | {value_text(r)} | {cell(target_text(r))} | "
              f"{cell(verdict(r))} | {cell(r.summary)} |" for r in results]
    notes = [f"- {r.id}: {r.note}" for r in results if r.note]
    notes += [f"- {r.id}: warning: {w}" for r in results if (w := busy_warning(r)) is not None]
    return "\n".join([*lines, *(["", *notes] if notes else [])]) + "\n"


def wait_for_quiet(limit: float) -> float:
    """Wait (up to ``limit`` seconds) until other processes leave the machine nearly idle.

    Another build or test run on the machine would slow one side of a ratio more than the
    other. Returns the seconds waited; the step's own load is still reported afterwards.
    """
    start = time.monotonic()
    told = False
    while True:
        before = cpu_now()
        time.sleep(1.0)
        share = load_between(before, cpu_now(), 1.0)["other_share_of_machine"]
        waited = time.monotonic() - start
        if share < OTHERS_WARN or waited >= limit:
            return waited
        if not told:
            print(f"        other processes use {share:.0%} of the CPU time; waiting up to "
                  f"{limit:.0f} s for them", file=sys.stderr, flush=True)
            told = True


def measure(step: tuple[str, ...], title: str, bench: Bench) -> list[Result]:
    """Run one step; a failure becomes a row saying so, and the other steps go on."""
    runs: dict[str, Callable[[], list[Result]]] = {
        "P1": lambda: [p1_library(bench, rounds=9)],
        "P4": lambda: [p4_startup(bench, runs=10)],
        "CR": lambda: [chromium(bench, runs=3)],
        "P6": lambda: [p6_size(bench)],
        "P2": lambda: catalogue(bench),
        "P5": lambda: [p5_memory(bench)],
        "P7": lambda: [p7_cold_one(bench, runs=7)],
        "LD": lambda: [ld_alias_bomb(bench, rounds=7)],
        "T1": lambda: [t1_suite(bench)],
        "P8": lambda: [p8_personal(bench, rounds=7)],
        "SV": lambda: [serve_latency(bench, rounds=7)],
    }
    try:
        return runs[step[0]]()
    except (CommandFailed, OSError, ValueError, KeyError, ImportError) as exc:
        traceback.print_exc(file=sys.stderr)
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return [Result(i, title, None, "x", None, "", skipped=f"failed: {reason}") for i in step]


def main() -> None:
    """Run every measurement, print the tables, write the result files."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="build only a few conditions for P2, P3 and P5 (a smoke run)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the scratch folder with every PDF built")
    parser.add_argument("--max-wait", type=float, default=120.0, metavar="SECONDS",
                        help="before each step, wait up to this long for other processes "
                             "to leave the machine idle (default: 120; 0: do not wait)")
    parser.add_argument("--only", metavar="IDS",
                        help="run only these rows, e.g. P7,LD (T1 needs P2 in the same run)")
    args = parser.parse_args()
    only = set(args.only.upper().split(",")) if args.only else None
    started = time.perf_counter()
    machine = describe(ROOT)
    machine["subreaper"] = become_subreaper()
    tmp = Path(tempfile.mkdtemp(prefix="brochure-bench-"))
    bench = Bench(root=ROOT, tmp=tmp, cpus=cpus(), quick=args.quick)
    results: list[Result] = []
    try:
        for ids, title in STEPS:
            if only is not None and not only & set(ids):
                continue
            print(f"[{time.perf_counter() - started:5.0f} s] {'/'.join(ids)}: {title} ...",
                  file=sys.stderr, flush=True)
            waited = wait_for_quiet(args.max_wait) if args.max_wait > 0 else 0.0
            before, start = cpu_now(), time.perf_counter()
            step = measure(ids, title, bench)
            load = load_between(before, cpu_now(), time.perf_counter() - start)
            for r in step:
                r.details["load"] = {**load, "waited_for_quiet_s": waited}  # P2, P3 share
            results += step
    finally:
        if args.keep:
            print(f"kept {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    order = ["P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8", "SV", "T1", "LD", "CR"]
    results.sort(key=lambda r: order.index(r.id))
    seconds = time.perf_counter() - started
    when = dt.datetime.now(dt.UTC).replace(microsecond=0)
    kind = "quick run (P2, P3, P5 on a few conditions)" if args.quick else "full run"
    header = f"brochure benchmark, {kind}, {when.isoformat()}, took {seconds:.0f} s"
    print(header)
    print(one_line(machine))
    print()
    print(text_table(results))
    md = markdown(results, machine, f"### {header}")
    print()
    print(md, end="")
    stem = "results-quick" if args.quick or only else "results"
    (HERE / f"{stem}.md").write_text(md, "utf-8")
    (HERE / f"{stem}.json").write_text(json.dumps({
        "when": when.isoformat(), "quick": args.quick, "seconds": seconds,
        "command": " ".join([Path(sys.executable).name, *sys.argv]), "machine": machine,
        "cpus_used": bench.cpus, "results": [r.as_dict() for r in results],
        "all_targets_met": all(r.passed is not False and not r.skipped
                               for r in results if r.target is not None),
    }, indent=2) + "\n", "utf-8")


if __name__ == "__main__":
    main()
