"""brochure: printable, tagged patient handouts for physiotherapy and dry-needling clinics."""

from brochure.api import BuildResult, build, list_project
from brochure.errors import BrochureError, ContentError, Problem, UsageError

__version__ = "0.1.0"

__all__ = [
    "BrochureError",
    "BuildResult",
    "ContentError",
    "Problem",
    "UsageError",
    "__version__",
    "build",
    "list_project",
]
