"""A process that holds a patient's name or note writes no core dump of its memory.

A crash (or ``kill -SEGV``) with ``ulimit -c unlimited`` would otherwise leave a core file
of the whole process, with the name and the note in it, wherever the system puts them.
The core-size limit goes to zero (the soft limit, the one the kernel applies; the hard one
is left as it is, so that a script calling the library may still raise it for work of its
own) and, on Linux, the process is marked not dumpable, which stops a core dump whatever
the limit and keeps other processes of the same user from reading its memory through
/proc. A program started afterwards inherits the limit, not the mark: the renderer sets
both itself.
"""

from __future__ import annotations

import sys

_PR_SET_DUMPABLE = 4  # <linux/prctl.h>


def no_core_dumps() -> None:
    """Forbid core dumps of this process (where the platform allows; else do nothing)."""
    try:
        import resource

        _, hard = resource.getrlimit(resource.RLIMIT_CORE)
        resource.setrlimit(resource.RLIMIT_CORE, (0, hard))
    except (ImportError, ValueError, OSError):
        pass
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0)
        except (OSError, AttributeError):
            pass
