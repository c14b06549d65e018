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
    "translations",
]

_ERRORS = {"BrochureError", "ContentError", "Problem", "UsageError"}
_API = {"BuildFailed", "BuildResult", "build", "check", "export_translations",
        "import_translations", "init", "list_project", "merge_manifests", "translations"}

if TYPE_CHECKING:
    from typing import Any

    from brochure.api import (
        BuildFailed,
        BuildResult,
        build,
        check,
        export_translations,
        import_translations,
        init,
        list_project,
        merge_manifests,
        translations,
    )
    from brochure.errors import BrochureError, ContentError, Problem, UsageError


def __getattr__(name: str) -> Any:
    """Import the library calls on first use."""
    if name in _ERRORS:
        return getattr(importlib.import_module("brochure.errors"), name)
    if name in _API:
        return getattr(importlib.import_module("brochure.api"), name)
    raise AttributeError(f"module 'brochure' has no attribute {name!r}")
