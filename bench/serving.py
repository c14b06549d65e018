"""SV: `brochure serve`, from saving a file to the updated page in a real browser.

Measured against one warm render of the same brochure in this process (compose, render
and write its PDF, as a build's worker does), alternated with the saves so both see the
same machine.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

from cases import CONDITION, LAYOUT, PAPER, Bench
from machine import CHROMIUM
from measure import CommandFailed, Result, median, ratio_text

CHROMEDRIVER = "/usr/bin/chromedriver"
KEY = f"{CONDITION}.{LAYOUT}.{PAPER}.en"
WAIT = 120.0  # seconds: a bound, not a measurement
NAME = "`brochure serve`: save to updated page in the browser / one warm render"

# What the open page shows: the build of its page images, when it last changed, whether
# its checks are done (then the workers are idle).
STATE = """
const pdf = document.querySelector('a.download');
return {build: pdf ? pdf.getAttribute('href') : null,
        updated: +(document.body.dataset.updated || 0),
        idle: !!document.getElementById('summary') &&
              /^ready$/.test((document.getElementById('status') || {}).innerText || '')};
"""


def _project(bench: Bench) -> Path:
    """Copy the repository's content with one brochure in the matrix: the P1 brochure."""
    root = bench.tmp / "serve-project"
    for folder in ("handouts", "assets", "styles"):  # the content, its logo, its stylesheets
        if (bench.root / folder).is_dir():
            shutil.copytree(bench.root / folder, root / folder)
    for path in (root / "handouts" / "conditions").glob("*.yaml"):
        if path.name.split(".")[0] != CONDITION:  # its translations stay
            path.unlink()
    clinic = root / "handouts" / "clinic.yaml"
    text = re.sub(r"(?m)^  papers: .*$", f"  papers: [{PAPER}]", clinic.read_text("utf-8"))
    text = re.sub(r"(?m)^  layouts: .*$", f"  layouts: [{LAYOUT}]", text)
    text = re.sub(r"(?m)^  languages: .*$", "  languages: [en]", text)
    clinic.write_text(text, "utf-8")
    return root


def _browser() -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu",
                     "--disable-dev-shm-usage", "--window-size=1200,900"):
        options.add_argument(argument)
    return webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))


def _until(driver: Any, check: Any, what: str) -> dict[str, Any]:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        state: dict[str, Any] = driver.execute_script(STATE)
        if check(state):
            return state
        time.sleep(0.01)
    raise CommandFailed(f"serve: no {what} within {WAIT:g} s")


def _warm_render(bench: Bench, root: Path) -> float:
    """Time one render of the brochure in this (warm) process, as a worker does it."""
    from brochure.content.project import load_project
    from brochure.recipe.job import Job
    from brochure.recipe.make import make

    start = time.perf_counter()
    project = load_project(root)
    make(project, Job(CONDITION, LAYOUT, PAPER, project.language))
    return time.perf_counter() - start


def serve_latency(bench: Bench, rounds: int) -> Result:
    """Save the condition file `rounds` times; time each until the open page shows it."""
    if not (Path(CHROMIUM).is_file() and Path(CHROMEDRIVER).is_file()):
        return Result("SV", NAME, None, "x", 1.5, "", skipped="chromium-driver not installed")
    root = _project(bench)
    server = subprocess.Popen(
        [bench.brochure, "serve", "--project", root, "--port", "0"], cwd=bench.tmp,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    driver = None
    saves: list[float] = []
    renders: list[float] = []
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        match = re.search(r"http://\S+/", line)
        if not match:
            raise CommandFailed(f"serve did not start: {line!r}")
        driver = _browser()
        driver.get(f"{match[0]}b/{KEY}")
        state = _until(driver, lambda s: s["build"] and s["idle"], "first preview")
        condition = root / "handouts" / "conditions" / f"{CONDITION}.yaml"
        original = condition.read_text("utf-8")
        _warm_render(bench, root)  # warm-up: imports, fonts, caches
        for i in range(rounds):
            before = state["build"]
            text = original if i % 2 else original.replace(
                "\nkey_message: ", "\nkey_message: Ask us. ", 1)
            condition.write_text(text, "utf-8")
            saved = time.time()
            state = _until(driver, lambda s, b=before: s["build"] != b, "updated page")
            saves.append(state["updated"] / 1000 - saved)
            state = _until(driver, lambda s: s["idle"], "finished check")
            renders.append(_warm_render(bench, root))
    finally:
        if driver is not None:
            driver.quit()
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGINT)
            server.communicate(timeout=60)
    save, render = median(saves), median(renders)
    return Result(
        "SV", NAME, save / render, "x", 1.5,
        f"save to updated page {save:.2f} s, warm render {render:.2f} s "
        f"({CONDITION} {LAYOUT} {PAPER}); server exit {server.returncode}",
        details={"rounds": rounds, "save_to_page_s": saves, "warm_render_s": renders,
                 "save_median_s": save, "render_median_s": render,
                 "server_exit": server.returncode},
        note=f"median of {rounds} saves; the page changes once its new images have loaded; "
             "on top of the render the server waits 50 ms for more saves and makes the page "
             f"images (pypdfium2); the slowest save took {ratio_text(max(saves) / render)}x")
