"""Shared helpers: small projects built in tmp_path (like copier's build_file_tree)."""

from __future__ import annotations

import fcntl
import json
import os
import pickle
import signal
import textwrap
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import pytest

T = TypeVar("T")

# A shell that starts the suite in the background (`make test &`, a CI runner) leaves
# SIGINT ignored, and every process the tests start inherits that: the tests that press
# Ctrl-C on a build or the preview server would see it ignored. A handler set here is
# reset to the default in each child, as a terminal gives it.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

ROOT = Path(__file__).resolve().parents[1]


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """Run one test process more than there are CPUs (``-n auto``).

    Many tests wait on what they started (a server, a deadline, a build in other
    processes); one more process keeps every CPU busy meanwhile (356 s against 373 s for
    the suite on two CPUs, one run each).
    """
    return (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
            else os.cpu_count() or 1) + 1

CLINIC = """\
name: Test Clinic
contact:
  phone: "(555) 010-0000"
  website: www.test-clinic.test
locations:
  - id: main
    address: 1 Test Road, Testville
disclaimer: This handout does not replace advice from your own doctor.
defaults:
  paper: letter
  language: en
emergency: {number: "911", words: ambulance}
after_hours: When we are closed, call your doctor.
"""

SAFETY = """\
title: Is dry needling safe?
key_message: Dry needling is safe for most people when a trained person does it.
reviewed: {on: 2026-10-01, by: Physiotherapist}
sources:
  - id: article
    title: Test article
blocks:
  - kind: table
    heading: What side effects can happen?
    header: [Side effect, How often, How bad]
    rows:
      - [Soreness, Common, Mild]
      - [Bleeding, Rare, Mild]
  - kind: callout
    tone: call-us
    title: When should I call you?
    text: Call us if the soreness gets worse after two days.
    general_guidance: true
  - kind: checklist
    role: contraindications
    heading: Before your first session
    intro: "Tell us before needling if you:"
    items: [take blood thinners, are pregnant]
    general_guidance: true
"""

INTRO = """\
title: What is dry needling?
key_message: Dry needling uses fine needles to relax tight spots in your muscles.
reviewed: {on: 2026-09-15, by: Physiotherapist}
sources:
  - id: article
    title: Test article
blocks:
  - kind: text
    text: |
      Dry needling uses **fine, sterile needles**.

      - It aims at trigger points.
      - It may ease pain.
  - kind: steps
    heading: What happens at a visit?
    items: [We talk with you., We find the tight spots., We place the needles.]
  - kind: checklist
    heading: What should I do afterwards?
    items: [Drink water., Rest for a day.]
  - kind: figures
    heading: What results have been reported?
    measure: Pain relief reported
    items:
      - {label: Chronic low back pain, low: 50, high: 75, source: article,
         words: about half to three in four}
      - {label: Back pain, low: 70, words: about seven in ten, source: article}
"""

CONDITION = """\
title: Dry needling for back pain
key_message: Dry needling may ease your back pain as part of your care.
reviewed: {on: 2026-08-01, by: Physiotherapist}
sections:
  - title: What is back pain?
    blocks:
      - kind: text
        text: Back pain is very common.
      - {kind: callout, tone: urgent, title: Urgent?, general_guidance: true, text: Get help now.}
topics: [intro, safety]
"""


def wait_until(condition: Callable[[], object], limit: float = 120.0) -> bool:
    """Return True as soon as ``condition()`` holds, False after ``limit`` seconds.

    The limit is for a machine that has stopped, not a measure: tests wait on processes.
    """
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.05)
    return False


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write ``{relative path: text}`` under ``root`` and return ``root``."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
    return root


def minimal_files() -> dict[str, str | bytes]:
    """Return the files of a small valid project."""
    return {
        "handouts/clinic.yaml": CLINIC,
        "handouts/topics/intro.yaml": INTRO,
        "handouts/topics/safety.yaml": SAFETY,
        "handouts/conditions/back-pain.yaml": CONDITION,
    }


@pytest.fixture
def make_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """Build a project in tmp_path (minimal files plus overrides) and chdir into it."""
    monkeypatch.chdir(tmp_path)

    def make(overrides: dict[str, str | bytes | None] | None = None) -> Path:
        files = minimal_files()
        for rel, content in (overrides or {}).items():
            if content is None:
                files.pop(rel, None)
            else:
                files[rel] = content
        return write_tree(tmp_path, files)

    yield make


class Catalogue:
    """The default catalogue, built once per test session: every PDF, by file name.

    What tests read from many PDFs (their text, the check's audit) is read once per
    session, in parallel worker processes, and shared by every test that asks.
    """

    def __init__(self, out: Path, outputs: list[Path]) -> None:
        self.out = out
        self.pdfs = {p.name: p for p in outputs}
        self._read: dict[tuple[str, Path], object] = {}

    def map(self, func: Callable[[Path], T], paths: list[Path]) -> dict[str, T]:
        """Return {file name: func(path)}, computed once per test run in worker processes.

        ``func`` must be a module-level function (the workers import it by name). What one
        pytest-xdist worker has read is kept on disk beside the catalogue, so the other
        workers read it instead of reading the PDF again.
        """
        from concurrent.futures import ProcessPoolExecutor
        from multiprocessing import get_context

        from brochure.engine import default_workers

        kept = self.out.parent / "reads" / func.__name__
        kept.mkdir(parents=True, exist_ok=True)
        with locked(kept / ".lock"):
            todo = []
            for p in paths:
                if (func.__name__, p) in self._read:
                    continue
                stored = kept / f"{p.name}.pickle"
                if stored.is_file():
                    self._read[(func.__name__, p)] = pickle.loads(stored.read_bytes())
                else:
                    todo.append(p)
            if todo:
                with ProcessPoolExecutor(default_workers(),
                                         mp_context=get_context("forkserver")) as pool:
                    for path, value in zip(todo, pool.map(func, todo, chunksize=4),
                                           strict=True):
                        self._read[(func.__name__, path)] = value
                        (kept / f"{path.name}.pickle").write_bytes(pickle.dumps(value))
        return {p.name: self._read[(func.__name__, p)] for p in paths}  # type: ignore[misc]

    def texts(self, paths: list[Path]) -> dict[str, str]:
        """Return {file name: text as pypdf extracts it} for ``paths``."""
        from pdfread import raw_text

        return self.map(raw_text, paths)

    def audits(self, paths: list[Path]) -> dict[str, list[str]]:
        """Return {file name: what the check's PDF audit finds} for ``paths``."""
        from pdfread import audit

        return self.map(audit, paths)

    def select(self, *, layout: str | None = None, paper: str | None = None,
               condition: str | None = None, language: str | None = "en",
               imposed: bool = False) -> list[Path]:
        """Return the PDFs of one layout, paper, condition and language, sorted by name.

        English by default: most tests read what the source content says; None is every
        language.
        """
        found = []
        for name, path in sorted(self.pdfs.items()):
            cond, lay, pap, lang = name.split(".")[:4]
            if (layout in (None, lay) and paper in (None, pap) and condition in (None, cond)
                    and language in (None, lang) and (".imposed." in name) == imposed):
                found.append(path)
        return found


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` while the block runs (across xdist workers)."""
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def catalogue(tmp_path_factory: pytest.TempPathFactory) -> Catalogue:
    """Build the shipped content's whole default matrix once, in parallel, for every test
    that only reads PDFs (the build's own behaviour is tested on small projects).

    Under pytest-xdist the first worker to ask builds it into the run's shared temporary
    folder while the others wait, then every worker reads the same files.
    """
    import brochure
    from brochure.engine import default_workers

    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # shared by the run's workers
    out, listing = base / "catalogue", base / "catalogue.json"
    with locked(base / "catalogue.lock"):
        if not listing.is_file():
            result = brochure.build(project=ROOT, out=out, jobs=default_workers())
            listing.write_text(json.dumps([p.name for p in result.outputs]), "utf-8")
        names = json.loads(listing.read_text("utf-8"))
    return Catalogue(out, [out / name for name in names])
