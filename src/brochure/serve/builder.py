"""Keep a preview of every brochure in the matrix up to date as the project's files change.

A change reloads the project and plans the matrix exactly as ``brochure build`` does
(``plan.plan``: the hash of every file a brochure reads, the tool and the options); only
the previews whose hash changed are rendered again, the ones a browser is looking at
first. A render's files are published only when it finished and the files it was asked
to render have not changed since, so a browser never gets a half-written image or a
preview of a half-saved file.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import itertools
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from brochure.catalogue.plan import plan
from brochure.catalogue.work import describe
from brochure.checks.findings import BrochureReport
from brochure.codes import merged
from brochure.content.project import Project, load_project
from brochure.engine import Engine, Limits, Outcome, WorkerLost
from brochure.errors import BrochureError
from brochure.recipe.job import Job, Options
from brochure.recipe.select import select
from brochure.serve.worker import (
    CheckRequest,
    Rendered,
    RenderRequest,
    Request,
    page_file,
    setup,
)

RECYCLE_AFTER = 200  # requests per worker before it is replaced, so memory stays flat
CHECK_NICENESS = 5  # checks run at a lower CPU priority than renders and the browser
KEEP_BUILDS = 2  # a page still showing the previous build can finish loading its images


@dataclass
class Preview:
    """One brochure of the matrix and its latest preview."""

    job: Job
    title: str
    planned: str = ""  # inputs hash of the files as they are now
    building: str | None = None  # inputs hash of the render under way
    done: str | None = None  # inputs hash of the last finished render, good or failed
    builds: list[int] = field(default_factory=list)  # published builds, newest last
    pdf: str = ""
    pages: tuple[tuple[int, int, str], ...] = ()  # width, height and digest of each image
    images: dict[str, tuple[int, int]] = field(default_factory=dict)  # digest: build, page
    warnings: tuple[str, ...] = ()
    error: list[str] = field(default_factory=list)  # the CLI's lines when the render failed
    report: BrochureReport | None = None
    checked: str | None = None  # inputs hash the report belongs to
    check_error: list[str] = field(default_factory=list)
    checking: bool = False
    seen: float = 0.0  # when a browser last asked for it: those render first

    @property
    def key(self) -> str:
        """Return the preview's name in URLs: the output name without '.pdf'."""
        return self.job.name.removesuffix(".pdf")

    @property
    def build(self) -> int | None:
        """Return the build shown now, if any."""
        return self.builds[-1] if self.builds else None

    @property
    def status(self) -> str:
        """Return 'rendering', 'failed', 'waiting' (nothing rendered yet) or 'ready'."""
        if self.building is not None:
            return "rendering"
        if self.error:
            return "failed"
        return "waiting" if self.build is None else "ready"

    @property
    def note(self) -> str:
        """Return what is still to come for a preview shown as ready, if anything."""
        if self.status != "ready":
            return ""
        if self.planned != self.done:
            return "out of date"
        return "checking" if self.checked != self.done else ""


class Builder:
    """The previews, the worker processes that render them, and the version browsers follow."""

    def __init__(self, root: Path, store: Path, *, workers: int,
                 limits: Limits | None = None, ignore: tuple[str, ...] = ()) -> None:
        self.root, self.store = root, store
        self.ignore = ignore  # --ignore's codes; see ``ignored``
        self.items: dict[str, Preview] = {}
        self.problems: list[str] = []  # the CLI's lines when the project does not load
        self.sources: dict[str, Path] = {}  # content files that pages link to, by digest
        self.version = 0
        # Renders and checks each have their own warm processes: a render never lands on
        # a process that has only checked (its first render would be a cold one), and the
        # next brochure renders while the last one is checked.
        self.slots = {"render": max(1, workers - 1), "check": 1}
        self.limits = limits or Limits()
        self._changed = asyncio.Event()
        self._engines: dict[str, Engine] = {}
        self._busy = {"render": 0, "check": 0}
        self._numbers = itertools.count(1)
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False
        self._project: Project | None = None

    @property
    def ignored(self) -> tuple[str, ...]:
        """Return the codes the findings panel leaves out: --ignore's and clinic.yaml's."""
        clinic = self._project.clinic.check.ignore if self._project is not None else []
        return merged(self.ignore, clinic)

    # -- what browsers follow -------------------------------------------------------------

    def notify(self) -> None:
        """Tell every waiting browser that something changed."""
        self.version += 1
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait(self, seen: int, timeout: float) -> int:
        """Return the version once it differs from ``seen``, or after ``timeout`` seconds."""
        if self.version == seen:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), timeout)
        return self.version

    def image(self, item: Preview, digest: str) -> Path | None:
        """Return the page image with this digest, from a build the server keeps."""
        spot = item.images.get(digest)
        return None if spot is None else page_file(self.folder(spot[0]), spot[1])

    def folder(self, build: int) -> Path:
        """Return the folder of a build (the number is the server's own, never a URL's text)."""
        return self.store / str(build)

    def look(self, key: str) -> Preview | None:
        """Return a preview by key and move it to the front of the queue."""
        item = self.items.get(key)
        if item is not None:
            item.seen = time.monotonic()
        return item

    # -- planning -----------------------------------------------------------------------

    def refresh(self) -> None:
        """Reload the project and queue every preview whose inputs changed."""
        try:
            project = load_project(self.root)
            # Every language, each in its own layouts; a missing translation shows as that
            # preview's error, as brochure build reports it.
            planned = plan(project, list(select(project).jobs), Options())
        except BrochureError as exc:
            self.problems = exc.lines()
            self.notify()
            return
        except OSError as exc:  # a file vanished between listing and reading it
            self.problems = [f"{exc.filename or ''}: {exc.strerror or exc}"]
            self.notify()
            return
        self.problems = []
        self._project = project
        items: dict[str, Preview] = {}
        for p in planned:
            key = p.job.name.removesuffix(".pdf")
            title = project.conditions[p.job.condition].model.title
            item = self.items.get(key) or Preview(p.job, title)
            item.title, item.planned = title, p.inputs
            items[key] = item
        for key, gone in self.items.items():
            if key not in items:
                for build in gone.builds:
                    shutil.rmtree(self.folder(build), ignore_errors=True)
        self.items = items
        self.notify()
        self.pump()

    def _next(self, kind: str) -> Preview | None:
        """Return the preview to render (or check) next: those a browser shows first."""
        best: tuple[tuple[float, int], Preview] | None = None
        for index, item in enumerate(self.items.values()):
            if item.building is not None or item.checking:
                continue
            if kind == "render":
                wanted = item.planned != item.done
            else:
                wanted = (item.planned == item.done and item.build is not None
                          and not item.error and item.checked != item.done)
            if wanted and (best is None or (-item.seen, index) < best[0]):
                best = ((-item.seen, index), item)
        return None if best is None else best[1]

    def pump(self) -> None:
        """Start renders and checks while a worker is free, the most wanted first."""
        for kind, slots in self.slots.items():
            while not self._closed and self._busy[kind] < slots:
                item = self._next(kind)
                if item is None:
                    break
                self._busy[kind] += 1
                run: Callable[[Preview], Any] = self._render if kind == "render" else self._check
                task = asyncio.get_running_loop().create_task(run(item))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

    # -- running ------------------------------------------------------------------------

    def _engine(self, kind: str) -> Engine:
        if kind not in self._engines:
            self._engines[kind] = Engine(
                workers=self.slots[kind], limits=self.limits, recycle=RECYCLE_AFTER,
                niceness=CHECK_NICENESS if kind == "check" else 0).start()
        return self._engines[kind]

    async def _submit(self, kind: str, request: Request) -> Outcome[Request, Any]:
        engine = self._engine(kind)
        try:
            return await asyncio.to_thread(engine.submit, request, setup=setup,
                                           args=(self.root,), describe=describe)
        except WorkerLost as exc:
            reason = str(exc) if not exc.started else \
                "the worker process died (out of memory or killed)"
            return Outcome(request, None, f"{reason}; save the file again to retry", 0.0)

    async def _render(self, item: Preview) -> None:
        inputs = item.planned
        build = next(self._numbers)
        folder = self.folder(build)
        item.building = inputs
        self.notify()
        try:
            folder.mkdir(parents=True)
            outcome = await self._submit(
                "render", RenderRequest(item.job, folder, self.store.resolve()))
        finally:
            item.building = None
            self._busy["render"] -= 1
        current = (self.items.get(item.key) is item and item.planned == inputs
                   and self._unchanged(item.job, inputs))
        result = outcome.result
        if current and isinstance(result, Rendered):
            item.builds.append(build)
            for old in item.builds[:-KEEP_BUILDS]:
                shutil.rmtree(self.folder(old), ignore_errors=True)
            del item.builds[:-KEEP_BUILDS]
            item.images = {digest: spot for digest, spot in item.images.items()
                           if spot[0] in item.builds}
            item.images.update({digest: (build, number) for number, (_, _, digest)
                                in enumerate(result.pages, start=1)})
            item.title, item.pdf, item.pages = result.title, result.pdf, result.pages
            item.warnings, item.error, item.done = result.warnings, [], inputs
        else:
            # A render of files that changed while it ran may have read a half-saved
            # file: it is dropped and the newer files are rendered next.
            shutil.rmtree(folder, ignore_errors=True)
            if current:
                item.error, item.done = (outcome.error or "failed").split("\n"), inputs
        self.notify()
        self.pump()

    def _unchanged(self, job: Job, inputs: str) -> bool:
        """Return True when the files ``job`` reads still hash to ``inputs``.

        A save the watcher has not reported yet (it waits for saves to settle) may have
        been read half-written by the render that just finished; such a render is
        dropped, and a refresh soon renders the files as they are then.
        """
        try:
            same = self._project is not None and \
                plan(self._project, [job], Options())[0].inputs == inputs
        except (OSError, KeyError, BrochureError):
            same = False
        if not same:
            asyncio.get_running_loop().call_later(0.2, self.refresh)
        return same

    async def _check(self, item: Preview) -> None:
        inputs, build = item.done, item.build
        assert build is not None
        item.checking = True
        self.notify()
        try:
            outcome = await self._submit("check", CheckRequest(
                item.job, self.folder(build) / item.pdf, item.warnings, dt.date.today()))
        finally:
            item.checking = False
            self._busy["check"] -= 1
        if item.done == inputs:
            if isinstance(outcome.result, BrochureReport):
                item.report, item.check_error = outcome.result, []
            else:
                item.check_error = (outcome.error or "failed").split("\n")
            item.checked = inputs
        self.notify()
        self.pump()

    async def close(self) -> None:
        """Stop every worker (a render under way is stopped too) and forget the builds."""
        self._closed = True
        for task in list(self._tasks):
            task.cancel()
        engines, self._engines = list(self._engines.values()), {}
        for engine in engines:
            await asyncio.to_thread(engine.close)
