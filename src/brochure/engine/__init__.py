"""One engine for work in other processes: the build's, the server's and the one-brochure path.

WeasyPrint renders one document on one core, and its threads are slower than running in
sequence, so documents run in parallel processes. An ``Engine`` is made by its caller and
passed to what uses it; nothing is switched on for the whole process:

- ``Engine(workers=N, limits=Limits(seconds, memory_mb), private=..., niceness=..., tmp=...)``;
  ``start()`` starts the workers, which begin importing WeasyPrint at once, so a cold
  command overlaps that import with reading its project;
- ``run(jobs, setup=..., args=..., describe=..., on_outcome=...)``: a batch, one job in
  flight per worker; ``setup(*args)`` is sent to a worker with its first job of that
  setup, so one started worker serves any kind of request;
- ``submit(request, setup=..., ...)``: one request, blocking, from any thread (the preview
  server calls it through ``asyncio.to_thread``);
- ``render(html, ...)``: ``render.pdf.render_pdf`` in a worker, the layout's measurements
  sent back for the fit check before the PDF is written;
- ``resize(n)``: a worker started ahead for one brochure is kept when the plan turns out
  to need many; ``close(kill=False)``, or the ``with`` block's end.

The limits mean the same everywhere. A job is stopped at ``seconds`` by SIGALRM in its
worker and, should it not answer ``GRACE_S`` later, the parent kills the worker; it may
take ``memory_mb`` of address space beyond what its worker used after its imports. A
worker that dies fails only the job it ran, and is replaced; workers are replaced after
``recycle`` jobs so memory stays flat; Ctrl-C, a signal or ``close(kill=True)`` stops
every worker at once, and a worker whose parent is gone leaves by itself.
``Engine(workers=0)`` runs everything in the caller's process, within the same limits.
"""

from brochure.engine.engine import RECYCLE_AFTER, Engine
from brochure.engine.limits import (
    JobTimeout,
    Limits,
    Outcome,
    default_workers,
    run_one,
    soft_memory_limit,
    time_limit,
)
from brochure.engine.process import DIED, WorkerLost

__all__ = ["DIED", "RECYCLE_AFTER", "Engine", "JobTimeout", "Limits", "Outcome",
           "WorkerLost", "default_workers", "run_one", "soft_memory_limit", "time_limit",
           "worth_starting_ahead"]


def worth_starting_ahead() -> bool:
    """Whether a worker started now would overlap WeasyPrint's import with this process.

    Not in a process that has imported WeasyPrint already (a test run, a script that
    builds again and again: its own renders are warm), nor on one CPU, where nothing
    would overlap.
    """
    import sys

    return "weasyprint" not in sys.modules and default_workers() > 1
