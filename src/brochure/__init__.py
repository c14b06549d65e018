"""brochure: printable, tagged patient handouts for physiotherapy and dry-needling clinics.

The library calls are imported on first use, so ``brochure --help`` starts fast.
"""

from __future__ import annotations

import importlib

# Not `from typing import TYPE_CHECKING`: importing typing costs about 10 ms at every start.
TYPE_CHECKING = False

__version__ = "0.1.0"

__all__ = [
    "BrochureError",
    "BuildFailed",
    "BuildResult",
    "ContentError",
    "MailError",
    "Problem",
    "UsageError",
    "__version__",
    "build",
    "check",
    "export_translations",
    "import_translations",
    "init",
    "list_project",
    "merge_manifests",
    "personalise",
    "send",
    "translations",
]

_ERRORS = {"BrochureError", "BuildFailed", "ContentError", "MailError", "Problem", "UsageError"}
_API = {"build", "check", "export_translations", "import_translations", "init", "list_project",
        "merge_manifests", "translations"}
_PERSONAL = {"personalise", "send"}

if TYPE_CHECKING:
    from typing import Any

    from brochure.api import (
        build,
        check,
        export_translations,
        import_translations,
        init,
        list_project,
        merge_manifests,
        translations,
    )
    from brochure.catalogue.run import BuildResult
    from brochure.errors import (
        BrochureError,
        BuildFailed,
        ContentError,
        MailError,
        Problem,
        UsageError,
    )
    from brochure.personal.api import personalise, send


def __getattr__(name: str) -> Any:
    """Import the library calls on first use."""
    if name in _ERRORS:
        return getattr(importlib.import_module("brochure.errors"), name)
    if name in _API:
        return getattr(importlib.import_module("brochure.api"), name)
    if name == "BuildResult":
        return importlib.import_module("brochure.catalogue.run").BuildResult
    if name in _PERSONAL:
        return getattr(importlib.import_module("brochure.personal.api"), name)
    raise AttributeError(f"module 'brochure' has no attribute {name!r}")
