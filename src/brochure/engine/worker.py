"""The worker process's side of the engine: ``python -P -c BOOT`` starts ``main`` here.

A worker imports WeasyPrint as soon as it starts (so a build's or a server's start-up
overlaps its own), then answers requests from its parent, one at a time, over two pipes:
a job (``("job", token, setup, tmp, job)``: the setup's task, made on the first job of
that setup, runs the job under the limits) or a render (``("render", request)``: one
document laid out, its measurements sent back for the fit check, and on a go its PDF).
A third pipe is never written: when the parent is gone, its end closes and the worker
leaves at once, even in the middle of a job, so no worker outlives the program.

Only the standard library and brochure's errors are imported here before a request asks
for more, so a worker stays as light as the WeasyPrint it holds.
"""

from __future__ import annotations

import importlib
import json
import os
import pickle
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from brochure.engine.limits import (
    JobTimeout,
    Limits,
    Outcome,
    limit_memory,
    out_of_memory,
    run_one,
    time_limit,
    timed_out,
)
from brochure.errors import RenderError

_LEAVING = threading.Lock()


class _Dropped(Exception):  # the parent did not want this layout written
    pass


def main(argv: list[str]) -> None:
    """Run a worker: ``REQUESTS REPLIES LIFE CONFIG`` (three pipe fds and a JSON object)."""
    config = json.loads(argv[3])
    if config["private"]:  # it will hold a patient's name: no core dump, from the start
        from brochure.render.private import no_core_dumps

        no_core_dumps()
    # The parent stops its workers; Ctrl-C in a terminal reaches every process of the job.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if config["niceness"]:
        with suppress(OSError, AttributeError):
            os.nice(config["niceness"])
    life = int(argv[2])
    threading.Thread(target=_watch, args=(life,), daemon=True).start()
    requests = Connection(int(argv[0]), writable=False)
    replies = Connection(int(argv[1]), readable=False)
    limits = Limits(config["seconds"], config["memory_mb"])
    with suppress(BrokenPipeError, ConnectionResetError):
        failed = _preload(config["preload"])
        if failed is not None:
            replies.send(("unavailable", failed))
        else:
            limit_memory(limits.memory_mb)  # a job's own memory, beyond the libraries
            replies.send(("ready",))
            _serve(requests, replies, limits)
    _leave()


def _watch(life: int) -> None:
    """Leave as soon as the parent is gone: the end of this pipe that it held closes."""
    with suppress(OSError):
        while os.read(life, 1):
            pass
    _leave()


def _leave() -> None:
    """Remove WeasyPrint's font copies and exit at once (tearing its modules down is slow)."""
    _LEAVING.acquire()  # the main thread and the watcher may both get here: one exits
    render = sys.modules.get("brochure.render.pdf")
    if render is not None:
        with suppress(Exception):
            render.reset()
    os._exit(0)


def _preload(modules: list[str]) -> str | None:
    """Import what every job needs; return why that failed, or None."""
    for name in modules:
        try:
            with _sonames_only():
                importlib.import_module(name)
        except Exception:
            try:  # a system that needs the library lookup after all: the slower way
                importlib.import_module(name)
            except Exception as exc:
                return f"{type(exc).__name__}: {exc}"
    return None


@contextmanager
def _sonames_only() -> Iterator[None]:
    """On Linux, let WeasyPrint find its C libraries by their sonames alone.

    WeasyPrint tries several names for each library (Windows', macOS' and Linux' names);
    for each name that is not a file, cffi asks ``ctypes.util.find_library``, which runs
    ldconfig, gcc and ld: thirteen misses, about 0.16 s of a cold start. Every library
    WeasyPrint needs is also on its list by its Linux soname (libpango-1.0.so.0, ...),
    which the dynamic loader opens directly, so here the lookup answers "not found" at
    once and the loader finds the same files. Should a system need the lookup after all,
    the import fails and ``_preload`` imports again the usual way.
    """
    if not sys.platform.startswith("linux"):
        yield
        return
    import ctypes.util

    lookup = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None
    try:
        yield
    finally:
        ctypes.util.find_library = lookup


def _serve(requests: Connection, replies: Connection, limits: Limits) -> None:
    tasks: dict[int, tuple[Callable[[Any], Any], Callable[[BaseException], str]]] = {}
    images: dict[str, Any] = {}  # decoded images, kept between renders
    while True:
        try:
            data = requests.recv_bytes()
        except (EOFError, OSError):  # the parent is done with this worker
            return
        try:
            message = pickle.loads(data)
        except Exception as exc:  # e.g. a setup from a module this process cannot import
            replies.send(("broken", f"internal error ({type(exc).__name__}: {exc}); this "
                          "is a bug in brochure: please report it with the command you ran"))
            continue
        if message[0] == "job":
            _job(message, tasks, replies, limits)
        elif message[0] == "render":
            _render(message[1], requests, replies, images, limits)


def _job(message: tuple[Any, ...], tasks: dict[int, Any], replies: Connection,
         limits: Limits) -> None:
    _, token, setup, tmp, job = message
    _use_tmp(tmp)
    if token not in tasks:
        make, args, describe = setup
        try:
            tasks[token] = (make(*args), describe)
        except Exception as exc:  # its job fails with the reason; the next one tries again
            replies.send(("outcome", Outcome(job, None, describe(exc), 0.0)))
            return
    task, describe = tasks[token]
    replies.send(("begin",))
    outcome = run_one(task, job, limits, describe)
    try:
        replies.send(("outcome", outcome))
    except (pickle.PicklingError, TypeError, AttributeError) as exc:
        replies.send(("outcome", Outcome(job, None, describe(exc), outcome.seconds)))


def _render(request: dict[str, Any], requests: Connection, replies: Connection,
            images: dict[str, Any], limits: Limits) -> None:
    from brochure.render.pdf import render_pdf

    _use_tmp(request.pop("tmp"))

    def inspect(facts: Any) -> None:
        replies.send(("facts", facts))
        if requests.recv()[0] != "go":
            raise _Dropped

    wants = request.pop("inspect")
    html = request.pop("html")
    try:
        with time_limit(limits.seconds):
            pdf, warnings = render_pdf(html, inspect=inspect if wants else None,
                                       images=images, **request)
    except _Dropped:
        replies.send(("dropped",))
    except JobTimeout:
        replies.send(("error", RenderError(timed_out(limits))))
    except MemoryError:
        replies.send(("error", RenderError(out_of_memory(limits))))
    except BaseException as exc:
        replies.send(("error", _sendable(exc)))
    else:
        replies.send(("done", pdf, warnings))


def _sendable(exc: BaseException) -> BaseException:
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return RenderError(f"internal error ({type(exc).__name__}: {exc})")
    return exc


def _use_tmp(folder: str | None) -> None:
    """Keep temporary files (WeasyPrint's copies of fonts) in the caller's folder.

    A new folder is a new build: what was kept from the last one (the font configuration,
    whose copies were in the last folder, and the parsed stylesheets) is made anew.
    """
    if folder is None or folder == tempfile.gettempdir() or not Path(folder).is_dir():
        return
    render = sys.modules.get("brochure.render.pdf")
    if render is not None:
        render.reset()
    tempfile.tempdir = folder
    os.environ["TMPDIR"] = folder
