"""The one template environment: a project's templates are data, read like any other file.

Templates come from clinics, agencies and downloaded starter packs, so every template the
program renders (the brochures' pages, the e-mail, serve's own pages) renders in Jinja's
sandbox (no attribute that reaches Python internals, no unsafe calls) and is read only
from its template folders, after links are followed, with a size bound. ``sandboxed()`` is
the only place an environment is made (tests/test_architecture.py holds to that), and
``reported()`` turns whatever a template does wrong into one line naming its file.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import jinja2
from jinja2.loaders import split_template_path

from brochure.errors import (
    BrochureError,
    TemplateError,
    UsageError,
    display_path,
    printable,
    shorten,
)
from brochure.safefile import Refused, read_inside

MAX_TEMPLATE_BYTES = 1_000_000
MAX_REPEAT = 1_000_000  # items or characters one ``*`` may make: 'x' * 10**9 is not a page
MAX_POWER = 10_000  # the largest exponent of an integer ``**``: 9 ** 10**9 never ends


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


def sandboxed(dirs: tuple[Path, ...], *, autoescape: bool,
              keep_trailing_newline: bool = True) -> jinja2.Environment:
    """Return a sandboxed environment that loads templates from ``dirs`` only.

    ``autoescape`` is on for HTML, off for plain text (the e-mail); a missing value is
    always an error (StrictUndefined), and block tags never leave blank lines.
    """
    return _Sandbox(loader=SafeLoader(dirs), autoescape=autoescape,
                    undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                    keep_trailing_newline=keep_trailing_newline)


def _make_sandbox() -> type[jinja2.Environment]:
    from jinja2.exceptions import SecurityError
    from jinja2.sandbox import SandboxedEnvironment

    class Sandbox(SandboxedEnvironment):
        """Jinja's sandbox, and no file, folder or module is reachable from a template.

        The values passed in hold where their content came from (a ``Path``); a path's
        methods read and delete files, so neither paths nor what holds them are reachable.
        ``*`` and ``**`` are bounded, so a template cannot fill the memory or the clock.
        """

        intercepted_binops = frozenset({"*", "**"})

        def call_binop(self, context: jinja2.runtime.Context, operator: str, left: Any,
                       right: Any) -> Any:
            if operator == "*":
                for seq, count in ((left, right), (right, left)):
                    if (isinstance(seq, (str, bytes, list, tuple)) and isinstance(count, int)
                            and len(seq) * count > MAX_REPEAT):
                        raise SecurityError(f"'*' would make more than {MAX_REPEAT:,} items "
                                            "or characters")
            elif (isinstance(left, int) and isinstance(right, int) and abs(left) > 1
                  and right > MAX_POWER):
                raise SecurityError(f"'**' with an exponent over {MAX_POWER:,}")
            return super().call_binop(context, operator, left, right)

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

    return Sandbox


def _closed_types() -> tuple[type, ...]:
    import io
    import types
    from pathlib import PurePath

    from brochure.content.load import Loaded

    return (PurePath, Loaded, types.ModuleType, io.IOBase, type)  # type last: see above


_CLOSED = _closed_types()


_Sandbox = _make_sandbox()


@contextmanager
def reported(name: str, given: str) -> Iterator[None]:
    """Turn what a template does wrong into one TemplateError line naming its file and line.

    ``name`` is the template rendered (named when no line is known); ``given`` lists the
    values the tool passes it, for a template that reaches for something else.
    """
    try:
        yield
    except TemplateRefused as exc:
        raise TemplateError(f"{display_path(exc.path)}:1: cannot use the template: "
                            f"{exc.reason}") from None
    except jinja2.exceptions.SecurityError as exc:
        where = _template_line(exc) or name
        raise TemplateError(f"{where}: the template reaches for something templates may not "
                            f"use ({shorten(printable(str(exc)), 120)}); use only the values the "
                            f"tool passes ({given})") from None
    except jinja2.TemplateNotFound as exc:
        found = _template_line(exc)
        if found is None:
            raise UsageError(f"template '{printable(str(exc.name))}' not found") from None
        raise TemplateError(f"{found}: template '{printable(str(exc.name))}' not found; put "
                            "it in the project's templates/ folder or remove the line") from None
    except jinja2.TemplateSyntaxError as exc:
        shown = display_path(Path(exc.filename)) if exc.filename else exc.name or name
        first = printable((exc.message or "invalid syntax").split(". ")[0].rstrip("."))
        raise TemplateError(f"{shown}:{exc.lineno}: template syntax error: {first}") from None
    except jinja2.UndefinedError as exc:
        where = _template_line(exc) or name
        raise TemplateError(f"{where}: the template uses a value that does not exist "
                            f"({printable(_undefined(exc.message or ''))}); check its "
                            "spelling") from None
    except BrochureError:
        raise
    except RecursionError as exc:  # compiling ((((...)))) or a macro that calls itself
        where = _template_line(exc) or name
        raise TemplateError(f"{where}: the template nests or repeats itself too deeply; "
                            "simplify it") from None
    except Exception as exc:  # anything else a template line did: 1 + "a", a bad filter...
        line = _template_line(exc)
        if line is None:
            raise
        reason = shorten(printable(" ".join(str(exc).split())), 120)
        raise TemplateError(f"{line}: the template failed ({type(exc).__name__}: {reason}); "
                            "fix the expression on that line") from None


def _template_line(exc: BaseException) -> str | None:
    """Return 'file:line' of the innermost template frame of a Jinja2 error."""
    found = None
    tb = exc.__traceback__
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name.endswith(".j2"):
            found = f"{display_path(Path(name))}:{tb.tb_lineno}"
        tb = tb.tb_next
    return found


def _undefined(message: str) -> str:
    match = re.search(r"'(?:[\w.]+\.)?(\w+) object' has no attribute '(\w+)'", message)
    if match:
        return f"a {match[1].lower()} has no '{match[2]}'"
    return message
