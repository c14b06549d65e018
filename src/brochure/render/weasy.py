"""The one place that reaches into WeasyPrint's private attributes.

WeasyPrint has no public API for either need below, so both are read here and nowhere
else; ``tests/test_architecture.py`` fails loudly when a WeasyPrint release moves them, and
pyproject.toml bounds the dependency below the next major release.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any


def root_box(page: Any) -> Any:
    """Return the laid-out box tree of a rendered page (``Page._page_box``).

    The fit check walks it to measure how full each fixed panel is.
    """
    return page._page_box


def font_folder_gone(config: Any) -> bool:
    """Return True when the folder a FontConfiguration copied its fonts into was removed."""
    folder = getattr(config, "_folder", None)
    return bool(folder) and not Path(str(folder)).is_dir()


def remove_font_folder(config: Any) -> None:
    """Delete the temporary folder a FontConfiguration copies @font-face files into.

    WeasyPrint keeps it as ``FontConfiguration._folder`` and removes it only when the
    configuration is garbage-collected, which never happens to a process-wide one.
    """
    folder = getattr(config, "_folder", None)
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        config._folder = None
