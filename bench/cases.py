"""The measurements: each returns Result rows (see README.md for what every number means)."""

from __future__ import annotations

import io
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from machine import CHROMIUM, chromium_version
from measure import (
    CommandFailed,
    Result,
    alternate,
    become_subreaper,
    cpu_now,
    load_between,
    median,
    ratio_text,
    run_command,
)

CONDITION, LAYOUT, PAPER = "back-pain", "handout", "letter"  # the P1 and Chromium brochure
QUICK_CONDITIONS = ["back-pain", "sciatica", "migraines"]
MB = 1024 * 1024
KB = 1024


@dataclass
class Bench:
    """What every measurement needs: where things are and how far to go."""

    root: Path  # the repository, also the content project (handouts/)
    tmp: Path  # scratch folder for output folders, HTML and Chromium profiles
    cpus: int
    quick: bool
    python: Path = field(default_factory=lambda: Path(sys.executable))
    html: str = ""  # the composed page of the P1 brochure, set by p1
    library_seconds: float = 0.0  # P1's median library call, for the Chromium ratio
    library_pdf: dict[str, int] = field(default_factory=dict)
    catalogue_seconds: float = 0.0  # P2's full parallel build, for T1

    @property
    def brochure(self) -> Path:
        """Return the console script installed beside this Python."""
        return self.python.parent / "brochure"

    @property
    def conditions(self) -> list[str]:
        """Return the conditions a catalogue build names: none (the whole matrix) unless quick."""
        return QUICK_CONDITIONS if self.quick else []

    def build(self, out: str, *options: str) -> list[str | Path]:
        """Return a `brochure build` command line writing to a scratch folder."""
        return [self.brochure, "build", *options, "--quiet", "--out", self.tmp / out]


def pdf_info(data: bytes) -> dict[str, Any]:
    """Return a PDF's size, page count and whether it is tagged (has a structure tree)."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return {"bytes": len(data), "pages": len(reader.pages),
            "tagged": reader.root_object.get("/StructTreeRoot") is not None}


def _manifest(folder: Path) -> dict[str, Any]:
    outputs: dict[str, Any] = json.loads((folder / "manifest.json").read_text("utf-8"))["outputs"]
    return outputs


def p1_library(bench: Bench, rounds: int) -> Result:
    """One brochure: the library's compose + render_pdf against bare WeasyPrint on its HTML."""
    import weasyprint

    from brochure.compose.brochure import assemble
    from brochure.compose.html import render_html
    from brochure.content.assets import render_roots
    from brochure.content.layouts import get_layout
    from brochure.content.project import load_project
    from brochure.render.pdf import PDF_VARIANT, render_pdf

    root = bench.root
    project = load_project(root)  # once, as a build does, not per brochure
    item, layout, roots = project.conditions[CONDITION], get_layout(LAYOUT), render_roots(root)
    html = render_html(root, assemble(project, item, layout=layout, paper=PAPER))
    base_url = root.resolve().as_uri() + "/"
    parts: dict[str, list[float]] = {"compose": [], "render_pdf": []}
    made: dict[str, bytes] = {}
    seen = {"same_html": True, "warnings": 0}

    def library() -> None:
        start = time.perf_counter()
        page = render_html(root, assemble(project, item, layout=layout, paper=PAPER))
        composed = time.perf_counter()
        made["library"], warnings = render_pdf(page, roots=roots, base_url=root, inspect=None)
        parts["compose"].append(composed - start)
        parts["render_pdf"].append(time.perf_counter() - composed)
        seen["same_html"] = seen["same_html"] and page == html
        seen["warnings"] = len(warnings)

    def raw() -> None:
        made["raw"] = weasyprint.HTML(string=html, base_url=base_url).write_pdf()

    def raw_ua() -> None:  # bare WeasyPrint with the options the library passes
        made["raw_ua"] = weasyprint.HTML(string=html, base_url=base_url).write_pdf(
            pdf_variant=PDF_VARIANT)

    calls = {"library": library, "raw": raw, "raw_pdf_ua": raw_ua}
    alternate(calls, 1)  # warm-up: imports, fonts, Pango and fontconfig caches
    for timings in parts.values():
        timings.clear()
    samples = alternate(calls, rounds)
    lib, bare, bare_ua = (median(samples[k]) for k in calls)
    bench.html, bench.library_seconds = html, lib
    bench.library_pdf = pdf_info(made["library"])
    return Result(
        "P1", "library call / raw WeasyPrint, one brochure", lib / bare, "x", 1.05,
        f"library {lib:.3f} s (compose {median(parts['compose']):.3f} + render_pdf "
        f"{median(parts['render_pdf']):.3f}), raw {bare:.3f} s; raw with {PDF_VARIANT} "
        f"{bare_ua:.3f} s",
        details={
            "brochure": f"{CONDITION}.{LAYOUT}.{PAPER}", "rounds": rounds,
            "library_median_s": lib, "raw_median_s": bare, "raw_pdf_ua_median_s": bare_ua,
            "compose_median_s": median(parts["compose"]),
            "render_pdf_median_s": median(parts["render_pdf"]),
            "library_over_raw_pdf_ua": lib / bare_ua, "samples_s": samples,
            "same_html_each_call": seen["same_html"], "weasyprint_warnings": seen["warnings"],
            "library_pdf": bench.library_pdf, "raw_pdf": pdf_info(made["raw"]),
            "raw_pdf_ua_pdf": pdf_info(made["raw_ua"]),
        },
        note=f"the library tags the PDF ({PDF_VARIANT}), raw WeasyPrint by default does not; "
             f"against raw WeasyPrint asked for {PDF_VARIANT} too the ratio is "
             f"{ratio_text(lib / bare_ua)}x")


def catalogue(bench: Bench) -> list[Result]:
    """P2 (parallel build against its ideal) and P3 (no-op rebuild against full build)."""
    names = bench.conditions
    before = cpu_now()
    seq_wall, _ = run_command(bench.build("seq", *names, "--jobs", "1", "--force"),
                              cwd=bench.root)
    seq_load = load_between(before, cpu_now(), seq_wall)
    seq = _manifest(bench.tmp / "seq")
    seq_sum = sum(e["render_seconds"] for e in seq.values())
    before = cpu_now()
    par_wall, _ = run_command(bench.build("par", *names, "--jobs", str(bench.cpus), "--force"),
                              cwd=bench.root)
    par_load = load_between(before, cpu_now(), par_wall)
    par = _manifest(bench.tmp / "par")
    bench.catalogue_seconds = par_wall
    par_sum = sum(e["render_seconds"] for e in par.values())
    ideal = seq_sum / bench.cpus
    scope = f"{len(seq)} brochures" + (f" ({', '.join(names)})" if names else "")
    p2 = Result(
        "P2", f"parallel build / ideal, {scope}", par_wall / ideal, "x", 1.15,
        f"--jobs {bench.cpus} {par_wall:.1f} s; ideal {ideal:.1f} s (sum of single renders "
        f"{seq_sum:.1f} s / {bench.cpus}); --jobs 1 {seq_wall:.1f} s; speed-up "
        f"{seq_wall / par_wall:.2f}x; the parallel build kept {par_load['our_cpus_busy']:.2f} "
        f"CPUs busy on average",
        details={"jobs": bench.cpus, "brochures": len(seq), "conditions": names or "all",
                 "sequential_wall_s": seq_wall, "sum_render_seconds_sequential": seq_sum,
                 "ideal_s": ideal, "parallel_wall_s": par_wall,
                 "speed_up": seq_wall / par_wall,
                 "sum_render_seconds_parallel": par_sum,
                 "per_item_slowdown_in_parallel": par_sum / seq_sum,
                 "parallel_brochures": len(par), "sequential_load": seq_load,
                 "parallel_load": par_load},
        note="render_seconds in the parallel run sum to "
             f"{par_sum / seq_sum:.2f}x the sequential ones (two renders share the machine)")
    manifest = bench.tmp / "par" / "manifest.json"
    stamp = manifest.stat().st_mtime_ns
    noop_wall, done = run_command(bench.build("par", *names, "--jobs", str(bench.cpus)),
                                  cwd=bench.root)
    rewritten = manifest.stat().st_mtime_ns != stamp
    p3 = Result(
        "P3", "no-op rebuild / full parallel build", noop_wall / par_wall, "x", 0.02,
        f"no-op {noop_wall:.2f} s, full {par_wall:.1f} s",
        details={"noop_wall_s": noop_wall, "full_parallel_wall_s": par_wall,
                 "manifest_rewritten": rewritten, "noop_output": done.stdout + done.stderr},
        note="the manifest was rewritten by the no-op build" if rewritten else "")
    return [p2, p3]


def p4_startup(bench: Bench, runs: int) -> Result:
    """`brochure --help` against `python -c pass`, each a fresh process."""
    root = bench.root
    calls = {"help": lambda: run_command([bench.brochure, "--help"], cwd=root),
             "python": lambda: run_command([bench.python, "-c", "pass"], cwd=root),
             # For scale only: the floor any Click program pays before its own code runs.
             "click": lambda: run_command([bench.python, "-c", "import click"], cwd=root)}
    alternate(calls, 1)
    samples = alternate(calls, runs)
    helps, bare, click = (median(samples[k]) for k in calls)
    return Result("P4", "`brochure --help` / `python -c pass`", helps / bare, "x", 3.0,
                  f"--help {helps * 1000:.0f} ms, python -c pass {bare * 1000:.0f} ms; "
                  f"for scale, python -c 'import click' {click * 1000:.0f} ms",
                  details={"runs": runs, "help_median_s": helps, "python_median_s": bare,
                           "import_click_median_s": click, "samples_s": samples})


def p5_memory(bench: Bench) -> Result:
    """Peak RSS of a worker over a parallel build, measured by bench/memwatch.py."""
    command = [bench.python, Path(__file__).with_name("memwatch.py"), "--",
               *bench.build("mem", *bench.conditions, "--jobs", str(bench.cpus), "--force")]
    wall, done = run_command(command, cwd=bench.root)
    seen = json.loads(done.stdout)
    procs = seen["processes"]
    workers = [p for p in procs if p["role"] == "worker"]
    by_role: dict[str, float] = {}
    for p in procs:
        by_role[p["role"]] = max(by_role.get(p["role"], 0.0), p["hwm_kb"] / KB)
    polled = max((p["hwm_kb"] for p in workers), default=0) / KB
    # The build waits for its workers, so the kernel folds their peaks into its children's
    # rusage: the peak of the build or any worker, exact (an upper bound for a worker's).
    every = seen["rusage_children_max_kb"] / KB
    main = by_role.get("build", 0.0)
    if workers:
        value = polled
        summary = (f"VmHWM sampled every {seen['interval']} s {polled:.0f} MB; the largest "
                   f"process of the build, exact, {every:.0f} MB")
    else:  # --jobs 1: the build process renders everything itself
        value = every
        summary = f"no worker processes; the build process itself peaked at {value:.0f} MB"
    return Result(
        "P5", f"peak RSS of a worker, {'quick set' if bench.quick else 'full catalogue'}",
        value, "MB", 300.0, f"{summary}; {len(workers)} workers; main process {main:.0f} MB",
        details={"wall_s": wall, "workers": len(workers), "worker_peak_sampled_mb": polled,
                 "any_process_peak_mb": every, "peak_by_role_mb": by_role,
                 "subreaper": seen["subreaper"], "processes": procs},
        note="MB = 2^20 bytes; the value is the sampled peak of the workers, which the "
             "exact peak of every process of the build bounds from above")


def p6_size(bench: Bench) -> Result:
    """Size of every handout PDF (letter) of the default catalogue."""
    run_command(bench.build("handouts", "--layout", LAYOUT, "--paper", PAPER,
                            "--jobs", str(bench.cpus), "--force"), cwd=bench.root)
    files = sorted((bench.tmp / "handouts").glob("*.pdf"))
    sizes = {f.name: (f.stat().st_size, pdf_info(f.read_bytes())["pages"]) for f in files}
    if not sizes:
        raise CommandFailed("the handout build wrote no PDF")
    largest = max(sizes, key=lambda n: sizes[n][0])
    smallest = min(sizes, key=lambda n: sizes[n][0])
    pages = sorted({p for _, p in sizes.values()})
    per_page = max(b / p for b, p in sizes.values()) / KB
    big, small = sizes[largest], sizes[smallest]
    four = [n for n, (_, p) in sizes.items() if p == 4]
    note = (f"the target is for a 4-page handout; {len(four)} of these have 4 pages" if four
            else f"the target is for a 4-page handout but none has 4 pages (they have "
                 f"{pages[0]}-{pages[-1]}); the value is the largest handout as it is, "
                 "which has more pages than 4")
    return Result(
        "P6", f"largest {LAYOUT} PDF ({PAPER}), {len(sizes)} handouts", big[0] / KB, "KB", 150.0,
        f"largest {big[0] / KB:.0f} KB ({largest}, {big[1]} pages); smallest "
        f"{small[0] / KB:.0f} KB ({small[1]} pages); at most {per_page:.1f} KB per page",
        details={"handouts": {n: {"bytes": b, "pages": p} for n, (b, p) in sizes.items()},
                 "largest": largest, "smallest": smallest, "page_counts": pages,
                 "max_kb_per_page": per_page},
        note=note + "; KB = 1024 bytes")


def chromium(bench: Bench, runs: int) -> Result:
    """Debian's headless Chromium printing P1's composed page, a cold process each time."""
    name = "Chromium --print-to-pdf / library call (P1), one brochure"
    version = chromium_version()
    if version is None:
        return Result("CR", name, None, "x", None, "", skipped="chromium not installed")
    if not bench.html:
        return Result("CR", name, None, "x", None, "", skipped="P1 did not compose the page")
    folder = bench.tmp / "chromium"
    folder.mkdir()
    page = folder / "page.html"  # the fonts are file:// URLs, so the page may live anywhere
    page.write_text(bench.html, "utf-8")
    out = folder / "out.pdf"
    count = iter(range(10_000))

    def print_pdf() -> None:
        out.unlink(missing_ok=True)
        profile = folder / f"profile-{next(count)}"  # fresh: no cache carried between runs
        run_command([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                     "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync",
                     f"--user-data-dir={profile}", "--no-pdf-header-footer",
                     f"--print-to-pdf={out}", page.as_uri()], cwd=folder, timeout=120)
        if not out.is_file():
            raise CommandFailed("chromium exited without writing the PDF")

    def cold_cli() -> None:  # the same brochure as a user would build it (P7's command)
        run_command(bench.build("cold", CONDITION, "--layout", LAYOUT, "--paper", PAPER,
                                "--lang", "en", "--force"), cwd=bench.root)

    samples = alternate({"chromium": print_pdf, "brochure_cli": cold_cli}, runs)
    chrome, cli = median(samples["chromium"]), median(samples["brochure_cli"])
    pdf = pdf_info(out.read_bytes())
    lib = bench.library_pdf
    return Result(
        "CR", name, chrome / bench.library_seconds, "x", None,
        f"chromium {chrome:.2f} s cold, library {bench.library_seconds:.2f} s warm, "
        f"`brochure build` of it {cli:.2f} s cold ({ratio_text(chrome / cli)}x); PDF "
        f"{pdf['bytes'] / KB:.0f} KB / {pdf['pages']} pages (library {lib['bytes'] / KB:.0f} "
        f"KB / {lib['pages']} pages)",
        details={"version": version, "runs": runs, "chromium_median_s": chrome,
                 "library_median_s": bench.library_seconds, "brochure_cli_cold_median_s": cli,
                 "chromium_over_cold_cli": chrome / cli, "samples_s": samples,
                 "chromium_pdf": pdf, "library_pdf": lib},
        note="for information, no target; PDFs tagged: Chromium "
             f"{'yes' if pdf['tagged'] else 'no'}, library {'yes' if lib['tagged'] else 'no'}")


RAW_COLD = """\
import sys
import weasyprint

html = open(sys.argv[1], encoding="utf-8").read()
weasyprint.HTML(string=html, base_url=sys.argv[2]).write_pdf(sys.argv[3], pdf_variant=sys.argv[4])
"""


def p7_cold_one(bench: Bench, runs: int) -> Result:
    """A practitioner's single cold build against raw WeasyPrint run cold on the same HTML."""
    from brochure.render.pdf import PDF_VARIANT

    # The command as a practitioner types it (the default --jobs: the engine's worker
    # starts ahead); --lang en, as the default project also builds Spanish and French.
    one = [CONDITION, "--layout", LAYOUT, "--paper", PAPER, "--lang", "en", "--force"]
    run_command(bench.build("cold-html", *one, "--html"), cwd=bench.root)
    html = bench.tmp / "cold-html" / f"{CONDITION}.{LAYOUT}.{PAPER}.en.html"
    script = bench.tmp / "raw_cold.py"
    script.write_text(RAW_COLD, "utf-8")
    base = bench.root.resolve().as_uri() + "/"
    calls = {
        "brochure": lambda: run_command(bench.build("cold", *one), cwd=bench.root),
        "raw": lambda: run_command([bench.python, script, html, base, bench.tmp / "raw.pdf",
                                    PDF_VARIANT], cwd=bench.root),
    }
    alternate(calls, 1)
    samples = alternate(calls, runs)
    ours, raw = median(samples["brochure"]), median(samples["raw"])
    return Result(
        "P7", "cold single build / cold raw WeasyPrint, one brochure", ours / raw, "x", 1.10,
        f"`brochure build {CONDITION} --layout {LAYOUT} --paper {PAPER}` {ours:.2f} s, a fresh "
        f"Python writing the same composed HTML as {PDF_VARIANT} {raw:.2f} s",
        details={"runs": runs, "brochure_median_s": ours, "raw_median_s": raw,
                 "samples_s": samples})


def ld_alias_bomb(bench: Bench, rounds: int) -> Result:
    """Refusing a YAML alias bomb against loading the whole default project."""
    from brochure.content.load import load_yaml
    from brochure.content.project import load_project
    from brochure.errors import ContentError

    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    bomb = bench.tmp / "bomb.yaml"
    bomb.write_text("\n".join(lines) + "\n", "utf-8")

    def refuse() -> None:
        try:
            load_yaml(bomb)
        except ContentError:
            return
        raise ValueError("the alias bomb was loaded")

    calls = {"bomb": refuse, "project": lambda: load_project(bench.root)}
    alternate(calls, 1)
    samples = alternate(calls, rounds)
    bomb_s, project_s = median(samples["bomb"]), median(samples["project"])
    return Result("LD", "refusing a YAML alias bomb / loading the default project",
                  bomb_s / project_s, "x", 10.0,
                  f"alias bomb (9^10 values) refused in {bomb_s * 1000:.0f} ms; the whole "
                  f"default project loaded and validated in {project_s * 1000:.0f} ms",
                  details={"rounds": rounds, "bomb_median_s": bomb_s,
                           "project_median_s": project_s, "samples_s": samples})


def t1_suite(bench: Bench) -> Result:
    """`make test` (lint and the whole suite, venv present) against P2's full parallel build."""
    name = "`make test` / full parallel build of the default catalogue"
    if bench.quick:
        return Result("T1", name, None, "x", 2.5, "", skipped="needs the full catalogue's P2")
    become_subreaper(False)  # the suite's orphans go to init, as they do outside the bench
    try:
        wall, done = run_command(["make", "-s", "test"], cwd=bench.root, timeout=3600)
    finally:
        become_subreaper(True)
    tail = (done.stdout.strip().splitlines() or [""])[-1]
    build = bench.catalogue_seconds
    if not build:
        raise ValueError("P2 did not run, so there is no full build to compare with")
    return Result("T1", name, wall / build, "x", 2.5,
                  f"make test {wall:.0f} s ({tail}); full parallel build {build:.1f} s (P2)",
                  details={"make_test_s": wall, "full_parallel_build_s": build,
                           "pytest_summary": tail})
