"""``brochure serve``: a local preview server that rebuilds brochures as their files change.

Its dependencies (Starlette, Uvicorn, watchfiles, pypdfium2) are the optional extra
``brochure[serve]``; this module imports none of them, so the message for a missing extra
is one line, not a traceback.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Sequence
from pathlib import Path

from brochure.errors import BrochureError

EXTRA = ("starlette", "uvicorn", "watchfiles", "pypdfium2")


class MissingExtra(BrochureError):
    """The optional dependencies of ``brochure serve`` are not installed."""


def require_extra() -> None:
    """Raise MissingExtra naming what is missing and how to install it."""
    missing = [name for name in EXTRA if importlib.util.find_spec(name) is None]
    if missing:
        raise MissingExtra(f"'brochure serve' needs packages that are not installed "
                           f"({', '.join(missing)}); install them with: "
                           "pip install 'brochure[serve]'")


def serve(*, project: Path | str = ".", host: str = "127.0.0.1", port: int = 8000,
          open_browser: bool = False, on_ready: Callable[[str], None] | None = None,
          ignore: Sequence[str] = ()) -> None:
    """Serve live previews of a project's brochures until Ctrl-C; return when stopped.

    ``on_ready`` receives the address once the server listens (``port`` 0 picks a free
    port). Renders run in warm worker processes; everything they write goes to a
    temporary folder that is removed on the way out. Findings whose code is in ``ignore``
    or clinic.yaml's ``check.ignore`` are left out of the findings panel and its counts.
    """
    from brochure.codes import ignore_codes
    from brochure.serve.hosts import listen_host

    listen_host(host)  # a usage mistake is reported before a missing extra
    codes = ignore_codes(ignore)
    require_extra()
    from brochure.serve.app import run

    run(root=Path(project), host=host, port=port, open_browser=open_browser,
        on_ready=on_ready, ignore=codes)
