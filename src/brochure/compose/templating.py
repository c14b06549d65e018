"""The template loader: a project's templates are data, read like any other file.

Templates come from clinics, agencies and downloaded starter packs, so they render in
Jinja's sandbox (no attribute that reaches Python internals, no unsafe calls) and are read
only from the template folders, after links are followed, with a size bound.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
from jinja2.loaders import split_template_path

from brochure.content.safefile import Refused, read_inside

MAX_TEMPLATE_BYTES = 1_000_000


class TemplateRefused(jinja2.TemplateNotFound):
    """A template exists but may not be read (a link out, a FIFO, too large)."""

    def __init__(self, name: str, path: Path, reason: str) -> None:
        super().__init__(name)
        self.path = path
        self.reason = reason


class SafeLoader(jinja2.BaseLoader):
    """Finds ``name`` in the search path, like FileSystemLoader, but reads it safely."""

    def __init__(self, dirs: tuple[Path, ...]) -> None:
        self.dirs = dirs

    def get_source(self, environment: jinja2.Environment,
                   template: str) -> tuple[str, str, Callable[[], bool]]:
        """Return the template's text, its file name and an up-to-date check."""
        parts = split_template_path(template)  # refuses '..' and absolute names
        for folder in self.dirs:
            path = folder.joinpath(*parts)
            if not os.path.lexists(path):
                continue
            try:
                raw = read_inside(path, self.dirs, limit=MAX_TEMPLATE_BYTES)
            except Refused as exc:
                raise TemplateRefused(template, path, exc.reason) from None
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise TemplateRefused(template, path, "the file is not UTF-8 text; save it "
                                                      "as UTF-8") from None
            mtime = path.stat().st_mtime

            def fresh(path: Path = path, mtime: float = mtime) -> bool:
                try:
                    return path.stat().st_mtime == mtime
                except OSError:
                    return False

            return text, str(path), fresh
        raise jinja2.TemplateNotFound(template)


def sandboxed(dirs: tuple[Path, ...], **options: Any) -> jinja2.Environment:
    """Return a sandboxed environment that loads templates from ``dirs``."""
    from jinja2.sandbox import SandboxedEnvironment

    class Sandbox(SandboxedEnvironment):
        """Jinja's sandbox, and no file, folder or module is reachable from a template.

        The values passed in hold where their content came from (a ``Path``); a path's
        methods read and delete files, so neither paths nor what holds them are reachable.
        """

        def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
            if isinstance(obj, _CLOSED) or isinstance(value, _CLOSED):
                return False
            return bool(super().is_safe_attribute(obj, attr, value))

        def is_safe_callable(self, obj: Any) -> bool:
            # Classes may be called (Jinja's own namespace() and cycler() are classes);
            # a method of a path, a file or a module may not.
            owner = getattr(obj, "__self__", None)
            if isinstance(obj, _CLOSED[:-1]) or isinstance(owner, _CLOSED):
                return False
            return bool(super().is_safe_callable(obj))

    return Sandbox(loader=SafeLoader(dirs), **options)


def _closed_types() -> tuple[type, ...]:
    import io
    import types
    from pathlib import PurePath

    from brochure.content.load import Loaded

    return (PurePath, Loaded, types.ModuleType, io.IOBase, type)  # type last: see above


_CLOSED = _closed_types()
