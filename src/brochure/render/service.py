"""A renderer process started ahead of need, so WeasyPrint's start-up overlaps ours.

A practitioner builds one brochure at a time, and a cold build spends half a second on
each side: importing WeasyPrint (its C libraries, its CSS and font machinery) and, before
it can render, reading, validating and composing the project. Neither needs the other
until the composed page is ready, so when a build is likely to be one brochure,
``ahead()`` starts a second Python process at once that imports WeasyPrint while this one
reads the project; the page then goes to it through a pipe and the PDF comes back.

The fit check stays in this process: the renderer sends the layout's measurements
(render/measure.py) and waits for a go before it writes the PDF, so a brochure that does
not fit is never written, and a tri-fold's or booklet's second layout works as it does
here. Each render is bounded by the build's limits: the time limit stops this process's
wait (and the renderer with it), the memory limit is the renderer's own.

When the renderer cannot help (it failed to start, died, or a render's arguments cannot
be sent to it), this process renders itself, as it does without one: the result and every
message are the same either way. Only POSIX systems start one; only machines with two or
more CPUs gain from it, and ``--jobs 1`` asks for none.
"""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from brochure.errors import RenderError
from brochure.render.measure import Facts

# Messages on the pipes: (kind, ...). From the renderer: ready, unavailable, facts, done,
# error, dropped. To it: render, go, drop.
_STOP_WAIT_S = 5.0
# The build stops a render at its time limit, counted from before it sent the page; this
# process's own limit, for when the build is gone, comes later.
_GRACE_S = 1.0


class _Dropped(Exception):  # the other side did not want this layout written
    pass


class Renderer:
    """The client side: one renderer process and the pipes to it."""

    def __init__(self, process: subprocess.Popen[bytes], to: Connection,
                 back: Connection) -> None:
        self.process, self.to, self.back = process, to, back
        self.ready: bool | None = None  # None until the renderer says whether it started

    @classmethod
    def start(cls, *, memory_mb: int, seconds: float = 300.0,
              private: bool = False) -> Renderer | None:
        """Start a renderer process; return None where one cannot be started.

        A ``private`` one (it renders a patient's copy) writes no core dump.
        """
        if os.name != "posix" or not sys.executable:
            return None
        to_read, to_write = os.pipe()
        back_read, back_write = os.pipe()
        try:
            process = subprocess.Popen(
                [sys.executable, "-m", "brochure.render.service", str(to_read),
                 str(back_write), str(memory_mb), repr(seconds),
                 *(["private"] if private else [])],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, pass_fds=(to_read, back_write))
        except OSError:
            for fd in (to_read, to_write, back_read, back_write):
                os.close(fd)
            return None
        os.close(to_read)
        os.close(back_write)
        return cls(process, Connection(to_write, readable=False), Connection(back_read,
                                                                              writable=False))

    def render(self, html: str, *, roots: tuple[Path, ...], base_url: Path,
               inspect: Callable[[Facts], None] | None, css: str | None, variant: str,
               svg: Callable[[str], str] | None) -> tuple[bytes, list[str]] | None:
        """Render in the renderer process; return None to have this process render."""
        if self.ready is False or not _sendable_arg(svg):
            return None
        import tempfile

        request = {"html": html, "roots": roots, "base_url": base_url, "css": css,
                   "variant": variant, "svg": svg, "inspect": inspect is not None,
                   "tmp": tempfile.gettempdir()}
        failure: BaseException | None = None
        try:
            if self.ready is None:  # its first message: did WeasyPrint import there?
                self.ready = self.back.recv()[0] == "ready"
                if not self.ready:
                    self.stop()
                    return None
            self.to.send(("render", request))
            while True:
                message = self.back.recv()
                if message[0] == "facts" and inspect is not None:
                    try:
                        inspect(message[1])
                    except BaseException as exc:  # the fit check said no: write nothing
                        failure = exc
                        self.to.send(("drop",))
                        continue
                    self.to.send(("go",))
                elif message[0] == "done":
                    return message[1], message[2]
                else:  # dropped, as asked; or the render's own error
                    failure = failure if message[0] == "dropped" else message[1]
                    break
        except (EOFError, OSError) as exc:
            started = self.ready
            self.stop(kill=True)
            if started is None:  # it never started: this process renders
                return None
            raise RenderError("the renderer process stopped (out of memory or killed); "
                              "the brochure was not written") from exc
        except BaseException:
            # Ctrl-C or the time limit while it worked: it is stopped mid-render, and the
            # renders from now on are done in this process.
            self.stop(kill=True)
            raise
        assert failure is not None
        raise failure

    def stop(self, *, kill: bool = False) -> None:
        """Stop the renderer: close its pipe (it leaves), or kill it."""
        self.ready = False
        with suppress(OSError):
            self.to.close()
        with suppress(OSError):
            self.back.close()
        if self.process.returncode is None:
            if kill:
                self.process.kill()
            try:
                self.process.wait(_STOP_WAIT_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


_ACTIVE: list[Renderer] = []


@contextmanager
def ahead(*, memory_mb: int, seconds: float, wanted: bool = True,
          private: bool = False) -> Iterator[None]:
    """Start a renderer process for the block's renders (when ``wanted``); stop it after.

    A ``private`` renderer (for a patient's copy) writes no core dump.

    A process that has imported WeasyPrint already (a test run, a script that builds
    again and again) gains nothing from one, and starts none; nor does one that may use
    only one CPU.
    """
    from brochure.render import pdf

    wanted = wanted and "weasyprint" not in sys.modules and _cpus() > 1
    renderer = (Renderer.start(memory_mb=memory_mb, seconds=seconds, private=private)
                if wanted else None)
    if renderer is None:
        yield
        return
    _ACTIVE.append(renderer)
    pdf.render_elsewhere(renderer.render)
    try:
        yield
    except BaseException:
        renderer.stop(kill=True)
        raise
    finally:
        pdf.render_elsewhere(None)
        _ACTIVE.remove(renderer)
        renderer.stop()


def _cpus() -> int:
    """Return how many CPUs this process may use: with one, nothing would overlap."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def release() -> None:
    """Stop the renderer started ahead: the build turned out to need worker processes."""
    from brochure.render import pdf

    for renderer in _ACTIVE:
        pdf.render_elsewhere(None)
        renderer.stop(kill=True)


# The renderer process's side.


def _serve(requests: Connection, replies: Connection, memory_mb: int, seconds: float) -> None:
    try:
        with _sonames_only():
            import weasyprint  # noqa: F401  (the half second this process exists for)

        from brochure.render.pdf import render_pdf
    except BaseException as exc:  # this process renders after all, and reports the error
        replies.send(("unavailable", repr(exc)))
        return
    _limit_memory(memory_mb)
    replies.send(("ready",))
    images: dict[str, Any] = {}
    while True:
        try:
            message = requests.recv()
        except (EOFError, OSError):  # the build is over
            return
        if message[0] != "render":
            continue
        request = message[1]
        _use_tmp(request.pop("tmp"))

        def inspect(facts: Facts) -> None:
            replies.send(("facts", facts))
            if requests.recv()[0] != "go":
                raise _Dropped

        wants = request.pop("inspect")
        # The build stops a render at its time limit (and this process with it); should
        # the build itself be killed meanwhile, this process leaves on its own, a little
        # later, instead of rendering on for nobody.
        signal.setitimer(signal.ITIMER_REAL, seconds + _GRACE_S)
        try:
            pdf, warnings = render_pdf(request.pop("html"), inspect=inspect if wants else None,
                                        images=images, **request)
        except _Dropped:
            replies.send(("dropped",))
            continue
        except BaseException as exc:
            replies.send(("error", _sendable(exc)))
            continue
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        replies.send(("done", pdf, warnings))


@contextmanager
def _sonames_only() -> Iterator[None]:
    """On Linux, let WeasyPrint find its C libraries by their sonames alone.

    WeasyPrint tries several names for each library (Windows', macOS' and Linux' names);
    for each name that is not a file, cffi asks ``ctypes.util.find_library``, which runs
    ldconfig, gcc and ld: thirteen misses, about 0.16 s of a cold start. Every library
    WeasyPrint needs is also on its list by its Linux soname (libpango-1.0.so.0, ...),
    which the dynamic loader opens directly, so here the lookup answers "not found" at
    once and the loader finds the same files. Should a system need the lookup after all,
    the import fails in this process only, and the build renders in its own process.
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


def _sendable_arg(value: object) -> bool:
    """Whether ``value`` (the print shop's SVG recolouring) can go to the renderer."""
    try:
        pickle.dumps(value)
    except (pickle.PicklingError, TypeError, AttributeError):
        return False
    return True


def _sendable(exc: BaseException) -> BaseException:
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return RenderError(f"internal error ({type(exc).__name__}: {exc})")
    return exc


def _use_tmp(folder: str) -> None:
    """Keep temporary files (WeasyPrint's copies of fonts) in the build's private folder.

    A new folder is a new build: what was kept from the last one (the font configuration,
    whose copies were in the last folder, and the parsed stylesheets) is made anew.
    """
    import tempfile

    from brochure.render.pdf import reset

    if folder != tempfile.gettempdir() and Path(folder).is_dir():
        reset()
        tempfile.tempdir = folder


def _limit_memory(memory_mb: int) -> None:
    try:
        import resource

        pages = int(Path("/proc/self/statm").read_text().split()[0])
        limit = pages * os.sysconf("SC_PAGE_SIZE") + memory_mb * 1024 * 1024
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, ValueError, OSError):  # not on this platform: run unbounded
        pass


def main(argv: list[str]) -> None:
    """Run the renderer: ``python -m brochure.render.service IN OUT MEMORY_MB SECONDS [private]``.

    ``private``: it renders a patient's copy, so it writes no core dump.
    """
    if argv[4:5] == ["private"]:
        from brochure.render.private import no_core_dumps

        no_core_dumps()
    # The build's process stops this one; Ctrl-C in the terminal reaches it first.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    signal.signal(signal.SIGALRM, lambda signum, frame: os._exit(1))
    requests = Connection(int(argv[0]), writable=False)
    replies = Connection(int(argv[1]), readable=False)
    with suppress(BrokenPipeError):
        _serve(requests, replies, int(argv[2]), float(argv[3]))
    # Leave at once: tearing down WeasyPrint's modules takes a tenth of a second that the
    # build would wait for. Only the fonts WeasyPrint copied need removing.
    if "brochure.render.pdf" in sys.modules:
        sys.modules["brochure.render.pdf"].reset()
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv[1:])
