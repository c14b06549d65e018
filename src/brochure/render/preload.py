"""Import WeasyPrint in a background thread while the build reads and composes the project.

A practitioner builds one brochure at a time, and for one brochure the import of WeasyPrint
is a third of the run. Much of that import is waiting, not computing: to find Pango and its
libraries, WeasyPrint's loader tries several names for each, and every name it cannot open
directly makes ``ctypes.util.find_library`` run ``ldconfig``, the C compiler and the linker
as child processes. A thread that waits on those lets this process read, validate and
compose the brochure in the meantime (the thread gives up the interpreter lock while it
waits), so one cold build costs about what WeasyPrint itself costs (bench row P7).

The render imports WeasyPrint as usual afterwards: that import waits for the thread if the
thread has not finished, and fails with WeasyPrint's own error if the thread's import
failed (a thread's failure is dropped here, never printed).

Two threads importing one module at once are safe, but two that import each other's modules
in a cycle are not; the few standard-library modules both threads would import for the
first time are therefore imported here, before the thread starts.
"""

from __future__ import annotations

import contextlib
import sys
import threading

_STARTED: list[threading.Thread] = []

# Standard-library modules that both WeasyPrint's import and the composing of a brochure
# import, and that the library calls do not import before the build starts.
_SHARED = ("gettext", "gzip", "html.entities", "importlib.readers",
           "importlib.resources.readers")


def preload() -> None:
    """Start importing WeasyPrint in a daemon thread, once per process."""
    if _STARTED or "weasyprint" in sys.modules:
        return
    for name in _SHARED:
        __import__(name)
    thread = threading.Thread(target=_import, name="brochure-preload", daemon=True)
    _STARTED.append(thread)
    thread.start()


def _import() -> None:
    # The render's own import reports a problem; this thread's failure is dropped.
    with contextlib.suppress(BaseException):
        import weasyprint  # noqa: F401
